"""The `sql-built-from-values` rewrite: the values an f-string, `%`-formatting or
`.format()` splices become placeholders in the driver's style, passed as parameters of
the same call (a tuple; asyncpg's own calls take them as arguments, `text()` a dict)."""

from __future__ import annotations

import re

import libcst as cst

from n1fix.cst.errors import FixFailed
from n1fix.cst.layout import INDENT, fits
from n1fix.rules.base import Finding
from n1fix.rules.sql_built_from_values.analysis import ParameterPlan
from n1fix.sql.built import QUOTED
from n1fix.sql.drivers import ASYNCPG, PSYCOPG, PSYCOPG2, SQLALCHEMY, SQLITE3
from n1fix.sql.formats import FORMAT, PERCENT

_PERCENT_STYLE = (PSYCOPG, PSYCOPG2)


def fix(ctx, finding: Finding) -> cst.Module:
    plan: ParameterPlan = finding.plan
    built = plan.built
    # the new string is read for placeholders: a `%` the old one sent as it is doubles
    double_percent = built.api in _PERCENT_STYLE and not built.reads_placeholders
    names: list[str] = []
    values: list[str] = []
    splices = iter(plan.splices)
    new_literals: dict[cst.CSTNode, cst.BaseExpression] = {}
    for piece in built.pieces:
        pieces: list[str] = []
        closing_quote = False  # the text after a quoted value starts with its quote
        for part in piece.parts:
            if isinstance(part, str):
                text = part.replace("%", "%%") if double_percent else part
                if closing_quote:
                    text = _without_quote(text, at_end=False)
                    closing_quote = False
                pieces.append(text)
                continue
            splice = next(splices)
            if splice.place == QUOTED:
                if not pieces:
                    raise FixFailed("a quoted value opens a string literal")
                pieces[-1] = _without_quote(pieces[-1], at_end=True)
                closing_quote = True
            code = ctx.code(splice.expression)
            values.append(code)
            names.append(_parameter_name(code, names))
            pieces.append(_placeholder(built.api, names[-1], len(values)))
        if closing_quote:
            raise FixFailed("a quoted value closes a string literal")
        literal = piece.literal
        prefix = literal.prefix.replace("f", "").replace("F", "")
        new_string = f"{prefix}{literal.quote}{''.join(pieces)}{literal.quote}"
        try:
            new_literals[literal] = cst.parse_expression(new_string)
        except cst.ParserSyntaxError as error:
            raise FixFailed(f"the new SQL string does not parse: {error}") from error
    sql = _string_of(built).visit(_ReplaceNodes(new_literals))
    if built.api == SQLALCHEMY:
        params = "{" + ", ".join(f'"{n}": {v}' for n, v in zip(names, values)) + "}"
        extra = [params]
    elif built.api == ASYNCPG and built.method != "exec_driver_sql":
        extra = values
    else:
        extra = [f"({values[0]},)" if len(values) == 1 else f"({', '.join(values)})"]
    call = built.call
    replaced: dict[cst.CSTNode, cst.BaseExpression] = {}
    if built.through is not None:  # the new string goes to the variable's assignment
        replaced[built.built] = sql
        first_code = ctx.code(call.args[0].value)
    else:
        if built.in_text is not None:
            sql = built.in_text.with_changes(
                args=[built.in_text.args[0].with_changes(value=sql)]
            )
        first_code = ctx.module.code_for_node(sql)
    receiver = ctx.code(call.func)
    args = [first_code, *extra]
    one_line = f"{receiver}({', '.join(args)})"
    # LibCST indents the lines inside brackets by the block's own indentation, so the
    # generated lines say only how much deeper than the statement the call starts
    lines = ctx.text.splitlines()
    indent = _indentation(lines[ctx.range_of(call).start.line - 1])
    block = _indentation(lines[ctx.range_of(_statement_of(ctx, call)).start.line - 1])
    # SQL over several lines keeps their indentation: one argument a line, as the
    # original call most often was
    if "\n" not in first_code and fits(one_line, indent, ctx.project.line_length):
        code = one_line
    else:
        pad = " " * (indent - block)
        code = (
            f"{receiver}(\n"
            + "".join(f"{pad}{INDENT}{arg},\n" for arg in args)
            + f"{pad})"
        )
    new_call = cst.parse_expression(code)
    replaced[call] = new_call
    return ctx.module.visit(_ReplaceNodes(replaced))


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


def _string_of(built) -> cst.BaseExpression:
    """The string literal (or literals side by side) the SQL is formatted from."""
    if built.form == PERCENT:
        return built.built.left
    if built.form == FORMAT:
        return built.built.func.value
    return built.built


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


class _ReplaceNodes(cst.CSTTransformer):
    def __init__(self, new: dict[cst.CSTNode, cst.BaseExpression]) -> None:
        self.new = new

    def on_leave(self, original, updated):
        new = self.new.get(original)
        if new is None:
            return updated
        if isinstance(original, cst.Call):  # the call keeps its parentheses
            return new.with_changes(lpar=updated.lpar, rpar=updated.rpar)
        return new
