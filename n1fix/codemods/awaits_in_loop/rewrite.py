"""Rewrite an await per item of a loop as one bounded `asyncio.gather`.

    for prefix in prefixes:
        suggestions[prefix] = await ProjectsDAL.search_names(prefix)
becomes a semaphore at the bound, a nested `async def search_names_bounded(prefix)` that
awaits the call inside `async with semaphore:`, one `results = await asyncio.gather(...)`
over a generator of those, and `for prefix, names in zip(prefixes, results)` filling the
dict (the full text is in the rule's docs: `n1fix rules awaits-in-loop`).

`out.append(await f(x))` becomes `out.extend(await asyncio.gather(...))` and a bare
`await f(x)` a bare gather. The semaphore is made in the function, next to its only use
(one per call of the function, on the running event loop). Items that may be a one-shot
iterator are materialised with `list(...)` first when the rewrite iterates them twice.
"""

from __future__ import annotations

import re

import libcst as cst

from n1fix.cst.chains import dotted_name
from n1fix.cst.errors import FixFailed
from n1fix.cst.imports import add_import, spelling
from n1fix.cst.layout import INDENT, fits
from n1fix.cst.names import NamePicker, plural
from n1fix.cst.statements import ReplaceStatements, enclosing_function
from n1fix.cst.syntax import all_names

_VERB = re.compile(
    r"^(get|fetch|load|find|search|list|read|query|select|lookup|count)_"
)


def fix(ctx, finding) -> cst.Module:
    plan = finding.plan
    loop = plan.loop
    spellings = {
        name: spelling(ctx.imports, f"asyncio.{name}")
        for name in ("gather", "Semaphore")
    }
    needs_import = any(s is None for s in spellings.values())
    if needs_import and "asyncio" in all_names(ctx.module):
        raise FixFailed("`asyncio` names something else in this module")
    gather, semaphore_class = (
        spellings[n] or f"asyncio.{n}" for n in ("gather", "Semaphore")
    )
    picker = NamePicker(enclosing_function(ctx, loop) or ctx.module, ctx.module)
    code = ctx.code
    indent = ctx.range_of(loop).start.column
    limit = ctx.project.line_length
    callee = (dotted_name(plan.call.func) or "read").rpartition(".")[2]
    semaphore = picker.pick("semaphore")
    helper = picker.pick(f"{callee.lstrip('_')}_bounded")
    target = code(loop.target)
    params = ", ".join(_names_in_order(loop.target))
    items = code(loop.iter)
    lines: list[str] = []
    if not plan.iter_reiterable:
        if isinstance(loop.iter, cst.Name):
            lines.append(f"{items} = list({items})")
        else:
            materialised = picker.pick(
                plural(params) if isinstance(loop.target, cst.Name) else "items"
            )
            # A generator's own brackets serve as the call's: list(x for x in xs).
            own_brackets = (
                isinstance(loop.iter, cst.GeneratorExp) and len(loop.iter.lpar) == 1
            )
            lines.append(
                f"{materialised} = list{items}"
                if own_brackets
                else f"{materialised} = list({items})"
            )
            items = materialised
    lines.append(
        f"{semaphore} = {semaphore_class}({plan.bound})  # at most {plan.bound} reads at once ({plan.bound_source})"
    )
    body = code(plan.call).replace("\n", "\n" + 2 * INDENT)
    helper_def = f"async def {helper}({params}):\n{INDENT}async with {semaphore}:\n{2 * INDENT}return await {body}"
    tasks = f"*({helper}({params}) for {target} in {items})"
    if plan.shape == "setitem":
        results = picker.pick("results")
        each = picker.pick(_result_name(callee))
        zipped_target = (
            f"({target})"
            if isinstance(loop.target, cst.Tuple) and not loop.target.lpar
            else target
        )
        tail = [
            _awaited(f"{results} = ", gather, tasks, "", indent, limit),
            f"for {zipped_target}, {each} in zip({items}, {results}):\n"
            f"{INDENT}{code(plan.container)}[{code(plan.key)}] = {each}",
        ]
    elif plan.shape == "append":
        tail = [
            _awaited(
                f"{code(plan.container)}.extend(", gather, tasks, ")", indent, limit
            )
        ]
    else:
        tail = [_awaited("", gather, tasks, "", indent, limit)]
    config = ctx.module.config_for_parsing
    new = [
        cst.parse_statement(line + "\n", config=config)
        for line in [*lines, helper_def, *tail]
    ]
    # A blank line before the nested function and after it (black).
    at = len(lines)
    for i in (at, at + 1):
        new[i] = new[i].with_changes(leading_lines=[cst.EmptyLine(indent=False)])
    new[0] = new[0].with_changes(leading_lines=list(loop.leading_lines))
    moved = _comments(loop)
    if moved:
        new[at + 1] = new[at + 1].with_changes(
            leading_lines=[*new[at + 1].leading_lines, *moved]
        )
    module = ctx.module.visit(ReplaceStatements([loop], new))
    if needs_import:
        module = add_import(module, "asyncio", ctx.first_party)
    return module


def _names_in_order(target: cst.BaseExpression) -> list[str]:
    if isinstance(target, cst.Name):
        return [target.value]
    return [e.value.value for e in target.elements]


def _result_name(callee: str) -> str:
    """`search_names` -> `names`, `get_user_by_id` -> `user`; else `result`."""
    name = re.sub(r"_(by|for|of|from|with)_.*$", "", _VERB.sub("", callee.lstrip("_")))
    return (
        name
        if name and name != callee.lstrip("_") and name.isidentifier()
        else "result"
    )


def _awaited(
    head: str, gather: str, tasks: str, close: str, indent: int, limit: int
) -> str:
    one_line = f"{head}await {gather}({tasks}){close}"
    if fits(one_line, indent, limit):
        return one_line
    return f"{head}await {gather}(\n{INDENT}{tasks}\n){close}"


def _comments(loop: cst.For) -> list[cst.EmptyLine]:
    """Comments of the loop's header and body line, moved above the gather."""
    moved: list[cst.EmptyLine] = []
    header = loop.body.header.comment
    if header is not None:
        moved.append(cst.EmptyLine(comment=header))
    statement = loop.body.body[0]
    moved.extend(line for line in statement.leading_lines if line.comment is not None)
    if statement.trailing_whitespace.comment is not None:
        moved.append(cst.EmptyLine(comment=statement.trailing_whitespace.comment))
    moved.extend(line for line in loop.body.footer if line.comment is not None)
    return moved
