"""Queries whose result is kept in a name and read on the next line.

Async SQLAlchemy code runs a statement and reads its rows in two steps:

    result = await db.execute(select(ChannelMember).filter(...))
    membership = result.scalars().first()

The `execute` alone returns a `Result`, whose rows the caller may read in any shape, so
on its own it is no query n1fix can batch. Read together, the two lines are one query
of known shape: `(await db.execute(...)).scalars().first()`. This module reads them so,
when nothing else can see the `Result`: the reading line comes right after the binding,
in the same block, reads the name once and first, and every other read of the name in
the function follows an assignment of its own on the line before. The rewrite then
removes the binding and puts the lookup where the reading was.
"""

from __future__ import annotations

import libcst as cst

from n1fix.cst.syntax import walk

_SCOPES = (cst.FunctionDef, cst.Lambda, cst.ClassDef)


def read_through_result(orm, node: cst.BaseExpression, ancestry: list[cst.CSTNode]):
    """The query shape of `result.scalars().first()` (`node`, at the end of `ancestry`)
    read as `(await <binding's value>).scalars().first()`; None when `node` is no such
    reading or the `Result` may be seen elsewhere."""
    name = _result_name(node)
    if name is None or len(ancestry) < 3:
        return None
    statement, block = _statement_and_block(node, ancestry)
    if statement is None:
        return None
    body = list(block.body)
    position = next((i for i, s in enumerate(body) if s is statement), None)
    if not position:
        return None
    binding = body[position - 1]
    value = _bound_value(binding, name)
    if value is None or _reads(value, name):
        return None
    if _reads(statement, name) != 1:
        return None
    scope = next(
        (n for n in reversed(ancestry) if isinstance(n, (cst.FunctionDef, cst.Module))),
        None,
    )
    if scope is None or not _every_read_paired(_body_of(scope), name):
        return None
    receiver = value
    if isinstance(receiver, cst.Await) and not receiver.lpar:
        receiver = receiver.with_changes(
            lpar=[cst.LeftParen()], rpar=[cst.RightParen()]
        )

    class _Inline(cst.CSTTransformer):
        def leave_Name(self, original, updated):
            return receiver if original.value == name else updated

    shape = orm.query_shape(node.visit(_Inline()))
    if shape is None:
        return None
    shape.site = node
    shape.result_binding = binding
    return shape


def _result_name(node: cst.BaseExpression) -> str | None:
    """`result` in `result.scalars().first()`: a chain of calls without arguments on a
    name (`.all()`, `.scalar_one_or_none()`, `.scalars().all()`)."""
    current = node
    calls = 0
    while isinstance(current, cst.Call) and isinstance(current.func, cst.Attribute):
        if current.args:
            return None
        calls += 1
        current = current.func.value
    return current.value if calls and isinstance(current, cst.Name) else None


def _statement_and_block(node, ancestry):
    """The statement whose whole value or iterable `node` is (`x = node`, `return node`,
    `for x in node:`), and the block holding it; (None, None) otherwise."""
    parent = ancestry[-2]
    if isinstance(parent, cst.For) and parent.iter is node:
        statement, holder = parent, ancestry[-3]
    elif (
        isinstance(parent, (cst.Assign, cst.AnnAssign, cst.Return, cst.Expr))
        and parent.value is node
        and isinstance(ancestry[-3], cst.SimpleStatementLine)
        and len(ancestry[-3].body) == 1
        and len(ancestry) > 3
    ):
        if isinstance(parent, cst.Assign) and len(parent.targets) != 1:
            return None, None
        statement, holder = ancestry[-3], ancestry[-4]
    else:
        return None, None
    if not isinstance(holder, (cst.IndentedBlock, cst.Module)):
        return None, None
    return statement, holder


def _bound_value(statement: cst.CSTNode, name: str) -> cst.BaseExpression | None:
    """The value of `name = <value>`, the one small statement of its line."""
    if not (
        isinstance(statement, cst.SimpleStatementLine) and len(statement.body) == 1
    ):
        return None
    small = statement.body[0]
    if (
        isinstance(small, cst.Assign)
        and len(small.targets) == 1
        and isinstance(small.targets[0].target, cst.Name)
        and small.targets[0].target.value == name
    ):
        return small.value
    return None


def _reads(node: cst.CSTNode, name: str) -> int:
    """How often `name` is read in `node` (assignment targets are not reads); a nested
    function or class that names it counts as many reads."""
    targets = {
        id(t.target)
        for t in walk(node)
        if isinstance(t, (cst.AssignTarget, cst.AnnAssign))
    }
    count = 0
    for n in walk(node, into_scopes=True):
        if isinstance(n, _SCOPES) and any(
            isinstance(m, cst.Name) and m.value == name
            for m in walk(n, into_scopes=True)
        ):
            return 2
        if isinstance(n, cst.Name) and n.value == name and id(n) not in targets:
            count += 1
    return count


def _body_of(scope: cst.CSTNode) -> list[cst.CSTNode]:
    if isinstance(scope, cst.Module):
        return list(scope.body)
    body = scope.body
    return list(body.body) if isinstance(body, cst.IndentedBlock) else [body]


def _every_read_paired(statements: list[cst.CSTNode], name: str) -> bool:
    """Is every statement of these blocks that reads `name` right after one that
    assigns it, in the same block? Each reading then sees the binding before it; none
    can see one that the rewrite removes. Compound statements are judged by their
    header and, block by block, their bodies."""
    previous = None
    for statement in statements:
        if isinstance(statement, (cst.SimpleStatementLine, cst.SimpleStatementSuite)):
            reads = _reads(statement, name)
        else:
            reads = sum(_reads(part, name) for part in _headers(statement))
            for block in _blocks(statement):
                if not _every_read_paired(block, name):
                    return False
        if reads and _bound_value(previous, name) is None:
            return False
        previous = statement
    return True


def _headers(statement: cst.CSTNode) -> list[cst.CSTNode]:
    """What a compound statement evaluates outside its blocks."""
    if isinstance(statement, (cst.If, cst.While)):
        parts = [statement.test]
        orelse = statement.orelse
        while isinstance(orelse, cst.If):  # `elif` tests
            parts.append(orelse.test)
            orelse = orelse.orelse
        return parts
    if isinstance(statement, cst.For):
        return [statement.iter, statement.target]
    if isinstance(statement, cst.With):
        return list(statement.items)
    if isinstance(statement, (cst.FunctionDef, cst.ClassDef)):
        return [statement]  # a nested definition reading the name: never paired
    if isinstance(statement, cst.Match):
        return [statement.subject]
    return []


def _blocks(statement: cst.CSTNode) -> list[list[cst.CSTNode]]:
    """The statement lists of a compound statement's blocks (`elif`/`else`, `except`
    and `finally` included)."""
    found: list[list[cst.CSTNode]] = []
    if isinstance(statement, (cst.FunctionDef, cst.ClassDef)):
        return found
    for child in _child_suites(statement):
        body = child.body
        found.append(list(body) if isinstance(child, cst.IndentedBlock) else [child])
    return found


def _child_suites(statement: cst.CSTNode):
    """The suites directly under a compound statement, through its `elif`, `else`,
    `except`, `finally` and `case` parts."""
    stack = [statement]
    while stack:
        node = stack.pop()
        for child in node.children:
            if isinstance(child, (cst.IndentedBlock, cst.SimpleStatementSuite)):
                yield child
            elif isinstance(
                child,
                (
                    cst.If,
                    cst.Else,
                    cst.ExceptHandler,
                    cst.ExceptStarHandler,
                    cst.Finally,
                    cst.MatchCase,
                ),
            ):
                stack.append(child)
