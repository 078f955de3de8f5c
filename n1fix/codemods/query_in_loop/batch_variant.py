"""Write the batch variant of a project query function that the project does not have.

The rule side (`rules.query_in_loop.batch_variant`) found the facts and analysed the per-key loop a
person would write first. Here the loop rule's own codemod batches that loop, the result
is checked as `apply` checks any fix (it compiles, reads no unbound name, and the loop
rule finds nothing left to fix), and it is tidied into the method a reviewer expects: a
docstring, an early return for no keys, the batched query, and a dict comprehension that
gives every key its entry (for a write: the one bulk statement).

It goes to the callee's module as a `CompanionEdit`. What cannot be written raises
FixFailed with the reason.
"""

from __future__ import annotations

import ast
import functools

import libcst as cst

from n1fix.codemods.query_in_loop.commit_tail import with_own_commit
from n1fix.codemods.query_in_loop.caught_failures import guarded_method
from n1fix.cst.companions import CompanionEdit, apply_companion
from n1fix.cst.errors import FixFailed
from n1fix.cst.layout import broken_expression, fits, one_line
from n1fix.cst.method_syntax import (
    BATCHED,
    batch_params,
    find_function,
    named_params,
    tail_block,
    with_tail,
    without_docstring,
)
from n1fix.cst.names import plural
from n1fix.cst.parsing import parsed
from n1fix.cst.syntax import walk
from n1fix.rules.query_in_loop.batch_variant import BatchLoop, BatchVariant


def method_problem(variant: BatchVariant, line_length: int) -> str | None:
    """Why the method cannot be written (for a variant the project has: why its loop cannot
    be batched), or None. The code is not kept: the fix writes it again."""
    try:
        batched = batched_loop(variant.loop)
        if not variant.exists:
            method_edit(variant, batched, line_length)
    except FixFailed as error:
        return str(error)
    return None


def write_method(variant: BatchVariant, line_length: int) -> CompanionEdit:
    """The new method, as an edit of the callee's module."""
    return method_edit(variant, batched_loop(variant.loop), line_length)


def batched_loop(loop: BatchLoop) -> str:
    """The text of the synthetic loop's module once its rule's codemod has batched it."""
    from n1fix.cst.name_binding import new_unbound_reads
    from n1fix.orm.imports import import_map
    from n1fix.rules import codemod_for, rule_by_name

    failed = FixFailed("n1fix could not build its batch method")
    ctx, finding = loop.ctx, loop.finding
    rule = rule_by_name(finding.rule)
    codemod = codemod_for(rule) if rule is not None else None
    if codemod is None or not finding.fixable:
        raise failed
    try:
        compile(ctx.text, ctx.display_path, "exec", dont_inherit=True)
        result = codemod(ctx, finding)
        text = (result[0] if isinstance(result, tuple) else result).code
        compile(text, ctx.display_path, "exec", dont_inherit=True)
        if (
            new_unbound_reads(
                ctx.module,
                cst.parse_module(text, config=ctx.module.config_for_parsing),
                _top_level_names(loop.callee_text),
            )
            is not None
        ):
            raise failed
        # Checked as `apply` checks a fix: the rule, run again with the imports the fix
        # added, finds nothing left that it would fix.
        fixed = ctx.derived(
            text,
            imports=import_map(
                ast.parse(text), ctx.module_name, ctx.path.name == "__init__.py"
            ),
        )
        if any(f.fixable for f in rule().check(fixed)):
            raise failed
    except Exception:  # noqa: BLE001 - any failure of the codemod or of its check: no method
        raise failed from None
    return text


@functools.lru_cache(maxsize=32)
def _top_level_names(text: str) -> frozenset[str]:
    """The classes, functions and assigned names of the callee's module: bound where the
    method goes, though the synthetic loop's module (imports and the method) lacks them
    (a model defined next to its DAL, read again by the batched statement). Kept per
    text: many plans write into the same few modules (open-webui: 14 methods checked
    in its DAL modules), each parsed with `ast` once."""
    names = set()
    for node in ast.parse(text).body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, (ast.Assign, ast.AnnAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            names |= {t.id for t in targets if isinstance(t, ast.Name)}
    return frozenset(names)


def method_edit(variant: BatchVariant, batched: str, line_length: int) -> CompanionEdit:
    """The method made of the batched loop (`batched_loop`), as an edit of the callee's module."""
    loop = variant.loop
    owner = loop.owner
    fixed = cst.parse_module(batched)
    if variant.callee.writes:
        new_function = _tidy_write(
            fixed, owner, loop.original, variant.name, variant.keys_param
        )
        if variant.commit is not None:
            new_function = with_own_commit(
                new_function,
                variant.commit,
                variant.callee.name,
                variant.keys_param,
                4 if owner else 0,
                line_length,
            )
    else:
        new_function = _tidy(
            fixed,
            owner,
            loop.original,
            variant.name,
            variant.key_param,
            variant.keys_param,
            line_length,
            kept_loop=variant.shaped,
        )
        if variant.caught is not None:
            new_function = guarded_method(
                new_function, variant.caught, variant.key_param, variant.keys_param
            )
    edit = CompanionEdit(
        path=loop.ctx.path,
        display=loop.ctx.display_path,
        owner=owner,
        after=variant.callee.name,
        name=variant.name,
        code=_wrapped_signature(new_function, 4 if owner else 0, line_length),
        imports=tuple(
            (source, name)
            for source, name in _added_imports(loop.callee_text, fixed)
            if source != loop.ctx.module_name  # the synthetic module's own names
        ),
        first_party=frozenset(loop.ctx.first_party),
    )
    try:
        compile(
            apply_companion(loop.callee_text, edit),
            edit.display,
            "exec",
            dont_inherit=True,
        )
    except Exception as error:  # noqa: BLE001 - any failure: no method
        raise FixFailed(
            f"the batch method for `{variant.callee.name}` does not compile ({type(error).__name__})"
        ) from None
    return edit


def _tidy_write(
    fixed: cst.Module,
    owner: str | None,
    original: cst.FunctionDef,
    name: str,
    keys: str,
) -> cst.FunctionDef:
    """The batched write, without the loop or a copy of the keys, with a docstring."""
    function = find_function(fixed, owner, name)
    statements, _ = tail_block(function)
    if any(
        isinstance(n, (cst.For, cst.While)) for s in statements for n in [s, *walk(s)]
    ):
        raise FixFailed(
            "the batched write still loops; the callee does more than its statement"
        )
    statements = _without_key_copy(statements, keys)
    tail = with_tail(original, statements).with_changes(name=cst.Name(name))
    new_function = tail.with_changes(
        params=batch_params(
            original.params, _key_of(original, keys), keys, annotate_for_analysis=False
        )
    )
    noun = plural(keys[:-4]) if keys.endswith("_ids") else keys
    docstring = cst.parse_statement(
        f'"""`{original.name.value}` for many {noun.replace("_", " ")} in one statement."""\n'
    )
    body = without_docstring(list(new_function.body.body))
    return new_function.with_changes(
        body=new_function.body.with_changes(body=[docstring, *body])
    )


def _key_of(original: cst.FunctionDef, keys: str) -> str:
    names = [p.name.value for p in named_params(original.params)]
    return next(n for n in names if plural(n) == keys)


def _without_key_copy(statements: list, keys: str) -> list:
    """`render_ids_2 = [render_id for render_id in render_ids]` is `render_ids`: use it."""
    if not statements:
        return statements
    first = statements[0]
    small = (
        first.body[0]
        if isinstance(first, cst.SimpleStatementLine) and len(first.body) == 1
        else None
    )
    if not (
        isinstance(small, cst.Assign)
        and len(small.targets) == 1
        and isinstance(small.targets[0].target, cst.Name)
    ):
        return statements
    comp = small.value
    if not (
        isinstance(comp, cst.ListComp)
        and isinstance(comp.elt, cst.Name)
        and isinstance(comp.for_in.target, cst.Name)
        and comp.elt.value == comp.for_in.target.value
        and isinstance(comp.for_in.iter, cst.Name)
        and comp.for_in.iter.value == keys
        and not comp.for_in.ifs
        and comp.for_in.inner_for_in is None
    ):
        return statements
    copy = small.targets[0].target.value

    class _Rename(cst.CSTTransformer):
        def leave_Name(self, original, updated):
            return (
                updated.with_changes(value=keys) if original.value == copy else updated
            )

    return [s.visit(_Rename()) for s in statements[1:]]


def _tidy(
    fixed: cst.Module,
    owner: str | None,
    original: cst.FunctionDef,
    name: str,
    key: str,
    keys: str,
    line_length: int,
    *,
    kept_loop: bool = False,
) -> cst.FunctionDef:
    """From the batched synthetic loop to the method a person would write. `kept_loop`:
    the callee shapes its result (`rules.query_in_loop.post_process`), so the loop over
    the keys may stay."""
    function = find_function(fixed, owner, name)
    statements, _ = tail_block(function)
    if len(statements) < 3:
        raise FixFailed("the batched loop has an unexpected shape")
    start, *middle, loop, end = statements
    record = (
        loop.body.body[0]
        if isinstance(loop, cst.For) and len(loop.body.body) == 1
        else None
    )
    small = (
        record.body[0]
        if isinstance(record, cst.SimpleStatementLine) and len(record.body) == 1
        else None
    )
    if (
        kept_loop
        and cst.Module([]).code_for_node(start).strip() == f"{BATCHED} = {{}}"
        and isinstance(loop, cst.For)
        and not isinstance(small, cst.Assign)
    ):
        return _tidy_kept_loop(function, original, name, key, keys, owner)
    if (
        not isinstance(small, cst.Assign)
        or cst.Module([]).code_for_node(start).strip() != f"{BATCHED} = {{}}"
    ):
        raise FixFailed(
            "the batched loop keeps more than its lookup; the callee does more than its query"
        )
    joined = (
        one_line(small.value)
        if "\n" in cst.Module([]).code_for_node(small.value)
        else small.value
    )
    if joined is None:
        raise FixFailed(
            "the lookup of the batched loop carries a comment n1fix cannot place"
        )
    value = cst.Module([]).code_for_node(joined)
    # The return statement's column inside the new function.
    indent = (8 if owner else 4) + 4 * len(tail_block(function)[1])
    returned_line = f"return {{{key}: {value} for {key} in {keys}}}"
    if fits(returned_line, indent, line_length):
        returned = returned_line
    else:
        if not fits(f"{key}: {value}", indent + 4, line_length):
            broken = broken_expression(joined)
            value = broken.replace("\n", "\n    ") if broken else value
        returned = f"return {{\n    {key}: {value}\n    for {key} in {keys}\n}}"
    tail = [*middle, cst.parse_statement(returned + "\n")]
    new_function = with_tail(original, tail).with_changes(name=cst.Name(name))
    new_function = new_function.with_changes(
        params=batch_params(original.params, key, keys, annotate_for_analysis=False),
        returns=_dict_return(original, key),
    )
    return _with_preamble(new_function, original.name.value, keys, 8 if owner else 4)


def _tidy_kept_loop(
    function: cst.FunctionDef,
    original: cst.FunctionDef,
    name: str,
    key: str,
    keys: str,
    owner: str | None,
) -> cst.FunctionDef:
    """The batched query, then the callee's own shaping of each key's result in a loop
    over the keys (`rules.query_in_loop.post_process`): the loop stays, its result dict
    gets a name of the domain."""
    statements, _ = tail_block(function)
    _, *middle, loop, _ = statements
    taken = {n.value for n in walk(function) if isinstance(n, cst.Name)}
    results = next(
        candidate
        for candidate in ("results", *(f"results_{i}" for i in range(2, 100)))
        if candidate not in taken
    )

    class _Rename(cst.CSTTransformer):
        def leave_Name(self, original_node, updated_node):
            if original_node.value == BATCHED:
                return updated_node.with_changes(value=results)
            return updated_node

    tail = [
        *middle,
        cst.parse_statement(f"{results} = {{}}\n"),
        loop.visit(_Rename()),
        cst.parse_statement(f"return {results}\n"),
    ]
    new_function = with_tail(original, tail).with_changes(name=cst.Name(name))
    new_function = new_function.with_changes(
        params=batch_params(original.params, key, keys, annotate_for_analysis=False),
        returns=_dict_return(original, key),
    )
    return _with_preamble(new_function, original.name.value, keys, 8 if owner else 4)


def _wrapped_signature(function: cst.FunctionDef, indent: int, limit: int) -> str:
    """The function's code, its parameters on their own line (black's style) when the
    `def` line is too long, and one a line when even that is."""
    code = cst.Module(body=[function]).code
    render = cst.Module([]).code_for_node
    header = f"{'async ' if function.asynchronous else ''}def {function.name.value}("
    returns = (
        f" -> {render(function.returns.annotation)}"
        if function.returns is not None
        else ""
    )
    lines = code.split("\n")
    at = next(i for i, line in enumerate(lines) if line.startswith(header))
    if fits(lines[at], indent, limit):
        return code
    params = render(function.params)
    if fits(params, indent + 4, limit):
        inner = [f"    {params}"]
    else:
        inner = [
            f"    {render(p.with_changes(comma=cst.MaybeSentinel.DEFAULT)).strip()},"
            for p in _all_params(function.params)
        ]
    lines[at : at + 1] = [header, *inner, f"){returns}:"]
    return "\n".join(lines)


def _all_params(params: cst.Parameters) -> list:
    out = [*params.posonly_params]
    if params.posonly_ind is not cst.MaybeSentinel.DEFAULT:
        out.append(params.posonly_ind)
    out.extend(params.params)
    if params.star_arg is not cst.MaybeSentinel.DEFAULT:
        out.append(params.star_arg)
    out.extend(params.kwonly_params)
    return out


def _dict_return(original: cst.FunctionDef, key: str) -> cst.Annotation | None:
    if original.returns is None:
        return None
    key_annotation = next(
        (p.annotation for p in named_params(original.params) if p.name.value == key),
        None,
    )
    if key_annotation is None:
        return None
    render = cst.Module([]).code_for_node
    return original.returns.with_changes(
        annotation=cst.parse_expression(
            f"dict[{render(key_annotation.annotation)}, {render(original.returns.annotation)}]"
        )
    )


def _with_preamble(
    function: cst.FunctionDef, original_name: str, keys: str, indent: int
) -> cst.FunctionDef:
    """A docstring, and no query at all for no keys."""
    noun = plural(keys[:-4]) if keys.endswith("_ids") else keys
    pad = " " * indent  # the docstring's own lines sit at the body's indentation
    docstring = cst.parse_statement(
        f'"""`{original_name}` for many {noun.replace("_", " ")} in one query.\n\n'
        f"{pad}Maps each of `{keys}` to what `{original_name}` returns for it.\n"
        f'{pad}"""\n'
    )
    guard = cst.parse_statement(f"if not {keys}:\n    return {{}}\n")
    body = without_docstring(list(function.body.body))
    return function.with_changes(
        body=function.body.with_changes(body=[docstring, guard, *body])
    )


def _added_imports(before: str, after: cst.Module) -> list[tuple[str, str]]:
    """The `from` imports of `after` (the batched loop's module, as parsed for the
    method) that the callee's module `before` lacks."""

    def pairs(module: cst.Module) -> set[tuple[str, str]]:
        found = set()
        for statement in module.body:
            if isinstance(statement, cst.SimpleStatementLine) and isinstance(
                statement.body[0], cst.ImportFrom
            ):
                node = statement.body[0]
                if node.relative or isinstance(node.names, cst.ImportStar):
                    continue
                source = cst.Module([]).code_for_node(node.module)
                found |= {
                    (source, cst.Module([]).code_for_node(alias.name))
                    for alias in node.names
                }
        return found

    # `before` is the callee's module, parsed once for the plan (`parsed`).
    return sorted(pairs(after) - pairs(parsed(before)))
