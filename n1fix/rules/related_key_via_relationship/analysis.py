"""The analysis behind `related-key-via-relationship`: `obj.rel.id` where `obj` already holds
the key in its foreign key column (`obj.rel_id`)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable

import libcst as cst

from n1fix.analysis.foreign_keys import ForeignKey, foreign_key_for
from n1fix.analysis.item_facts import bindings, model_of_name
from n1fix.analysis.persistence import unproven_persistent
from n1fix.analysis.row_sources import row_source
from n1fix.analysis.runs_with import read_elsewhere
from n1fix.cst.ancestry import nodes_with_ancestry
from n1fix.cst.syntax import children
from n1fix.orm.dialect import Loading, Style
from n1fix.rules.base import Applicability, Finding


@dataclass
class RelatedKeyPlan:
    site: cst.Attribute  # `obj.rel.id`
    owner: cst.BaseExpression  # `obj`
    column: str  # `rel_id`


def find(ctx, rule) -> Iterable[Finding]:
    for node, ancestry in _reads(ctx.module):
        owner = node.value.value
        rel_name = node.value.attr.value
        model = _owner_model(ctx, owner, ancestry)
        if model is None:
            continue
        rel = model.relationship(rel_name)
        target = (
            ctx.project.models.get(rel.target)
            if rel is not None and rel.target
            else None
        )
        fk = foreign_key_for(model, rel, target, node.attr.value)
        if fk is None:
            continue
        if _row_read_anyway(node, ancestry):
            continue  # `role.user.username` loads the row either way: the column saves nothing
        if _asserted(ancestry):
            continue  # a test asserting `action.stage.id` checks the relationship itself
        if _fetches_the_row(ctx, node, ancestry, target):
            continue  # `session.get(Project, r.project.id)`: the row is loaded either way
        if _loaded_with_the_rows(ctx, owner, rel, ancestry):
            continue  # `prefetch_related("item")` on the loop's queryset: no query to save
        owner_code = ctx.code(owner)
        replacement = f"{owner_code}.{fk.attr}"
        reading = ctx.code(node)
        message = (
            f"`{reading}` loads the `{target.name}` row (a query unless it is already loaded) for a key "
            f"`{owner_code}` already holds: read `{replacement}`"
        )
        reasons = []
        if not fk.exact:
            reasons.append(
                f"n1fix cannot show that `{model.name}.{fk.attr}` references exactly `{target.name}.{node.attr.value}` (a custom join condition, or a foreign key it cannot resolve)"
            )
        if fk.nullable:
            reasons.append(
                f"`{model.name}.{fk.attr}` is nullable: for a row without a `{rel_name}`, `{reading}` raises AttributeError while `{replacement}` gives None"
            )
        assigned = _assigned_in_function(
            ctx, ancestry, model, rel_name, fk.attr, owner.value == "self"
        )
        if assigned:
            reasons.append(assigned)
        elif (unproven := unproven_persistent(ctx, owner.value, ancestry)) is not None:
            reasons.append(unproven)
        if owner.value == "self":
            # Callers build the object and call its methods before any flush (a storage
            # path named on upload): no caller-independent fix.
            if not any(reason.startswith("`self`") for reason in reasons):
                reasons.append(unproven_persistent(ctx, "self", ancestry))
            why = "no fix: " + "; ".join(reasons)
            yield rule.finding_at(
                ctx, node, f"{message}; {why}", Applicability.NONE, why
            )
            continue
        applicability = Applicability.UNSAFE if reasons else Applicability.SAFE
        plan = RelatedKeyPlan(node, owner, fk.attr)
        yield rule.finding_at(
            ctx, node, message, applicability, "; ".join(reasons) or None, plan=plan
        )


def _reads(module: cst.Module):
    """`name.attr.attr` expressions that are read (not assigned or deleted), with ancestry
    (module first, the expression last)."""
    found = nodes_with_ancestry(
        module, _is_read_of_attribute_of_attribute, frozenset({cst.Attribute})
    )
    return [(node, [*ancestry, node]) for node, ancestry in found]


def _is_read_of_attribute_of_attribute(
    node: cst.CSTNode, ancestry: list[cst.CSTNode]
) -> bool:
    return (
        isinstance(node, cst.Attribute)
        and isinstance(node.value, cst.Attribute)
        and isinstance(node.value.value, cst.Name)
        and not _is_target(node, ancestry[-1] if ancestry else None)
    )


def _row_read_anyway(node: cst.Attribute, ancestry) -> bool:
    """Whether `obj.rel` is read otherwise (`obj.rel.name`, `if obj.rel:`) wherever
    `obj.rel.id` is: the row is loaded then, and reading the column saves no query."""
    scope = next(
        (n for n in reversed(ancestry) if isinstance(n, cst.FunctionDef)), ancestry[0]
    )
    key = node.attr.value

    def skip(read, parent) -> bool:
        if (
            isinstance(parent, cst.Attribute)
            and parent.value is read
            and parent.attr.value == key
        ):
            return True  # the same key read elsewhere: rewritten too
        return _is_target(read, parent)

    return read_elsewhere(node.value, scope, skip) is not None


def _fetches_the_row(ctx, node, ancestry, target) -> bool:
    """`session.get(Target, obj.rel.id)` or `session.query(Target).get(obj.rel.id)`: the
    key only serves to load the row `obj.rel` would load (then from the identity map);
    reading the column moves the query, it does not save it."""
    parent = ancestry[-2] if len(ancestry) > 1 else None
    call = ancestry[-3] if len(ancestry) > 2 else None
    if not (
        isinstance(parent, cst.Arg)
        and isinstance(call, cst.Call)
        and parent.value is node
    ):
        return False
    if not (
        isinstance(call.func, cst.Attribute)
        and call.func.attr.value in ("get", "get_one")
    ):
        return False
    args = [a for a in call.args if a.keyword is None]
    if len(args) == 2 and args[1] is parent:  # session.get(Target, key)
        model = ctx.model_for(args[0].value)
    elif len(args) == 1 and args[0] is parent:  # session.query(Target).get(key)
        receiver = call.func.value
        queried = (
            receiver.args[0].value
            if isinstance(receiver, cst.Call) and receiver.args
            else None
        )
        model = ctx.model_for(queried) if queried is not None else None
    else:
        return False
    return model is not None and model.qualname == target.qualname


def _loaded_with_the_rows(ctx, owner: cst.Name, rel, ancestry) -> bool:
    """`obj` is the target of a loop over a Django queryset whose `select_related` /
    `prefetch_related` loads `rel`: reading `obj.rel` runs no query, nor would the
    column save one. (SQLAlchemy's loader options are not read here.)"""
    loop = next(
        (
            n
            for n in reversed(ancestry)
            if isinstance(n, cst.For)
            and isinstance(n.target, cst.Name)
            and n.target.value == owner.value
        ),
        None,
    )
    if loop is None:
        return False
    source = row_source(ctx, loop.iter, ancestry[: ancestry.index(loop) + 1])
    if source is None or source.shape.style is not Style.DJANGO:
        return False
    return ctx.orm.loading(source.options, (rel.attr,), rel) is Loading.EAGER


def _asserted(ancestry) -> bool:
    """Inside an `assert` or an argument of `self.assertEqual(...)`-like call: what a test
    checks there is the relationship, which the column would not exercise."""
    for node in reversed(ancestry):
        if isinstance(node, cst.Assert):
            return True
        if isinstance(node, cst.Call):
            func = (
                node.func.attr.value
                if isinstance(node.func, cst.Attribute)
                else getattr(node.func, "value", "")
            )
            if isinstance(func, str) and func.startswith("assert"):
                return True
        if isinstance(node, (cst.SimpleStatementLine, cst.BaseCompoundStatement)):
            return False
    return False


def _is_target(node, parent) -> bool:
    if isinstance(parent, cst.AssignTarget) and parent.target is node:
        return True
    if isinstance(parent, (cst.AugAssign, cst.AnnAssign)) and parent.target is node:
        return True
    if isinstance(parent, cst.Del):
        return True
    # `obj.rel.id(...)`: a call, not a column read
    return isinstance(parent, cst.Call) and parent.func is node


def _owner_model(ctx, owner: cst.Name, ancestry):
    """The model of the object a name holds; `self` inside a model class's method."""
    if owner.value == "self":
        function = next(
            (n for n in reversed(ancestry) if isinstance(n, cst.FunctionDef)), None
        )
        cls = next((n for n in reversed(ancestry) if isinstance(n, cst.ClassDef)), None)
        if (
            function is None
            or cls is None
            or any(
                isinstance(d.decorator, cst.Name)
                and d.decorator.value in ("staticmethod", "classmethod")
                for d in function.decorators
            )
        ):
            return None
        if ancestry.index(cls) > ancestry.index(function):
            return None
        return ctx.model_for(cls.name)
    if not any(isinstance(n, cst.FunctionDef) for n in ancestry):
        return None
    found = model_of_name(ctx, owner.value, ancestry)
    if found is None:  # `m = Member(...)`: an object built here
        values = [value for value, _ in bindings(owner.value, ancestry)]
        if len(values) == 1 and isinstance(values[0], cst.Call):
            found = ctx.model_for(values[0].func)
    return found


def _assigned_in_function(
    ctx, ancestry, model, rel_name: str, fk_attr: str, in_class: bool = False
) -> str | None:
    """Why the relationship and its column may disagree here: an assignment to either in
    the same function (until a flush, `obj.rel = other` changes `obj.rel.id`, not
    `obj.rel_id`), or an object of the model built here with the relationship given.
    For `self` in a model's method, any method of the class counts: `__init__` may set
    `self.rel` and call the method before the object is flushed."""
    kind = cst.ClassDef if in_class else cst.FunctionDef
    function = next((n for n in reversed(ancestry) if isinstance(n, kind)), None)
    if function is None:
        return None
    for node in _walk_all(function):
        targets = []
        if isinstance(node, cst.AssignTarget):
            targets.append(node.target)
        elif isinstance(node, (cst.AugAssign, cst.AnnAssign)):
            targets.append(node.target)
        for target in targets:
            if isinstance(target, cst.Attribute) and target.attr.value in (
                rel_name,
                fk_attr,
            ):
                where = "the class" if in_class else "the function"
                return f"{where} assigns `.{target.attr.value}` (before a flush `.{rel_name}` and `.{fk_attr}` can disagree)"
        if isinstance(node, cst.Call) and any(
            a.keyword is not None and a.keyword.value == rel_name for a in node.args
        ):
            called = ctx.model_for(node.func)
            if called is not None and called.qualname == model.qualname:
                return f"the function builds a `{model.name}` with `{rel_name}=`: its `{fk_attr}` is None until a flush"
    return None


def _walk_all(node):
    stack = [node]
    while stack:
        current = stack.pop()
        yield current
        stack.extend(children(current))


__all__ = ["ForeignKey", "RelatedKeyPlan", "find", "foreign_key_for"]
