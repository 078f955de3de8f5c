"""SQL built in a local variable first, then sent:

    sql = f"SELECT ... WHERE name = '{name}'"
    cur.execute(sql)

The variable counts as the string itself only when the function assigns it once, with
one plain `=`, and reads it only in that call: then nothing else can have changed it,
and moving its values into the call's parameters changes nothing else that reads it.
"""

from __future__ import annotations

import libcst as cst

from n1fix.cst.syntax import walk_kinds


_NAME_OR_ASSIGN = frozenset({cst.Name, cst.Assign})


def single_assignment(name: cst.Name, ancestry: list[cst.CSTNode]):
    """The value `name` holds when it is the one assignment in the enclosing function
    and `name` (at the call) its only read; None otherwise."""
    function = next(
        (n for n in reversed(ancestry) if isinstance(n, cst.FunctionDef)), None
    )
    if function is None:
        return None
    params = function.params
    every = [*params.posonly_params, *params.params, *params.kwonly_params]
    every += [
        p for p in (params.star_arg, params.star_kwarg) if isinstance(p, cst.Param)
    ]
    if any(param.name.value == name.value for param in every):
        return None
    value = None
    mentions = 0
    for node in walk_kinds(function.body, _NAME_OR_ASSIGN, into_scopes=True):
        if isinstance(node, cst.Name) and node.value == name.value:
            mentions += 1
        elif isinstance(node, cst.Assign):
            targets = node.targets
            if any(
                isinstance(t.target, cst.Name) and t.target.value == name.value
                for t in targets
            ):
                if value is not None or len(targets) != 1:
                    return None
                value = node.value
    # the assignment's target and the read at the call: any other mention (another
    # binding, a read, a `global`) and the proof does not hold
    if value is None or mentions != 2:
        return None
    return value


def assigned_just_before(
    value: cst.BaseExpression, ancestry: list[cst.CSTNode]
) -> bool:
    """Whether the statement holding the call (the last of `ancestry`'s statements) comes
    right after the one-line assignment of `value`, in the same block: then the values
    the SQL splices are read at the call as they were at the assignment."""
    for i in range(len(ancestry) - 1, 0, -1):
        block, statement = ancestry[i - 1], ancestry[i]
        if isinstance(block, (cst.IndentedBlock, cst.Module)):
            body = list(block.body)
            at = next((k for k, s in enumerate(body) if s is statement), None)
            if not at:
                return False
            before = body[at - 1]
            return (
                isinstance(before, cst.SimpleStatementLine)
                and len(before.body) == 1
                and isinstance(before.body[0], cst.Assign)
                and before.body[0].value is value
            )
    return False
