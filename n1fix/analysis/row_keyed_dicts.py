"""Keys of a dict built from loaded rows, by a NOT NULL column of theirs.

    stored = {b.name: b for b in session.scalars(select(DagBundleModel)).all()}
    ...
    for name, bundle in stored.items():
        session.execute(delete(ParseImportError).where(ParseImportError.bundle_name == name))

`name` is never None: every key of `stored` is the `name` of a loaded DagBundleModel
row, a NOT NULL column (here its primary key). That holds while nothing puts other keys
into the dict: the function binds it once, and otherwise only reads it, iterates it, or
takes keys out of it (`pop`, `del`).
"""

from __future__ import annotations

import libcst as cst

from n1fix.cst.loop_frames import Frame
from n1fix.cst.method_syntax import named_params
from n1fix.cst.syntax import children, names_assigned, walk
from n1fix.orm.dialect import Cardinality

# What the function may do with the dict without putting a key into it.
_KEEPING_METHODS = {"get", "keys", "values", "items", "pop", "copy"}


def key_from_not_null_column(
    ctx, key: cst.BaseExpression, frame: Frame, ancestry, bindings
) -> bool:
    """Is `key` the loop's key of a dict whose every key is a NOT NULL column of loaded
    rows (`for name, bundle in stored.items()`, `for name in stored`)? `bindings(name,
    ancestry)` lists the (value, annotation) pairs binding `name` in the function."""
    if not frame.is_for or not isinstance(key, cst.Name):
        return False
    mapping = _mapping_iterated(frame.node, key.value)
    if mapping is None or key.value in names_assigned(frame.node.body):
        return False
    found = bindings(mapping, ancestry)
    if len(found) != 1 or not isinstance(found[0][0], cst.DictComp):
        return False  # the common case, answered without walking the function
    function = next(
        (n for n in reversed(ancestry) if isinstance(n, cst.FunctionDef)), None
    )
    if function is None or mapping in {
        p.name.value for p in named_params(function.params)
    }:
        return False
    built = _only_kept(mapping, function)
    return built is not None and _keyed_by_not_null_column(ctx, built)


def _mapping_iterated(loop: cst.For, key: str) -> str | None:
    """`stored` of `for key in stored`, `for key in stored.keys()`,
    `for key, value in stored.items()`."""
    iterable, target = loop.iter, loop.target
    method = None
    if isinstance(iterable, cst.Call) and not iterable.args:
        func = iterable.func
        if isinstance(func, cst.Attribute) and func.attr.value in ("keys", "items"):
            method, iterable = func.attr.value, func.value
    if not isinstance(iterable, cst.Name):
        return None
    if method == "items":
        if not (
            isinstance(target, cst.Tuple)
            and len(target.elements) == 2
            and isinstance(target.elements[0].value, cst.Name)
            and target.elements[0].value.value == key
        ):
            return None
    elif not (isinstance(target, cst.Name) and target.value == key):
        return None
    return iterable.value


def _only_kept(mapping: str, function: cst.FunctionDef) -> cst.DictComp | None:
    """The dict comprehension `function` binds `mapping` to, once, when past that it
    only reads the dict or takes keys out of it; else None."""
    parents: dict[int, cst.CSTNode] = {}
    for node in walk(function.body, into_scopes=True):
        for child in children(node):
            parents[id(child)] = node
    built: list[cst.BaseExpression] = []
    for node in walk(function.body, into_scopes=True):
        if not (isinstance(node, cst.Name) and node.value == mapping):
            continue
        parent = parents.get(id(node))
        if isinstance(parent, cst.AssignTarget) and parent.target is node:
            built.append(parents[id(parent)].value)
        elif not _keeps_keys(node, parent, parents.get(id(parent))):
            return (
                None  # passed to a call, returned, aliased, written: keys may be added
            )
    if len(built) != 1 or not isinstance(built[0], cst.DictComp):
        return None
    return built[0]


def _keeps_keys(name: cst.Name, parent, grandparent) -> bool:
    if isinstance(parent, cst.Attribute) and parent.value is name:
        return parent.attr.value in _KEEPING_METHODS and isinstance(
            grandparent, cst.Call
        )
    if isinstance(parent, cst.Subscript) and parent.value is name:
        # read, or deleted; not written (`stored[k] = v`)
        return not isinstance(grandparent, (cst.AssignTarget, cst.AugAssign))
    if isinstance(parent, (cst.For, cst.CompFor)):
        return parent.iter is name
    if isinstance(parent, cst.ComparisonTarget):
        return isinstance(parent.operator, (cst.In, cst.NotIn))
    if isinstance(parent, cst.If):
        return parent.test is name
    return isinstance(parent, cst.UnaryOperation) and isinstance(
        parent.operator, cst.Not
    )


def _keyed_by_not_null_column(ctx, built: cst.DictComp) -> bool:
    """`{row.col: ... for row in <query of M>}` with `M.col` NOT NULL."""
    clause = built.for_in
    if clause.inner_for_in is not None or not isinstance(clause.target, cst.Name):
        return False
    key = built.key
    if not (
        isinstance(key, cst.Attribute)
        and isinstance(key.value, cst.Name)
        and key.value.value == clause.target.value
    ):
        return False
    rows = clause.iter
    shape = (
        ctx.orm.query_shape(rows) if isinstance(rows, (cst.Call, cst.Await)) else None
    )
    if (
        shape is None
        or shape.entity is None
        or shape.cardinality is not Cardinality.LIST
    ):
        return False
    model = ctx.model_for(shape.entity)
    column = model.column(key.attr.value) if model is not None else None
    return column is not None and not column.nullable
