"""Rewrite a query-in-loop finding: one batched query in front of the loop, a lookup inside.

The batched query runs under `if keys:` (as write-in-loop's statements do), after the
lookup is set to what no keys give (`defaultdict(list)`, `{}`, `set()`), so a loop over
nothing still costs no round trip. Two batches of one loop share one `if keys:`.

The layout of the generated code is fixed in docs/query-in-loop-rewrites.md; the golden
`after.py` files hold it to that.
"""

from __future__ import annotations

import libcst as cst

from n1fix.analysis.hoist_guards import guard_code
from n1fix.codemods.query_in_loop.batch_parts import (
    _Batch,
    _BatchQuery,
    _by_keys,
    _group_head,
    _dedented,
    _dict_comprehension,
    _in_predicate,
    _key_is_item_pk,
    _key_words,
    _grouped_loop,
    _row_key,
    right_hand_split,
)
from n1fix.codemods.query_in_loop.loop_keys import (
    _items_name,
    _keys,
    _Rewriter,
    _target_name,
)
from n1fix.codemods.query_in_loop.values_batch import values_batch
from n1fix.cst.errors import FixFailed
from n1fix.cst.imports import add_from_import, remove_unused_import, spelling
from n1fix.cst.layout import (
    INDENT,
    broken_expression,
    chain_lines,
    fits,
    joined_if_overlong,
    render,
    with_long_calls_exploded,
)
from n1fix.cst.chains import dotted_name, unwind
from n1fix.cst.names import NamePicker, plural, qualified, singular_snake
from n1fix.cst.pragmas import pragmas_beside, with_pragmas
from n1fix.cst.syntax import names_read, walk
from n1fix.orm.dialect import Cardinality, QueryShape, Style
from n1fix.rules.base import Finding
from n1fix.rules.query_in_loop.analysis import LoopQueryPlan


def fix(ctx, finding: Finding):
    if not isinstance(
        finding.plan, LoopQueryPlan
    ):  # a call of a project query function
        from n1fix.codemods.query_in_loop.call_batch import fix_call

        return fix_call(ctx, finding)
    plan: LoopQueryPlan = finding.plan
    shape = plan.shape
    names = NamePicker(plan.scope, ctx.module)
    needed_imports: list[tuple[str, str]] = []

    def symbol(qualified: str) -> str:
        """How to spell `qualified` here; imported when the module does not have it yet."""
        known = spelling(ctx.imports, qualified)
        if known is not None:
            return known
        module, _, name = qualified.rpartition(".")
        needed_imports.append((module, name))
        return name

    statements, keys_ref, replace_iter = _keys(ctx, plan, names)
    if statements and not plan.iter_reiterable:  # the loop's iterable moved into a list
        statements[0] = with_pragmas(statements[0], "", pragmas_beside(ctx, plan.items))
    batch = _batch(ctx, plan, names, keys_ref, symbol)
    batch.fill = _with_query_pragmas(ctx, plan, batch.fill)

    indent, limit = ctx.range_of(plan.anchor).start.column, ctx.project.line_length
    statements = [
        with_long_calls_exploded(statement, indent, limit) for statement in statements
    ]
    fill_indent = (
        indent if ctx.keys_never_empty else indent + len(INDENT)
    )  # under `if keys:`
    if not batch.guarded:  # Django's `found = ....in_bulk(keys, field_name="slug")`
        batch.fill = [
            _in_bulk_split(statement, indent, limit) for statement in batch.fill
        ]
    if plan.key_parts:  # row values and key tuples make long lines
        batch.fill = [
            right_hand_split(statement, fill_indent, limit) for statement in batch.fill
        ]
    batch.fill = [
        with_long_calls_exploded(statement, fill_indent, limit)
        for statement in batch.fill
    ]
    config = ctx.module.config_for_parsing
    try:
        new_statements = [
            cst.parse_statement(s + "\n", config=config) for s in statements
        ]
        new_statements.extend(
            _batch_statements(
                ctx, batch, keys_ref, guard_code(ctx.code, plan.batch_guards)
            )
        )
        lookup_node = cst.parse_expression(
            _lookup_fitted(ctx, plan, batch.lookup), config=config
        )
        records = [
            (record.statement, cst.parse_statement(line + "\n", config=config))
            for record, line in zip(plan.record_adds, _record_lines(ctx, plan, batch))
        ]
    except cst.ParserSyntaxError as error:  # a bug in the templates
        raise FixFailed(
            f"generated code does not parse: {str(error).splitlines()[0]}"
        ) from error

    module = ctx.module.visit(
        _Rewriter(
            plan.anchor,
            new_statements,
            shape.location,
            lookup_node,
            plan.items if replace_iter else None,
            replace_iter,
            shape.result_binding or _dead_binding(shape, plan),
            _outside(ctx, plan.scope),
            records,
        )
    )
    for source_module, name in dict.fromkeys(needed_imports):
        module = add_from_import(module, source_module, name, ctx.first_party)
    # Names only the per-item query used (`exists`, `desc`) must not stay imported unused.
    for name in names_read(shape.node) & set(ctx.imports):
        module = remove_unused_import(module, name)
    return module


def _record_lines(ctx, plan: LoopQueryPlan, batch: _Batch) -> list[str]:
    """`links_by_person_id[person_id] = link`: each row a get-or-create adds, recorded
    under its key for a later item's lookup (recorded_adds)."""
    group = batch.empty.partition(" = ")[0]
    key_code = ctx.code(plan.key)
    if plan.keys_as_text:
        key_code = f"str({key_code})"
    return [f"{group}[{key_code}] = {record.value}" for record in plan.record_adds]


def batch_method_problem(variant, line_length: int) -> str | None:
    """Why the batch method a call's fix needs cannot be written (None: it can). Detection
    asks, so that such a call is reported without a fix (see `batch_variant`)."""
    from n1fix.codemods.query_in_loop.batch_variant import method_problem

    return method_problem(variant, line_length)


def _with_query_pragmas(ctx, plan: LoopQueryPlan, batch: list[str]) -> list[str]:
    """The batch, its query's statement carrying the pragmas of the per-item query's lines."""
    pragmas = pragmas_beside(
        ctx, plan.shape.location
    )  # the call in the module (`node` may be built)
    session = ctx.code(plan.shape.session)
    for i, statement in enumerate(batch):
        if session in statement:
            return [
                *batch[:i],
                with_pragmas(statement, session, pragmas),
                *batch[i + 1 :],
            ]
    return batch


def _batch_statements(
    ctx, batch: _Batch, keys_ref: str, condition: str = ""
) -> list[cst.BaseStatement]:
    """`empty`, then `fill` under `if keys:`: no keys, no query; and under the conditions
    the query ran under (`if keys and user:`), when it did not always run."""
    config = ctx.module.config_for_parsing
    fill = [cst.parse_statement(s + "\n", config=config) for s in batch.fill]
    if not batch.guarded and not condition:
        return fill
    if ctx.keys_never_empty and not condition:
        return (
            [cst.parse_statement(batch.empty + "\n", config=config), *fill]
            if batch.in_place
            else fill
        )
    test = " and ".join(
        part for part in ("" if ctx.keys_never_empty else keys_ref, condition) if part
    )
    guard = cst.If(
        test=cst.parse_expression(test, config=config),
        body=cst.IndentedBlock(body=fill),
    )
    return [cst.parse_statement(batch.empty + "\n", config=config), guard]


def _batch(
    ctx, plan: LoopQueryPlan, names: NamePicker, keys_ref: str, symbol
) -> _Batch:
    """The batched query and its grouping, by cardinality, and the lookup that replaces
    the per-item query."""
    shape = plan.shape
    if shape.values_column is not None:
        return values_batch(ctx, plan, names, keys_ref, symbol)
    entity_name = (
        plan.entity_code.rsplit(".", 1)[-1]
        if shape.entity is not None
        else _count_entity(plan)
    )
    entity = singular_snake(entity_name)
    target_name = _target_name(plan)
    suffix = target_name if _key_is_item_pk(plan, target_name) else _key_words(plan)
    key_code = ctx.code(plan.key)
    if plan.keys_as_text:
        key_code = f"str({key_code})"
    indent = ctx.range_of(plan.anchor).start.column
    if not ctx.keys_never_empty or plan.batch_guards:
        indent += len(INDENT)  # the query runs under `if keys:`
    limit = ctx.project.line_length
    card = plan.cardinality
    # A dialect that writes its own batched query (Django's QuerySets); None: SQLAlchemy's,
    # written below.
    written = ctx.orm.batch_query(
        shape, plan.key_column, keys_ref, card, ctx.code, symbol
    )

    if card is Cardinality.EXISTS:
        group = names.pick(
            f"{keys_ref}_with_{plural(entity)}"
            if keys_ref.isidentifier()
            else f"keys_with_{plural(entity)}"
        )
        fill = (
            _dict_call(group, written.source, indent, limit).replace(
                f"{group} = dict(", f"{group} = set(", 1
            )
            if written is not None
            else _existing_keys(ctx, plan, group, keys_ref, symbol, indent, limit)
        )
        return _Batch(f"{group} = set()", [fill], False, f"{key_code} in {group}")
    if card is Cardinality.COUNT:
        group = names.pick(
            f"{entity}_counts_by_{suffix}",
            *_by_keys(f"{entity}_counts_by_", keys_ref, suffix),
        )
        source = (
            written.source
            if written is not None
            else _count_source(ctx, plan, keys_ref, symbol)
        )
        if not source.startswith("\n"):  # not the 2.0 layout, which is black's already
            source = joined_if_overlong(
                source, indent, limit, prefix=len(f"{group} = dict(")
            )
        fill = _dict_call(group, source, indent, limit)
        return _Batch(f"{group} = {{}}", [fill], False, f"{group}.get({key_code}, 0)")

    if card in (Cardinality.OPTIONAL, Cardinality.ONE):
        # A comprehension's variable is its own: the entity's name reads best, even when
        # the function uses it too.
        if names.comprehension_variable_ok(entity):
            row = entity
        else:  # `slice`, `type`: a builtin's name, qualified as any taken name is
            row = names.pick(entity, *qualified(entity, target_name, _items_name(plan)))
    else:
        row = names.pick(entity, *qualified(entity, target_name, _items_name(plan)))
    source = (
        written.source
        if written is not None
        else _entity_source(ctx, plan, keys_ref, symbol)
    )
    # after `for {row} in ` or, in a dict comprehension, `    for {row} in `
    source = joined_if_overlong(source, indent, limit, prefix=len(f"    for {row} in "))
    if (
        plan.key_parts
        and shape.get_key is not None
        and not fits(f"    for {row} in {source}", indent, limit)
    ):
        source = _get_source(ctx, plan, keys_ref, symbol, broken=True)
    result = _assigned_name(plan)
    if card in (Cardinality.OPTIONAL, Cardinality.ONE):
        head = _group_head(f"{plural(entity)}_by_", suffix, result)
        group = names.pick(f"{head}{suffix}", *_by_keys(head, keys_ref, suffix))
        fill = _dict_comprehension(
            group,
            f"{_row_key(plan, row)}: {row}",
            f"for {row} in ",
            source,
            indent,
            limit,
        )
        lookup = (
            f"{group}.get({key_code})"
            if card is Cardinality.OPTIONAL
            else f"{group}[{key_code}]"
        )
        if written is not None and written.on_miss is not None:
            # A key the batch did not find runs the per-item query: it raises as before.
            # (Parenthesized by the rewriter where it binds looser than its place.)
            lookup = _fallback_lookup(
                ctx,
                plan,
                f"{group}[{key_code}]",
                f"{key_code} in {group}",
                written.on_miss,
            )
        if written is not None and written.mapping:
            return _Batch(
                f"{group} = {{}}", [f"{group} = {source}"], False, lookup, guarded=False
            )
        return _Batch(f"{group} = {{}}", [fill], False, lookup)
    if not fits(f"for {row} in {source}:", indent, limit):
        source = (
            (
                _right_hand_split(source, f"for {row} in ", indent, limit)
                if written is not None
                else None
            )
            or broken_expression(cst.parse_expression(source))
            or source
        )
    if card in (Cardinality.FIRST, Cardinality.LIST):
        return _grouped_loop(
            first=card is Cardinality.FIRST,
            names=names,
            noun=entity,
            suffix=suffix,
            keys_ref=keys_ref,
            row=row,
            key=_row_key(plan, row),
            value=row,
            source=source,
            key_code=key_code,
            top_n=(
                ctx.code(plan.top_n)
                if plan.top_n is not None
                and not (written is not None and written.capped)
                else None
            ),
            symbol=symbol,
            indent=indent,
            limit=limit,
            result=result,
        )
    raise FixFailed(f"no batched form for a {card.value} query")


def _assigned_name(plan: LoopQueryPlan) -> str | None:
    """`existing` for `existing = <the query>`: the loop's own name for what it reads."""
    statement = plan.query_statement
    if not isinstance(statement, cst.SimpleStatementLine) or len(statement.body) != 1:
        return None
    small = statement.body[0]
    if isinstance(small, cst.Assign) and len(small.targets) == 1:
        target, value = small.targets[0].target, small.value
    elif isinstance(small, cst.AnnAssign) and small.value is not None:
        target, value = small.target, small.value
    else:
        return None
    if isinstance(value, cst.Await):
        value = value.expression
    if not isinstance(target, cst.Name) or value is not plan.shape.location:
        return None
    return target.value


def _right_hand_split(source: str, head: str, indent: int, limit: int) -> str | None:
    """`X.filter(a).order_by(\n    b, c\n)`: the last call's arguments on a line of
    their own, as black splits a `for` line too long (a dialect's batch, written on one
    line), when its first line then fits; else None."""
    if "\n" in source:
        return None
    try:
        call = cst.parse_expression(source)
    except cst.ParserSyntaxError:
        return None
    if not isinstance(call, cst.Call) or not call.args:
        return None
    args = ", ".join(
        (f"{arg.keyword.value}=" if arg.keyword is not None else "") + render(arg.value)
        for arg in call.args
    )
    first = f"{head}{render(call.func)}("
    if not fits(first, indent, limit) or not fits(args, indent + len(INDENT), limit):
        return None
    return f"{render(call.func)}(\n{INDENT}{args}\n)"


def _lookup_fitted(ctx, plan: LoopQueryPlan, lookup: str) -> str:
    """`group.get(key, [])` with its arguments on a line of their own, as black breaks
    it, when the statement it goes in would be too long."""
    if "\n" in lookup:
        return lookup
    statement = ctx.code(plan.query_statement).strip("\n")
    indent = ctx.range_of(plan.query_statement).start.column
    replaced = statement.replace(ctx.code(plan.shape.location), lookup, 1)
    # Only the line the lookup lands on: a loop's header, not the body below it.
    lines = [line for line in replaced.split("\n") if lookup in line]
    if all(fits(line, indent, ctx.project.line_length) for line in lines):
        return lookup
    # One key's lookup is broken where black would break it: at its own brackets when
    # it ends the line (`x = g.get(\n    k\n)`), not inside a comprehension around it.
    if not plan.key_parts and not all(
        line.rstrip().removesuffix(":").endswith(lookup) for line in lines
    ):
        return lookup
    call = cst.parse_expression(lookup)
    if not isinstance(call, cst.Call) or not call.args:
        return lookup
    args = ", ".join(render(arg.value) for arg in call.args)
    # LibCST writes the lines inside the brackets relative to the statement's block.
    return f"{render(call.func)}(\n{INDENT}{args}\n)"


def _in_bulk_split(statement: str, indent: int, limit: int) -> str:
    """`found = chain.in_bulk(keys, ...)` past the limit broken as black breaks it: in
    `in_bulk(`'s own parentheses after one call at most, else the chain in parentheses
    (on one line, or a call a line); as it is when none of that fits."""
    if fits(statement, indent, limit):
        return statement
    assign = cst.parse_statement(statement + "\n").body[0]
    if not isinstance(assign, cst.Assign) or len(assign.targets) != 1:
        return statement
    target, value = render(assign.targets[0].target), assign.value
    _, calls, _ = unwind(value)
    if len(calls) <= 2:  # black keeps `x = Model.objects.f(...).in_bulk(` whole
        split = right_hand_split(statement, indent, limit)
        lines = split.split("\n")
        if lines[0].endswith("in_bulk(") and all(
            fits(line, indent, limit) for line in lines
        ):
            return split
        return statement
    if fits(render(value), indent + len(INDENT), limit):
        return f"{target} = (\n{INDENT}{render(value)}\n)"
    awaited = isinstance(value, cst.Await)
    lines = chain_lines(value.expression if awaited else value)
    if lines is None:
        return statement
    body = f"\n{INDENT}".join(lines)
    return f"{target} = (\n{INDENT}{'await ' if awaited else ''}{body}\n)"


def _fallback_lookup(ctx, plan: LoopQueryPlan, found: str, test: str, miss: str) -> str:
    """`found if test else miss` in place of the query; when the line it makes is too
    long, parenthesized with one part a line, as black breaks it."""
    one_line = f"{found} if {test} else {miss}"
    statement = ctx.code(plan.query_statement).strip("\n")
    query = ctx.code(plan.shape.location)
    indent = ctx.range_of(plan.query_statement).start.column
    if (
        "\n" in statement
        or "\n" in miss
        or fits(statement.replace(query, one_line, 1), indent, ctx.project.line_length)
    ):
        return one_line
    # LibCST writes the lines inside the parentheses relative to the statement's block.
    return f"(\n{INDENT}{found}\n{INDENT}if {test}\n{INDENT}else {miss}\n)"


def _dead_binding(shape: QueryShape, plan: LoopQueryPlan) -> cst.CSTNode | None:
    """The `stmt = select(...)` line, when nothing but the rewritten query reads `stmt`."""
    binding = shape.statement_binding
    if binding is None or not plan.frame.is_for:
        return None
    name = binding.body[0].targets[0].target.value
    reads = [
        n
        for n in walk(plan.frame.node.body)
        if isinstance(n, cst.Name) and n.value == name
    ]
    # its own target, and the argument of the query
    return binding if len(reads) == 2 else None


def _existing_keys(
    ctx, plan: LoopQueryPlan, group: str, keys_ref: str, symbol, indent: int, limit: int
) -> str:
    """The set of keys for which the per-item EXISTS would have been true."""
    shape = plan.shape
    in_expr = _in_predicate(plan, keys_ref, ctx.code)
    pred = plan.key_predicate.node

    class _Replace(cst.CSTTransformer):
        def on_leave(self, original, updated):
            return in_expr if original is pred else updated

    method = (
        {"where": "filter"} if shape.style is Style.V1 else {}
    )  # Query.where is 1.4+
    filters = "".join(
        f".{method.get(mc.name, mc.name)}("
        + ", ".join(render(arg.value.visit(_Replace())) for arg in mc.call.args)
        + ")"
        for mc in shape.exists_calls
    )
    column = ctx.code(plan.column_expr)
    session = ctx.code(shape.session)
    if shape.style is Style.V1:
        query = f"{session}.query({column}){filters}.distinct()"
        one_line = f"{group} = {{row[0] for row in {query}}}"
        if fits(one_line, indent, limit):
            return one_line
        lines = chain_lines(cst.parse_expression(query)) or [query]
        body = "\n        ".join(lines)
        return f"{group} = {{\n    row[0]\n    for row in (\n        {body}\n    )\n}}"
    select = symbol("sqlalchemy.select")
    statement = f"{select}({column}){filters}.distinct()"
    awaited = "await " if shape.is_async else ""
    one_line = f"{group} = set({awaited}{session}.scalars({statement}))"
    if fits(one_line, indent, limit):
        return one_line
    if not fits(statement, indent + 8, limit):
        statement = "\n        ".join(
            chain_lines(cst.parse_expression(statement)) or [statement]
        )
    return f"{group} = set(\n    {awaited}{session}.scalars(\n        {statement}\n    )\n)"


def _dict_call(group: str, source: str, indent: int, limit: int) -> str:
    """`g = dict(source)`, the source one call a line when it does not fit."""
    one_line = f"{group} = dict({source})"
    if fits(one_line, indent, limit) or source.startswith("\n"):
        return one_line
    expr = cst.parse_expression(source)
    lines = chain_lines(expr)
    if lines is None:
        return _dict_of_comprehension(group, expr) or one_line
    body = "\n    ".join(lines)
    return f"{group} = dict(\n    {body}\n)"


def _dict_of_comprehension(group: str, expr: cst.BaseExpression) -> str | None:
    """`g = dict([row async for row in <chain>])` (an async batch's rows) as black breaks
    it: the list on its own lines, the chain one call a line after `for row in`."""
    if not isinstance(expr, cst.ListComp):
        return None
    comp = expr.for_in
    lines = chain_lines(comp.iter)
    if lines is None or comp.ifs or comp.inner_for_in is not None:
        return None
    loop = "async for" if comp.asynchronous is not None else "for"
    head = f"{loop} {render(comp.target)} in {lines[0]}"
    body = "\n        ".join([render(expr.elt), head, *lines[1:]])
    return f"{group} = dict(\n    [\n        {body}\n    ]\n)"


def _outside(ctx, scope):
    """Whether a statement lies wholly outside the function being rewritten: everything the
    rewrite touches is inside it, so the transformer need not walk the rest of the module
    (with many fixes in one file, that walk made each fix cost the whole file)."""
    if scope is None or isinstance(scope, cst.Module):
        return None
    try:
        span = ctx.range_of(scope)
    except (
        KeyError
    ):  # a scope from another tree (a generated batch variant): walk everything
        return None
    first, last = span.start.line, span.end.line

    def outside(node) -> bool:
        try:
            where = ctx.range_of(node)
        except KeyError:  # not a node of the parsed module
            return False
        return where.end.line < first or where.start.line > last

    return outside


def _entity_source(ctx, plan: LoopQueryPlan, keys_ref: str, symbol) -> str:
    """Code that iterates the entities of the batched query."""
    source = _entity_source_plain(ctx, plan, keys_ref, symbol)
    # A 1.x Query (also the batch of a `session.get()` in Query API code) has no
    # `.unique()`: it de-duplicates the entities of joined eager collections itself.
    if plan.needs_unique and not plan.uses_v1_query and ".unique()" not in source:
        if source.startswith("await "):
            source = f"({source})"
        source += ".unique()"
    return source


def _entity_source_plain(ctx, plan: LoopQueryPlan, keys_ref: str, symbol) -> str:
    shape = plan.shape
    code = ctx.code
    if (
        shape.get_key is not None and shape.style is Style.V2
    ):  # `session.get(Model, key)`
        return _get_source(ctx, plan, keys_ref, symbol)
    in_expr = _in_predicate(plan, keys_ref, code, symbol)
    transformer = _BatchQuery(plan, in_expr, add_group_by=None)
    new = shape.node.visit(transformer)
    return _dedented(ctx, plan, cst.Module([]).code_for_node(new))


def _get_source(
    ctx, plan: LoopQueryPlan, keys_ref: str, symbol, broken: bool = False
) -> str:
    """The batch of `session.get(Model, key)`; `broken`: the long row-value form of a
    composite key, its brackets broken as black breaks them."""
    shape = plan.shape
    code = ctx.code
    in_expr = render(_in_predicate(plan, keys_ref, code, symbol))
    session = code(shape.session)
    if plan.uses_v1_query:
        if broken:
            return (
                f"(\n{INDENT}{session}.query({plan.entity_code})"
                f"\n{INDENT}.filter({in_expr})\n)"
            )
        return f"{session}.query({plan.entity_code}).filter({in_expr})"
    select = symbol("sqlalchemy.select")
    if broken:
        awaited = "await " if shape.is_async else ""
        return (
            f"{awaited}{session}.scalars(\n{INDENT}{select}({plan.entity_code}).where("
            f"\n{INDENT * 2}{in_expr}\n{INDENT})\n)"
        )
    source = f"{session}.scalars({select}({plan.entity_code}).where({in_expr}))"
    return f"await {source}" if shape.is_async else source


def _count_source(ctx, plan: LoopQueryPlan, keys_ref: str, symbol) -> str:
    shape = plan.shape
    code = ctx.code
    in_expr = _in_predicate(plan, keys_ref, code)
    column = cst.parse_expression(
        code(plan.column_expr)
        if plan.column_expr is not None
        else f"{plan.entity_code}.{plan.key_column}"
    )
    count_fn = None
    if shape.count_call is None:
        count_fn = cst.parse_expression(f"{symbol('sqlalchemy.func')}.count()")
    new = shape.node.visit(
        _BatchQuery(plan, in_expr, add_group_by=column, count_fn=count_fn)
    )
    if shape.style is Style.V2:
        return _count_layout_v2(new, shape)
    text = _dedented(ctx, plan, cst.Module([]).code_for_node(new))
    return f"{text}.all()"


def _count_layout_v2(new: cst.BaseExpression, shape: QueryShape) -> str:
    """`\n    session.execute(\n        select(...)\n        .where(...)\n        .group_by(...)\n    ).all()\n`"""
    render = cst.Module([]).code_for_node
    runner = new.expression if isinstance(new, cst.Await) else new
    while (
        isinstance(runner, cst.Call)
        and isinstance(runner.func, cst.Attribute)
        and runner.func.attr.value != "execute"
    ):
        runner = runner.func.value
        if isinstance(runner, cst.Await):
            runner = runner.expression
    statement = runner.args[0].value
    chain: list[str] = []
    head = statement
    while isinstance(head, cst.Call) and isinstance(head.func, cst.Attribute):
        args = ", ".join(
            render(arg.value)
            if arg.keyword is None
            else f"{arg.keyword.value}={render(arg.value)}"
            for arg in head.args
        )
        chain.append(f".{head.func.attr.value}({args})")
        head = head.func.value
    lines = [render(head.with_changes(lpar=[], rpar=[])), *reversed(chain)]
    body = "\n        ".join(lines)
    session = render(runner.func.value)
    call = f"{session}.execute(\n        {body}\n    )"
    if shape.is_async:
        call = f"(await {call})"
    return f"\n    {call}.all()\n"


def _count_entity(plan: LoopQueryPlan) -> str:
    column = plan.column_expr
    if isinstance(column, cst.Attribute):
        return (dotted_name(column.value) or "row").rsplit(".", 1)[-1]
    return "row"
