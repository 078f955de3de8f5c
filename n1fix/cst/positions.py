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
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Iterator

import libcst as cst
from libcst._nodes.internal import CodegenState
from libcst.metadata import CodePosition, CodeRange

# The newlines LibCST's position provider counts (`position_provider.NEWLINE_RE`).
_NEWLINE = re.compile(r"\r\n?|\n")


@dataclass(frozen=False)
class _OffsetState(CodegenState):
    """A codegen state that records each node's span as character offsets."""

    offset: int = 0
    line_ends: list[int] = field(default_factory=list)  # offset just after each newline
    spans: dict[cst.CSTNode, tuple[int, int]] = field(default_factory=dict)
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
        if node not in self.spans:  # a syntactic position recorded inside wins
            self.spans[node] = (start, self.offset)

    @contextmanager
    def record_syntactic_position(
        self,
        node: cst.CSTNode,
        *,
        start_node: cst.CSTNode | None = None,
        end_node: cst.CSTNode | None = None,
    ) -> Iterator[None]:
        start = self.offset
        try:
            yield
        finally:
            end = self.offset
            if start_node is not None:
                start = self.spans[start_node][0]
            if end_node is not None:
                end = self.spans[end_node][1]
            self.spans[node] = (start, end)


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
        start, end = self._spans[node]
        return CodeRange(self._position(start), self._position(end))

    def _position(self, offset: int) -> CodePosition:
        newlines = bisect_right(self._line_ends, offset)
        line_start = self._line_ends[newlines - 1] if newlines else 0
        return CodePosition(newlines + 1, offset - line_start)
