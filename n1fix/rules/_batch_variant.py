"""The batch variant of a project query function: the one the project has, or a new one.

`RendersDAL.latest_for_project(session, project_id, limit)` called once per project
becomes one call of `RendersDAL.latest_for_projects(session, project_ids, limit)`, which
returns a dict from each requested id to what the original returns for it. The new method
is not written from templates: n1fix builds the loop a person would write first,

    def latest_for_projects(session, project_ids, limit=4):
        batched = {}
        for project_id in project_ids:
            <the original body, its `return X` as `batched[project_id] = X`>
        return batched

and lets the `query-in-loop` analysis and codemod batch that loop, with every check of
the rewrite contract (ordering, per-item LIMIT, cardinality, unique keys, joined eager
loads). What comes out is tidied into the method a reviewer expects: a docstring, an early
return for no ids, the batched query, and a dict comprehension that gives every id its
entry. A callee the analysis cannot batch safely gets no variant, and its reason is the
finding's.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

import libcst as cst

from n1fix.codemods._layout import broken_expression, fits, one_line
from n1fix.codemods._names import plural
from n1fix.engine.companions import CompanionEdit, apply_companion
from n1fix.orm.functions import QueryFunction
from n1fix.orm.query_shape import Cardinality
from n1fix.rules._loop_placement import NoFix
from n1fix.rules._syntax import walk

_BATCHED = "n1fix_batched_"  # the synthetic result dict; never survives into the output
_ALLOWED_DECORATORS = {"staticmethod", "classmethod"}
_MEMO: dict[tuple, "BatchVariant | NoFix"] = {}
_planning = False


@dataclass
class BatchVariant:
    callee: QueryFunction
    name: str  # `latest_for_projects`
    key_param: str  # `project_id`
    keys_param: str  # `project_ids`
    model: object | None  # ModelInfo of the queried model
    key_column: str  # the column the key is compared with
    columns: set[str]  # columns the query reads (a loop assigning one must not be batched)
    session_param: str | None  # the callee's parameter holding the session it queries with
    cardinality: Cardinality  # what the original returns per key
    unsafe: list[str] = field(default_factory=list)
    companion: CompanionEdit | None = None  # None: the project already has the variant


def forget_variants() -> None:
    """Drop the verdicts of an earlier run (its project is gone)."""
    _MEMO.clear()


def planning() -> bool:
    """True while a synthetic batch loop is analysed (calls in it are not followed)."""
    return _planning


def batch_name(name: str, key: str) -> str:
    """`get_by_project_id` -> `get_by_project_ids`, `latest_for_project` -> `latest_for_projects`."""
    noun = key[:-3] if key.endswith("_id") else key
    if name.endswith(key):
        return name[: -len(key)] + plural(key)
    if name.endswith(noun):
        return name[: -len(noun)] + plural(noun)
    if name.endswith(("_of", "_for", "_by", "_in")):
        return f"{name}_{plural(noun)}"
    return f"{name}_for_{plural(key)}"


def plan_variant(ctx, callee: QueryFunction, key_param: str) -> BatchVariant:
    """The variant to call for `callee` keyed by `key_param`; raises NoFix with the reason."""
    source = _callee_source(ctx, callee)
    # The verdict depends on the callee's text and on the project's indexes.
    memo_key = (id(ctx.project), callee.qualname, key_param, hashlib.sha256(source[0].encode()).hexdigest())
    hit = _MEMO.get(memo_key)
    if hit is None:
        try:
            hit = _plan(ctx, callee, key_param, *source)
        except NoFix as reason:
            hit = reason
        _MEMO[memo_key] = hit
    if isinstance(hit, NoFix):
        raise hit
    return hit


def _callee_source(ctx, callee: QueryFunction) -> tuple[str, str, dict[str, str], Path, str]:
    path = Path(callee.path)
    if path == ctx.path:
        return ctx.text, ctx.module_name, ctx.imports, path, ctx.display_path
    from n1fix.engine.fileio import SourceError, read_source
    from n1fix.engine.runner import display_path
    from n1fix.engine.survey import survey_file

    try:
        text = read_source(path).text
    except SourceError as error:
        raise NoFix(f"{callee.path} cannot be read ({error.reason})") from None
    survey = survey_file(path, ctx.project.root, {}, text=text)
    return text, survey.module_name, survey.imports, path, display_path(path)


def _plan(ctx, callee: QueryFunction, key_param: str, text: str, module_name: str, imports, path: Path, display: str) -> BatchVariant:
    module = cst.parse_module(text)
    owner_name = callee.owner.rpartition(".")[2] if callee.owner else None
    function = _find_function(module, owner_name, callee.name)
    if function is None:
        raise NoFix(f"`{callee.name}` is not where the index saw it")
    _check_signature(function, key_param, callee)
    _check_transaction(function)
    keys_param = plural(key_param)
    if keys_param == key_param or keys_param in callee.params:
        raise NoFix(f"no free parameter name for the list of `{key_param}` values")
    name = batch_name(callee.name, key_param)
    existing = ctx.project.functions.sibling(callee, name) if ctx.project.functions else None

    if callee.writes:
        synthetic = _synthetic_write_module(module, owner_name, function, name, key_param, keys_param)
    else:
        synthetic = _synthetic_module(module, owner_name, function, name, key_param, keys_param)
    plan, fixed_text, first_party = _batch_synthetic(ctx, synthetic, module_name, imports, path, display, callee.writes)
    variant = BatchVariant(
        callee=callee,
        name=name,
        key_param=key_param,
        keys_param=keys_param,
        model=plan["model"],
        key_column=plan["key_column"],
        columns=plan["columns"],
        session_param=plan["session"] if plan["session"] in callee.params else None,
        cardinality=plan["cardinality"],
        unsafe=plan["unsafe"],
    )
    if existing is not None:
        _check_existing(module, owner_name, name, callee, key_param, keys_param)
        return variant
    fixed = cst.parse_module(fixed_text)
    if callee.writes:
        new_function = _tidy_write(fixed, owner_name, function, name, keys_param)
    else:
        new_function = _tidy(fixed, owner_name, function, name, key_param, keys_param, ctx.project.line_length)
    added = _added_imports(synthetic, fixed_text)
    edit = CompanionEdit(
        path=path,
        display=display,
        owner=owner_name,
        after=callee.name,
        name=name,
        code=_wrapped_signature(new_function, 4 if owner_name else 0, ctx.project.line_length),
        imports=tuple(added),
        first_party=frozenset(first_party),
    )
    try:
        compile(apply_companion(text, edit), display, "exec", dont_inherit=True)
    except (SyntaxError, cst.ParserSyntaxError, Exception) as error:  # noqa: BLE001 - any failure: no fix
        raise NoFix(f"the batch method for `{callee.name}` does not compile ({type(error).__name__})") from None
    variant.companion = edit
    return variant


def _find_function(module: cst.Module, owner: str | None, name: str) -> cst.FunctionDef | None:
    body = module.body
    if owner is not None:
        cls = next((s for s in body if isinstance(s, cst.ClassDef) and s.name.value == owner), None)
        if cls is None:
            return None
        body = cls.body.body
    return next((s for s in body if isinstance(s, cst.FunctionDef) and s.name.value == name), None)


def _check_signature(function: cst.FunctionDef, key_param: str, callee: QueryFunction) -> None:
    for decorator in function.decorators:
        name = cst.Module([]).code_for_node(decorator.decorator)
        if name not in _ALLOWED_DECORATORS:
            raise NoFix(f"`{callee.name}` is decorated with `@{name}`, which a batch method would not repeat")
    params = function.params
    if isinstance(params.star_arg, cst.Param) or params.star_kwarg is not None:
        raise NoFix(f"`{callee.name}` takes `*args` or `**kwargs`")
    for param in (*params.posonly_params, *params.params, *params.kwonly_params):
        if param.name.value == key_param and param.default is not None:
            raise NoFix(f"`{key_param}` has a default value")


def _tail_block(function: cst.FunctionDef) -> tuple[list, list[cst.With]]:
    """The statements that do the work (without the docstring), inside any `with` blocks
    that wrap the whole body (`async with session_factory() as session:`)."""
    statements = _without_docstring(list(function.body.body))
    withs: list[cst.With] = []
    while len(statements) == 1 and isinstance(statements[0], cst.With):
        withs.append(statements[0])
        statements = list(statements[0].body.body)
    return statements, withs


def _without_docstring(statements: list) -> list:
    if statements and _is_docstring(statements[0]):
        return statements[1:]
    return statements


def _is_docstring(statement) -> bool:
    return (
        isinstance(statement, cst.SimpleStatementLine)
        and len(statement.body) == 1
        and isinstance(statement.body[0], cst.Expr)
        and isinstance(statement.body[0].value, (cst.SimpleString, cst.ConcatenatedString))
    )


def _work_statements(function: cst.FunctionDef) -> list[cst.SimpleStatementLine]:
    """The body as `name = ...` lines and one final `return`: the shape of a query method."""
    callee = function.name
    statements, _ = _tail_block(function)
    if not statements:
        raise NoFix(f"`{callee.value}` has an empty body")
    *assignments, last = statements
    for statement in assignments:
        small = statement.body[0] if isinstance(statement, cst.SimpleStatementLine) and len(statement.body) == 1 else None
        if not (isinstance(small, cst.Assign) and len(small.targets) == 1 and isinstance(small.targets[0].target, cst.Name)):
            raise NoFix(f"`{callee.value}` does more than run its query; n1fix batches methods whose body is the query")
    small = last.body[0] if isinstance(last, cst.SimpleStatementLine) and len(last.body) == 1 else None
    if not (isinstance(small, cst.Return) and small.value is not None):
        raise NoFix(f"`{callee.value}` does not end by returning its query's result")
    for node in walk(function.body):
        if isinstance(node, (cst.Return, cst.Yield)) and node is not small:
            raise NoFix(f"`{callee.value}` returns or yields in more than one place")
    return _inline_single_use([*assignments, last])


def _inline_single_use(statements: list[cst.SimpleStatementLine]) -> list[cst.SimpleStatementLine]:
    """`result = await session.execute(q)` / `return result.scalars().all()` reads as
    `return (await session.execute(q)).scalars().all()`: the form the recognizer knows."""
    if len(statements) < 2:
        return statements
    assign = statements[-2].body[0]
    name = assign.targets[0].target.value
    ret = statements[-1].body[0]
    uses = [n for n in walk(ret) if isinstance(n, cst.Name) and n.value == name]
    if len(uses) != 1 or any(isinstance(n, cst.Name) and n.value == name for s in statements[:-2] for n in walk(s)):
        return statements
    value = assign.value
    target = uses[0]
    if not isinstance(value, cst.Await):
        return statements  # `stmt = select(...)`: the loop analysis reads statement variables itself
    # `(await session.execute(q)).scalars()` needs the brackets; `list(await ...)` does not.
    receiver = any(isinstance(n, (cst.Attribute, cst.Subscript)) and n.value is target for n in walk(ret))
    if receiver and not value.lpar:
        value = value.with_changes(lpar=[cst.LeftParen()], rpar=[cst.RightParen()])

    class _Inline(cst.CSTTransformer):
        def on_leave(self, original, updated):
            return value if original is target else updated

    return [*statements[:-2], statements[-1].visit(_Inline())]


def _check_transaction(function: cst.FunctionDef) -> None:
    """A callee that commits or rolls back runs one transaction per call; one bulk call
    would make them one, so what a failure leaves behind would change."""
    for node in walk(function.body):
        if isinstance(node, cst.Call) and isinstance(node.func, cst.Attribute) and node.func.attr.value in ("commit", "rollback"):
            raise NoFix(
                f"`{function.name.value}` calls `.{node.func.attr.value}()`: one transaction per call, which one batched call would merge"
            )


def _synthetic_module(module: cst.Module, owner: str | None, function: cst.FunctionDef, name: str, key: str, keys: str) -> str:
    """The callee module's imports and the loop a person would write first."""
    statements = _work_statements(function)
    *assignments, last = statements
    record = cst.parse_statement(f"{_BATCHED}[{key}] = x\n").with_changes(leading_lines=last.leading_lines)
    record = record.with_changes(body=[record.body[0].with_changes(value=last.body[0].value)])
    loop = cst.For(
        target=cst.Name(key),
        iter=cst.Name(keys),
        body=cst.IndentedBlock(body=[*assignments, record]),
    )
    tail = [cst.parse_statement(f"{_BATCHED} = {{}}\n"), loop, cst.parse_statement(f"return {_BATCHED}\n")]
    new_function = _with_tail(function, tail)
    new_function = new_function.with_changes(
        name=cst.Name(name), params=_batch_params(function.params, key, keys, annotate_for_analysis=True), returns=None
    )
    return _module_with(module, owner, new_function)


def _module_with(module: cst.Module, owner: str | None, function: cst.FunctionDef) -> str:
    """The module's imports and `function` (in a class named `owner`, when a method)."""
    imports = [s for s in module.body if isinstance(s, cst.SimpleStatementLine) and isinstance(s.body[0], (cst.Import, cst.ImportFrom))]
    holder: cst.CSTNode = function
    if owner is not None:
        holder = cst.ClassDef(name=cst.Name(owner), body=cst.IndentedBlock(body=[function]))
    return module.with_changes(body=[*imports, holder.with_changes(leading_lines=[])]).code


def _with_tail(function: cst.FunctionDef, tail: list) -> cst.FunctionDef:
    """The function with the statements of its tail block (see `_tail_block`) replaced."""
    _, withs = _tail_block(function)
    if not withs:
        body = list(function.body.body)
        docstring = body[:1] if body and _is_docstring(body[0]) else []
        return function.with_changes(body=function.body.with_changes(body=[*docstring, *tail]))
    innermost = withs[-1]
    replaced = innermost.with_changes(body=innermost.body.with_changes(body=tail))

    class _Swap(cst.CSTTransformer):
        def on_leave(self, original, updated):
            return replaced if original is innermost else updated

    return function.visit(_Swap())


def _batch_params(params: cst.Parameters, key: str, keys: str, *, annotate_for_analysis: bool) -> cst.Parameters:
    def convert(param: cst.Param) -> cst.Param:
        if param.name.value != key:
            return param
        annotation = param.annotation
        if annotation is not None:
            element = cst.Module([]).code_for_node(annotation.annotation)
            annotation = annotation.with_changes(annotation=cst.parse_expression(f"list[{element}]"))
        elif annotate_for_analysis:
            # Only for the analysis (a list can be read twice); the method stays unannotated
            # like its original.
            annotation = cst.Annotation(cst.Name("list"))
        return param.with_changes(name=cst.Name(keys), annotation=annotation)

    return params.with_changes(
        posonly_params=[convert(p) for p in params.posonly_params],
        params=[convert(p) for p in params.params],
        kwonly_params=[convert(p) for p in params.kwonly_params],
    )


def _batch_synthetic(ctx, text: str, module_name: str, imports, path: Path, display: str, writes: bool = False):
    """Analyse and batch the synthetic loop with the query-in-loop (or write-in-loop) rule."""
    global _planning
    from n1fix.engine.checker import file_context, run_rules
    from n1fix.engine.fixer import fix_text

    if writes:
        from n1fix.rules.write_in_loop import WriteInLoop as LoopRule
    else:
        from n1fix.rules.query_in_loop import QueryInLoop as LoopRule

    def make(new_text: str):
        synthetic_ctx = file_context(path, display, new_text, module_name, imports, ctx.project)
        synthetic_ctx.keys_checked_elsewhere = True
        synthetic_ctx.keys_never_empty = not writes  # see `_with_preamble`
        return synthetic_ctx

    rules = [LoopRule()]
    _planning = True
    try:
        first = make(text)
        findings = [f for f in run_rules(first, rules) if f.rule == LoopRule.NAME]
        if len(findings) != 1:
            raise NoFix("its body is not one query n1fix can batch")
        finding = findings[0]
        if finding.plan is None:
            raise NoFix(f"its query cannot be batched: {finding.fix_note}")
        facts = _write_facts(first, finding) if writes else _plan_facts(first, finding)
        outcome = fix_text(text, make, rules, unsafe_fixes=True)
    finally:
        _planning = False
    if len(outcome.applied) != 1 or outcome.failures:
        raise NoFix("n1fix could not build its batch method")
    return facts, outcome.text, first.first_party


def _plan_facts(ctx, finding) -> dict:
    from n1fix.rules._query_in_loop_analysis import _columns_read, _counted_model

    plan = finding.plan
    shape = plan.shape
    entity = shape.entity if shape.entity is not None else cst.parse_expression(_counted_model(shape))
    return {
        "model": ctx.model_for(entity),
        "key_column": plan.key_column,
        "columns": _columns_read(shape, plan.key_column),
        "session": ctx.code(shape.session),
        "cardinality": plan.cardinality,
        "unsafe": [finding.fix_note] if finding.fix_note else [],
    }


def _write_facts(ctx, finding) -> dict:
    plan = finding.plan
    shape = plan.shape
    key_column = plan.predicate.attr if plan.predicate is not None else None
    if plan.form != "in" or key_column is None:
        raise NoFix("its write is not one keyed UPDATE or DELETE")
    return {
        "model": ctx.model_for(shape.target),
        "key_column": key_column,
        "columns": {p.attr for p in shape.predicates if p.attr},
        "session": ctx.code(shape.session),
        "cardinality": Cardinality.SCALAR,
        "unsafe": [finding.fix_note] if finding.fix_note else [],
    }


def _synthetic_write_module(module: cst.Module, owner: str | None, function: cst.FunctionDef, name: str, key: str, keys: str) -> str:
    """The callee module's imports and the per-key loop of the write method."""
    statements, _ = _tail_block(function)
    for statement in statements:
        if not isinstance(statement, cst.SimpleStatementLine) or any(
            not isinstance(small, (cst.Expr, cst.Assign)) for small in statement.body
        ):
            raise NoFix(f"`{function.name.value}` does more than run its statement; n1fix batches methods whose body is the write")
    for node in walk(function.body):
        if isinstance(node, (cst.Return, cst.Yield)):
            raise NoFix(f"`{function.name.value}` returns a value per key")
    loop = cst.For(target=cst.Name(key), iter=cst.Name(keys), body=cst.IndentedBlock(body=statements))
    new_function = _with_tail(function, [loop]).with_changes(
        name=cst.Name(name), params=_batch_params(function.params, key, keys, annotate_for_analysis=True)
    )
    return _module_with(module, owner, new_function)


def _tidy_write(fixed: cst.Module, owner: str | None, original: cst.FunctionDef, name: str, keys: str) -> cst.FunctionDef:
    """The batched write, without the loop or a copy of the keys, with a docstring."""
    function = _find_function(fixed, owner, name)
    statements, _ = _tail_block(function)
    if any(isinstance(n, (cst.For, cst.While)) for s in statements for n in [s, *walk(s)]):
        raise NoFix("the batched write still loops; the callee does more than its statement")
    statements = _without_key_copy(statements, keys)
    tail = _with_tail(original, statements).with_changes(name=cst.Name(name))
    new_function = tail.with_changes(params=_batch_params(original.params, _key_of(original, keys), keys, annotate_for_analysis=False))
    noun = keys[:-4] + "s" if keys.endswith("_ids") else keys
    docstring = cst.parse_statement(f'"""`{original.name.value}` for many {noun.replace("_", " ")} in one statement."""\n')
    body = _without_docstring(list(new_function.body.body))
    return new_function.with_changes(body=new_function.body.with_changes(body=[docstring, *body]))


def _key_of(original: cst.FunctionDef, keys: str) -> str:
    names = [p.name.value for p in (*original.params.posonly_params, *original.params.params, *original.params.kwonly_params)]
    return next(n for n in names if plural(n) == keys)


def _without_key_copy(statements: list, keys: str) -> list:
    """`render_ids_2 = [render_id for render_id in render_ids]` is `render_ids`: use it."""
    if not statements:
        return statements
    first = statements[0]
    small = first.body[0] if isinstance(first, cst.SimpleStatementLine) and len(first.body) == 1 else None
    if not (isinstance(small, cst.Assign) and len(small.targets) == 1 and isinstance(small.targets[0].target, cst.Name)):
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
            return updated.with_changes(value=keys) if original.value == copy else updated

    return [s.visit(_Rename()) for s in statements[1:]]


def _tidy(fixed: cst.Module, owner: str | None, original: cst.FunctionDef, name: str, key: str, keys: str, line_length: int) -> cst.FunctionDef:
    """From the batched synthetic loop to the method a person would write."""
    function = _find_function(fixed, owner, name)
    statements, _ = _tail_block(function)
    if len(statements) < 3:
        raise NoFix("the batched loop has an unexpected shape")
    start, *middle, loop, end = statements
    record = loop.body.body[0] if isinstance(loop, cst.For) and len(loop.body.body) == 1 else None
    small = record.body[0] if isinstance(record, cst.SimpleStatementLine) and len(record.body) == 1 else None
    if not isinstance(small, cst.Assign) or cst.Module([]).code_for_node(start).strip() != f"{_BATCHED} = {{}}":
        raise NoFix("the batched loop keeps more than its lookup; the callee does more than its query")
    joined = one_line(small.value) if "\n" in cst.Module([]).code_for_node(small.value) else small.value
    if joined is None:
        raise NoFix("the lookup of the batched loop carries a comment n1fix cannot place")
    value = cst.Module([]).code_for_node(joined)
    # The return statement's column inside the new function.
    indent = (8 if owner else 4) + 4 * len(_tail_block(function)[1])
    returned_line = f"return {{{key}: {value} for {key} in {keys}}}"
    if fits(returned_line, indent, line_length):
        returned = returned_line
    else:
        if not fits(f"{key}: {value}", indent + 4, line_length):
            broken = broken_expression(joined)
            value = broken.replace("\n", "\n    ") if broken else value
        returned = f"return {{\n    {key}: {value}\n    for {key} in {keys}\n}}"
    tail = [*middle, cst.parse_statement(returned + "\n")]
    new_function = _with_tail(original, tail).with_changes(name=cst.Name(name))
    new_function = new_function.with_changes(
        params=_batch_params(original.params, key, keys, annotate_for_analysis=False),
        returns=_dict_return(original, key),
    )
    return _with_preamble(new_function, original.name.value, keys, 8 if owner else 4)


def _wrapped_signature(function: cst.FunctionDef, indent: int, limit: int) -> str:
    """The function's code, its parameters on their own line (black's style) when the
    `def` line is too long, and one a line when even that is."""
    code = cst.Module(body=[function]).code
    render = cst.Module([]).code_for_node
    header = f"{'async ' if function.asynchronous else ''}def {function.name.value}("
    returns = f" -> {render(function.returns.annotation)}" if function.returns is not None else ""
    lines = code.split("\n")
    at = next(i for i, line in enumerate(lines) if line.startswith(header))
    if fits(lines[at], indent, limit):
        return code
    params = render(function.params)
    if fits(params, indent + 4, limit):
        inner = [f"    {params}"]
    else:
        inner = [f"    {render(p.with_changes(comma=cst.MaybeSentinel.DEFAULT)).strip()}," for p in _all_params(function.params)]
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
        (p.annotation for p in (*original.params.posonly_params, *original.params.params, *original.params.kwonly_params) if p.name.value == key),
        None,
    )
    if key_annotation is None:
        return None
    render = cst.Module([]).code_for_node
    return original.returns.with_changes(
        annotation=cst.parse_expression(f"dict[{render(key_annotation.annotation)}, {render(original.returns.annotation)}]")
    )


def _with_preamble(function: cst.FunctionDef, original_name: str, keys: str, indent: int) -> cst.FunctionDef:
    """A docstring, and no query at all for no keys."""
    noun = keys[:-4] + "s" if keys.endswith("_ids") else keys
    pad = " " * indent  # the docstring's own lines sit at the body's indentation
    docstring = cst.parse_statement(
        f'"""`{original_name}` for many {noun.replace("_", " ")} in one query.\n\n'
        f"{pad}Maps each of `{keys}` to what `{original_name}` returns for it.\n"
        f'{pad}"""\n'
    )
    guard = cst.parse_statement(f"if not {keys}:\n    return {{}}\n")
    body = _without_docstring(list(function.body.body))
    return function.with_changes(body=function.body.with_changes(body=[docstring, guard, *body]))


def _added_imports(before: str, after: str) -> list[tuple[str, str]]:
    def pairs(text: str) -> set[tuple[str, str]]:
        found = set()
        for statement in cst.parse_module(text).body:
            if isinstance(statement, cst.SimpleStatementLine) and isinstance(statement.body[0], cst.ImportFrom):
                node = statement.body[0]
                if node.relative or isinstance(node.names, cst.ImportStar):
                    continue
                source = cst.Module([]).code_for_node(node.module)
                found |= {(source, cst.Module([]).code_for_node(alias.name)) for alias in node.names}
        return found

    return sorted(pairs(after) - pairs(before))


def _check_existing(module: cst.Module, owner: str | None, name: str, callee: QueryFunction, key: str, keys: str) -> None:
    """Reuse a batch variant only when it is the dict-returning kind n1fix itself writes."""
    function = _find_function(module, owner, name)
    if function is None:
        raise NoFix(f"`{name}` exists, but not where n1fix can read it")
    statements, _ = _tail_block(function)
    last = statements[-1].body[0] if statements and isinstance(statements[-1], cst.SimpleStatementLine) else None
    params = [p.name.value for p in (*function.params.posonly_params, *function.params.params, *function.params.kwonly_params)]
    expected = [keys if p == key else p for p in callee.params]
    if params and params[0] in ("self", "cls"):
        params = params[1:]
    if callee.writes:
        in_keys = any(
            isinstance(n, cst.Call) and isinstance(n.func, cst.Attribute) and n.func.attr.value == "in_"
            and len(n.args) == 1 and isinstance(n.args[0].value, cst.Name) and n.args[0].value.value == keys
            for n in walk(function.body)
        )
        if params != expected or not in_keys:
            raise NoFix(f"`{name}` exists next to it, but n1fix cannot tell that it writes every row of `{keys}`; call it by hand")
        return
    if not (isinstance(last, cst.Return) and isinstance(last.value, cst.DictComp)) or params != expected:
        raise NoFix(f"`{name}` exists next to it, but n1fix cannot tell that it returns a dict by `{key}`; call it by hand")
