"""Commits and writes hidden in a model's own methods: `group.save()` in a loop.

flaskbb's models share a mixin whose `save()` is `db.session.add(self)` then
`db.session.commit()`. A loop that calls `setting.save()` commits once per item: every
object a batch loaded before the loop is expired at the first commit and loaded again on
first use (the batch saves nothing), and the loop inserts rows of the very table it
queries. Such a call is a commit in the loop, as `session.commit()` is.

The model index says which methods of each model (its own, or a base's or mixin's)
commit, flush or write. The receiver's model is read from the function: a name bound to
`Model(...)`, to a query of the model, or annotated with it. When it cannot be told, a
method of that name that writes on any model makes the call suspect (unsafe, not safe).
"""

from __future__ import annotations

from dataclasses import dataclass

import libcst as cst

from n1fix.cst.chains import dotted_name
from n1fix.cst.method_syntax import named_params
from n1fix.cst.syntax import target_names, walk, walk_kinds


@dataclass(frozen=True)
class MethodWrite:
    reason: str  # "`setting.save()`, which commits (`CRUDMixin.save`)"
    certain: bool  # the receiver is known to be that model
    effect: str = ""  # "commits", "flushes" or "writes"


def model_method_write(
    ctx, call: cst.Call, ancestry: list[cst.CSTNode]
) -> MethodWrite | None:
    """Whether `receiver.method(...)` is a model method that commits, flushes or writes."""
    func = call.func
    if not isinstance(func, cst.Attribute):
        return None
    method = func.attr.value
    models = ctx.project.models
    if not models.has_writing_methods():
        return None
    call_code = f"`{ctx.code(func.value)}.{method}()`"
    receiver_models = _receiver_models(ctx, func.value, ancestry)
    if receiver_models is not None:
        for model in receiver_models:
            found = model.writing_method(method)
            if found is not None:
                what, owner = found
                return MethodWrite(
                    f"{call_code}, which {what} (`{owner}.{method}`)", True, what
                )
        return None
    candidates = models.writing_method_owners(method)
    if not candidates:
        return None
    what, owner = candidates[0]
    return MethodWrite(
        f"{call_code}, which may be `{owner}.{method}` and {what}", False, what
    )


def receiver_models(
    ctx, receiver: cst.BaseExpression, ancestry: list[cst.CSTNode]
) -> list | None:
    """The models the name or call `receiver` may be (empty: known not to be a
    model), None: unknown."""
    return _receiver_models(ctx, receiver, ancestry)


_BINDINGS = frozenset({cst.Assign, cst.AnnAssign, cst.For, cst.CompFor})


def _receiver_models(
    ctx, receiver: cst.BaseExpression, ancestry: list[cst.CSTNode], items=False
) -> list | None:
    """The models the receiver may be (empty: known not to be a model), None: unknown.
    `items`: the models the receiver's items may be (`for g in groups`)."""
    if isinstance(receiver, cst.Call):
        model = ctx.model_for(receiver.func)
        return [model] if model is not None else None
    if not isinstance(receiver, cst.Name):
        return None
    function = next(
        (n for n in reversed(ancestry) if isinstance(n, cst.FunctionDef)), None
    )
    if function is None:
        return None
    name = receiver.value
    for param in named_params(function.params):
        if param.name.value == name:
            return _annotated(ctx, param.annotation, items)
    values: list[cst.BaseExpression] = []
    annotations: list[cst.Annotation] = []
    for node in walk_kinds(function.body, _BINDINGS):
        if isinstance(node, cst.Assign) and any(
            name in target_names(t.target) for t in node.targets
        ):
            if len(node.targets) != 1 or not isinstance(
                node.targets[0].target, cst.Name
            ):
                return None  # unpacked: which part is not tracked
            values.append(node.value)
        elif (
            isinstance(node, cst.AnnAssign)
            and isinstance(node.target, cst.Name)
            and node.target.value == name
        ):
            annotations.append(node.annotation)
            if node.value is not None:
                values.append(node.value)
        elif isinstance(node, (cst.For, cst.CompFor)) and name in target_names(
            node.target
        ):
            # An item: of `groups: list[Group]`, or of a query of a model; else unknown.
            if not isinstance(node.target, cst.Name):
                return None
            iterable = node.iter
            if isinstance(iterable, cst.Name) and iterable.value != name:
                return _receiver_models(ctx, iterable, ancestry, items=True)
            return _value_models(ctx, iterable) or None
    if annotations:
        # `groups: set[Group] = set()` holds a new set; `settings: set[Setting] =
        # group.settings` holds the relationship's collection, whatever it is called.
        fresh = bool(values) and all(_new_collection(v) for v in values)
        models = _annotated(ctx, annotations[0], items, fresh)
        if models is not None:
            return models
    found = []
    for value in values:
        models = _value_models(ctx, value)
        if models is None:
            return None
        found.extend(models)
    return found if values else None


def _value_models(ctx, value: cst.BaseExpression) -> list | None:
    if isinstance(
        value,
        (
            cst.Dict,
            cst.List,
            cst.Set,
            cst.Tuple,
            cst.SimpleString,
            cst.Integer,
            cst.DictComp,
            cst.ListComp,
        ),
    ):
        return []
    if isinstance(value, cst.Call):
        model = ctx.model_for(value.func)
        if model is not None:
            return [model]
    shape = (
        ctx.orm.query_shape(value) if isinstance(value, (cst.Call, cst.Await)) else None
    )
    if shape is not None and shape.entity is not None:
        model = ctx.model_for(shape.entity)
        if model is not None:
            return [model]
    return None


# Annotations of a collection: what the name holds is the collection, whose methods
# (`groups.add(group)` on `groups: set[Group]`) are not the model's.
_BUILTIN_COLLECTIONS = {"set", "frozenset", "list", "dict", "tuple"}
_TYPING_COLLECTIONS = {"Set", "FrozenSet", "List", "Dict", "Tuple"}


def _collection(ctx, node: cst.BaseExpression) -> bool:
    name = dotted_name(node)
    if name is None:
        return False
    head, _, rest = name.partition(".")
    if head in ctx.imports:
        qualified = ctx.imports[head] + ("." + rest if rest else "")
        return qualified in {f"typing.{n}" for n in _TYPING_COLLECTIONS}
    return name in _BUILTIN_COLLECTIONS


def _new_collection(value: cst.BaseExpression) -> bool:
    """A collection made here: a display, a comprehension, or `set()`, `list(...)`."""
    if isinstance(
        value,
        (
            cst.List,
            cst.Set,
            cst.Dict,
            cst.Tuple,
            cst.ListComp,
            cst.SetComp,
            cst.DictComp,
        ),
    ):
        return True
    return (
        isinstance(value, cst.Call)
        and isinstance(value.func, cst.Name)
        and value.func.value in _BUILTIN_COLLECTIONS
    )


def _annotated(
    ctx, annotation: cst.Annotation | None, items=False, fresh=False
) -> list | None:
    """`group: SettingsGroup`, `Optional[Setting]`, `Setting | None`: the models named;
    for `groups: set[Group]` bound to a new collection (`fresh`), no model; bound to
    anything else (a parameter, `group.settings`), unknown (`items`: the models of its
    items)."""
    if annotation is None:
        return None
    head = annotation.annotation
    if not items and isinstance(head, cst.Subscript) and _collection(ctx, head.value):
        return [] if fresh else None
    found = []
    for node in [annotation.annotation, *walk(annotation.annotation)]:
        if isinstance(node, (cst.Name, cst.Attribute)) and dotted_name(node):
            model = ctx.model_for(node)
            if model is not None:
                found.append(model)
    return found or None
