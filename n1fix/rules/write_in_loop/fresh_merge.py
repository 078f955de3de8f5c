"""`session.merge(M(id=uuid4().hex, ...))` per item: a row with a key just drawn at random.

    for model in models:
        session.merge(SqlInput(input_uuid=uuid.uuid4().hex, source_id=run_id, ...))

`merge()` looks the object's primary key up first: not in the session, so a SELECT,
which finds nothing, since the key was drawn from `uuid4()` a moment before; then it
adds a copy of the object as a new row. `session.add()` adds the object itself without
the lookup: the same INSERT, and the INSERTs of the loop go out together at the next
flush instead of one per item (each merge's SELECT flushed the one before it).

What must be shown (else the merge is judged as any other, by merge.py):
- the object is built inside `merge(...)` by the model's own constructor (which sets
  each keyword as its attribute), with keywords only, each a column: nothing else holds
  the object, and no relationship brings other objects along (merge and add cascade
  along different relationships);
- a primary key column is given a fresh random UUID: `uuid.uuid4()` or `uuid.uuid1()`,
  as the object, its `.hex` or its `str()`;
- the model has no `@validates` method and no attribute event listener (`set`...):
  merge copies each attribute onto a new instance through the attribute events, so
  they run twice for a merged object, once for an added one;
- the merge's result is not used (`merge` returns the copy; `add` returns None).
Unsafe when the loop or the merge sits in a `try` block of the function: the INSERT
now fails at the next flush rather than at the next item's merge, possibly outside it.
"""

from __future__ import annotations

from dataclasses import dataclass

import libcst as cst

from n1fix.cst.chains import dotted_name
from n1fix.rules.base import Applicability

_RANDOM_UUIDS = {"uuid.uuid4", "uuid.uuid1"}
# Attribute events (and an event name n1fix cannot read), which merge's copy fires again.
_ATTRIBUTE_EVENTS = {
    "set",
    "append",
    "remove",
    "bulk_replace",
    "modified",
    "init_scalar",
    "?",
}


@dataclass
class FreshMergePlan:
    """`session.merge(M(...))` -> `session.add(M(...))` (and no `await`: `add` is not
    a coroutine on an AsyncSession)."""

    node: cst.BaseExpression  # the merge call, or the `await` of it
    call: cst.Call


def judge_fresh_merge(
    ctx, loop: cst.For, ancestry, node, call: cst.Call, path
) -> tuple[Applicability, str, FreshMergePlan] | None:
    """(applicability, why, plan) when the merged object is new by construction, else
    None (the merge is judged as any other)."""
    statement = next((n for n in path if isinstance(n, cst.SimpleStatementLine)), None)
    if not (
        isinstance(statement, cst.SimpleStatementLine)
        and len(statement.body) == 1
        and isinstance(statement.body[0], cst.Expr)
        and statement.body[0].value is node
    ):
        return None
    constructor = call.args[0].value
    if not isinstance(constructor, cst.Call):
        return None
    model = ctx.model_for(constructor.func)
    if model is None or model.constructor is not None:
        return None
    keywords = {}
    for argument in constructor.args:
        if argument.star or argument.keyword is None:
            return None
        keywords[argument.keyword.value] = argument.value
    if any(model.column(name) is None for name in keywords):
        return None
    if model.validated or any(
        event in _ATTRIBUTE_EVENTS for event, _ in model.listeners
    ):
        return None
    fresh = next(
        (
            attr
            for attr in model.primary_key
            if attr in keywords and _random_uuid(ctx, keywords[attr])
        ),
        None,
    )
    if fresh is None:
        return None
    plan = FreshMergePlan(node=node, call=call)
    why = (
        f"`{fresh}` is a random UUID drawn for this object, so no row has it: the"
        " lookup finds nothing, and `add()` inserts the object as merge inserted its copy"
    )
    if _in_try(ancestry, loop, path):
        return (
            Applicability.UNSAFE,
            f"{why}; but a `try` block surrounds it: an INSERT that fails now fails at"
            " the next flush, not at the next item's merge",
            plan,
        )
    return Applicability.SAFE, why, plan


def _random_uuid(ctx, expr: cst.BaseExpression) -> bool:
    """`uuid.uuid4()`, `uuid4().hex`, `str(uuid.uuid4())`: a value drawn at random."""
    if (
        isinstance(expr, cst.Call)
        and dotted_name(expr.func) == "str"
        and len(expr.args) == 1
        and not expr.args[0].star
        and expr.args[0].keyword is None
    ):
        expr = expr.args[0].value
    if isinstance(expr, cst.Attribute) and expr.attr.value == "hex":
        expr = expr.value
    if not (isinstance(expr, cst.Call) and not expr.args):
        return False
    name = dotted_name(expr.func)
    if name is None:
        return False
    head, _, rest = name.partition(".")
    target = ctx.imports.get(head)
    if target is None:
        return False
    qualified = f"{target}.{rest}" if rest else target
    return qualified in _RANDOM_UUIDS


def _in_try(ancestry, loop: cst.For, path) -> bool:
    """A `try` block of the function holds the loop, or holds the merge in the loop."""
    if any(isinstance(node, (cst.Try, cst.TryStar)) for node in path):
        return True
    for node in reversed(ancestry):
        if isinstance(node, (cst.FunctionDef, cst.Lambda)):
            return False
        if isinstance(node, (cst.Try, cst.TryStar)):
            return True
    return False
