"""Line and column of every node of a module, as LibCST's `PositionProvider` gives them.

`MetadataWrapper(module).resolve(PositionProvider)` prints the module while tracking the
line and column after every token (a regular-expression split per token), and then walks
the whole tree once more for batchable providers even when none was asked for. Here the
module is printed once, counting characters only; a token's newlines are looked for only
when it has one, and offsets become (line, column) only for the nodes asked about.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass, field

import libcst as cst
from libcst._nodes.internal import CodegenState
from libcst.metadata import CodePosition, CodeRange

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
    """`positions[node]` -> the node's `CodeRange`, equal to `PositionProvider`'s."""

    def __init__(self, module: cst.Module) -> None:
        state = _OffsetState(
            default_indent=module.default_indent, default_newline=module.default_newline
        )
        module._codegen(state)
        self._spans = state.spans
        self._line_ends = state.line_ends

    def __getitem__(self, node: cst.CSTNode) -> CodeRange:
        start, end = self._spans[id(node)]
        return CodeRange(self._position(start), self._position(end))

    def _position(self, offset: int) -> CodePosition:
        newlines = bisect_right(self._line_ends, offset)
        line_start = self._line_ends[newlines - 1] if newlines else 0
        return CodePosition(newlines + 1, offset - line_start)
