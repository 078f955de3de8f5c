"""Rewrite a group of independent awaits as one `asyncio.gather`.

    user = await AuthDAL.get_user_by_id(user_id)
    credits: int = await BillingDAL.get_credits(user_id)
becomes
    credits: int
    user, credits = await asyncio.gather(AuthDAL.get_user_by_id(user_id), BillingDAL.get_credits(user_id))

Annotations stay as bare declarations above the gather; an awaited call whose result was
not kept gets `_` in the tuple (a fresh name if the module uses `_`, e.g. for gettext).
Comments of the replaced lines move above the new statement. The line is broken as black
would: all on one line, else the calls on one indented line, else one call a line.
"""

from __future__ import annotations

import libcst as cst

from n1fix.cst.errors import FixFailed
from n1fix.cst.imports import add_import, spelling
from n1fix.cst.layout import INDENT, fits
from n1fix.cst.names import NamePicker
from n1fix.cst.statements import ReplaceStatements, enclosing_function
from n1fix.cst.syntax import all_names, walk


def fix(ctx, finding) -> cst.Module:
    plan = finding.plan
    gather = spelling(ctx.imports, "asyncio.gather")
    needs_import = gather is None
    if needs_import:
        if "asyncio" in all_names(ctx.module):
            raise FixFailed("`asyncio` names something else in this module")
        gather = "asyncio.gather"
    names = _targets(ctx, plan)
    indent = ctx.range_of(plan.statements[0]).start.column
    calls = [ctx.code(call) for call in plan.calls]
    config = ctx.module.config_for_parsing
    helpers: list[str] = []
    if plan.own_session is not None:
        helpers, calls = _own_session_helpers(ctx, plan, calls)
    lines = [
        f"{target}: {ctx.code(annotation.annotation)}"
        for target, annotation in zip(plan.targets, plan.annotations)
        if annotation is not None
    ]
    lines.append(
        _gather_statement(names, gather, calls, indent, ctx.project.line_length)
    )
    new = [
        cst.parse_statement(line + "\n", config=config) for line in [*helpers, *lines]
    ]
    # A nested function gets a blank line before it and after the last one (black).
    for i in range(1, len(helpers) + 1):
        new[i] = new[i].with_changes(leading_lines=[cst.EmptyLine(indent=False)])
    first_leading = list(plan.statements[0].leading_lines)
    if (
        helpers
        and not _opens_block(ctx, plan.statements[0])
        and not any(l.comment is None for l in first_leading)
    ):
        first_leading = [cst.EmptyLine(indent=False), *first_leading]
    new[0] = new[0].with_changes(leading_lines=first_leading)
    moved = _comments(plan.statements)
    if moved:
        last = new[-1]
        new[-1] = last.with_changes(leading_lines=[*last.leading_lines, *moved])
    module = ctx.module.visit(ReplaceStatements(plan.statements, new))
    if needs_import:
        module = add_import(module, "asyncio", ctx.first_party)
    return module


def _own_session_helpers(ctx, plan, calls: list[str]) -> tuple[list[str], list[str]]:
    """One nested `async def` per read that used the shared session, opening its own:

        async def load_user():
            async with async_session() as session:
                return await UsersRepo.get(session, user_id)

    A local session takes the shared one's name, so the call stays as written; one held
    in an attribute (`self.session`) is replaced in the call by a local of the same last
    name (`session`, or a fresh one when the call already reads that name)."""
    factory, shared = plan.own_session
    picker = NamePicker(
        enclosing_function(ctx, plan.statements[0]) or ctx.module, ctx.module
    )
    local = shared
    if "." in shared:
        wanted = shared.rpartition(".")[2].lstrip("_") or "session"
        read = set().union(*(all_names(c) for c in plan.calls))
        local = wanted if wanted not in read else picker.pick(f"own_{wanted}")
    helpers: list[str] = []
    gathered: list[str] = []
    for call_node, call, target, needs in zip(
        plan.calls, calls, plan.targets, plan.needs_session
    ):
        if not needs:
            gathered.append(call)
            continue
        if local != shared:
            call = ctx.code(call_node.visit(_SessionInPlace(shared, local)))
        name = picker.pick(f"load_{target}" if target else f"run_{_callee_name(call)}")
        body = call.replace("\n", "\n" + 2 * INDENT)
        helpers.append(
            f"async def {name}():\n{INDENT}async with {factory}() as {local}:\n{2 * INDENT}return await {body}"
        )
        gathered.append(f"{name}()")
    return helpers, gathered


class _SessionInPlace(cst.CSTTransformer):
    """`self.session` -> `session` inside one call."""

    def __init__(self, shared: str, local: str) -> None:
        self.shared = shared
        self.local = local

    def leave_Attribute(
        self, original: cst.Attribute, updated: cst.Attribute
    ) -> cst.BaseExpression:
        from n1fix.cst.chains import dotted_name

        if dotted_name(original) == self.shared:
            return cst.Name(self.local)
        return updated


def _callee_name(call: str) -> str:
    head = call.split("(", 1)[0]
    return head.rpartition(".")[2] or "read"


def _opens_block(ctx, statement) -> bool:
    """Whether `statement` is the first of its block (no blank line goes above it)."""
    return any(
        isinstance(node, cst.IndentedBlock) and node.body and node.body[0] is statement
        for node in walk(ctx.module, into_scopes=True)
    )


def _targets(ctx, plan) -> list[str] | None:
    """The tuple's names; None when no result is kept (the gather is a bare statement)."""
    if all(t is None for t in plan.targets):
        return None
    unused = "_"
    if "_" in all_names(ctx.module):
        function = enclosing_function(ctx, plan.statements[0])
        unused = NamePicker(function or ctx.module, ctx.module).pick("_unused")
    return [t if t is not None else unused for t in plan.targets]


def _gather_statement(
    names: list[str] | None, gather: str, calls: list[str], indent: int, limit: int
) -> str:
    head = f"{', '.join(names)} = " if names else ""
    one_line = f"{head}await {gather}({', '.join(calls)})"
    if fits(one_line, indent, limit) and "\n" not in one_line:
        return one_line
    joined = ", ".join(calls)
    if "\n" not in joined and fits(joined, indent + 4, limit):
        return f"{head}await {gather}(\n{INDENT}{joined}\n)"
    body = "".join(f"{INDENT}{_shifted(call)},\n" for call in calls)
    return f"{head}await {gather}(\n{body})"


def _shifted(call: str) -> str:
    """A call that spans lines moves one level in, continuation lines with it."""
    first, *rest = call.split("\n")
    return "\n".join(
        [first, *(INDENT + line if line.strip() else line for line in rest)]
    )


def _comments(statements) -> list[cst.EmptyLine]:
    """Comments of the replaced lines after the first: their own lines and trailing ones."""
    moved: list[cst.EmptyLine] = []
    for index, statement in enumerate(statements):
        if index > 0:
            moved.extend(
                line for line in statement.leading_lines if line.comment is not None
            )
        comment = statement.trailing_whitespace.comment
        if comment is not None:
            moved.append(cst.EmptyLine(comment=comment))
    return moved
