"""Finding the function around a statement, reading a line's one small statement, and
replacing a run of consecutive statements
of one block with new ones (the gather rewrites of sequential-awaits and awaits-in-loop)."""

from __future__ import annotations

import libcst as cst

from n1fix.cst.errors import FixFailed
from n1fix.cst.syntax import walk


def sole_small_statement(statement) -> cst.BaseSmallStatement | None:
    """The one small statement of a line that holds only it (`x = 1`, not `x = 1; y = 2`
    nor a compound statement); None otherwise."""
    if isinstance(statement, cst.SimpleStatementLine) and len(statement.body) == 1:
        return statement.body[0]
    return None


def is_name_assignment(small) -> bool:
    """`name = value`: one plain name as the only target."""
    return (
        isinstance(small, cst.Assign)
        and len(small.targets) == 1
        and isinstance(small.targets[0].target, cst.Name)
    )


def enclosing_function(ctx, statement):
    """The innermost function whose body holds `statement`."""
    found = None
    for node in walk(ctx.module, into_scopes=True):
        if isinstance(node, cst.FunctionDef) and any(
            s is statement for s in walk(node.body)
        ):
            found = node
    return found


class ReplaceStatements(cst.CSTTransformer):
    def __init__(self, statements, new) -> None:
        self.statements = statements
        self.new = new
        self.done = False

    def leave_IndentedBlock(
        self, original: cst.IndentedBlock, updated: cst.IndentedBlock
    ) -> cst.IndentedBlock:
        body = list(original.body)
        first = self.statements[0]
        for i, statement in enumerate(body):
            if statement is first:
                end = i + len(self.statements)
                if any(a is not b for a, b in zip(body[i:end], self.statements)):
                    raise FixFailed(
                        "the statements to gather are no longer consecutive"
                    )
                self.done = True
                kept = list(updated.body)
                return updated.with_changes(body=[*kept[:i], *self.new, *kept[end:]])
        return updated
