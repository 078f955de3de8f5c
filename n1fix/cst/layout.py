"""Line breaking for generated statements, the way black would break them.

Generated code embeds the original query verbatim; when the original was one line, the
batched statement around it can run far past the project's line length. These helpers
break such a statement at its outermost brackets, black style, and leave anything that
already spans lines alone (its author chose that layout).
"""

from __future__ import annotations

import libcst as cst

from n1fix.cst.chains import unwind

INDENT = "    "
_EMPTY = cst.Module([])


def render(node: cst.CSTNode) -> str:
    return _EMPTY.code_for_node(node)


def fits(text: str, indent: int, limit: int) -> bool:
    """Does `text`, at `indent`, keep within `limit`? Only its first line counts: that
    line is the generated one; the lines after it are the author's own layout."""
    return indent + len(text.split("\n", 1)[0]) <= limit


def joined_if_overlong(code: str, indent: int, limit: int, prefix: int = 4) -> str:
    """A multi-line expression with a line past the limit (the author's layout, after the
    rewrite changed it), joined to one line for the callers to break black style; as it
    is when every line fits, or when a comment inside would be lost. Its first line
    follows `prefix` generated characters (`for render in `); the others keep their
    indentation relative to the statement at `indent`."""
    first, _, rest = code.partition("\n")
    if not rest or (
        fits(first, indent + prefix, limit)
        and all(indent + len(line) <= limit for line in rest.split("\n"))
    ):
        return code
    try:
        joined = one_line(cst.parse_expression(code))
    except cst.ParserSyntaxError:
        return code
    return render(joined) if joined is not None else code


def with_long_calls_exploded(statement: str, indent: int, limit: int) -> str:
    """`statement` (generated, at `indent`) with each chained call whose line is still past
    the limit written one argument a line, with a trailing comma, as black writes it:
    `.filter(\n    a,\n    b,\n)`. Unchanged when the result would not parse."""
    lines = statement.split("\n")
    out: list[str] = []
    changed = False
    for line in lines:
        body = line.lstrip(" ")
        pad = line[: len(line) - len(body)]
        call = _chained_call(body) if indent + len(line) > limit else None
        if call is None or not call.args:
            out.append(line)
            continue
        func = f".{call.func.attr.value}" if body.startswith(".") else render(call.func)
        out.extend([f"{pad}{func}(", *_one_a_line(call, pad + INDENT), f"{pad})"])
        changed = True
    if not changed:
        return statement
    candidate = "\n".join(out)
    try:
        cst.parse_statement(candidate + "\n")
    except cst.ParserSyntaxError:
        return statement
    return _with_long_arguments_exploded(candidate, indent, limit)


def _with_long_arguments_exploded(statement: str, indent: int, limit: int) -> str:
    """An argument line the explosion left still past the limit, itself a call
    (`name=Window(RowNumber(), partition_by=...)`), broken as black breaks it: its
    arguments on a line of their own, or one a line when that is too long too; again
    for the lines that gives. Unchanged when the result would not parse."""
    lines = statement.split("\n")
    at = next(
        (
            i
            for i, line in enumerate(lines)
            if indent + len(line) > limit and _argument_call(line) is not None
        ),
        None,
    )
    if at is None:
        return statement
    line = lines[at]
    body = line.lstrip(" ")
    pad = line[: len(line) - len(body)]
    keyword, call, comma = _argument_call(line)
    broken = exploded_call(render(call), indent + len(pad), limit)
    if broken is None:
        return statement
    broken_lines = broken.split("\n")
    broken_lines[0] = keyword + broken_lines[0]
    broken_lines[-1] += comma
    candidate = "\n".join(
        [*lines[:at], *(pad + b for b in broken_lines), *lines[at + 1 :]]
    )
    try:
        cst.parse_statement(candidate + "\n")
    except cst.ParserSyntaxError:
        return statement
    return _with_long_arguments_exploded(candidate, indent, limit)


def _argument_call(line: str) -> tuple[str, cst.Call, str] | None:
    """A line that is one argument, a call with arguments (`name=f(a, b),`): its
    `name=`, the call, and its trailing comma."""
    body = line.strip()
    comma = "," if body.endswith(",") else ""
    body = body.removesuffix(",")
    keyword = ""
    if "=" in body.split("(", 1)[0]:
        keyword, _, body = body.partition("=")
        if not keyword.isidentifier():
            return None
        keyword += "="
    call = _chained_call(body)
    if call is None or not call.args or body.startswith("."):
        return None
    return keyword, call, comma


def exploded_call(call_code: str, indent: int, limit: int) -> str | None:
    """`f(a, b)` broken as black breaks a call too long for its line: the arguments on a
    line of their own, or, when that line is too long too, one a line with a trailing
    comma. None when `call_code` is not one call with arguments."""
    call = _chained_call(call_code)
    if call is None or not call.args:
        return None
    func = render(call.func)
    together = ", ".join(_arg(arg) for arg in call.args)
    if len(call.args) == 1 or indent + len(INDENT) + len(together) <= limit:
        return f"{func}(\n{INDENT}{together}\n)"
    return "\n".join([f"{func}(", *_one_a_line(call, INDENT), ")"])


def _one_a_line(call: cst.Call, pad: str) -> list[str]:
    """The arguments one a line; a trailing comma when there are several (black's magic
    comma keeps them so), none after a single one."""
    if len(call.args) == 1:
        return [f"{pad}{_arg(call.args[0])}"]
    return [f"{pad}{_arg(arg)}," for arg in call.args]


def _chained_call(body: str) -> cst.Call | None:
    """The call a whole line is: `.filter(a, b)` in a chain, or `Model.query.f(a, b)`."""
    try:
        expr = cst.parse_expression(f"_{body}" if body.startswith(".") else body)
    except cst.ParserSyntaxError:
        return None
    if not isinstance(expr, cst.Call) or "\n" in body:
        return None
    func = (
        expr.func.value
        if body.startswith(".") and isinstance(expr.func, cst.Attribute)
        else expr.func
    )
    # One call a line: a chain kept on one line (`select(X).where(...)`) is the author's.
    return (
        expr
        if func is not None and not any(isinstance(n, cst.Call) for n in _nodes(func))
        else None
    )


def _nodes(node: cst.CSTNode):
    yield node
    for child in node.children:
        yield from _nodes(child)


def _arg(arg: cst.Arg) -> str:
    keyword = f"{arg.keyword.value}=" if arg.keyword is not None else ""
    return keyword + ("*" * len(arg.star) if arg.star else "") + render(arg.value)


def broken_expression(expr: cst.BaseExpression) -> str | None:
    """`recv.method(args)` -> "recv.method(\\n    args\\n)"; a chain of calls -> fluent lines.

    None when the expression has no brackets worth breaking at.
    """
    lines = chain_lines(expr)
    if lines is not None:
        body = f"\n{INDENT}".join(lines)
        return f"(\n{INDENT}{body}\n)"
    text = render(expr)
    if "\n" in text:
        return None
    prefix = ""
    if isinstance(expr, cst.Await):
        if expr.lpar:
            # `(await session.execute(stmt))`: its brackets make a trailer that follows
            # apply to the awaited result, so they stay, broken as black breaks them.
            inner = broken_expression(expr.with_changes(lpar=[], rpar=[]))
            if inner is None:
                return None
            return f"(\n{INDENT}{inner.replace(chr(10), chr(10) + INDENT)}\n)"
        prefix, expr = "await ", expr.expression
    if isinstance(expr, cst.Call) and expr.args:
        return f"{prefix}{render(expr.func)}(\n{INDENT}{_args(expr)}\n)"
    # `session.execute(stmt).scalars()`: break inside the call that has arguments.
    if (
        isinstance(expr, cst.Call)
        and isinstance(expr.func, cst.Attribute)
        and not expr.args
    ):
        receiver = expr.func.value
        inner = broken_expression(receiver)
        awaited = isinstance(receiver, cst.Await) and bool(receiver.lpar)
        if inner is not None and (awaited or not inner.startswith("(")):
            return f"{prefix}{inner}.{expr.func.attr.value}()"
    return None


def chain_lines(expr: cst.BaseExpression) -> list[str] | None:
    """A fluent chain with two or more calls that take arguments, one call a line:
    ["session.query(X)", ".filter(...)", ".order_by(...)", ".all()"]. None otherwise."""
    text = render(expr)
    if "\n" in text or "await " in text:
        return None
    base, calls, _ = unwind(expr)
    if sum(1 for c in calls if c.call.args) + isinstance(base, cst.Call) < 2:
        return None
    head = render(base)
    rest = calls
    if not isinstance(base, cst.Call):
        head += f".{calls[0].name}({_args(calls[0].call)})"
        rest = calls[1:]
    return [head, *(f".{c.name}({_args(c.call)})" for c in rest)]


def _args(call: cst.Call) -> str:
    return ", ".join(
        (f"{arg.keyword.value}=" if arg.keyword is not None else "")
        + ("*" * len(arg.star) if arg.star else "")
        + render(arg.value)
        for arg in call.args
    )


def one_line(expr: cst.BaseExpression) -> cst.BaseExpression | None:
    """`expr` with its line breaks inside brackets taken out (`list(\n    x\n)` -> `list(x)`);
    None when a comment sits in one of them (it would be lost)."""
    import dataclasses

    comments = [False]

    class _Join(cst.CSTTransformer):
        def on_leave(self, original, updated):
            changes = {}
            for item in dataclasses.fields(updated):
                value = getattr(updated, item.name)
                if isinstance(value, cst.ParenthesizedWhitespace):
                    if value.first_line.comment is not None or any(
                        line.comment for line in value.empty_lines
                    ):
                        comments[0] = True
                    space = (
                        " "
                        if isinstance(updated, cst.Comma)
                        and item.name == "whitespace_after"
                        else ""
                    )
                    changes[item.name] = cst.SimpleWhitespace(space)
            return updated.with_changes(**changes) if changes else updated

    joined = expr.visit(_Join())
    if comments[0]:
        return None

    # A trailing comma left behind by a broken argument list: `f(a,)` -> `f(a)`.
    class _NoTrailingComma(cst.CSTTransformer):
        def leave_Call(self, original, updated):
            if updated.args and isinstance(updated.args[-1].comma, cst.Comma):
                last = updated.args[-1].with_changes(comma=cst.MaybeSentinel.DEFAULT)
                return updated.with_changes(args=[*updated.args[:-1], last])
            return updated

    return joined.visit(_NoTrailingComma())
