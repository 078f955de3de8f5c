"""The `sql-built-from-values` rewrite: the f-string's spliced values become placeholders
in the driver's style, passed as parameters of the same call."""

from __future__ import annotations

import re

import libcst as cst

from n1fix.cst.errors import FixFailed
from n1fix.cst.layout import INDENT, fits
from n1fix.rules.base import Finding
from n1fix.rules.sql_built_from_values.analysis import ParameterPlan
from n1fix.sql.built import QUOTED
from n1fix.sql.drivers import ASYNCPG, PSYCOPG, PSYCOPG2, SQLALCHEMY, SQLITE3

_PERCENT_STYLE = (PSYCOPG, PSYCOPG2)


def fix(ctx, finding: Finding) -> cst.Module:
    plan: ParameterPlan = finding.plan
    built = plan.built
    fstring = built.built
    assert isinstance(fstring, cst.FormattedString)
    prefix = fstring.prefix.replace("f", "").replace("F", "")
    quote = fstring.quote
    names: list[str] = []
    values: list[str] = []
    pieces: list[str] = []
    splice_index = 0
    closing_quote = False  # the text after a quoted value starts with its closing quote
    for part in built.parts:
        if isinstance(part, str):
            text = part.replace("{{", "{").replace("}}", "}")
            if built.api in _PERCENT_STYLE:
                text = text.replace("%", "%%")
            if closing_quote:
                text = _without_quote(text, at_end=False)
                closing_quote = False
            pieces.append(text)
            continue
        splice = plan.splices[splice_index]
        splice_index += 1
        if splice.place == QUOTED:
            if not pieces:
                raise FixFailed("a quoted value opens the string")
            pieces[-1] = _without_quote(pieces[-1], at_end=True)
            closing_quote = True
        code = ctx.code(splice.expression)
        values.append(code)
        names.append(_parameter_name(code, names))
        pieces.append(_placeholder(built.api, names[-1], len(values)))
    if closing_quote:
        raise FixFailed("a quoted value closes the string")
    sql = "".join(pieces)
    new_string = f"{prefix}{quote}{sql}{quote}"
    try:
        literal = cst.parse_expression(new_string)
    except cst.ParserSyntaxError as error:
        raise FixFailed(f"the new SQL string does not parse: {error}") from error
    if built.api == SQLALCHEMY:
        params = "{" + ", ".join(f'"{n}": {v}' for n, v in zip(names, values)) + "}"
        extra = [params]
    elif built.api == ASYNCPG:
        extra = values
    else:
        extra = [f"({values[0]},)" if len(values) == 1 else f"({', '.join(values)})"]
    call = built.call
    if built.in_text is not None:
        text_call = built.in_text.with_changes(
            args=[built.in_text.args[0].with_changes(value=literal)]
        )
        first_code = cst.Module([]).code_for_node(text_call)
    else:
        first_code = new_string
    receiver = ctx.code(call.func)
    args = [first_code, *extra]
    one_line = f"{receiver}({', '.join(args)})"
    # LibCST indents the lines inside brackets by the block's own indentation, so the
    # generated lines say only how much deeper than the statement the call starts
    lines = ctx.text.splitlines()
    indent = _indentation(lines[ctx.range_of(call).start.line - 1])
    block = _indentation(lines[ctx.range_of(_statement_of(ctx, call)).start.line - 1])
    if "\n" in first_code or fits(one_line, indent, ctx.project.line_length):
        code = one_line
    else:
        pad = " " * (indent - block)
        code = (
            f"{receiver}(\n"
            + "".join(f"{pad}{INDENT}{arg},\n" for arg in args)
            + f"{pad})"
        )
    new_call = cst.parse_expression(code)
    return ctx.module.visit(_Replace(call, new_call))


def _without_quote(text: str, at_end: bool) -> str:
    if at_end:
        if not text.endswith("'"):
            raise FixFailed("a quoted value's opening quote is not where n1fix expects")
        return text[:-1]
    if not text.startswith("'"):
        raise FixFailed("a quoted value's closing quote is not where n1fix expects")
    return text[1:]


def _parameter_name(code: str, taken: list[str]) -> str:
    words = re.findall(r"[A-Za-z_][A-Za-z0-9_]*", code)
    base = words[-1] if words else "value"
    if base == "id" and len(words) > 1:  # `project.id` -> `project_id`
        base = f"{words[-2]}_id"
    if base in taken or base == "self":
        base = "_".join(words) or "value"
    name, n = base, 2
    while name in taken:
        name, n = f"{base}_{n}", n + 1
    return name


def _placeholder(api: str, name: str, position: int) -> str:
    if api == SQLALCHEMY:
        return f":{name}"
    if api == SQLITE3:
        return "?"
    if api == ASYNCPG:
        return f"${position}"
    return "%s"


def _indentation(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


def _statement_of(ctx, call: cst.Call) -> cst.CSTNode:
    """The statement holding `call`."""
    from n1fix.cst.syntax import walk

    for node in walk(ctx.module, into_scopes=True):
        if isinstance(node, cst.SimpleStatementLine) and any(
            n is call for n in walk(node, into_scopes=True)
        ):
            return node
    raise FixFailed("the call is in no statement")


class _Replace(cst.CSTTransformer):
    def __init__(self, old: cst.Call, new: cst.BaseExpression) -> None:
        self.old, self.new = old, new

    def leave_Call(self, original: cst.Call, updated: cst.Call) -> cst.BaseExpression:
        if original is self.old:
            return self.new.with_changes(lpar=updated.lpar, rpar=updated.rpar)
        return updated
