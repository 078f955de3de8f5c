"""The analysis behind `lazy-load-in-loop`: loops over query rows that touch lazy
relationships the query did not load."""

from __future__ import annotations

from typing import Iterable

import libcst as cst

from n1fix.rules._base import Applicability, Finding
from n1fix.rules._item_facts import bindings, item_model
from n1fix.rules._loop_frames import Frame, loop_words
from n1fix.orm.query_shape import recognize
from n1fix.rules._syntax import SCOPES, children, names_assigned, walk
from n1fix.rules.lazy_load_in_loop import LazyLoadInLoop

_EAGER_OPTIONS = ("selectinload", "joinedload", "subqueryload", "contains_eager", "raiseload", "immediateload", "defaultload")


def find(ctx) -> Iterable[Finding]:
    for loop, ancestry in _loops(ctx.module):
        yield from _check_loop(ctx, loop, ancestry)


def _loops(module: cst.Module):
    """Every `for` statement with its ancestry (module first)."""
    found = []
    ancestry: list[cst.CSTNode] = []
    stack: list[cst.CSTNode | None] = [module]
    while stack:
        node = stack.pop()
        if node is None:
            ancestry.pop()
            continue
        ancestry.append(node)
        stack.append(None)
        if isinstance(node, cst.For) and node.asynchronous is None:
            found.append((node, list(ancestry)))
        below = list(children(node))
        below.reverse()
        stack.extend(below)
    return found


def _check_loop(ctx, loop: cst.For, ancestry: list[cst.CSTNode]) -> Iterable[Finding]:
    if not isinstance(loop.target, cst.Name):
        return
    name = loop.target.value
    targets = {name}
    frame = Frame(loop, len(ancestry) - 1, targets, targets | names_assigned(loop.body))
    model = item_model(ctx, frame, ancestry + [loop.body])
    if model is None:
        return
    source = _source_query(loop.iter, ancestry)
    if source is None:
        return
    options = " ".join(ctx.code(mc.call) for mc in source.statement_calls if mc.name == "options")
    filtered = {p.attr for p in source.predicates if p.attr}
    if name in names_assigned(loop.body):
        return  # the loop variable is rebound: its reads are not the rows
    reported: set[str] = set()
    for node in walk(loop.body):
        if isinstance(node, SCOPES):
            continue
        if not (isinstance(node, cst.Attribute) and isinstance(node.value, cst.Name) and node.value.value == name):
            continue
        attr = node.attr.value
        relationship = model.relationship(attr)
        if relationship is None or relationship.lazy != "select" or attr in reported:
            continue
        if _loaded_by(options, attr):
            continue
        if relationship.uselist is False and set(relationship.foreign_key_attrs) & filtered:
            continue  # every row points at the one parent the query filtered on: loaded once
        reported.add(attr)
        target = (relationship.target or "").rsplit(".", 1)[-1] or "the related rows"
        loader = "selectinload" if relationship.uselist is not False else "joinedload"
        message = (
            f"`{name}.{attr}` lazy-loads `{target}` once per item of {loop_words(ctx, frame)} (1 + N round trips); "
            f"no fix yet: add `.options({loader}({model.name}.{attr}))` to the query that loads the rows"
        )
        yield LazyLoadInLoop.finding_at(ctx, node, message, Applicability.NONE, f"add {loader}({model.name}.{attr})", loop=loop)


def _source_query(iterable: cst.BaseExpression, ancestry):
    """The query the rows come from, when n1fix can see it in the function (else None:
    then nothing is reported)."""
    shape = recognize(iterable) if isinstance(iterable, (cst.Call, cst.Await)) else None
    if shape is None and isinstance(iterable, cst.Name):
        found = bindings(iterable.value, ancestry)
        values = [value for value, _ in found if value is not None]
        if len(values) == 1 and isinstance(values[0], (cst.Call, cst.Await)):
            shape = recognize(values[0])
    if shape is None or shape.entity is None:
        return None  # rows from elsewhere (a parameter, a helper): they may have been loaded eagerly
    return shape


def _loaded_by(options: str, attr: str) -> bool:
    return any(option in options for option in _EAGER_OPTIONS) and (f".{attr}" in options or f'"{attr}"' in options or "'*'" in options)
