"""Which `owner.rel.key` reads the check surely leaves alone because `owner.rel` is read
before them anyway, found with `ast` for the survey.

The check drops a read whose `owner.rel` is read otherwise wherever the key is read
(`analysis._row_read_anyway`, `runs_with.read_elsewhere`): the related row is loaded
either way, and reading the column saves no query. `read_elsewhere` counts another read
of `owner.rel` in the same function, not inside a nested function, class or lambda, that
runs whenever the key's read does; one before it counts with no more said, one after it
only with no jump between.

This is the one plain case of it, and a subset: an earlier statement of a block around
the key's read (the function's own body, or a block of a statement in it) that is an
expression, an assignment or an augmented or annotated assignment, whose value reads
`owner.rel` with no branch on the way (not in an `if` expression but for its test, not
in a later operand of `and` / `or`, not in a comprehension or a lambda), not as
`owner.rel.key` with the same key (rewritten too, so not counted), nor called. From
that read up to the block, `runs_with._always_below` meets no conditional step, and it
comes first: the check drops the key's read. What this does not see is kept.
"""

from __future__ import annotations

import ast
from bisect import bisect_right

_ASSIGNMENTS = (ast.Expr, ast.Assign, ast.AugAssign, ast.AnnAssign)
_NOT_ALWAYS_RUN = (
    ast.Lambda,
    ast.ListComp,
    ast.SetComp,
    ast.DictComp,
    ast.GeneratorExp,
)


class EarlierReads:
    """Answers `read_before` for the reads of one tree."""

    def __init__(self) -> None:
        # A statement's id -> the (owner, rel, what follows) it surely reads.
        self._reads: dict[int, list[tuple[str, str, str]]] = {}
        # A block's id -> where each of its statements starts.
        self._starts: dict[int, list[tuple[int, int]]] = {}

    def read_before(self, read: ast.Attribute, function: ast.AST) -> bool:
        """Whether `read` (`owner.rel.key`, inside `function` and no function, class or
        lambda in it) follows, in a block of `function`, a statement that surely reads
        `owner.rel` otherwise."""
        owner, rel, key = read.value.value.id, read.value.attr, read.attr
        at = (read.lineno, read.col_offset)
        block: list[ast.stmt] | None = function.body
        while block:
            position = self._holding(block, at)
            if position is None:
                return False
            for statement in block[:position]:
                for found in self._reads_of(statement):
                    if found[0] == owner and found[1] == rel and found[2] != key:
                        return True
            block = _inner_block(block[position], at)
        return False

    def _holding(self, block: list[ast.stmt], at: tuple[int, int]) -> int | None:
        """The position of the statement of `block` whose text holds the point `at`."""
        starts = self._starts.get(id(block))
        if starts is None:
            starts = self._starts[id(block)] = [
                (statement.lineno, statement.col_offset) for statement in block
            ]
        position = bisect_right(starts, at) - 1
        if position < 0:
            return None
        statement = block[position]
        return (
            position if at < (statement.end_lineno, statement.end_col_offset) else None
        )

    def _reads_of(self, statement: ast.stmt) -> list[tuple[str, str, str]]:
        found = self._reads.get(id(statement))
        if found is None:
            found = self._reads[id(statement)] = []
            if isinstance(statement, _ASSIGNMENTS) and statement.value is not None:
                _always_read(statement.value, None, found)
        return found


def _always_read(
    node: ast.AST, parent: ast.AST | None, found: list[tuple[str, str, str]]
) -> None:
    """Add the `name.attr` reads in `node` that run whenever `node` does."""
    if (
        type(node) is ast.Attribute
        and type(node.value) is ast.Name
        and type(node.ctx) is ast.Load
    ):
        if not (isinstance(parent, ast.Call) and parent.func is node):
            follows = parent.attr if isinstance(parent, ast.Attribute) else ""
            found.append((node.value.id, node.attr, follows))
    if isinstance(node, _NOT_ALWAYS_RUN):
        return
    if isinstance(node, ast.IfExp):
        _always_read(node.test, node, found)
        return
    if isinstance(node, ast.BoolOp):
        _always_read(node.values[0], node, found)
        return
    for child in ast.iter_child_nodes(node):
        _always_read(child, node, found)


def _holding(block: list[ast.stmt], at: tuple[int, int]) -> bool:
    """Whether a statement of `block` holds the point `at` in its text."""
    return any(
        (statement.lineno, statement.col_offset)
        <= at
        < (statement.end_lineno, statement.end_col_offset)
        for statement in block
    )


def _inner_block(statement: ast.stmt, at: tuple[int, int]) -> list[ast.stmt] | None:
    """The block of a compound statement that holds the point `at`, if any."""
    blocks: list[list[ast.stmt]] = []
    if isinstance(
        statement, (ast.For, ast.AsyncFor, ast.While, ast.If, ast.With, ast.AsyncWith)
    ):
        blocks += [statement.body, getattr(statement, "orelse", [])]
    elif isinstance(statement, (ast.Try, getattr(ast, "TryStar", ast.Try))):
        blocks += [statement.body, statement.orelse, statement.finalbody]
        blocks += [handler.body for handler in statement.handlers]
    elif isinstance(statement, ast.Match):
        blocks += [case.body for case in statement.cases]
    for block in blocks:
        if block and _holding(block, at):
            return block
    return None
