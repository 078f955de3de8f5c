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

and the `query-in-loop` (or `write-in-loop`) analysis decides whether that loop can be
batched, with every check of the rewrite contract (ordering, per-item LIMIT, cardinality,
unique keys, joined eager loads). What this module records are the facts of the variant
(its name and parameters, the model, key column and columns read, the session, the
cardinality, what makes it unsafe) and the analysed loop; the codemod
(`codemods.query_in_loop.batch_variant`) writes the method from them. A callee the analysis cannot
batch safely gets no variant, and its reason is the finding's.
"""

from __future__ import annotations

import dataclasses
import hashlib
from dataclasses import dataclass, field
from pathlib import Path

import libcst as cst

from n1fix.analysis.loop_placement import NoFix
from n1fix.cst.method_syntax import (
    BATCHED,
    batch_params,
    find_function,
    named_params,
    tail_block,
    with_tail,
)
from n1fix.cst.names import plural
from n1fix.cst.parsing import parsed
from n1fix.cst.statements import is_name_assignment, sole_small_statement
from n1fix.cst.syntax import walk
from n1fix.orm.dialect import Cardinality, QueryFunction
from n1fix.rules.base import Finding
from n1fix.rules.query_in_loop.caught_failures import CaughtFailure, caught_failure
from n1fix.rules.query_in_loop.injected_params import (
    PLAIN_DECORATORS,
    injected,
    per_call_unsafe,
)
from n1fix.rules.query_in_loop.post_process import KeyWork, shaped_result
from n1fix.rules.query_in_loop.rows_variant import rows_key
from n1fix.rules.query_in_loop.wrapper_calls import ModelFacts, inline_wrappers
from n1fix.rules.query_in_loop.write_commits import OwnCommit, own_commit
from n1fix.rules.write_in_loop.analysis import WriteForm

_ALLOWED_DECORATORS = PLAIN_DECORATORS


@dataclass
class BatchLoop:
    """The per-key loop of the batch method as the loop rule saw it: what the codemod
    batches and tidies into the method."""

    ctx: object  # FileContext of the callee's module holding the loop method
    finding: Finding  # the loop rule's finding on it, with its plan
    callee_text: str  # the callee's module, which the new method joins
    owner: str | None  # the callee's class, None for a module function
    original: cst.FunctionDef  # the callee as written


@dataclass
class BatchVariant:
    callee: QueryFunction
    name: str  # `latest_for_projects`
    key_param: str  # `project_id`
    keys_param: str  # `project_ids`
    model: object | None  # ModelInfo of the queried model
    key_column: str  # the column the key is compared with
    columns: set[
        str
    ]  # columns the query reads (a loop assigning one must not be batched)
    session_param: (
        str | None
    )  # the callee's parameter holding the session it queries with
    cardinality: Cardinality  # what the original returns per key
    exists: bool  # the project has the variant already (else the fix adds it)
    loop: BatchLoop
    unsafe: list[str] = field(default_factory=list)
    # An existing variant that returns the rows: the attribute to key them by
    # (`rows_variant`); None for a variant returning a dict by key.
    rows_by: str | None = None
    shaped: bool = False  # the callee shapes its query's result (`post_process`)
    # A write helper that commits after its statement (`write_commits`): the batch
    # method commits once, after the batched statement.
    commit: OwnCommit | None = None
    # The callee catches its own failure (`caught_failures`): the method it was read as
    # is `loop.original`; the batch method guards its query and each key's shaping again.
    caught: CaughtFailure | None = None


def batch_name(name: str, key: str) -> str:
    """`get_by_project_id` -> `get_by_project_ids`, `latest_for_project` ->
    `latest_for_projects`, `read_block_type_by_slug` (keyed by `block_type_slug`) ->
    `read_block_type_by_slugs`."""
    noun = key[:-3] if key.endswith("_id") else key
    if name.endswith(key):
        return name[: -len(key)] + plural(key)
    if name.endswith(noun):
        return name[: -len(noun)] + plural(noun)
    last = key.rpartition("_")[2]
    if key != last and last != "id" and name.endswith(f"_by_{last}"):
        # `read_block_type_by_slug` keyed by `block_type_slug`: `read_block_type_by_slugs`
        return name + plural(last)[len(last) :]
    if name.endswith(("_of", "_for", "_by", "_in")):
        return f"{name}_{plural(noun)}"
    return f"{name}_for_{plural(key)}"


def plan_variant(ctx, callee: QueryFunction, key_param: str) -> BatchVariant:
    """The variant to call for `callee` keyed by `key_param`; raises NoFix with the reason."""
    source = _callee_source(ctx, callee)
    # The verdict depends on the callee's text and on the project's indexes (the memo
    # lives on them).
    memo_key = (
        callee.qualname,
        key_param,
        hashlib.sha256(source.text.encode()).hexdigest(),
    )
    memo = ctx.project.variants
    hit = memo.get(memo_key)
    if hit is None:
        try:
            hit = _plan(ctx, callee, key_param, source)
        except NoFix as reason:
            hit = reason
        memo[memo_key] = hit
    if isinstance(hit, NoFix):
        raise hit
    return hit


@dataclass
class _CalleeSource:
    path: Path
    display: str
    text: str
    module_name: str
    imports: dict[str, str]


def _callee_source(ctx, callee: QueryFunction) -> _CalleeSource:
    """The callee's module as the plan reads it: the checked module itself, or another
    as `read_module` gives it (without the comment lines after its last line of code,
    so that the cached findings of this file, keyed by what it read, stay valid when
    only those lines change: `engine/reads.py`)."""
    path = Path(callee.path)
    if path == ctx.path:
        return _CalleeSource(
            path, ctx.display_path, ctx.text, ctx.module_name, ctx.imports
        )
    read = (
        ctx.project.read_module(path)
        if ctx.project.read_module is not None
        else "n1fix was given no way to read it"
    )
    if isinstance(read, str):
        raise NoFix(f"{callee.path} cannot be read ({read})")
    return _CalleeSource(path, read.display, read.text, read.module_name, read.imports)


def _plan(
    ctx, callee: QueryFunction, key_param: str, source: _CalleeSource
) -> BatchVariant:
    module = parsed(source.text)
    owner_name = callee.owner.rpartition(".")[2] if callee.owner else None
    function = find_function(module, owner_name, callee.name)
    if function is None:
        raise NoFix(f"`{callee.name}` is not where the index saw it")
    caught = None if callee.writes else caught_failure(function)
    if caught is not None:
        function = caught.inner
    _check_signature(function, key_param, callee, injected(ctx, callee))
    commit = own_commit(function) if callee.writes else _check_transaction(function)
    keys_param = plural(key_param)
    if keys_param == key_param or keys_param in callee.params:
        raise NoFix(f"no free parameter name for the list of `{key_param}` values")
    name = batch_name(callee.name, key_param)
    exists = (
        ctx.project.functions is not None
        and ctx.project.functions.sibling(callee, name) is not None
    )

    shaped = None
    if callee.writes:
        synthetic = _synthetic_write_module(
            module,
            owner_name,
            function,
            name,
            key_param,
            keys_param,
            commit.statements if commit else tail_block(function)[0],
        )
    else:
        shaped = shaped_result(
            function,
            module,
            key_param,
            lambda node: ctx.orm.query_shape(node) is not None,
            caught=caught is not None,
        )
        synthetic, added = _synthetic_module(
            ctx,
            source,
            module,
            owner_name,
            function,
            shaped,
            name,
            key_param,
            keys_param,
        )
        if added:
            source = dataclasses.replace(source, imports={**source.imports, **added})
    loop = _analysed_loop(ctx, synthetic, source, owner_name, function, callee.writes)
    facts = (
        _write_facts(loop.ctx, loop.finding)
        if callee.writes
        else _plan_facts(loop.ctx, loop.finding)
    )
    variant = BatchVariant(
        callee=callee,
        name=name,
        key_param=key_param,
        keys_param=keys_param,
        model=facts["model"],
        key_column=facts["key_column"],
        columns=facts["columns"] | (shaped.reads if shaped else set()),
        session_param=facts["session"] if facts["session"] in callee.params else None,
        cardinality=facts["cardinality"],
        exists=exists,
        loop=loop,
        unsafe=[
            *facts["unsafe"],
            *(shaped.unsafe if shaped else []),
            *([caught.note(callee.name)] if caught else []),
            *per_call_unsafe(ctx, callee),
        ],
        shaped=shaped is not None,
        commit=commit,
        caught=caught,
    )
    if commit is not None:
        if commit.session != facts["session"]:
            raise NoFix(
                f"`{callee.name}` commits `{commit.session}`, not the session it writes with"
            )
        variant.unsafe.append(commit.unsafe(callee.name))
    _check_writable(ctx, variant, module)
    return variant


def _check_writable(ctx, variant: BatchVariant, module: cst.Module) -> None:
    """Can the codemod write the method (or batch the loop, for a variant the project has)?

    Asked here, and not only when the fix is built, so that a callee whose method cannot be
    written is reported as a finding without a fix rather than as a fix that is dropped.
    The codemod is found through the registry, by the rule's name, as the engine finds it.
    """
    from n1fix.rules import codemod_for, rule_by_name

    problem_of = codemod_for(rule_by_name("query-in-loop"), "batch_method_problem")
    problem = (
        problem_of(variant, ctx.project.line_length)
        if problem_of is not None
        else "n1fix could not build its batch method"
    )
    if problem is not None:
        raise NoFix(problem)
    if variant.exists:
        variant.rows_by = rows_key(
            module,
            variant.loop.owner,
            variant.name,
            variant.callee,
            variant.key_param,
            variant.keys_param,
            variant.key_column,
            variant.model,
        )
    if variant.exists and variant.rows_by is None:
        _check_existing(
            module,
            variant.loop.owner,
            variant.name,
            variant.callee,
            variant.key_param,
            variant.keys_param,
        )


def _check_signature(
    function: cst.FunctionDef,
    key_param: str,
    callee: QueryFunction,
    supplied: int | None,
) -> None:
    """`supplied`: how many leading parameters a decorator the batch method repeats
    supplies itself (`injected_params`); None when a decorator is not one of those."""
    for decorator in function.decorators:
        name = cst.Module([]).code_for_node(decorator.decorator)
        if name not in _ALLOWED_DECORATORS and supplied is None:
            raise NoFix(
                f"`{callee.name}` is decorated with `@{name}`, which a batch method would not repeat"
            )
    params = function.params
    if isinstance(params.star_arg, cst.Param) or params.star_kwarg is not None:
        raise NoFix(f"`{callee.name}` takes `*args` or `**kwargs`")
    for param in named_params(params):
        if param.name.value == key_param and param.default is not None:
            raise NoFix(f"`{key_param}` has a default value")


def _work_statements(function: cst.FunctionDef) -> list[cst.SimpleStatementLine]:
    """The body as `name = ...` lines and one final `return`: the shape of a query method."""
    callee = function.name
    statements, _ = tail_block(function)
    if not statements:
        raise NoFix(f"`{callee.value}` has an empty body")
    *assignments, last = statements
    for statement in assignments:
        if not is_name_assignment(sole_small_statement(statement)):
            raise NoFix(
                f"`{callee.value}` does more than run its query; n1fix batches methods whose body is the query"
            )
    small = sole_small_statement(last)
    if not (isinstance(small, cst.Return) and small.value is not None):
        raise NoFix(f"`{callee.value}` does not end by returning its query's result")
    for node in walk(function.body):
        if isinstance(node, (cst.Return, cst.Yield)) and node is not small:
            raise NoFix(f"`{callee.value}` returns or yields in more than one place")
    return _inline_single_use([*assignments, last])


def _inline_single_use(
    statements: list[cst.SimpleStatementLine],
) -> list[cst.SimpleStatementLine]:
    """`result = await session.execute(q)` / `return result.scalars().all()` reads as
    `return (await session.execute(q)).scalars().all()`: the form the recognizer knows.
    The same for a result read on the next line that is not the return (`note =
    result.scalars().first()`, then `return NoteModel.model_validate(note)`)."""
    statements = list(statements)
    i = len(statements) - 2
    while i >= 0:
        inlined = _inline_into_next(statements, i)
        if inlined is not None:
            statements[i : i + 2] = [inlined]
        i -= 1
    return statements


def _inline_into_next(
    statements: list[cst.SimpleStatementLine], i: int
) -> cst.SimpleStatementLine | None:
    """Statement `i`'s awaited value written where statement `i + 1`, its one reader,
    reads its name; None when that is not how the two read."""
    assign = statements[i].body[0]
    value = assign.value
    if not isinstance(value, cst.Await):
        return None  # `stmt = select(...)`: the loop analysis reads statement variables itself
    name = assign.targets[0].target.value
    following = statements[i + 1]
    uses = [n for n in walk(following) if isinstance(n, cst.Name) and n.value == name]
    if len(uses) != 1 or any(
        isinstance(n, cst.Name) and n.value == name
        for k, s in enumerate(statements)
        if k not in (i, i + 1)
        for n in walk(s)
    ):
        return None
    if isinstance(following.body[0], cst.Assign) and any(
        isinstance(n, cst.Name) and n.value == name
        for t in following.body[0].targets
        for n in walk(t)
    ):
        return None  # `result = result.scalars()`: rebound, not read once
    target = uses[0]
    if not _read_first(following.body[0].value, target):
        return None  # something else in the statement would run before the query
    # `(await session.execute(q)).scalars()` needs the brackets; `list(await ...)` does not.
    receiver = any(
        isinstance(n, (cst.Attribute, cst.Subscript)) and n.value is target
        for n in walk(following)
    )
    if receiver and not value.lpar:
        value = value.with_changes(lpar=[cst.LeftParen()], rpar=[cst.RightParen()])

    class _Inline(cst.CSTTransformer):
        def on_leave(self, original, updated):
            return value if original is target else updated

    return following.visit(_Inline()).with_changes(
        leading_lines=statements[i].leading_lines
    )


def _read_first(expression: cst.BaseExpression | None, target: cst.Name) -> bool:
    """Is `target` the first thing `expression` evaluates, so that writing the awaited
    query in its place runs nothing before it that ran after it? `result.scalars()
    .first()`, `list(renders)`, `result.scalar_one_or_none()`: a chain of attributes and
    calls without arguments that call code, down to the name; or the left side of an
    operator (`count or 0`), the test of a conditional."""
    node = expression
    while node is not None and node is not target:
        if isinstance(node, (cst.Attribute, cst.Subscript)):
            node = node.value
        elif isinstance(node, (cst.BooleanOperation, cst.BinaryOperation)):
            node = node.left
        elif isinstance(node, cst.Comparison):
            node = node.left
        elif isinstance(node, cst.UnaryOperation):
            node = node.expression
        elif isinstance(node, cst.IfExp):
            node = node.test
        elif isinstance(node, cst.Call):
            if isinstance(node.func, cst.Name):
                node = node.args[0].value if len(node.args) == 1 else None
                continue
            if any(
                isinstance(n, (cst.Call, cst.Await, cst.Yield, cst.NamedExpr))
                for arg in node.args
                for n in [arg.value, *walk(arg.value)]
            ):
                return False
            node = node.func
        else:
            return False
    return node is target


def _check_transaction(function: cst.FunctionDef) -> None:
    """A callee that commits or rolls back runs one transaction per call; one bulk call
    would make them one, so what a failure leaves behind would change."""
    for node in walk(function.body):
        if (
            isinstance(node, cst.Call)
            and isinstance(node.func, cst.Attribute)
            and node.func.attr.value in ("commit", "rollback")
        ):
            raise NoFix(
                f"`{function.name.value}` calls `.{node.func.attr.value}()`: one transaction per call, which one batched call would merge"
            )


def _synthetic_module(
    ctx,
    source: _CalleeSource,
    module: cst.Module,
    owner: str | None,
    function: cst.FunctionDef,
    shaped: KeyWork | None,
    name: str,
    key: str,
    keys: str,
) -> tuple[str, dict[str, str]]:
    """The callee module's imports and the loop a person would write first (a project
    helper it calls read as the query it runs: `wrapper_calls`), and the imports that
    reading added (name -> qualified)."""
    statements = shaped.statements if shaped else _work_statements(function)
    inlined = inline_wrappers(
        ctx,
        ModelFacts(ctx, source.imports, source.module_name),
        source.imports,
        statements,
        _bound_names(module, function),
    )
    statements = inlined.statements
    own = _own_names(module, owner, statements, source.module_name)
    if shaped is None:
        *assignments, last = statements
        record = cst.parse_statement(f"{BATCHED}[{key}] = x\n").with_changes(
            leading_lines=last.leading_lines
        )
        record = record.with_changes(
            body=[record.body[0].with_changes(value=last.body[0].value)]
        )
        statements = [*assignments, record]
    loop = cst.For(
        target=cst.Name(key),
        iter=cst.Name(keys),
        body=cst.IndentedBlock(body=statements),
    )
    tail = [
        cst.parse_statement(f"{BATCHED} = {{}}\n"),
        loop,
        cst.parse_statement(f"return {BATCHED}\n"),
    ]
    new_function = with_tail(function, tail)
    new_function = new_function.with_changes(
        name=cst.Name(name),
        params=batch_params(function.params, key, keys, annotate_for_analysis=True),
        returns=None,
    )
    imports = {**own, **inlined.imports}
    return _module_with(module, owner, new_function, imports), imports


def _own_names(
    module: cst.Module, owner: str | None, statements: list, module_name: str
) -> dict[str, str]:
    """The module's own top-level classes, functions and variables the body reads (an
    ORM model defined beside the table class that queries it), imported from the module
    itself into the synthetic one so that they are bound there as they are in the
    callee (name -> qualified)."""
    if not module_name:
        return {}
    read = {n.value for s in statements for n in walk(s) if isinstance(n, cst.Name)}
    defined = set()
    for statement in module.body:
        if isinstance(statement, (cst.FunctionDef, cst.ClassDef)):
            defined.add(statement.name.value)
        elif isinstance(statement, cst.SimpleStatementLine):
            for small in statement.body:
                if isinstance(small, cst.Assign):
                    defined |= {
                        t.target.value
                        for t in small.targets
                        if isinstance(t.target, cst.Name)
                    }
    return {
        name: f"{module_name}.{name}" for name in sorted((read & defined) - {owner})
    }


def _bound_names(module: cst.Module, function: cst.FunctionDef) -> set[str]:
    """What a name brought into the callee must not meet: its parameters and locals, and
    the module's own top-level definitions."""
    names = {p.name.value for p in named_params(function.params)}
    for node in walk(function.body):
        target = (
            node.target
            if isinstance(
                node,
                (cst.AssignTarget, cst.AnnAssign, cst.For, cst.CompFor, cst.NamedExpr),
            )
            else node.name
            if isinstance(node, cst.AsName)
            else None
        )
        if target is not None:
            names |= {
                n.value for n in [target, *walk(target)] if isinstance(n, cst.Name)
            }
    for statement in module.body:
        if isinstance(statement, (cst.FunctionDef, cst.ClassDef)):
            names.add(statement.name.value)
        elif isinstance(statement, cst.SimpleStatementLine):
            for small in statement.body:
                if isinstance(small, cst.Assign):
                    names |= {
                        t.target.value
                        for t in small.targets
                        if isinstance(t.target, cst.Name)
                    }
    return names


def _module_with(
    module: cst.Module,
    owner: str | None,
    function: cst.FunctionDef,
    added: dict[str, str] | None = None,
) -> str:
    """The module's imports (and `added` ones: name -> qualified) and `function` (in a
    class named `owner`, when a method)."""
    imports = [
        s
        for s in module.body
        if isinstance(s, cst.SimpleStatementLine)
        and isinstance(s.body[0], (cst.Import, cst.ImportFrom))
    ]
    for bound, qualified in sorted((added or {}).items()):
        source, _, name = qualified.rpartition(".")
        alias = "" if name == bound else f" as {bound}"
        imports.append(cst.parse_statement(f"from {source} import {name}{alias}\n"))
    holder: cst.CSTNode = function
    if owner is not None:
        holder = cst.ClassDef(
            name=cst.Name(owner), body=cst.IndentedBlock(body=[function])
        )
    return module.with_changes(
        body=[*imports, holder.with_changes(leading_lines=[])]
    ).code


def _analysed_loop(
    ctx,
    text: str,
    source: _CalleeSource,
    owner: str | None,
    original: cst.FunctionDef,
    writes: bool,
) -> BatchLoop:
    """The synthetic loop as the query-in-loop (or write-in-loop) rule sees it."""
    from n1fix.rules import rule_by_name

    loop_rule = rule_by_name("write-in-loop" if writes else "query-in-loop")
    loop_ctx = ctx.derived(
        text,
        path=source.path,
        display_path=source.display,
        module_name=source.module_name,
        imports=source.imports,
        planning=True,
        keys_checked_elsewhere=True,
        keys_never_empty=not writes,  # the written method returns early for no keys
    )
    findings = [f for f in loop_rule().check(loop_ctx) if f.rule == loop_rule.NAME]
    if len(findings) != 1:
        raise NoFix("its body is not one query n1fix can batch")
    finding = findings[0]
    if finding.plan is None:
        raise NoFix(f"its query cannot be batched: {finding.fix_note}")
    if getattr(finding.plan, "key_parts", ()):
        raise NoFix("its query is keyed by several columns; batch methods take one key")
    return BatchLoop(
        ctx=loop_ctx,
        finding=finding,
        callee_text=source.text,
        owner=owner,
        original=original,
    )


def _plan_facts(ctx, finding) -> dict:
    from n1fix.analysis.query_columns import columns_read, counted_model

    plan = finding.plan
    shape = plan.shape
    entity = (
        shape.entity
        if shape.entity is not None
        else cst.parse_expression(counted_model(shape))
    )
    return {
        "model": ctx.model_for(entity),
        "key_column": plan.key_column,
        "columns": columns_read(shape, plan.key_column),
        "session": ctx.code(shape.session),
        "cardinality": plan.cardinality,
        "unsafe": [finding.fix_note] if finding.fix_note else [],
    }


def _write_facts(ctx, finding) -> dict:
    plan = finding.plan
    shape = plan.shape
    key_column = plan.predicate.attr if plan.predicate is not None else None
    if plan.form is not WriteForm.IN or key_column is None:
        raise NoFix("its write is not one keyed UPDATE or DELETE")
    return {
        "model": ctx.model_for(shape.target),
        "key_column": key_column,
        "columns": {p.attr for p in shape.predicates if p.attr},
        "session": ctx.code(shape.session),
        "cardinality": Cardinality.SCALAR,
        "unsafe": [finding.fix_note] if finding.fix_note else [],
    }


def _synthetic_write_module(
    module: cst.Module,
    owner: str | None,
    function: cst.FunctionDef,
    name: str,
    key: str,
    keys: str,
    statements: list,
) -> str:
    """The callee module's imports and the per-key loop of the write method, made of
    `statements` (its body, or the write of one that commits: `write_commits`)."""
    for statement in statements:
        if not isinstance(statement, cst.SimpleStatementLine) or any(
            not isinstance(small, (cst.Expr, cst.Assign)) for small in statement.body
        ):
            raise NoFix(
                f"`{function.name.value}` does more than run its statement; n1fix batches methods whose body is the write"
            )
    for node in walk(cst.IndentedBlock(body=statements)):
        if isinstance(node, (cst.Return, cst.Yield)):
            raise NoFix(f"`{function.name.value}` returns a value per key")
    loop = cst.For(
        target=cst.Name(key),
        iter=cst.Name(keys),
        body=cst.IndentedBlock(body=statements),
    )
    new_function = with_tail(function, [loop]).with_changes(
        name=cst.Name(name),
        params=batch_params(function.params, key, keys, annotate_for_analysis=True),
    )
    return _module_with(module, owner, new_function)


def _check_existing(
    module: cst.Module,
    owner: str | None,
    name: str,
    callee: QueryFunction,
    key: str,
    keys: str,
) -> None:
    """Reuse a batch variant only when it is the dict-returning kind n1fix itself writes."""
    function = find_function(module, owner, name)
    if function is None:
        raise NoFix(f"`{name}` exists, but not where n1fix can read it")
    statements, _ = tail_block(function)
    last = (
        statements[-1].body[0]
        if statements and isinstance(statements[-1], cst.SimpleStatementLine)
        else None
    )
    params = [p.name.value for p in named_params(function.params)]
    expected = [keys if p == key else p for p in callee.params]
    if params and params[0] in ("self", "cls"):
        params = params[1:]
    if callee.writes:
        in_keys = any(
            isinstance(n, cst.Call)
            and isinstance(n.func, cst.Attribute)
            and n.func.attr.value == "in_"
            and len(n.args) == 1
            and isinstance(n.args[0].value, cst.Name)
            and n.args[0].value.value == keys
            for n in walk(function.body)
        )
        if params != expected or not in_keys:
            raise NoFix(
                f"`{name}` exists next to it, but n1fix cannot tell that it writes every row of `{keys}`; call it by hand"
            )
        return
    if (
        not (isinstance(last, cst.Return) and isinstance(last.value, cst.DictComp))
        or params != expected
    ):
        raise NoFix(
            f"`{name}` exists next to it, but n1fix cannot tell that it returns a dict by `{key}`; call it by hand"
        )
