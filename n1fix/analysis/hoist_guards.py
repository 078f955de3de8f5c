"""The conditions a per-item query runs under, and what hoisting its batch does to them.

    for sport in sports:
        preference = Preference.query.filter_by(sport_id=sport.id, user_id=user.id).first() if user else None

runs its query only when `user` is set; a batch built before the loop evaluates
`user.id` for every call, and raises AttributeError when `user` is None. The batch
evaluates the query's loop-invariant parts (and a batch call's other arguments) where the
original did not, so when those read a name a condition on the way to the query tests,
the batch must run under the same condition: possible when the condition is the same for
every item (it reads nothing the loop changes, and calls nothing), otherwise no fix.
"""

from __future__ import annotations

from dataclasses import dataclass

import libcst as cst

from n1fix.cst.syntax import names_read, walk


@dataclass
class Guard:
    """One condition the query runs under: `test`, or `not test` when `negated`."""

    test: (
        cst.BaseExpression | None
    )  # None: a `while`, `try` or `match` (not a plain test)
    negated: bool = False


def guards_on_path(ancestry: list[cst.CSTNode], start: int, end: int) -> list[Guard]:
    """The conditions between ancestry[start] and ancestry[end] under which `end` runs."""
    found: list[Guard] = []
    for i in range(start + 1, end):
        node, child = ancestry[i], ancestry[i + 1]
        if isinstance(node, cst.IfExp):
            if child is node.body:
                found.append(Guard(node.test))
            elif child is node.orelse:
                found.append(Guard(node.test, negated=True))
        elif isinstance(node, cst.BooleanOperation) and child is node.right:
            found.append(Guard(node.left, negated=isinstance(node.operator, cst.Or)))
        elif isinstance(node, cst.If):
            if child is node.body:
                found.append(Guard(node.test))
            elif child is node.orelse:
                found.append(Guard(node.test, negated=True))
        elif isinstance(node, (cst.While, cst.Try, cst.TryStar, cst.Match)):
            found.append(Guard(None))
    return found


def is_invariant(guard: Guard, varying: set[str]) -> bool:
    """The same for every item: a plain test that reads nothing the loop changes."""
    test = guard.test
    if test is None or names_read(test) & varying:
        return False
    return not any(
        isinstance(n, (cst.Call, cst.Await, cst.NamedExpr, cst.Yield, cst.Lambda))
        for n in [test, *walk(test)]
    )


def hoisting_hazard(
    guards: list[Guard], hoisted: list[cst.CSTNode], varying: set[str]
) -> tuple[list[Guard], Guard | None]:
    """(the guards the batch must keep, a guard it cannot keep) for the names the batch
    evaluates before the loop (`hoisted`, minus what changes per item)."""
    read = (
        set().union(*(names_read(node) for node in hoisted)) - varying
        if hoisted
        else set()
    )
    keep: list[Guard] = []
    for guard in guards:
        if guard.test is None or not (names_read(guard.test) & read):
            continue
        if not is_invariant(guard, varying):
            return keep, guard
        keep.append(guard)
    return keep, None


def guard_code(code, guards: list[Guard]) -> str:
    """`user`, `not user`, `user and (a or b)`: the guards as one test."""
    parts = []
    for guard in guards:
        text = code(guard.test)
        if (
            isinstance(
                guard.test, (cst.BooleanOperation, cst.IfExp, cst.Lambda, cst.NamedExpr)
            )
            and not guard.test.lpar
        ):
            text = f"({text})"
        if guard.negated:
            text = (
                f"not {text}"
                if not isinstance(guard.test, cst.Comparison)
                else f"not ({text})"
            )
        parts.append(text)
    return " and ".join(parts)
