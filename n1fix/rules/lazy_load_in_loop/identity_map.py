"""Whether a many-to-one relationship of a query's rows points only at objects the session
already holds, so that reading it per row runs no query (a lazy load by primary key asks
the identity map first) and a loader option would add a statement instead of saving one.

Three shapes are recognised: the query filters the foreign key on one value (`Render.project_id
== project_id`: every row points at one parent, loaded once at most), or on the keys of
rows of the target model loaded earlier in the function (`Render.project_id.in_([p.id for
p in projects])`, with `projects` a query's results held in a list); or the read goes back
along the collection it came through (`render.project` for each `render in
project.renders`: the outer row itself).
"""

from __future__ import annotations

import libcst as cst

from n1fix.analysis.item_facts import bindings, reiterable_value
from n1fix.orm.models import MANY_TO_ONE, ONE_TO_MANY
from n1fix.orm.query_shape import Cardinality, recognize

_KEY_LISTS = (cst.ListComp, cst.SetComp, cst.GeneratorExp)


def targets_already_loaded(ctx, source, rel, ancestry) -> bool:
    """Whether every row's `rel` is the one filtered parent or an object loaded earlier in
    the function (`source` is the rows' query, `ancestry` the loop's)."""
    if rel.uselist is not False or not rel.foreign_key_attrs:
        return False
    keys = set(rel.foreign_key_attrs)
    if any(p.attr in keys for p in source.shape.predicates if p.attr):
        return True
    target = ctx.project.models.get(rel.target) if rel.target else None
    if target is None or len(target.primary_key) != 1 or source.helper is not None:
        return False
    for predicate in source.shape.predicates:
        filtered = _in_keys(ctx, predicate.node, source.model, keys)
        if filtered is not None and _keys_of_loaded_rows(ctx, filtered, target, ancestry):
            return True
    return False


def points_back(read) -> bool:
    """The last step of a path is the many-to-one partner of the collection before it
    (`project.renders`, then `render.project`): every item's target is the row whose
    collection it is, held by the loop."""
    if len(read.path) < 2:
        return False
    collection, back = read.relationships[-2], read.relationships[-1]
    owner = read.models[-2]
    if back.uselist is not False or collection.direction != ONE_TO_MANY or back.direction != MANY_TO_ONE:
        return False
    if collection.secondary or back.secondary or collection.primaryjoin or back.primaryjoin:
        return False
    return back.target == owner.qualname and bool(back.foreign_key_attrs) and set(back.foreign_key_attrs) == set(collection.foreign_key_attrs)


def _in_keys(ctx, expr, model, columns: set[str]):
    """`keys` of `Model.fk.in_(keys)` on one of `columns` of the rows' model, else None."""
    if not (isinstance(expr, cst.Call) and isinstance(expr.func, cst.Attribute) and expr.func.attr.value == "in_"):
        return None
    column = expr.func.value
    if not (isinstance(column, cst.Attribute) and column.attr.value in columns) or len(expr.args) != 1:
        return None
    owner = ctx.model_for(column.value)
    if owner is None or owner.qualname != model.qualname:
        return None
    return expr.args[0].value


def _keys_of_loaded_rows(ctx, keys, target, ancestry, follow: bool = True) -> bool:
    """`[p.id for p in projects]` where `projects` holds a query's rows of `target`."""
    if isinstance(keys, cst.Name) and follow:
        found = bindings(keys.value, ancestry)
        return len(found) == 1 and found[0][0] is not None and _keys_of_loaded_rows(ctx, found[0][0], target, ancestry, False)
    if not isinstance(keys, _KEY_LISTS) or keys.for_in.inner_for_in is not None:
        return False
    row, element = keys.for_in.target, keys.elt
    if not (isinstance(row, cst.Name) and isinstance(element, cst.Attribute) and isinstance(element.value, cst.Name)):
        return False
    if element.value.value != row.value or (element.attr.value,) != target.primary_key:
        return False
    # the rows must be held in a list (`.all()`): the identity map keeps only objects
    # something else refers to
    rows = keys.for_in.iter
    if not isinstance(rows, cst.Name):
        return False
    found = bindings(rows.value, ancestry)
    rows = found[0][0] if len(found) == 1 else None
    if rows is None or not reiterable_value(rows):
        return False
    shape = recognize(rows) if isinstance(rows, (cst.Call, cst.Await)) else None
    if shape is None or shape.entity is None or shape.cardinality is not Cardinality.LIST:
        return False
    loaded = ctx.model_for(shape.entity)
    return loaded is not None and loaded.qualname == target.qualname
