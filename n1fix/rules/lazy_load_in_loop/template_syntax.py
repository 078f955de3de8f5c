"""Django's template language read without Django: what a template evaluates, and where.

A template is text with `{{ variable|filter:arg }}`, `{% tag bits %}` and `{# comment #}`
(none of them spans lines: Django's own tokenizer reads them the same way). `parse`
gives the nodes a reader of per-row reads needs: variables with their filters, `for`
(and its `empty`), `if` / `elif` / `else`, `with`, `block`, `extends`, `include`,
`ifchanged`, and every other tag either as the variables its bits read (the built-in
tags and those of the libraries Django ships) or as opaque (a tag n1fix does not know:
what it reads, and whether its body renders, is unknown). A template whose tags do not
nest is a `TemplateSyntaxError`: n1fix reads nothing from it.

Nothing here imports Django: a scan must not run the project's template engine.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

_TOKEN = re.compile(r"({%.*?%}|{{.*?}}|{#.*?#})")
# Django's smart_split: words, keeping quoted strings (with escapes) whole.
_BITS = re.compile(
    r"""((?:[^\s'"]*(?:(?:"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*')[^\s'"]*)+)|\S+)"""
)
_NUMBER = re.compile(r"^[-+]?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?$")
_LOOKUP = re.compile(r"^[A-Za-z0-9_]+(\.[A-Za-z0-9_]+)*$")


class TemplateSyntaxError(Exception):
    """A template n1fix cannot read."""


@dataclass(frozen=True)
class Value:
    """A variable lookup (`book.author.name`: its parts) or a literal (`lookup` None)."""

    lookup: tuple[str, ...] | None


@dataclass(frozen=True)
class FilterExpr:
    """`book.tags.all|length|default:other`: the value, then each filter with its
    argument (None when it takes none)."""

    value: Value
    filters: tuple[tuple[str, Value | None], ...] = ()
    text: str = ""

    def lookups(self) -> list[tuple[str, ...]]:
        """Every variable the expression reads: its value, then its filters' arguments."""
        values = [self.value, *(arg for _, arg in self.filters if arg is not None)]
        return [v.lookup for v in values if v.lookup is not None]


@dataclass
class Node:
    line: int


@dataclass
class VarNode(Node):
    expr: FilterExpr


@dataclass
class ForNode(Node):
    targets: tuple[str, ...]
    sequence: FilterExpr
    body: list[Node]
    empty: list[Node]


@dataclass
class IfNode(Node):
    # Each branch: the operands its condition reads (each with whether it is read only
    # when the operands before it let it be: after an `and` / `or`), and its body.
    branches: list[tuple[list[tuple[FilterExpr, bool]], list[Node]]]


@dataclass
class WithNode(Node):
    bindings: dict[str, FilterExpr]
    body: list[Node]


@dataclass
class BlockNode(Node):
    name: str
    body: list[Node]


@dataclass
class ExtendsNode(Node):
    parent: str | None  # None: not a literal name


@dataclass
class IncludeNode(Node):
    name: str | None  # None: not a literal name
    bindings: dict[str, FilterExpr]
    only: bool


@dataclass
class ReadsNode(Node):
    """A tag that reads variables and renders what its body holds (if it has one):
    `url`, `trans`, `blocktrans with ...`, `spaceless`, `filter`... The reads after the
    first of `conditional_after` (`firstof`, `cycle`) may not run."""

    tag: str
    reads: list[FilterExpr]
    body: list[Node] = field(default_factory=list)
    conditional_after: int | None = None
    conditional_body: bool = False  # `ifchanged`: the body renders for some rows only


@dataclass
class OpaqueNode(Node):
    """A tag n1fix does not know (a custom tag of a `{% load %}`ed library): what it
    reads and renders is unknown."""

    tag: str
    bits: tuple[str, ...] = ()


@dataclass
class Template:
    nodes: list[Node]
    extends: ExtendsNode | None
    loads: tuple[str, ...]


def split_bits(content: str) -> list[str]:
    return _BITS.findall(content)


def _value(text: str) -> Value:
    if not text:
        raise TemplateSyntaxError("an empty variable")
    if text[0] in "'\"" or text.startswith("_("):
        return Value(None)
    if _NUMBER.match(text):
        return Value(None)
    if not _LOOKUP.match(text) or any(p.startswith("_") for p in text.split(".")):
        raise TemplateSyntaxError(f"cannot read the variable {text!r}")
    if text in ("True", "False", "None"):
        return Value(None)
    return Value(tuple(text.split(".")))


def _split_unquoted(text: str, separator: str, limit: int = -1) -> list[str]:
    parts, current, quote = [], [], None
    for char in text:
        if quote is not None:
            current.append(char)
            if char == quote:
                quote = None
            continue
        if char in "'\"":
            quote = char
        if char == separator and limit != 0:
            parts.append("".join(current))
            current = []
            limit -= 1
            continue
        current.append(char)
    if quote is not None:
        raise TemplateSyntaxError("an unclosed string")
    parts.append("".join(current))
    return parts


def filter_expr(text: str) -> FilterExpr:
    """`a.b|f:arg|g` -> its value and filters."""
    text = text.strip()
    parts = _split_unquoted(text, "|")
    value = _value(parts[0].strip())
    filters = []
    for part in parts[1:]:
        name, *arg = _split_unquoted(part.strip(), ":", 1)
        if not re.match(r"^\w+$", name):
            raise TemplateSyntaxError(f"cannot read the filter {name!r}")
        filters.append((name, _value(arg[0].strip()) if arg else None))
    return FilterExpr(value, tuple(filters), text)


def _keyword_bindings(bits: list[str]) -> dict[str, FilterExpr]:
    """`a=b c=d` (and the old `b as a`)."""
    if len(bits) == 3 and bits[1] == "as":
        return {bits[2]: filter_expr(bits[0])}
    found = {}
    for bit in bits:
        name, sep, value = bit.partition("=")
        if not sep or not re.match(r"^\w+$", name):
            raise TemplateSyntaxError(f"cannot read {bit!r}")
        found[name] = filter_expr(value)
    return found


@dataclass
class _Token:
    kind: str  # "var", "block", "text"
    content: str
    line: int


def tokenize(text: str) -> list[_Token]:
    tokens: list[_Token] = []
    line = 1
    verbatim: str | None = None
    for position, piece in enumerate(_TOKEN.split(text)):
        here = line
        line += piece.count("\n")
        if position % 2 == 0:
            if piece:
                tokens.append(_Token("text", piece, here))
            continue
        inner = piece[2:-2].strip()
        if verbatim is not None:
            if piece.startswith("{%") and inner == verbatim:
                verbatim = None
            continue
        if piece.startswith("{#"):
            continue
        if piece.startswith("{%") and split_bits(inner)[:1] == ["verbatim"]:
            verbatim = "end" + inner
            continue
        tokens.append(_Token("var" if piece.startswith("{{") else "block", inner, here))
    if verbatim is not None:
        raise TemplateSyntaxError("an unclosed verbatim")
    return tokens


# Tags that read their bits as variables, keyed by name: how many leading bits are not
# variables (the tag's own words), and words that end the variables (`as name`).
_SIMPLE_READS = {
    "url": 1,  # url 'name' arg key=arg as var (the first bit, the view's name, too)
    "trans": 0,
    "translate": 0,
    "firstof": 0,
    "cycle": 0,
    "widthratio": 0,
    "static": 0,
    "get_static_prefix": 0,
    "get_media_prefix": 0,
    "now": 1,
    "csrf_token": 0,
    "resetcycle": 1,
    "templatetag": 1,
    "lorem": 1,
    "debug": 0,
    "get_current_language": 0,
    "get_available_languages": 0,
    "get_current_language_bidi": 0,
    "get_current_timezone": 0,
    "get_language_info": 0,
    "get_language_info_list": 0,
    "load": 0,  # read apart
    "regroup": 0,
}
_ENDS_READS = {"as", "by", "noop", "context", "silent", "asvar"}
# Block tags that render their body once, reading their bits as variables.
_BODY_READS = {
    "spaceless": (),
    "autoescape": (),
    "filter": (),
    "localize": (),
    "localtime": (),
    "timezone": (),
    "language": (),
    "blocktrans": ("plural",),
    "blocktranslate": ("plural",),
}
_NO_VARIABLE_BITS = {
    "now",
    "csrf_token",
    "resetcycle",
    "templatetag",
    "lorem",
    "debug",
    "get_current_language",
    "get_available_languages",
    "get_current_language_bidi",
    "get_current_timezone",
    "autoescape",
    "spaceless",
    "localize",
    "localtime",
    "filter",
}


class _Parser:
    def __init__(self, tokens: list[_Token]) -> None:
        self.tokens = tokens
        self.position = 0
        self.extends: ExtendsNode | None = None
        self.loads: list[str] = []

    def parse(self, until: tuple[str, ...] = ()) -> tuple[list[Node], _Token | None]:
        nodes: list[Node] = []
        while self.position < len(self.tokens):
            token = self.tokens[self.position]
            self.position += 1
            if token.kind == "text":
                continue
            if token.kind == "var":
                nodes.append(VarNode(token.line, filter_expr(token.content)))
                continue
            bits = split_bits(token.content)
            if not bits:
                raise TemplateSyntaxError(f"an empty tag on line {token.line}")
            if bits[0] in until:
                return nodes, token
            nodes.append(self._tag(token, bits))
        if until:
            raise TemplateSyntaxError(f"missing {until[-1]}")
        return nodes, None

    def _tag(self, token: _Token, bits: list[str]) -> Node:
        name, line = bits[0], token.line
        if name == "for":
            return self._for(token, bits)
        if name == "if":
            return self._if(token, bits)
        if name == "with":
            body, _ = self.parse(("endwith",))
            return WithNode(line, _keyword_bindings(bits[1:]), body)
        if name == "block":
            if len(bits) != 2:
                raise TemplateSyntaxError("block takes one name")
            body, _ = self.parse(("endblock",))
            return BlockNode(line, bits[1], body)
        if name == "extends":
            if len(bits) != 2:
                raise TemplateSyntaxError("extends takes one template")
            node = ExtendsNode(line, _literal(bits[1]))
            if self.extends is not None:
                raise TemplateSyntaxError("extends twice")
            self.extends = node
            return node
        if name == "include":
            return self._include(token, bits)
        if name == "comment":
            self._skip("comment")
            return OpaqueNode(line, "comment")
        if name == "ifchanged":
            body, end = self.parse(("else", "endifchanged"))
            other: list[Node] = []
            if end is not None and split_bits(end.content)[0] == "else":
                other, _ = self.parse(("endifchanged",))
            reads = [filter_expr(bit) for bit in bits[1:]]
            return ReadsNode(line, name, reads, body + other, conditional_body=True)
        if name == "load":
            if "from" in bits:
                self.loads.append(bits[-1])
            else:
                self.loads.extend(bits[1:])
            return ReadsNode(line, name, [])
        if name in _BODY_READS:
            inner = _BODY_READS[name]
            body, end = self.parse((*inner, "end" + name))
            while end is not None and split_bits(end.content)[0] in inner:
                more, end = self.parse((*inner, "end" + name))
                body += more
            return ReadsNode(line, name, self._bit_reads(name, bits), body)
        if name in _SIMPLE_READS:
            conditional = 1 if name in ("firstof", "cycle") else None
            if name == "cycle":
                conditional = 0
            return ReadsNode(
                line, name, self._bit_reads(name, bits), conditional_after=conditional
            )
        if self._has_end(name):
            self._skip(name)
        return OpaqueNode(line, name, tuple(bits))

    def _bit_reads(self, name: str, bits: list[str]) -> list[FilterExpr]:
        if name in _NO_VARIABLE_BITS:
            return []
        if name in ("blocktrans", "blocktranslate"):
            reads = []
            for bit in bits[1:]:
                if "=" in bit:
                    reads.append(filter_expr(bit.partition("=")[2]))
            words = bits[1:]
            for i, word in enumerate(words[:-2]):
                if word == "with" and words[i + 2] == "as":  # the old `with x as y`
                    reads.append(filter_expr(words[i + 1]))
            return reads
        reads = []
        for bit in bits[1 + _SIMPLE_READS.get(name, 0) :]:
            if bit in _ENDS_READS:
                break
            if "=" in bit and not bit.startswith(("'", '"')):
                bit = bit.partition("=")[2]
            reads.append(filter_expr(bit))
        return reads

    def _has_end(self, name: str) -> bool:
        end = "end" + name
        return any(
            t.kind == "block" and split_bits(t.content)[:1] == [end]
            for t in self.tokens[self.position :]
        )

    def _skip(self, name: str) -> None:
        """Past the `end<name>` that closes this tag (its body is not read)."""
        depth = 1
        while self.position < len(self.tokens):
            token = self.tokens[self.position]
            self.position += 1
            if token.kind != "block":
                continue
            first = split_bits(token.content)[:1]
            if first == [name]:
                depth += 1
            elif first == ["end" + name]:
                depth -= 1
                if depth == 0:
                    return
        raise TemplateSyntaxError(f"missing end{name}")

    def _for(self, token: _Token, bits: list[str]) -> ForNode:
        if len(bits) < 4:
            raise TemplateSyntaxError("for takes at least 'for x in y'")
        reversed_ = bits[-1] == "reversed"
        in_at = -3 if reversed_ else -2
        if bits[in_at] != "in":
            raise TemplateSyntaxError("for without 'in'")
        targets = tuple(
            t.strip() for t in " ".join(bits[1:in_at]).split(",") if t.strip()
        )
        if not targets or not all(re.match(r"^\w+$", t) for t in targets):
            raise TemplateSyntaxError("cannot read the for's targets")
        sequence = filter_expr(bits[in_at + 1])
        body, end = self.parse(("empty", "endfor"))
        empty: list[Node] = []
        if end is not None and split_bits(end.content)[0] == "empty":
            empty, _ = self.parse(("endfor",))
        return ForNode(token.line, targets, sequence, body, empty)

    def _if(self, token: _Token, bits: list[str]) -> IfNode:
        branches = []
        condition = _condition(bits[1:])
        while True:
            body, end = self.parse(("elif", "else", "endif"))
            branches.append((condition, body))
            assert end is not None
            end_bits = split_bits(end.content)
            if end_bits[0] == "endif":
                break
            if end_bits[0] == "else":
                body, _ = self.parse(("endif",))
                branches.append(([], body))
                break
            # an `elif` is tested only when the branches before it were not taken
            condition = [(expr, True) for expr, _ in _condition(end_bits[1:])]
        return IfNode(token.line, branches)

    def _include(self, token: _Token, bits: list[str]) -> IncludeNode:
        if len(bits) < 2:
            raise TemplateSyntaxError("include takes a template")
        rest = bits[2:]
        only = "only" in rest
        rest = [b for b in rest if b != "only"]
        bindings: dict[str, FilterExpr] = {}
        if rest:
            if rest[0] != "with":
                raise TemplateSyntaxError("cannot read the include's options")
            bindings = _keyword_bindings(rest[1:])
        return IncludeNode(token.line, _literal(bits[1]), bindings, only)


_IF_OPERATORS = {"and", "or", "not", "in", "is", "==", "!=", "<", ">", "<=", ">="}


def _condition(bits: list[str]) -> list[tuple[FilterExpr, bool]]:
    """The operands an `if` condition reads, in order; an operand after the first `and`
    or `or` may not be evaluated."""
    operands = []
    short_circuit = False
    for bit in bits:
        if bit in ("and", "or"):
            short_circuit = True
            continue
        if bit in _IF_OPERATORS:
            continue
        operands.append((filter_expr(bit), short_circuit))
    if not operands:
        raise TemplateSyntaxError("an if without a condition")
    return operands


def _literal(bit: str) -> str | None:
    if len(bit) >= 2 and bit[0] == bit[-1] and bit[0] in "'\"":
        return bit[1:-1]
    return None


def parse(text: str) -> Template:
    """The template's nodes; `TemplateSyntaxError` when n1fix cannot read it."""
    parser = _Parser(tokenize(text))
    nodes, _ = parser.parse()
    return Template(nodes, parser.extends, tuple(parser.loads))


__all__ = [
    "BlockNode",
    "ExtendsNode",
    "FilterExpr",
    "ForNode",
    "IfNode",
    "IncludeNode",
    "Node",
    "OpaqueNode",
    "ReadsNode",
    "Template",
    "TemplateSyntaxError",
    "Value",
    "VarNode",
    "WithNode",
    "filter_expr",
    "parse",
]
