"""Rewrite a lazy-load-in-loop finding: add the loader option to the query the rows come from.

    select(Project).where(...)                    -> select(Project).options(selectinload(Project.renders)).where(...)
    select(X).options(joinedload(X.user))         -> select(X).options(joinedload(X.user), selectinload(X.project))
    .options(selectinload(Project.renders))       -> .options(selectinload(Project.renders).selectinload(Render.chain))
    session.query(Project).filter(...)            -> session.query(Project).options(selectinload(...)).filter(...)

A statement that was one line and no longer fits is broken the way black breaks it.
"""

from __future__ import annotations

import libcst as cst

from n1fix.cst.chains import unwind
from n1fix.cst.imports import add_from_import, spelling
from n1fix.cst.layout import INDENT, chain_lines, render
from n1fix.cst.syntax import children
from n1fix.orm.dialect import Style
from n1fix.rules.base import Finding
from n1fix.rules.lazy_load_in_loop.analysis import LazyLoadPlan, option_calls


def fix(ctx, finding: Finding) -> cst.Module:
    plan: LazyLoadPlan = finding.plan
    needed: list[tuple[str, str]] = list(plan.imports)
    calls = []
    for text in option_calls(plan):
        loader, _, rest = text.partition("(")
        spelled = spelling(ctx.imports, f"sqlalchemy.orm.{loader}")
        if spelled is None:
            spelled = loader
            needed.append(("sqlalchemy.orm", loader))
        calls.append(f"{spelled}({rest}")
    config = ctx.module.config_for_parsing
    source = plan.source

    if plan.extend is not None:
        arg = plan.extend.arg
        new_value = cst.parse_expression(
            ".".join([render(arg.value), *calls]), config=config
        )
        edit = ReplaceNode(arg.value, new_value)
    elif source.options.calls:
        options_call = source.options.calls[-1].call
        option = cst.parse_expression(".".join(calls), config=config)
        edit = ReplaceNode(options_call, with_argument(options_call, option))
    else:
        option = cst.parse_expression(".".join(calls), config=config)
        edit = InsertOptions(source.head, option)
    module = ctx.module.visit(ReplaceNode(*edited_query(ctx, source, edit)))
    for source_module, name in dict.fromkeys(needed):
        module = add_from_import(module, source_module, name, ctx.first_party)
    return module


def edited_query(
    ctx, source, edit: cst.CSTTransformer
) -> tuple[cst.CSTNode, cst.CSTNode]:
    """(old, new): the query the rows come from with `edit` applied, broken into lines
    the way the rest of it is (or black would) when it no longer fits."""
    layout = source.layout
    if "\n" in ctx.code(layout) and "\n" not in _bare_code(source.chain):
        # `session.scalars(\n    select(X).where(...)\n)`, `x = (\n    session.query(X)...\n)`:
        # the chain goes one call a line
        chain = source.chain
        return chain, _chain_rebroken(ctx, source.head, chain, chain.visit(edit))
    return layout, _rebroken(ctx, layout, layout.visit(edit), source.shape.style)


def with_argument(call: cst.Call, option: cst.BaseExpression) -> cst.Call:
    """`.options(a)` -> `.options(a, b)`, keeping a one-a-line layout and trailing comma."""
    args = list(call.args)
    last = args[-1]
    if isinstance(
        last.comma, cst.Comma
    ):  # `a,\n` one a line: the new one goes on a line of its own
        between = (
            args[-2].comma
            if len(args) > 1 and isinstance(args[-2].comma, cst.Comma)
            else None
        )
        if between is None:
            between = cst.Comma(whitespace_after=call.whitespace_before_args)
        args[-1] = last.with_changes(comma=between)
        return call.with_changes(args=[*args, cst.Arg(option, comma=last.comma)])
    args[-1] = last.with_changes(
        comma=cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))
    )
    return call.with_changes(args=[*args, cst.Arg(option)])


class ReplaceNode(cst.CSTTransformer):
    def __init__(self, old: cst.CSTNode, new: cst.CSTNode) -> None:
        self.old, self.new = old, new
        self.statement: cst.CSTNode | None = (
            None  # the rebuilt statement holding the edit
        )

    def on_leave(self, original, updated):
        if original is self.old:
            return self.new
        return updated


class InsertOptions(cst.CSTTransformer):
    """`head` -> `head.options(option)`; after `select(X)` in a chain broken one call a
    line, `.options(...)` takes a line of its own, like the calls after it. (`method`
    names another call to insert: `head.where(condition)`.)"""

    def __init__(
        self,
        head: cst.BaseExpression,
        option: cst.BaseExpression,
        method: str = "options",
    ) -> None:
        self.head, self.option = head, option
        self.method = method
        self.done = False

    def leave_Attribute(self, original, updated):
        if original.value is self.head and not self.done:
            self.done = True
            call = cst.Call(
                cst.Attribute(updated.value, cst.Name(self.method), dot=original.dot),
                self._args(),
            )
            return updated.with_changes(value=call)
        return updated

    def on_leave(self, original, updated):
        updated = super().on_leave(original, updated)
        if (
            original is self.head
            and not self.done
            and isinstance(updated, cst.BaseExpression)
        ):
            # the head is the whole statement (`session.scalars(select(Project))`)
            self.done = True
            return cst.Call(cst.Attribute(updated, cst.Name(self.method)), self._args())
        return updated

    def _args(self) -> list[cst.Arg]:
        options = (
            self.option if isinstance(self.option, (list, tuple)) else [self.option]
        )
        space = cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))
        return [
            cst.Arg(
                o, comma=space if i < len(options) - 1 else cst.MaybeSentinel.DEFAULT
            )
            for i, o in enumerate(options)
        ]


def _rebroken(
    ctx, original: cst.BaseExpression, new: cst.BaseExpression, style: Style
) -> cst.BaseExpression:
    """`new`, broken the way black would break it when `original` was one line and the
    line no longer fits: `session.scalars(\n    select(X).options(...)\n).all()`, then one
    call a line if the statement still does not fit."""
    old_code = ctx.code(original)
    if "\n" in old_code:
        return new
    start = ctx.range_of(original).start
    line = ctx.text.splitlines()[start.line - 1]
    new_line = line[: start.column] + render(new) + line[start.column + len(old_code) :]
    limit = ctx.project.line_length
    if len(new_line) <= limit:
        return new
    indent = len(line) - len(line.lstrip())
    broken = broken_like_black(new, indent, limit)
    if broken is None:
        return new
    return cst.parse_expression(broken, config=ctx.module.config_for_parsing)


def _bare_code(node: cst.BaseExpression) -> str:
    return (
        render(node.with_changes(lpar=[], rpar=[]))
        if getattr(node, "lpar", None)
        else render(node)
    )


def _chain_rebroken(
    ctx, head, original: cst.BaseExpression, new: cst.BaseExpression
) -> cst.BaseExpression:
    """A one-line chain inside brackets that now runs past the line length, one call a
    line at the column it starts at (black's fluent style)."""
    start = ctx.range_of(
        head
    ).start  # where the chain's text starts (inside any brackets of its own)
    line = ctx.text.splitlines()[start.line - 1]
    old_code = _bare_code(original)
    if (
        len(
            line[: start.column]
            + _bare_code(new)
            + line[start.column + len(old_code) :]
        )
        <= ctx.project.line_length
    ):
        return new
    block = block_indent(ctx.module, original)
    if block is None or start.column < block:
        return new
    base, calls, _ = unwind(new)
    rest = calls if isinstance(base, cst.Call) else calls[1:]
    if len(rest) < 1:
        return new
    dot = cst.Dot(
        whitespace_before=cst.ParenthesizedWhitespace(
            first_line=cst.TrailingWhitespace(),
            empty_lines=[],
            indent=True,
            last_line=cst.SimpleWhitespace(" " * (start.column - block)),
        )
    )
    funcs = {id(mc.call.func) for mc in rest}

    class _Break(cst.CSTTransformer):
        def leave_Attribute(self, original_node, updated_node):
            if id(original_node) in funcs:
                return updated_node.with_changes(dot=dot)
            return updated_node

    return new.visit(_Break())


def block_indent(module: cst.Module, node: cst.CSTNode) -> int | None:
    """The indentation of the block whose statement holds `node`."""
    stack: list[tuple[cst.CSTNode, int]] = [(module, 0)]
    while stack:
        current, indent = stack.pop()
        if current is node:
            return indent
        for child in children(current):
            if isinstance(child, cst.IndentedBlock):
                step = len(
                    child.indent if child.indent is not None else module.default_indent
                )
                stack.append((child, indent + step))
            else:
                stack.append((child, indent))
    return None


def broken_like_black(expr: cst.BaseExpression, indent: int, limit: int) -> str | None:
    if (
        isinstance(expr, cst.Call)
        and len(expr.args) == 1
        and expr.args[0].keyword is None
        and not expr.args[0].star
        and chain_lines(expr) is None
    ):
        # `session.scalars(stmt)`: the statement goes on lines of its own inside the brackets
        inner = render(expr.args[0].value)
        head = render(expr.func)
        if indent + len(INDENT) + len(inner) <= limit:
            return f"{head}(\n{INDENT}{inner}\n)"
        lines = chain_lines(expr.args[0].value)
        if lines is None:
            return None
        body = f"\n{INDENT}".join(lines)
        return f"{head}(\n{INDENT}{body}\n)"
    lines = chain_lines(expr)
    if lines is None:
        return None
    body = f"\n{INDENT}".join(lines)
    return f"(\n{INDENT}{body}\n)"
