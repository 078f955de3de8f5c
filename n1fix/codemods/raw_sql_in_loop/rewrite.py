"""The `raw-sql-in-loop` rewrite: a per-item SELECT through text() becomes one query with
an expanding `IN` whose rows are grouped by the key column before the loop; a per-item
write becomes one executemany of the same statement."""

from __future__ import annotations

import re
from dataclasses import dataclass

import libcst as cst

from n1fix.cst.errors import FixFailed
from n1fix.cst.imports import add_from_import, spelled_or_needed
from n1fix.cst.layout import INDENT, fits
from n1fix.cst.names import NamePicker, keys_name, plural
from n1fix.rules.base import Finding
from n1fix.rules.raw_sql_in_loop.analysis import SelectPlan, WritePlan
from n1fix.sql.drivers import ASYNCPG, PSYCOPG, PSYCOPG2
from n1fix.sql.statements import DELETE, INSERT


def fix(ctx, finding: Finding) -> cst.Module:
    plan = finding.plan
    if isinstance(plan, SelectPlan):
        return _batched_select(ctx, plan)
    if isinstance(plan, WritePlan):
        return _executemany(ctx, plan)
    raise FixFailed("no plan")


def _scope_of(ctx, loop: cst.For) -> cst.CSTNode:
    from n1fix.cst.statements import enclosing_function

    return enclosing_function(ctx, loop) or ctx.module


def _batched_select(ctx, plan: SelectPlan) -> cst.Module:
    if plan.array_type is not None:  # asyncpg: `= ANY($1::bigint[])` with a list
        return _batched_fetch(ctx, plan)
    if plan.raw.api in (PSYCOPG, PSYCOPG2):  # `= ANY(%s)` with a list
        return _batched_cursor(ctx, plan)
    raw, key = plan.raw, plan.key
    picker = NamePicker(_scope_of(ctx, plan.loop), ctx.module)
    target = ctx.code(plan.loop.target)
    key_code = ctx.code(plan.key_expr)
    needed: list[tuple[str, str]] = []
    defaultdict = spelled_or_needed(ctx, "collections.defaultdict", needed)
    bindparam = spelled_or_needed(ctx, "sqlalchemy.bindparam", needed)
    keys = picker.pick(keys_name(plan.key_expr, "keys"))
    groups = picker.pick(f"{_identifier(raw.facts.table)}_by_{key.column}")
    row = picker.pick("row")
    lines: list[str] = []
    iterable = _items_to_iterate_twice(ctx, plan, picker, lines)
    param = key.placeholder.key
    new_sql = raw.sql[: plan.operator_start] + "IN " + raw.sql[key.placeholder.start :]
    pieces = _edited_literal(raw.string, raw.sql, new_sql)
    text_call = raw.call.args[0].value
    text_func = ctx.code(text_call.func)
    params = ", ".join(
        f'"{name}": {keys if name == param else ctx.code(value)}'
        for name, value in raw.params.items()
    )
    receiver = ctx.code(raw.call.func.value)
    expanding = f'.bindparams({bindparam}("{param}", expanding=True)),'
    statement = [f"        {text_func}({' '.join(pieces)}){expanding}"]
    indent = ctx.range_of(plan.loop).start.column
    overlong = not fits(statement[0], indent, ctx.project.line_length)
    if len(pieces) > 1 or (overlong and "\n" not in pieces[0]):
        statement = [
            f"        {text_func}(",
            *(f"            {piece}" for piece in pieces),
            f"        ){expanding}",
        ]
    lines += [
        f"{keys} = [{key_code} for {target} in {iterable}]",
        f"{groups} = {defaultdict}(list)",
        f"if {keys}:",
        f"    for {row} in {receiver}.execute(",
        *statement,
        f"        {{{params}}},",
        "    ):",
        f"        {groups}[{row}.{key.column}].append({row})",
    ]
    return _group_before_loop(ctx, plan, lines, groups, key_code, iterable, needed)


def _batched_fetch(ctx, plan: SelectPlan):
    """asyncpg: one `fetch` with `= ANY($n::type[])` and the keys as a list."""
    raw = plan.raw
    batch = _AnyBatch.of(ctx, plan, f"::{plan.array_type}[]")
    args = [
        batch.keys if value is plan.key_expr else ctx.code(value)
        for value in raw.params
    ]
    pieces = batch.pieces
    statement: Lines = [(p, True) for p in pieces] if len(pieces) > 1 else []
    indent = ctx.range_of(plan.loop).start.column
    call = _call_lines(
        f"for {batch.row} in await {ctx.code(raw.call.func)}",
        [statement or [(pieces[0], True)], *([(a, True)] for a in args)],
        indent + len(INDENT),
        ctx.project.line_length,
    )
    call[-1] = (call[-1][0] + ":", True)
    return batch.before_loop(ctx, plan, call, f'"{plan.key.column}"')


def _batched_cursor(ctx, plan: SelectPlan):
    """psycopg: one `execute` with `= ANY(%s)` and the keys as a list (psycopg adapts a
    list to an array), its rows grouped by the key column's position."""
    raw = plan.raw
    batch = _AnyBatch.of(ctx, plan, "")
    row = batch.row
    params = raw.params_node.value.deep_replace(plan.key_expr, cst.Name(batch.keys))
    statement: Lines = [(p, True) for p in batch.pieces]
    indent = ctx.range_of(plan.loop).start.column + len(INDENT)
    limit = ctx.project.line_length
    cursor = ctx.code(raw.call.func.value)
    head = f"{cursor}.execute"
    if plan.fetch is None:  # `cur.execute(...).fetchall()` in one statement
        head = f"for {row} in {head}"
    call = _call_lines(head, [statement, [(ctx.code(params), True)]], indent, limit)
    if plan.fetch is None:
        call[-1] = (call[-1][0] + ".fetchall():", True)
    else:
        call.append((f"for {row} in {cursor}.fetchall():", True))
    return batch.before_loop(ctx, plan, call, str(plan.key_index))


@dataclass
class _AnyBatch:
    """What the asyncpg and psycopg batches share: the names they pick, the imports they
    need, the keys' iterable, and the statement with `= ANY(<placeholder><cast>)` for
    the key's `=`, as the string's pieces."""

    lines: list[str]
    needed: list[tuple[str, str]]
    target: str
    iterable: str
    key_code: str
    keys: str
    groups: str
    row: str
    defaultdict: str
    pieces: list[str]

    @classmethod
    def of(cls, ctx, plan: SelectPlan, cast: str) -> "_AnyBatch":
        raw, key = plan.raw, plan.key
        picker = NamePicker(_scope_of(ctx, plan.loop), ctx.module)
        needed: list[tuple[str, str]] = []
        lines: list[str] = []
        iterable = _items_to_iterate_twice(ctx, plan, picker, lines)
        keys = picker.pick(keys_name(plan.key_expr, "keys"))
        groups = picker.pick(f"{_identifier(raw.facts.table)}_by_{key.column}")
        row = picker.pick("row")
        defaultdict = spelled_or_needed(ctx, "collections.defaultdict", needed)
        mark = raw.sql[key.placeholder.start : key.placeholder.end]
        new_sql = (
            raw.sql[: plan.operator_start]
            + f"= ANY({mark}{cast})"
            + raw.sql[key.placeholder.end :]
        )
        return cls(
            lines,
            needed,
            ctx.code(plan.loop.target),
            iterable,
            ctx.code(plan.key_expr),
            keys,
            groups,
            row,
            defaultdict,
            _edited_literal(raw.string, raw.sql, new_sql),
        )

    def before_loop(self, ctx, plan: SelectPlan, call: Lines, column: str):
        """The keys, the batch `call` filling the groups (rows by `row[column]`), put
        before the loop, whose per-item query becomes a lookup."""
        self.lines += [
            f"{self.keys} = [{self.key_code} for {self.target} in {self.iterable}]",
            f"{self.groups} = {self.defaultdict}(list)",
            f"if {self.keys}:",
            *(INDENT + text if movable else text for text, movable in call),
            f"{INDENT * 2}{self.groups}[{self.row}[{column}]].append({self.row})",
        ]
        return _group_before_loop(
            ctx,
            plan,
            self.lines,
            self.groups,
            self.key_code,
            self.iterable,
            self.needed,
        )


def _items_to_iterate_twice(ctx, plan: SelectPlan, picker, lines: list[str]) -> str:
    """The loop's iterable as code that can be read by the keys' pass and the loop both:
    itself when it can be iterated again, else a list made of it first (into `lines`)."""
    iterable = ctx.code(plan.loop.iter)
    if plan.reiterable:
        return iterable
    target = ctx.code(plan.loop.target)
    items = picker.pick(f"{target}_list" if target.isidentifier() else "items")
    lines.append(f"{items} = list({iterable})")
    return items


def _group_before_loop(
    ctx,
    plan: SelectPlan,
    lines: list[str],
    groups: str,
    key_code: str,
    iterable: str,
    needed: list[tuple[str, str]],
) -> cst.Module:
    """`lines` (the batch filling `groups`) before the loop, the per-item query replaced
    by a lookup in `groups`, the loop over `iterable`, and the imports `needed`."""
    fetch = plan.fetch or plan.statement
    assign = fetch.body[0]
    name = ctx.code(assign.targets[0].target)
    new_statement = _statements(ctx, f"{name} = {groups}.get({key_code}, [])")[0]
    new_statement = new_statement.with_changes(
        leading_lines=plan.statement.leading_lines,
        trailing_whitespace=fetch.trailing_whitespace,
    )
    loop = plan.loop
    if not plan.reiterable:
        loop = loop.with_changes(iter=cst.Name(iterable))
    if plan.fetch is not None:  # the execute goes; the fetch becomes the lookup
        loop = _replace_in(loop, plan.statement, None)
    new_loop = _replace_in(loop, fetch, new_statement)
    hoisted = _statements(ctx, "\n".join(lines))
    module = _replace_statement(ctx.module, plan.loop, [*hoisted, new_loop])
    for source, imported in needed:
        module = add_from_import(module, source, imported, ctx.first_party)
    return module


def _executemany(ctx, plan: WritePlan) -> cst.Module:
    raw = plan.raw
    picker = NamePicker(_scope_of(ctx, plan.loop), ctx.module)
    table = _identifier(plan.table or "row")
    wanted = {
        INSERT: f"new_{plural(table) if table != 'row' else 'rows'}",
        DELETE: f"{table}_to_delete",
    }.get(plan.kind, f"{table}_updates")
    rows = picker.pick(wanted)
    target = ctx.code(plan.loop.target)
    iterable = ctx.code(plan.loop.iter)
    if raw.api == ASYNCPG:
        values = [ctx.code(arg.value) for arg in raw.call.args[1:]]
        element = f"({values[0]},)" if len(values) == 1 else f"({', '.join(values)})"
    else:
        element = _element(ctx, raw.params_node.value, plan.statement)
    receiver = ctx.code(raw.call.func.value)
    statement = _argument_lines(ctx, raw.call.args[0].value)
    needed: list[tuple[str, str]] = []
    if raw.api == PSYCOPG2 and raw.method == "execute":
        head = spelled_or_needed(ctx, "psycopg2.extras.execute_batch", needed)
        args = [[(receiver, True)], statement, [(rows, True)]]
    elif raw.api == ASYNCPG or raw.method == "execute" and raw.api != "sqlalchemy":
        head = f"{receiver}.executemany"
        args = [statement, [(rows, True)]]
    else:  # SQLAlchemy: execute / exec_driver_sql with a list runs an executemany
        head = f"{receiver}.{raw.method}"
        args = [statement, [(rows, True)]]
    if plan.awaited:
        head = f"await {head}"
    indent = ctx.range_of(plan.loop).start.column
    limit = ctx.project.line_length
    call = _call_lines(head, args, indent + len(INDENT), limit)
    guarded = "\n".join(
        [f"if {rows}:", *(INDENT + line if movable else line for line, movable in call)]
    )
    if plan.collect:
        return _collected(ctx, plan, rows, element, guarded, needed)
    clause = f"for {target} in {iterable}"
    comprehension = f"{rows} = [{element} {clause}]"
    if not fits(comprehension, indent, limit):
        comprehension = f"{rows} = [\n{INDENT}{element}\n{INDENT}{clause}\n]"
    code = "\n".join([comprehension, guarded])
    new = _statements(ctx, code)
    new[0] = new[0].with_changes(leading_lines=plan.loop.leading_lines)
    module = _replace_statement(ctx.module, plan.loop, new)
    for source, imported in needed:
        module = add_from_import(module, source, imported, ctx.first_party)
    return module


Lines = list[tuple[str, bool]]  # code lines, and whether each may be re-indented


def _element(ctx, params: cst.BaseExpression, statement) -> str:
    """The code of one item's parameters: as written on one line, or a dict written over
    lines again one entry a line (black's shape) when each entry fits on one."""
    code = ctx.code(params)
    if "\n" not in code:
        return code
    if isinstance(params, cst.Dict):
        entries = []
        for element in params.elements:
            if not isinstance(element, cst.DictElement):
                break
            entry = f"{ctx.code(element.key)}: {ctx.code(element.value)}"
            if "\n" in entry:
                break
            entries.append(entry)
        else:
            return "{\n" + "".join(f"{INDENT}{e},\n" for e in entries) + "}"
    return _dedented(ctx, code, statement)


def _dedented(ctx, code: str, statement) -> str:
    """`code` taken from inside `statement`, its continuation lines made relative to the
    statement's indentation (LibCST adds the indentation of the block it lands in)."""
    if "\n" not in code or '"""' in code or "'''" in code:
        return code
    line = ctx.text.splitlines()[ctx.range_of(statement).start.line - 1]
    base = len(line) - len(line.lstrip(" "))
    first, *rest = code.split("\n")
    return "\n".join(
        [first, *(r[min(base, len(r) - len(r.lstrip(" "))) :] for r in rest)]
    )


def _collected(ctx, plan: WritePlan, rows, element, guarded, needed) -> cst.Module:
    """`rows = []` before the loop, `rows.append(...)` where the write was, and the
    executemany after the loop."""
    start = _statements(ctx, f"{rows} = []")[0].with_changes(
        leading_lines=plan.loop.leading_lines
    )
    append = _statements(ctx, f"{rows}.append({element})")[0].with_changes(
        leading_lines=plan.statement.leading_lines,
        trailing_whitespace=plan.statement.trailing_whitespace,
    )
    loop = plan.loop.with_changes(leading_lines=[])
    loop = loop.visit(_Replace(plan.statement, [append]))
    module = _replace_statement(
        ctx.module, plan.loop, [start, loop, *_statements(ctx, guarded)]
    )
    for source, imported in needed:
        module = add_from_import(module, source, imported, ctx.first_party)
    return module


def _argument_lines(ctx, node: cst.BaseExpression) -> Lines:
    """An argument's code as lines: a string of parts (`"a" "b"` over lines) one part a
    line, in `text(...)` too; anything else as written (the lines inside a multi-line
    string stay where they are)."""
    parts = _single_line_parts(node)
    if parts is not None:
        return [(part, True) for part in parts]
    if (
        isinstance(node, cst.Call)
        and len(node.args) == 1
        and (parts := _single_line_parts(node.args[0].value)) is not None
        and len(parts) > 1
    ):
        func = ctx.code(node.func)
        return [(f"{func}(", True), *((INDENT + p, True) for p in parts), (")", True)]
    first, *rest = ctx.code(node).split("\n")
    return [(first, True), *((line, False) for line in rest)]


def _single_line_parts(node: cst.BaseExpression) -> list[str] | None:
    if isinstance(node, cst.SimpleString) and "\n" not in node.value:
        return [node.value]
    if isinstance(node, cst.ConcatenatedString) and not node.lpar:
        left = _single_line_parts(node.left)
        right = _single_line_parts(node.right)
        return left + right if left is not None and right is not None else None
    return None


def _call_lines(head: str, args: list[Lines], indent: int, limit: int) -> Lines:
    """`head(args)` as black writes it: on one line when it fits and every argument is
    one line, else the arguments on one line of their own, else one argument a line
    with a trailing comma."""
    if all(len(arg) == 1 for arg in args):
        joined = ", ".join(arg[0][0] for arg in args)
        if fits(f"{head}({joined})", indent, limit):
            return [(f"{head}({joined})", True)]
        if fits(joined, indent + len(INDENT), limit):
            return [(f"{head}(", True), (INDENT + joined, True), (")", True)]
    lines: Lines = [(f"{head}(", True)]
    for arg in args:
        *body, (last, movable) = arg
        lines += [(INDENT + line if m else line, m) for line, m in body]
        lines.append((INDENT + last + "," if movable else last + ",", movable))
    lines.append((")", True))
    return lines


def _identifier(name: str | None) -> str:
    word = re.sub(r"\W+", "_", (name or "rows").lower()).strip("_")
    return word if word.isidentifier() else "rows"


def _statements(ctx, code: str) -> list[cst.BaseStatement]:
    config = ctx.module.config_for_parsing
    return list(cst.parse_module(code + "\n", config=config).body)


def _edited_literal(string: cst.BaseString, old: str, new: str) -> list[str]:
    """The code of the string literal's parts with its value changed from `old` to `new`
    (one edit in one part: the other parts are kept as written)."""
    parts = _parts(string)
    start = next((i for i in range(len(old)) if old[i] != new[i : i + 1]), len(old))
    tail = len(old) - start
    # the changed span, in the old value: [start, end)
    while tail and old[len(old) - tail :] != new[len(new) - tail :]:
        tail -= 1
    end = len(old) - tail
    offset = 0
    pieces = []
    done = False
    for part in parts:
        code = part.value
        prefix = part.prefix
        quote = part.quote
        inner = code[len(prefix) + len(quote) : len(code) - len(quote)]
        value = part.evaluated_value
        if not done and offset <= start and end <= offset + len(value):
            if inner != value:
                raise FixFailed("the SQL string has escapes n1fix does not edit")
            replaced = new[start : len(new) - tail] if tail else new[start:]
            inner = inner[: start - offset] + replaced + inner[end - offset :]
            code = f"{prefix}{quote}{inner}{quote}"
            done = True
        pieces.append(code)
        offset += len(value)
    if not done:
        raise FixFailed("the SQL edit spans two parts of the string")
    return pieces


def _parts(string: cst.BaseString) -> list[cst.SimpleString]:
    if isinstance(string, cst.SimpleString):
        return [string]
    if isinstance(string, cst.ConcatenatedString):
        return _parts(string.left) + _parts(string.right)
    raise FixFailed("the SQL is not a plain string literal")


def _replace_in(loop: cst.For, old: cst.CSTNode, new: cst.CSTNode | None) -> cst.For:
    """`loop` with the body's statement `old` replaced by `new` (None: removed)."""
    body = loop.body
    statements = [new if s is old else s for s in body.body]
    statements = [s for s in statements if s is not None]
    return loop.with_changes(body=body.with_changes(body=statements))


def _replace_statement(module: cst.Module, old, new: list) -> cst.Module:
    """`module` with the statement `old` replaced by the statements `new`."""
    replacer = _Replace(old, new)
    result = module.visit(replacer)
    if not replacer.done:
        raise FixFailed("the loop is no longer where it was")
    return result


class _Replace(cst.CSTTransformer):
    def __init__(self, old, new: list) -> None:
        self.old, self.new, self.done = old, new, False

    def on_leave(self, original, updated):
        if original is self.old:
            self.done = True
            return cst.FlattenSentinel(self.new)
        return updated
