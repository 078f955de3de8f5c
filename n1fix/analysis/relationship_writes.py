"""Writes made through a relationship: `chain.renders.append(render)`, `render.chain =
chain`, `chain.by_key[key] = render`.

Appending to (adding to, removing from, extending) a model's relationship collection
is a unit-of-work change: the next query's autoflush sends it, setting (or clearing)
the foreign key of the object moved (`Render.chain_id = chain.id`). A lookup in the same
loop that filters on that key sees what an earlier item did; a batch run before the loop
does not. Such a call is a write in the loop, as `session.add()` is.

The collection is `obj.rel`, or a name the function binds to one (`renders =
chain.renders`), with `rel` the name of a relationship. When `obj` is shown to be a model
that has `rel`, the write is certain; when it cannot be told what `obj` is, the call is
only suspect (an unsafe fix, not a safe one); when `obj` is shown to be no such model,
it is no write.

Assigning the relationship itself (`render.chain = chain`, `del render.chain`,
`chain.renders = [...]`) or an item of a keyed collection (`chain.by_key[key] = render`,
`del chain.by_key[key]`) is the same kind of write: the autoflush sets
`render.chain_id`, which a lookup filtering on `Render.chain_id` then sees. That holds
where the session tracks the objects it loaded (an identity map and a unit of work);
a Django assignment writes nothing until `save()`.
"""

from __future__ import annotations

import libcst as cst

from n1fix.analysis.model_writes import MethodWrite, receiver_models
from n1fix.cst.syntax import target_names, walk

# What changes a relationship collection (list, set or dict collections).
_COLLECTION_CHANGES = {
    "append",
    "add",
    "extend",
    "remove",
    "insert",
    "discard",
    "pop",
    "clear",
    "update",
    "setdefault",
    "popitem",
}


def relationship_write(
    ctx, node: cst.CSTNode, ancestry: list[cst.CSTNode]
) -> MethodWrite | None:
    """Whether `node` (a call, an assignment, an augmented assignment or a `del`)
    changes a relationship of a model object. Only where the session tracks the
    objects it loaded and flushes their changes before a query (`ctx.orm.identity_map`):
    Django's related managers write at once, which the dialect reads as a write."""
    if not ctx.orm.identity_map:
        return None
    if isinstance(node, (cst.Assign, cst.AnnAssign, cst.Del)):
        return _assigned_relationship(ctx, node, ancestry)
    if isinstance(node, cst.AugAssign):
        collection = node.target
    elif (
        isinstance(node, cst.Call)
        and isinstance(node.func, cst.Attribute)
        and node.func.attr.value in _COLLECTION_CHANGES
    ):
        collection = node.func.value
    else:
        return None
    names = ctx.project.models.relationship_names()
    if not names:
        return None
    attribute = _relationship_attribute(collection, ancestry, names)
    if attribute is None:
        return None
    what = (
        f"`{ctx.code(node.target)} {ctx.code(node.operator).strip()} ...`"
        if isinstance(node, cst.AugAssign)
        else f"`{ctx.code(node.func)}()`"
    )
    return _write_on(ctx, attribute, ancestry, what, "relationship collection")


def _assigned_relationship(
    ctx, node: cst.Assign | cst.AnnAssign | cst.Del, ancestry: list[cst.CSTNode]
) -> MethodWrite | None:
    """`obj.rel = ...`, `del obj.rel`, `obj.rel[key] = ...` or `del obj.rel[key]`."""
    names = ctx.project.models.relationship_names()
    if not names:
        return None
    if isinstance(node, cst.Assign):
        targets = [t.target for t in node.targets]
    else:
        targets = [node.target]
    found = None
    for target in _flat_targets(targets):
        write = _target_write(ctx, target, ancestry, names)
        if write is not None and write.certain:
            return write
        found = found or write
    return found


def _flat_targets(targets: list[cst.BaseExpression]):
    for target in targets:
        if isinstance(target, (cst.Tuple, cst.List)):
            yield from _flat_targets([e.value for e in target.elements])
        elif isinstance(target, cst.StarredElement):
            yield from _flat_targets([target.value])
        else:
            yield target


def _target_write(
    ctx,
    target: cst.BaseExpression,
    ancestry: list[cst.CSTNode],
    names: frozenset[str],
) -> MethodWrite | None:
    if isinstance(target, cst.Attribute) and target.attr.value in names:
        attribute, kind = target, "relationship"
    elif isinstance(target, cst.Subscript):
        attribute = _relationship_attribute(target.value, ancestry, names)
        kind = "relationship collection"
    else:
        return None
    if attribute is None:
        return None
    return _write_on(ctx, attribute, ancestry, f"`{ctx.code(target)}`", kind)


def _write_on(
    ctx,
    attribute: cst.Attribute,
    ancestry: list[cst.CSTNode],
    what: str,
    kind: str,
) -> MethodWrite | None:
    """The write `what` does to `obj.rel` (`attribute`), a `kind` ("relationship" or
    "relationship collection"): certain when `obj` is shown to be a model with that
    relationship, possible when what `obj` is cannot be told, none otherwise."""
    owner, rel = attribute.value, attribute.attr.value
    verb, may_verb = (
        ("changes", "change") if kind == "relationship collection" else ("sets", "set")
    )
    models = (
        receiver_models(ctx, owner, ancestry) if isinstance(owner, cst.Name) else None
    )
    if models is None:
        return MethodWrite(
            f"{what}, which may {may_verb} the {kind} `.{rel}` "
            "(the next query's autoflush writes it)",
            False,
            "writes",
        )
    for model in models:
        if model.relationship(rel) is not None:
            return MethodWrite(
                f"{what}, which {verb} the {kind} `{model.name}.{rel}` "
                "(the next query's autoflush writes it)",
                True,
                "writes",
            )
    return None


def _relationship_attribute(
    collection: cst.BaseExpression, ancestry: list[cst.CSTNode], names: frozenset[str]
) -> cst.Attribute | None:
    """`obj.rel` for `obj.rel`, or for a name the function binds to `obj.rel`."""
    if isinstance(collection, cst.Attribute):
        return collection if collection.attr.value in names else None
    if not isinstance(collection, cst.Name):
        return None
    function = next(
        (n for n in reversed(ancestry) if isinstance(n, cst.FunctionDef)), None
    )
    if function is None:
        return None
    name = collection.value
    for node in walk(function.body):
        if isinstance(node, cst.Assign) and any(
            name in target_names(t.target) for t in node.targets
        ):
            value = node.value
        elif (
            isinstance(node, cst.AnnAssign)
            and isinstance(node.target, cst.Name)
            and node.target.value == name
            and node.value is not None
        ):
            value = node.value
        else:
            continue
        if isinstance(value, cst.Attribute) and value.attr.value in names:
            return value
    return None
