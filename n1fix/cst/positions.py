"""Line and column of every node of a module, as LibCST's `PositionProvider` gives them.

`MetadataWrapper(module).resolve(PositionProvider)` prints the module while tracking the
line and column after every token (a regular-expression split per token), and then walks
the whole tree once more for batchable providers even when none was asked for. Here the
module, or only the function around the nodes asked about, is printed once, counting
characters only; a token's newlines are looked for only when it has one, and offsets
become (line, column) only for the nodes asked about.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass, field

import libcst as cst
from libcst._nodes.internal import CodegenState
from libcst.metadata import CodePosition, CodeRange

from n1fix.cst.tree_index import indexed

# The newlines LibCST's position provider counts (`position_provider.NEWLINE_RE`).
_NEWLINE = re.compile(r"\r\n?|\n")


@dataclass(frozen=False)
class _OffsetState(CodegenState):
    """A codegen state that records each node's span as character offsets.

    Spans are kept by the node's `id` (LibCST's `__hash__` is a Python call per
    lookup; the module keeps every node alive, so their ids stay theirs), and the
    syntactic positions are recorded by a small context manager of its own rather than
    a `contextlib` generator: these hooks run for every node of the module, and the
    printing they add to is the whole cost of a module's positions."""

    offset: int = 0
    line_ends: list[int] = field(default_factory=list)  # offset just after each newline
    spans: dict[int, tuple[int, int]] = field(default_factory=dict)
    _starts: list[int] = field(default_factory=list)

    def add_indent_tokens(self) -> None:
        for token in self.indent_tokens:
            self.add_token(token)

    def add_token(self, value: str) -> None:
        self.tokens.append(value)
        if "\n" in value or "\r" in value:
            # Per token, as LibCST counts them: a "\r" token then a "\n" token are two lines.
            self.line_ends.extend(
                self.offset + m.end() for m in _NEWLINE.finditer(value)
            )
        self.offset += len(value)

    def before_codegen(self, node: cst.CSTNode) -> None:
        self._starts.append(self.offset)

    def after_codegen(self, node: cst.CSTNode) -> None:
        start = self._starts.pop()
        key = id(node)
        if key not in self.spans:  # a syntactic position recorded inside wins
            self.spans[key] = (start, self.offset)

    def record_syntactic_position(
        self,
        node: cst.CSTNode,
        *,
        start_node: cst.CSTNode | None = None,
        end_node: cst.CSTNode | None = None,
    ) -> _Syntactic:
        return _Syntactic(self, node, start_node, end_node)


class _Syntactic:
    """`with state.record_syntactic_position(node, ...)`: the span of what the block
    prints, or from `start_node`'s start / to `end_node`'s end, recorded as the node's
    (also when the block raises, as LibCST's own does)."""

    __slots__ = ("state", "node", "start_node", "end_node", "start")

    def __init__(self, state, node, start_node, end_node) -> None:
        self.state, self.node = state, node
        self.start_node, self.end_node = start_node, end_node

    def __enter__(self) -> None:
        self.start = self.state.offset

    def __exit__(self, *exc_info) -> None:
        state = self.state
        start, end = self.start, state.offset
        if self.start_node is not None:
            start = state.spans[id(self.start_node)][0]
        if self.end_node is not None:
            end = state.spans[id(self.end_node)][1]
        state.spans[id(self.node)] = (start, end)


class Positions:
    """`positions[node]` -> the node's `CodeRange`, equal to `PositionProvider`'s.

    With the module's source text at hand and the module indexed (`tree_index`), only
    the innermost statement around the node asked about (a line, a loop, a function...)
    is printed: printed alone, with the indentation of the blocks around it, it is the
    very text the whole module prints there, so where that text occurs once in the
    source its offset is where it starts. Findings sit in a few statements of a file;
    printing the whole module for their lines cost as much as a tenth of a scan, and
    printing the whole function around them still a few percent. When the statement's
    text occurs more than once, the statement around it is tried, and so on out. The
    whole module is printed when no statement around the node has a text of its own,
    for a module nested deeper than `_PRINTABLE_DEPTH`, for a source with a carriage
    return (LibCST counts a newline per token, which the source text alone does not
    show) and for one whose last line has no newline (a statement printed alone ends
    with one, so the last statement's text would be looked for, and perhaps found,
    elsewhere)."""

    def __init__(self, module: cst.Module, source: str | None = None) -> None:
        self._module = module
        self._spans: dict[int, tuple[int, int]] = {}
        self._printed: set[int] = set()  # the ids of the statements printed alone
        self._whole = (
            source is None or "\r" in source or not module.has_trailing_newline
        )
        self._source = source
        self._line_ends: list[int] = []
        if self._whole:
            self._print_module()
        else:
            self._line_ends = [match.end() for match in _LINE_END.finditer(source)]

    def __getitem__(self, node: cst.CSTNode) -> CodeRange:
        span = self._spans.get(id(node))
        if span is None and not self._whole:
            if not self._print_around(node):
                self._print_module()
            span = self._spans.get(id(node))
        if span is None:
            raise KeyError(node)
        start, end = span
        return CodeRange(self._position(start), self._position(end))

    def _print_module(self) -> None:
        module = self._module
        state = _OffsetState(
            default_indent=module.default_indent, default_newline=module.default_newline
        )
        module._codegen(state)
        self._spans = state.spans
        self._line_ends = state.line_ends
        self._whole = True

    def _print_around(self, node: cst.CSTNode) -> bool:
        """Print the innermost statement around `node` (or `node`, if one) whose text
        occurs once in the source, else an outer one; False when none does."""
        found = indexed(node)
        if found is None or found[0].root is not self._module:
            return False
        index, at = found
        if index.depth > _PRINTABLE_DEPTH:
            return False
        ancestry = index.ancestry(0, at) + [node]
        for depth in range(len(ancestry) - 1, 0, -1):
            candidate = ancestry[depth]
            kind = type(candidate)
            if kind is cst.If and type(ancestry[depth - 1]) is cst.If:
                continue  # an `elif`: printed alone, it would say `if`
            if kind in _PRINTED_ALONE and self._print_alone(
                candidate, ancestry[:depth]
            ):
                return True
        return False

    def _print_alone(self, statement: cst.CSTNode, ancestry: list[cst.CSTNode]) -> bool:
        """Print `statement`, below `ancestry`, alone; False when its text does not
        occur exactly once in the source."""
        module = self._module
        state = _OffsetState(
            default_indent=module.default_indent,
            default_newline=module.default_newline,
            indent_tokens=_indent_tokens(ancestry, module.default_indent),
        )
        statement._codegen(state)
        text = "".join(state.tokens)
        source = self._source
        start = source.find(text)
        if start < 0 or source.find(text, start + 1) >= 0:
            return False
        self._printed.add(id(statement))
        spans = self._spans
        for key, (begin, end) in state.spans.items():
            spans[key] = (begin + start, end + start)
        return True

    def _position(self, offset: int) -> CodePosition:
        newlines = bisect_right(self._line_ends, offset)
        line_start = self._line_ends[newlines - 1] if newlines else 0
        return CodePosition(newlines + 1, offset - line_start)


_LINE_END = re.compile("\n")
# A module nested deeper (in the index's nodes) is printed whole, as it always was: that
# print runs out of Python's stack on the deepest modules (two frames a level, about 500
# levels), and the file is then reported as too deeply nested to analyse, not checked
# as if its fixes could be printed. Below this depth the whole print never fails.
_PRINTABLE_DEPTH = 200
# The statements whose text does not depend on where they are printed, but for the
# indentation of the blocks around them (`_indent_tokens`) and an `If` printed as an
# `elif` by the `If` it follows (skipped in `_print_around`).
_PRINTED_ALONE = frozenset(
    {
        cst.SimpleStatementLine,
        cst.If,
        cst.For,
        cst.While,
        cst.With,
        cst.Try,
        cst.TryStar,
        cst.Match,
        cst.FunctionDef,
        cst.ClassDef,
    }
)


def _indent_tokens(ancestry: list[cst.CSTNode], default_indent: str) -> list[str]:
    """The indentation the blocks of `ancestry` push while the module is printed: each
    indented block, and each `match` for its cases, push theirs (their `_codegen`)."""
    return [
        default_indent if node.indent is None else node.indent
        for node in ancestry
        if isinstance(node, (cst.IndentedBlock, cst.Match))
    ]
