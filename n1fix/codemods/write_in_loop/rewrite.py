"""Rewrite a write-in-loop finding: one statement for all items instead of one per item.

When the loop does nothing but the write, a comprehension of the keys (or rows) replaces
the loop; otherwise the keys are collected where the write was and the statement runs
once after the loop. Either way it is guarded by `if keys:`, so an empty loop still costs
no round trip.
"""

from __future__ import annotations

import libcst as cst

from n1fix.codemods.write_in_loop.delete_loads import fix_delete_loads
from n1fix.codemods.write_in_loop.filter_by_key import FilterByKeyToIn
from n1fix.codemods.write_in_loop.fresh_merge import fix_fresh_merge
from n1fix.codemods.write_in_loop.merge import fix_merge
from n1fix.codemods.write_in_loop.model_writes import fix_model_write
from n1fix.cst.errors import FixFailed
from n1fix.cst.imports import add_from_import, spelled_or_needed
from n1fix.cst.layout import INDENT, chain_lines, fits, render
from n1fix.cst.names import NamePicker, keys_name, plural, singular_snake
from n1fix.cst.pragmas import pragmas_beside, with_pragmas
from n1fix.cst.tidy import as_list, is_identity
from n1fix.rules.base import Finding
from n1fix.rules.write_in_loop.analysis import RefreshPlan, WriteForm, WritePlan
from n1fix.rules.write_in_loop.delete_loads import DeleteLoadsPlan
from n1fix.rules.write_in_loop.fresh_merge import FreshMergePlan
from n1fix.rules.write_in_loop.merge import MergePlan
from n1fix.rules.write_in_loop.model_writes import ModelWritePlan


def _list_name(plan: WritePlan) -> str:
    """What to call the keys or rows collected for the one statement: `render_ids`,
    `gallery_item_rows`, `render_updates`."""
    entity = singular_snake(plan.entity_name)
    table = entity.removesuffix("_table")
    if plan.form is WriteForm.ROWS:
        return f"{table}_rows"
    if plan.form is WriteForm.BY_PK:
        return f"{entity}_updates"
    if plan.form is WriteForm.BOUND:
        return f"{table}_updates"
    column = plan.predicate.attr
    return keys_name(plan.item, f"{table}_ids" if column == "id" else plural(column))


def fix(ctx, finding: Finding) -> cst.Module:
    if isinstance(finding.plan, RefreshPlan):
        return _fix_refresh(ctx, finding.plan)
    if isinstance(finding.plan, ModelWritePlan):
        return fix_model_write(ctx, finding.plan)
    if isinstance(finding.plan, MergePlan):
        return fix_merge(ctx, finding.plan)
    if isinstance(finding.plan, DeleteLoadsPlan):
        return fix_delete_loads(ctx, finding.plan)
    if isinstance(finding.plan, FreshMergePlan):
        return fix_fresh_merge(ctx, finding.plan)
    plan: WritePlan = finding.plan
    names = NamePicker(plan.scope, ctx.module)
    collection = (
        ctx.code(plan.loop.iter)
        if plan.reuse_iterable
        else names.pick(_list_name(plan))
    )
    indent = ctx.range_of(plan.loop).start.column
    limit = ctx.project.line_length
    item = _code(ctx, plan.item)
    needed: list[tuple[str, str]] = []
    batched = _batched_call(ctx, plan, collection, indent + len(INDENT), limit, needed)
    guarded = f"if {collection}:\n{INDENT}" + batched.replace("\n", "\n" + INDENT)
    # The per-item write's pragmas go with the bulk statement that replaces it.
    guarded = with_pragmas(
        guarded, ctx.code(plan.shape.session), pragmas_beside(ctx, plan.statement)
    )
    config = ctx.module.config_for_parsing
    try:
        if plan.in_place:
            before = [cst.parse_statement(f"{collection} = []\n", config=config)]
            after = [cst.parse_statement(guarded + "\n", config=config)]
            append_indent = ctx.range_of(plan.statement).start.column
            append = cst.parse_statement(
                _append(ctx, plan, collection, item, append_indent, limit) + "\n",
                config=config,
            )
            replacement = None
        else:
            before, after, append = [], [], None
            replacement = [cst.parse_statement(guarded + "\n", config=config)]
            if (
                not plan.reuse_iterable
            ):  # else the loop's own list holds the keys already
                comprehension = _comprehension(
                    ctx, plan, collection, item, indent, limit
                )
                replacement.insert(
                    0, cst.parse_statement(comprehension + "\n", config=config)
                )
    except cst.ParserSyntaxError as error:  # a bug in the templates
        raise FixFailed(
            f"generated code does not parse: {str(error).splitlines()[0]}"
        ) from error
    return _with_imports(
        ctx,
        ctx.module.visit(_Rewriter(plan, before, after, append, replacement)),
        needed,
    )


def _fix_refresh(ctx, plan: RefreshPlan) -> cst.Module:
    """`for obj in objs: session.refresh(obj)` ->
    `keys = [inspect(obj).identity[0] for obj in objs]` and one SELECT of those rows with
    `populate_existing`. The identity is read off each object's state: `obj.id` on an
    expired object (after a commit) would load its row, a SELECT per object again."""
    needed: list[tuple[str, str]] = []
    inspect, select = (
        spelled_or_needed(ctx, "sqlalchemy.inspect", needed),
        spelled_or_needed(ctx, "sqlalchemy.select", needed),
    )
    names = NamePicker(plan.scope, ctx.module)
    keys = names.pick(
        keys_name(cst.Attribute(plan.target, cst.Name(plan.key)), plan.key)
    )
    loop = plan.loop
    indent = ctx.range_of(loop).start.column
    limit = ctx.project.line_length
    target = plan.target.value
    comprehension = f"{keys} = [{inspect}({target}).identity[0] for {target} in {ctx.code(loop.iter)}]"
    if not fits(comprehension, indent, limit):
        comprehension = f"{keys} = [\n{INDENT}{inspect}({target}).identity[0]\n{INDENT}for {target} in {ctx.code(loop.iter)}\n]"
    chain = [
        f"{select}({plan.model})",
        f".where({plan.model}.{plan.key}.in_({keys}))",
        ".execution_options(populate_existing=True)",
    ]
    session = ctx.code(plan.session)
    scalars = f"{session}.scalars({''.join(chain)})"
    call = f"(await {scalars}).all()" if plan.is_async else f"{scalars}.all()"
    if not fits(call, indent + len(INDENT), limit):
        inner = f"\n{INDENT}".join(chain)
        opening = (
            f"(await {session}.scalars(" if plan.is_async else f"{session}.scalars("
        )
        closing = ")).all()" if plan.is_async else ").all()"
        call = f"{opening}\n{INDENT}{inner}\n{closing}"
    guarded = f"if {keys}:\n{INDENT}" + call.replace("\n", "\n" + INDENT)
    config = ctx.module.config_for_parsing
    try:
        replacement = [
            cst.parse_statement(text + "\n", config=config)
            for text in (comprehension, guarded)
        ]
    except cst.ParserSyntaxError as error:  # a bug in the templates
        raise FixFailed(
            f"generated code does not parse: {str(error).splitlines()[0]}"
        ) from error
    return _with_imports(
        ctx, ctx.module.visit(_Rewriter(plan, [], [], None, replacement)), needed
    )


def _with_imports(ctx, module: cst.Module, needed: list[tuple[str, str]]) -> cst.Module:
    for source, name in dict.fromkeys(needed):
        module = add_from_import(module, source, name, ctx.first_party)
    return module


def _code(ctx, node: cst.CSTNode) -> str:
    """Code of a node of the module, or of one the analysis built (a row dict)."""
    try:
        return ctx.code(node)
    except Exception:
        return render(node)


def _batched_call(
    ctx,
    plan: WritePlan,
    collection: str,
    indent: int,
    limit: int,
    needed: list[tuple[str, str]],
) -> str:
    """`session.execute(<the statement for every key>)`, broken black style when long.

    An UPDATE or DELETE the author laid out over several lines keeps that layout, with
    `Col.in_(keys)` in place of `Col == key`, when it still fits the line length.
    """
    shape = plan.shape
    session = ctx.code(shape.session)
    awaited = "await " if shape.is_async else ""
    if plan.form is WriteForm.IN:
        in_expr = cst.parse_expression(f"{_code(ctx, plan.column)}.in_({collection})")
        keyed = (
            FilterByKeyToIn(plan.predicate, in_expr)
            if plan.predicate.via_filter_by
            else _ReplaceNode(plan.predicate.node, in_expr)
        )
        written = _dedented(render(shape.node.visit(keyed)))
        if "\n" in written and all(
            indent + len(line) <= limit for line in written.split("\n")
        ):
            return written
        statement = shape.statement.visit(keyed)
        args = [render(statement)]
    elif plan.form is WriteForm.BY_PK:  # `session.execute(update(M), rows)`
        args = [" ".join(render(shape.head).split()), collection]
    elif (
        plan.form is WriteForm.BOUND
    ):  # `conn.execute(update(T).where(T.id == bindparam("b_id")).values(...), rows)`
        bindparam = spelled_or_needed(ctx, "sqlalchemy.bindparam", needed)
        replacements = {
            id(node): cst.parse_expression(f'{bindparam}("{name}")')
            for node, name in plan.bound
        }
        args = [
            " ".join(
                render(shape.statement.visit(_ReplaceNodes(replacements))).split()
            ),
            collection,
        ]
    else:
        statement = (
            shape.statement
            if shape.params is not None
            else shape.statement.visit(_DropValues(shape.values.call))
        )
        args = [" ".join(render(statement).split()), collection]
    one_line = f"{awaited}{session}.execute({', '.join(args)})"
    if fits(one_line, indent, limit):
        return one_line
    lines = chain_lines(cst.parse_expression(args[0]))
    first = (
        args[0]
        if lines is None or fits(args[0], indent + len(INDENT), limit)
        else f"\n{INDENT}".join(lines)
    )
    if len(args) > 1:  # one argument a line, with black's magic trailing comma
        rest = "".join(f",\n{INDENT}{a}" for a in args[1:]) + ","
    else:
        rest = ""
    return f"{awaited}{session}.execute(\n{INDENT}{first}{rest}\n)"


def _dedented(text: str) -> str:
    """A statement moved out of its line keeps its continuation lines relative to it."""
    if "\n" not in text:
        return text
    first, *rest = text.split("\n")
    closing = rest[-1]
    extra = len(closing) - len(closing.lstrip(" "))
    if not closing.lstrip().startswith((")", "]", "}")) or extra <= 0:
        return text
    return "\n".join(
        [
            first,
            *(line[min(extra, len(line) - len(line.lstrip(" "))) :] for line in rest),
        ]
    )


def _append(
    ctx, plan: WritePlan, collection: str, item: str, indent: int, limit: int
) -> str:
    """`keys.append(key)`, the argument on its own line (a long dict one entry a line) when long."""
    one_line = f"{collection}.append({item})"
    if fits(one_line, indent, limit):
        return one_line
    if (
        "\n" not in item
        and not fits(item, indent + len(INDENT), limit)
        and isinstance(plan.item, cst.Dict)
    ):
        item = _exploded_dict(ctx, plan.item)
    return f"{collection}.append(\n{INDENT}{item}\n)"


def _exploded_dict(ctx, node: cst.Dict) -> str:
    elements = [_code(ctx, e.key) + ": " + _code(ctx, e.value) for e in node.elements]
    return "{\n" + "".join(f"{INDENT * 2}{e},\n" for e in elements) + INDENT + "}"


def _comprehension(
    ctx, plan: WritePlan, collection: str, item: str, indent: int, limit: int
) -> str:
    loop = plan.loop
    if is_identity(plan.item, loop.target):  # `[x for x in xs]` is a copy
        return f"{collection} = {as_list(loop.iter, ctx.code(loop.iter))}"
    clause = f"for {ctx.code(loop.target)} in {ctx.code(loop.iter)}"
    one_line = f"{collection} = [{item} {clause}]"
    if fits(one_line, indent, limit):
        return one_line
    if (
        "\n" not in item
        and not fits(item, indent + len(INDENT), limit)
        and isinstance(plan.item, cst.Dict)
    ):
        item = _exploded_dict(ctx, plan.item)
    return f"{collection} = [\n{INDENT}{item}\n{INDENT}{clause}\n]"


class _ReplaceNodes(cst.CSTTransformer):
    """Each node whose id is a key -> its value."""

    def __init__(self, new: dict[int, cst.BaseExpression]) -> None:
        self.new = new

    def on_leave(self, original, updated):
        return self.new.get(id(original), updated)


class _ReplaceNode(cst.CSTTransformer):
    def __init__(self, old: cst.CSTNode, new: cst.BaseExpression) -> None:
        self.old = old
        self.new = new

    def on_leave(self, original, updated):
        if original is self.old:
            if getattr(updated, "lpar", None):
                return self.new.with_changes(lpar=updated.lpar, rpar=updated.rpar)
            return self.new
        return updated


class _DropValues(cst.CSTTransformer):
    """`insert(M).values(...)` -> `insert(M)` (the rows go to execute() instead)."""

    def __init__(self, values_call: cst.Call) -> None:
        self.values_call = values_call

    def leave_Call(self, original, updated):
        if original is self.values_call and isinstance(updated.func, cst.Attribute):
            return updated.func.value
        return updated


class _Rewriter(cst.CSTTransformer):
    def __init__(self, plan: WritePlan, before, after, append, replacement) -> None:
        self.plan = plan
        self.before = before
        self.after = after
        self.append = append
        self.replacement = replacement

    def leave_IndentedBlock(self, original, updated):
        return self._around_loop(original, updated)

    def leave_Module(self, original, updated):
        return self._around_loop(original, updated)

    def _around_loop(self, original, updated):
        for i, statement in enumerate(original.body):
            if statement is not self.plan.loop:
                continue
            loop = updated.body[i]
            if self.replacement is not None:
                # The loop's blank lines and comments go first; the write's comments
                # stay with the statement that now does the writing.
                comments = list(self.plan.statement.leading_lines)
                new = list(self.replacement)
                new[-1] = new[-1].with_changes(leading_lines=comments)
                new[0] = new[0].with_changes(
                    leading_lines=[*loop.leading_lines, *new[0].leading_lines]
                )
            else:
                first = self.before[0].with_changes(leading_lines=loop.leading_lines)
                new = [first, loop.with_changes(leading_lines=[]), *self.after]
            return updated.with_changes(
                body=[*updated.body[:i], *new, *updated.body[i + 1 :]]
            )
        return updated

    def on_leave(self, original, updated):
        if self.append is not None and original is self.plan.statement:
            return self.append.with_changes(leading_lines=updated.leading_lines)
        return super().on_leave(original, updated)
