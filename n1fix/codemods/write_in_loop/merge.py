"""Rewrite `session.merge(M(pk=...))` per item: one query before the loop loads the rows
the merges look up, held in a local until the loop ends; the loop stays as it was.

    tag_ids = [tag_id for tag_id, name in names.items()]
    # merge() finds these rows in the session; the list keeps them there.
    existing_tags = (
        session.scalars(select(Tag).where(Tag.id.in_(tag_ids))).all()
        if tag_ids
        else []
    )
    for tag_id, name in names.items():
        session.merge(Tag(id=tag_id, name=name))
    del existing_tags
"""

from __future__ import annotations

import libcst as cst

from n1fix.cst.errors import FixFailed
from n1fix.cst.imports import NameTaken, add_from_import, spelled_or_needed
from n1fix.cst.layout import INDENT, fits
from n1fix.cst.names import NamePicker, plural, singular_snake
from n1fix.cst.tidy import as_list
from n1fix.rules.write_in_loop.merge import MergePlan

COMMENT = "# merge() finds these rows in the session; the list keeps them there."


def fix_merge(ctx, plan: MergePlan) -> cst.Module:
    needed: list[tuple[str, str]] = []
    try:
        select = (
            None
            if plan.uses_v1_query
            else spelled_or_needed(ctx, "sqlalchemy.select", needed)
        )
        tuple_ = (
            spelled_or_needed(ctx, "sqlalchemy.tuple_", needed)
            if len(plan.varying) > 1
            else None
        )
    except NameTaken as error:
        raise FixFailed(str(error)) from error
    names = NamePicker(plan.scope, ctx.module)
    snake = singular_snake(plan.model_name)
    loop = plan.loop
    target = ctx.code(loop.target)
    iter_code = ctx.code(loop.iter)
    if len(plan.varying) == 1:
        attr, value = plan.varying[0]
        key = ctx.code(value)
        wanted = (
            f"{snake}_ids"
            if attr == "id"
            else plural(attr)
            if attr.endswith("_id")
            else f"{snake}_{plural(attr)}"
        )
    else:
        key = "(" + ", ".join(ctx.code(value) for _, value in plan.varying) + ")"
        wanted = f"{snake}_keys"
    indent = ctx.range_of(loop).start.column
    limit = ctx.project.line_length
    statements: list[str] = []
    if (
        isinstance(loop.target, cst.Name)
        and key == target
        and isinstance(loop.iter, cst.Name)
    ):
        keys = iter_code  # the loop's own collection holds the keys
    else:
        keys = names.pick(wanted)
        if isinstance(loop.target, cst.Name) and key == target:
            statements.append(f"{keys} = {as_list(loop.iter, iter_code)}")
        else:
            statements.append(
                _comprehension(keys, key, target, iter_code, indent, limit)
            )
    rows = names.pick(f"existing_{plural(snake)}")
    conditions = [
        f"{plan.model}.{attr} == {ctx.code(value)}" for attr, value in plan.fixed
    ]
    if tuple_ is None:
        conditions.append(f"{plan.model}.{plan.varying[0][0]}.in_({keys})")
    else:
        columns = ", ".join(f"{plan.model}.{attr}" for attr, _ in plan.varying)
        conditions.append(f"{tuple_}({columns}).in_({keys})")
    statements.append(
        _loading(ctx, plan, select, rows, keys, conditions, indent, limit)
    )
    config = ctx.module.config_for_parsing
    try:
        before = [
            cst.parse_statement(text + "\n", config=config) for text in statements
        ]
        after = cst.parse_statement(f"del {rows}\n", config=config)
    except cst.ParserSyntaxError as error:  # a bug in the templates
        raise FixFailed(
            f"generated code does not parse: {str(error).splitlines()[0]}"
        ) from error
    before[-1] = before[-1].with_changes(
        leading_lines=[cst.EmptyLine(comment=cst.Comment(COMMENT))]
    )
    module = ctx.module.visit(_AroundLoop(loop, before, after))
    for source, name in dict.fromkeys(needed):
        module = add_from_import(module, source, name, ctx.first_party)
    return module


def _comprehension(
    keys: str, key: str, target: str, iter_code: str, indent: int, limit: int
) -> str:
    one_line = f"{keys} = [{key} for {target} in {iter_code}]"
    if fits(one_line, indent, limit):
        return one_line
    inner = f"{key} for {target} in {iter_code}"
    if fits(inner, indent + len(INDENT), limit):
        return f"{keys} = [\n{INDENT}{inner}\n]"
    return f"{keys} = [\n{INDENT}{key}\n{INDENT}for {target} in {iter_code}\n]"


def _loading(ctx, plan, select, rows, keys, conditions, indent, limit) -> str:
    """`rows = <the query> if keys else []`, laid out as black would."""
    session = ctx.code(plan.session)
    unique = ".unique()" if plan.needs_unique and not plan.uses_v1_query else ""
    joined = ", ".join(conditions)
    if plan.uses_v1_query:
        query = f"{session}.query({plan.model}).filter({joined}).all()"
    else:
        statement = f"{select}({plan.model}).where({joined})"
        scalars = f"{session}.scalars({statement})"
        query = (
            f"(await {scalars}){unique}.all()"
            if plan.is_async
            else f"{scalars}{unique}.all()"
        )
    one_line = f"{rows} = {query} if {keys} else []"
    if fits(one_line, indent, limit):
        return one_line
    inner = f"{query} if {keys} else []"
    if fits(inner, indent + len(INDENT), limit):
        return f"{rows} = (\n{INDENT}{inner}\n)"
    if not fits(query, indent + len(INDENT), limit):
        query = _broken_query(
            plan, session, select, conditions, unique, indent + len(INDENT), limit
        )
    query = query.replace("\n", "\n" + INDENT)
    return f"{rows} = (\n{INDENT}{query}\n{INDENT}if {keys}\n{INDENT}else []\n)"


def _broken_query(plan, session, select, conditions, unique, indent, limit) -> str:
    """The query one call a line (Query API) or its statement on a line of its own,
    each broken further only when it does not fit, as black would."""
    joined = ", ".join(conditions)
    listed = "".join(f"\n{INDENT}{condition}," for condition in conditions)
    if plan.uses_v1_query:
        filtered = f".filter({joined})"
        if not fits(filtered, indent, limit):
            filtered = f".filter({listed}\n)"
        return f"{session}.query({plan.model})\n{filtered}\n.all()"
    statement = f"{select}({plan.model}).where({joined})"
    if not fits(statement, indent + len(INDENT), limit):
        statement = f"{select}({plan.model}).where({listed}\n)".replace(
            "\n", "\n" + INDENT
        )
    opening = f"(await {session}.scalars(" if plan.is_async else f"{session}.scalars("
    closing = "))" if plan.is_async else ")"
    return f"{opening}\n{INDENT}{statement}\n{closing}{unique}.all()"


class _AroundLoop(cst.CSTTransformer):
    """The loading statements go right before the loop, `del rows` right after it."""

    def __init__(self, loop: cst.For, before, after) -> None:
        self.loop = loop
        self.before = before
        self.after = after

    def leave_IndentedBlock(self, original, updated):
        return self._around(original, updated)

    def leave_Module(self, original, updated):
        return self._around(original, updated)

    def _around(self, original, updated):
        for i, statement in enumerate(original.body):
            if statement is not self.loop:
                continue
            loop = updated.body[i]
            before = list(self.before)
            before[0] = before[0].with_changes(
                leading_lines=[*loop.leading_lines, *before[0].leading_lines]
            )
            new = [*before, loop.with_changes(leading_lines=[]), self.after]
            return updated.with_changes(
                body=[*updated.body[:i], *new, *updated.body[i + 1 :]]
            )
        return updated
