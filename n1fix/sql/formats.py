"""A string built from values, split into its literal text and the values it splices:
an f-string, `%`-formatting or `.format()`, each of one string literal or of several
written side by side (implicit concatenation).

    f"... WHERE name = '{name}'"           text, the value `name`, text
    "... WHERE id = %d" % user_id          text, the value `user_id`
    "... = '{}' AND id = {}".format(a, b)  text, `a`, text, `b`

The text is kept as the source spells it between the quotes (backslash escapes and all),
with only the formatting's own escapes undone (`{{` of an f-string or `.format()`, `%%`
of `%`-formatting): what the call sends, as a literal without formatting would say it.
"""

from __future__ import annotations

import re
import string
from dataclasses import dataclass

import libcst as cst

F_STRING, PERCENT, FORMAT = "f-string", "%-formatting", ".format()"


@dataclass(frozen=True)
class Hole:
    """One spliced value: the expression it reads, and why it cannot simply become a
    parameter as it is (None when it can: a plain `{x}`, `%s`, `%d`)."""

    expression: cst.BaseExpression
    why_not: str | None = None


@dataclass(frozen=True)
class Piece:
    """One string literal of the SQL: its node, and its text and holes in order."""

    literal: cst.SimpleString | cst.FormattedString
    parts: tuple[str | Hole, ...]


def split(expr: cst.BaseExpression) -> tuple[str, tuple[Piece, ...]] | None:
    """How `expr` builds a string from values, and its pieces; None when it does not
    build one, or not in a way read here (bytes, `*args`, a format string that does not
    parse)."""
    if isinstance(expr, (cst.FormattedString, cst.ConcatenatedString)):
        literals = _literals(expr)
        if literals is None or not any(
            isinstance(node, cst.FormattedString) for node in literals
        ):
            return None
        pieces = tuple(_f_piece(node) for node in literals)
        if not any(isinstance(p, Hole) for piece in pieces for p in piece.parts):
            return None
        return F_STRING, pieces
    if isinstance(expr, cst.BinaryOperation) and isinstance(expr.operator, cst.Modulo):
        literals = _plain_literals(expr.left)
        if literals is None:
            return None
        pieces = _percent_pieces(literals, expr.right)
        return None if pieces is None else (PERCENT, pieces)
    if (
        isinstance(expr, cst.Call)
        and isinstance(expr.func, cst.Attribute)
        and expr.func.attr.value == "format"
        and expr.args
    ):
        literals = _plain_literals(expr.func.value)
        if literals is None:
            return None
        pieces = _format_pieces(literals, expr.args)
        return None if pieces is None else (FORMAT, pieces)
    return None


def holes(pieces: tuple[Piece, ...]) -> list[Hole]:
    return [part for piece in pieces for part in piece.parts if isinstance(part, Hole)]


def _literals(expr: cst.BaseExpression) -> list | None:
    if isinstance(expr, cst.ConcatenatedString):
        left, right = _literals(expr.left), _literals(expr.right)
        return None if left is None or right is None else left + right
    if isinstance(expr, (cst.SimpleString, cst.FormattedString)):
        return None if "b" in expr.prefix.lower() else [expr]
    return None


def _plain_literals(expr: cst.BaseExpression) -> list[cst.SimpleString] | None:
    literals = _literals(expr)
    if literals is None or any(isinstance(n, cst.FormattedString) for n in literals):
        return None
    return literals


def _inner(node: cst.SimpleString) -> str:
    """The source text between a string literal's quotes."""
    return node.value[len(node.prefix) + len(node.quote) : -len(node.quote)]


def _f_piece(node: cst.SimpleString | cst.FormattedString) -> Piece:
    if isinstance(node, cst.SimpleString):
        return Piece(node, (_inner(node),))
    parts: list[str | Hole] = []
    for part in node.parts:
        if isinstance(part, cst.FormattedStringText):
            parts.append(part.value.replace("{{", "{").replace("}}", "}"))
        elif part.conversion is not None or part.format_spec is not None:
            parts.append(Hole(part.expression, "is formatted (`!r` or a format spec)"))
        else:
            parts.append(Hole(part.expression))
    return Piece(node, tuple(parts))


# `%s`, `%(name)s`, `%05.2f`, `%%`: a conversion of printf-style formatting
_PERCENT_SPEC = re.compile(
    r"%(?:\(([^)]*)\))?([-#0 +]*(?:\*|\d+)?(?:\.(?:\*|\d+))?)?(.)"
)
_PLAIN_CONVERSIONS = {"s", "d", "i"}


def _percent_pieces(
    literals: list[cst.SimpleString], right: cst.BaseExpression
) -> tuple[Piece, ...] | None:
    specs = []  # (literal index, start, end, name, flags, conversion)
    for index, node in enumerate(literals):
        for match in _PERCENT_SPEC.finditer(_inner(node)):
            name, flags, conversion = match.groups()
            if conversion == "%" and name is None and not flags:
                continue
            specs.append((index, match.start(), match.end(), name, flags, conversion))
    if not specs:
        return None
    named = [spec[3] is not None for spec in specs]
    if any(named) and not all(named):
        return None  # mixed: Python itself refuses it
    values = _percent_values(specs, right)
    if values is None:
        return None
    pieces = []
    for index, node in enumerate(literals):
        text = _inner(node)
        parts: list[str | Hole] = []
        at = 0
        for spec, (value, why) in zip(specs, values):
            if spec[0] != index:
                continue
            _, start, end, _, flags, conversion = spec
            parts.append(text[at:start].replace("%%", "%"))
            if why is None and (conversion not in _PLAIN_CONVERSIONS or flags):
                why = f"is formatted (`{text[start:end]}`)"
            parts.append(Hole(value, why))
            at = end
        parts.append(text[at:].replace("%%", "%"))
        pieces.append(Piece(node, tuple(parts)))
    return tuple(pieces)


def _percent_values(specs, right: cst.BaseExpression) -> list | None:
    """The expression each conversion reads, in order, and why it cannot be named
    (None when it can)."""
    unknown = "is read from a tuple or mapping not written out"
    if specs[0][3] is not None:  # by name, from a dict display
        if not isinstance(right, cst.Dict):
            return [(right, unknown)] * len(specs)
        by_key = {}
        for element in right.elements:
            if not isinstance(element, cst.DictElement):
                return None
            key = _string(element.key)
            if key is None:
                return None
            by_key[key] = element.value
        if any(spec[3] not in by_key for spec in specs):
            return None
        return [(by_key[spec[3]], None) for spec in specs]
    if isinstance(right, cst.Tuple):
        if any(isinstance(e, cst.StarredElement) for e in right.elements):
            return None
        if len(right.elements) != len(specs):
            return None
        return [(e.value, None) for e in right.elements]
    if len(specs) == 1:
        return [(right, None)]
    return [(right, unknown)] * len(specs)


def _format_pieces(
    literals: list[cst.SimpleString], args: tuple[cst.Arg, ...]
) -> tuple[Piece, ...] | None:
    if any(arg.star for arg in args):
        return None
    positional = [arg.value for arg in args if arg.keyword is None]
    keywords = {arg.keyword.value: arg.value for arg in args if arg.keyword}
    auto = 0
    pieces = []
    for node in literals:
        try:
            fields = list(string.Formatter().parse(_inner(node)))
        except ValueError:
            return None
        parts: list[str | Hole] = []
        for literal, field, spec, conversion in fields:
            parts.append(literal)
            if field is None:
                continue
            head = re.match(r"[^.\[]*", field).group(0)
            if head == "":
                key: int | str = auto
                auto += 1
            else:
                key = int(head) if head.isdigit() else head
            if isinstance(key, int):
                if key >= len(positional):
                    return None
                value = positional[key]
            elif key in keywords:
                value = keywords[key]
            else:
                return None
            if head != field:
                parts.append(Hole(value, f"reads `{field}` of an argument"))
            elif conversion or spec:
                parts.append(Hole(value, "is formatted (`!r` or a format spec)"))
            else:
                parts.append(Hole(value))
        pieces.append(Piece(node, tuple(parts)))
    if not any(isinstance(p, Hole) for piece in pieces for p in piece.parts):
        return None
    return tuple(pieces)


def _string(expr: cst.BaseExpression) -> str | None:
    if isinstance(expr, cst.SimpleString) and "b" not in expr.prefix.lower():
        value = expr.evaluated_value
        return value if isinstance(value, str) else None
    return None
