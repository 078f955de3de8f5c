"""The object a loop's `session.add(obj)` adds, as the constructor call that built it.

`session.add(Config(key=key))` names it in the call. More often the object is built on
the line before, under a name the loop also gives the lookup's result:

    config = session.execute(stmt).scalar_one_or_none()
    if config:
        config.Value = value
    else:
        config = Config(caconnector_id=connector_id, Key=key, Value=value)
        session.add(config)

The name then holds, at the add, what the nearest statement before it in its own block
bound it to, when that statement is `name = Model(...)` and nothing between reads or
binds the name.
"""

from __future__ import annotations

import libcst as cst

from n1fix.cst.syntax import walk


def added_object(body: cst.CSTNode, call: cst.Call) -> cst.Call | None:
    """The constructor call of the one object `call` (`session.add(x)`, in `body`)
    adds, or None when it is not shown."""
    if len(call.args) != 1 or call.args[0].keyword is not None or call.args[0].star:
        return None
    value = call.args[0].value
    if isinstance(value, cst.Call):
        return value
    if not isinstance(value, cst.Name):
        return None
    name = value.value
    for block, at, header in _enclosing_statements(body, call):
        for statement in reversed(block.body[:at]):
            if not any(
                isinstance(n, cst.Name) and n.value == name for n in walk(statement)
            ):
                continue
            small = (
                statement.body[0]
                if isinstance(statement, cst.SimpleStatementLine)
                and len(statement.body) == 1
                else None
            )
            if (
                isinstance(small, cst.Assign)
                and len(small.targets) == 1
                and isinstance(small.targets[0].target, cst.Name)
                and small.targets[0].target.value == name
                and isinstance(small.value, cst.Call)
            ):
                return small.value
            return None
        if header is not None and name in _bound_by(header):
            return None
    return None


def _enclosing_statements(body: cst.CSTNode, call: cst.Call):
    """From the innermost out: (block, index of the statement holding `call`, the
    compound statement that owns the block, None for `body` itself)."""
    path = []

    def visit(block: cst.IndentedBlock, owner) -> bool:
        for at, statement in enumerate(block.body):
            if not any(n is call for n in walk(statement)):
                continue
            path.append((block, at, owner))
            if isinstance(statement, cst.SimpleStatementLine):
                return True
            for inner in walk(statement):
                if isinstance(inner, cst.IndentedBlock) and any(
                    n is call for n in walk(inner)
                ):
                    return visit(inner, statement)
            return False
        return False

    if not isinstance(body, cst.IndentedBlock) or not visit(body, None):
        return []
    # the blocks found directly under a compound statement are its own; a deeper
    # block found by `walk` belongs to a nested statement (`else:` of an `if`), whose
    # header binds nothing
    return list(reversed(path))


def _bound_by(statement: cst.CSTNode) -> set[str]:
    """Names a compound statement's header binds (`for x in`, `with ... as x`, `:=`)."""
    bound: set[str] = set()
    if isinstance(statement, (cst.For,)):
        bound |= {
            n.value
            for n in [statement.target, *walk(statement.target)]
            if isinstance(n, cst.Name)
        }
    if isinstance(statement, cst.With):
        for item in statement.items:
            if item.asname is not None:
                bound |= {
                    n.value
                    for n in [item.asname.name, *walk(item.asname.name)]
                    if isinstance(n, cst.Name)
                }
    for node in walk(statement):
        if isinstance(node, cst.NamedExpr) and isinstance(node.target, cst.Name):
            bound.add(node.target.value)
    return bound
