"""Whether a many-to-one relationship of a query's rows points only at objects the session
already holds, so that reading it per row runs no query (a lazy load by primary key asks
the identity map first) and a loader option would add a statement instead of saving one.

Three shapes are recognised: the query filters the foreign key on one value (`Render.project_id
== project_id`: every row points at one parent, loaded once at most), or on the keys of
rows of the target model loaded earlier in the function (`Render.project_id.in_([p.id for
p in projects])`, with `projects` a query's results held in a list); or the read goes back
along the collection it came through (`render.project` for each `render in
project.renders`: the outer row itself).

The one-value filter may sit in a list of criteria spread into the filter
(`criteria = [Render.project_id == pid, ...]`, `.filter(*criteria)`), and it may be on the
parent the query joins along the first step of a two-step path: `task.member.team` with
`select(Task).join(Member).where(Member.team_id == team_id)` reaches one Team from every
task, however many members there are.
"""

from __future__ import annotations

import libcst as cst

from n1fix.analysis.item_facts import bindings, reiterable_value
from n1fix.cst.method_syntax import named_params
from n1fix.cst.syntax import walk
from n1fix.orm.dialect import MANY_TO_ONE, ONE_TO_MANY, Cardinality

_KEY_LISTS = (cst.ListComp, cst.SetComp, cst.GeneratorExp)


def targets_already_loaded(ctx, source, rel, ancestry) -> bool:
    """Whether every row's `rel` is the one filtered parent or an object loaded earlier in
    the function (`source` is the rows' query, `ancestry` the loop's)."""
    if rel.uselist is not False or not rel.foreign_key_attrs:
        return False
    keys = set(rel.foreign_key_attrs)
    if _filtered_to_one(
        ctx, source, source.model, keys, ancestry, by_keyword=not _joins(source)
    ):
        return True
    target = ctx.project.models.get(rel.target) if rel.target else None
    if target is None or len(target.primary_key) != 1 or source.helper is not None:
        return False
    for predicate in source.shape.predicates:
        filtered = _in_keys(ctx, predicate.node, source.model, keys)
        if filtered is not None and _keys_of_loaded_rows(
            ctx, filtered, target, ancestry
        ):
            return True
    return False


def targets_passed_in(ctx, source, rel, ancestry) -> str | None:
    """The parameter whose items' primary keys the query filters `rel`'s foreign key on
    (`Render.project_id.in_([p.id for p in projects])`, `projects` passed in), else None.
    Such targets are objects the caller holds: if the session holds them too, each read
    is answered by the identity map and a loader option adds a statement; n1fix cannot
    tell which, so the finding gets no fix."""
    if (
        rel.uselist is not False
        or not rel.foreign_key_attrs
        or source.helper is not None
    ):
        return None
    target = ctx.project.models.get(rel.target) if rel.target else None
    if target is None or len(target.primary_key) != 1:
        return None
    for predicate in source.shape.predicates:
        keys = _in_keys(ctx, predicate.node, source.model, set(rel.foreign_key_attrs))
        if keys is not None:
            name = _ids_of_parameter_items(ctx, keys, target, ancestry)
            if name is not None:
                return name
    return None


def _ids_of_parameter_items(
    ctx, keys, target, ancestry, follow: bool = True
) -> str | None:
    """`items` in `[i.id for i in items]` (`id` the target's primary key) when `items` is a
    parameter of the function, not annotated as holding another model."""
    if isinstance(keys, cst.Name) and follow:
        found = bindings(keys.value, ancestry)
        if len(found) != 1 or found[0][0] is None:
            return None
        return _ids_of_parameter_items(ctx, found[0][0], target, ancestry, False)
    if (
        not isinstance(keys, _KEY_LISTS)
        or keys.for_in.inner_for_in is not None
        or keys.for_in.ifs
    ):
        return None
    item, element, items = keys.for_in.target, keys.elt, keys.for_in.iter
    if not (
        isinstance(item, cst.Name)
        and isinstance(element, cst.Attribute)
        and isinstance(element.value, cst.Name)
    ):
        return None
    if (
        element.value.value != item.value
        or (element.attr.value,) != target.primary_key
        or not isinstance(items, cst.Name)
    ):
        return None
    function = next(
        (n for n in reversed(ancestry) if isinstance(n, cst.FunctionDef)), None
    )
    params = function.params if function is not None else None
    param = (
        next(
            (p for p in named_params(params) if p.name.value == items.value),
            None,
        )
        if params
        else None
    )
    if param is None or len(bindings(items.value, ancestry, comprehensions=False)) != 1:
        return None  # not a parameter, or rebound in the function
    if param.annotation is not None:
        named = [
            ctx.model_for(n)
            for n in walk(param.annotation.annotation)
            if isinstance(n, (cst.Name, cst.Attribute))
        ]
        named = [m for m in named if m is not None]
        if named and all(m.qualname != target.qualname for m in named):
            return None
    return items.value


def one_target_through_join(ctx, source, read, ancestry) -> bool:
    """`row.parent.grand` where the query joins `parent`'s model along that relationship and
    filters the foreign key of `grand` on that model to one value: every row's `grand` is
    one object, loaded once at most."""
    if len(read.path) != 2 or source.helper is not None:
        return False
    first, last = read.relationships
    if (
        first.uselist is not False
        or first.direction != MANY_TO_ONE
        or first.secondary
        or first.primaryjoin
    ):
        return False
    if (
        last.uselist is not False
        or last.direction != MANY_TO_ONE
        or not last.foreign_key_attrs
    ):
        return False
    parent = read.models[1]
    joins = _joins(source)
    # The first join starts from the rows' model: `join(Parent)` with no ON clause follows
    # the one foreign key between the two tables (SQLAlchemy refuses an ambiguous one),
    # which `first` is; `join(Rows.first)` names it.
    if not joins or len(joins[0].args) != 1 or joins[0].args[0].keyword is not None:
        return False
    target = joins[0].args[0].value
    named = (
        isinstance(target, cst.Attribute)
        and target.attr.value == read.path[0]
        and _is_model(ctx, target.value, source.model)
    )
    if not (named or _is_model(ctx, target, parent)):
        return False
    return _filtered_to_one(
        ctx, source, parent, set(last.foreign_key_attrs), ancestry, by_keyword=False
    )


def points_back(read) -> bool:
    """The last step of a path is the many-to-one partner of the collection before it
    (`project.renders`, then `render.project`): every item's target is the row whose
    collection it is, held by the loop."""
    if len(read.path) < 2:
        return False
    collection, back = read.relationships[-2], read.relationships[-1]
    owner = read.models[-2]
    if (
        back.uselist is not False
        or collection.direction != ONE_TO_MANY
        or back.direction != MANY_TO_ONE
    ):
        return False
    if (
        collection.secondary
        or back.secondary
        or collection.primaryjoin
        or back.primaryjoin
    ):
        return False
    return (
        back.target == owner.qualname
        and bool(back.foreign_key_attrs)
        and set(back.foreign_key_attrs) == set(collection.foreign_key_attrs)
    )


def _joins(source) -> list[cst.Call]:
    return [
        mc.call
        for mc in source.shape.statement_calls
        if mc.name in ("join", "outerjoin", "join_from", "outerjoin_from")
    ]


def _is_model(ctx, expr, model) -> bool:
    found = ctx.model_for(expr)
    return found is not None and found.qualname == model.qualname


def _filtered_to_one(
    ctx, source, model, columns: set[str], ancestry, by_keyword: bool
) -> bool:
    """Whether a top-level conjunct of the query's WHERE is `Model.col == value` with `col`
    one of `columns` of `model` and `value` no column (one value for the whole query);
    `filter_by(col=value)` counts when `by_keyword` (it filters the rows' model)."""
    for predicate in source.shape.predicates:
        if predicate.via_filter_by:
            if (
                by_keyword
                and predicate.attr in columns
                and not _reads_columns(ctx, predicate.value)
            ):
                return True
            continue
        conjuncts = (
            [predicate.node]
            if predicate.attr
            else _spread_criteria(predicate, ancestry)
        )
        if any(_one_value(ctx, expr, model, columns) for expr in conjuncts):
            return True
    return False


def _one_value(ctx, expr, model, columns: set[str]) -> bool:
    if not (isinstance(expr, cst.Comparison) and len(expr.comparisons) == 1):
        return False
    if not isinstance(expr.comparisons[0].operator, cst.Equal):
        return False
    left, right = expr.left, expr.comparisons[0].comparator
    for column, value in ((left, right), (right, left)):
        if (
            isinstance(column, cst.Attribute)
            and column.attr.value in columns
            and _is_model(ctx, column.value, model)
        ):
            return not _reads_columns(ctx, value)
    return False


def _reads_columns(ctx, value) -> bool:
    """Whether `value` names a model (`Member.id`): a column, different per row."""
    return any(
        isinstance(n, (cst.Name, cst.Attribute)) and ctx.model_for(n) is not None
        for n in [value, *walk(value)]
    )


def _spread_criteria(predicate, ancestry) -> list[cst.BaseExpression]:
    """The conjuncts of `*criteria` in a filter, when `criteria` is bound once in the
    function to a list or tuple display and used nowhere else (nothing can change it)."""
    name = predicate.node
    spread = any(
        arg.star == "*" and arg.value is name for arg in predicate.container.args
    )
    if not spread or not isinstance(name, cst.Name):
        return []
    found = bindings(name.value, ancestry)
    if len(found) != 1 or not isinstance(found[0][0], (cst.List, cst.Tuple)):
        return []
    display = found[0][0]
    function = next(
        (n for n in reversed(ancestry) if isinstance(n, cst.FunctionDef)), ancestry[0]
    )
    spreads = {
        id(arg.value)
        for n in walk(function)
        if isinstance(n, cst.Call)
        for arg in n.args
        if arg.star == "*"
    }
    targets = {
        id(t.target)
        for n in walk(function)
        if isinstance(n, cst.Assign)
        for t in n.targets
    }
    for node in walk(function):
        if (
            isinstance(node, cst.Name)
            and node.value == name.value
            and id(node) not in spreads | targets
        ):
            return []  # read some other way (`criteria.append(...)`, passed on): it may change
    if any(isinstance(e, cst.StarredElement) for e in display.elements):
        return []
    return [e.value for e in display.elements]


def _in_keys(ctx, expr, model, columns: set[str]):
    """`keys` of `Model.fk.in_(keys)` on one of `columns` of the rows' model, else None."""
    if not (
        isinstance(expr, cst.Call)
        and isinstance(expr.func, cst.Attribute)
        and expr.func.attr.value == "in_"
    ):
        return None
    column = expr.func.value
    if (
        not (isinstance(column, cst.Attribute) and column.attr.value in columns)
        or len(expr.args) != 1
    ):
        return None
    owner = ctx.model_for(column.value)
    if owner is None or owner.qualname != model.qualname:
        return None
    return expr.args[0].value


def _keys_of_loaded_rows(ctx, keys, target, ancestry, follow: bool = True) -> bool:
    """`[p.id for p in projects]` where `projects` holds a query's rows of `target`."""
    if isinstance(keys, cst.Name) and follow:
        found = bindings(keys.value, ancestry)
        return (
            len(found) == 1
            and found[0][0] is not None
            and _keys_of_loaded_rows(ctx, found[0][0], target, ancestry, False)
        )
    if not isinstance(keys, _KEY_LISTS) or keys.for_in.inner_for_in is not None:
        return False
    row, element = keys.for_in.target, keys.elt
    if not (
        isinstance(row, cst.Name)
        and isinstance(element, cst.Attribute)
        and isinstance(element.value, cst.Name)
    ):
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
    shape = (
        ctx.orm.query_shape(rows) if isinstance(rows, (cst.Call, cst.Await)) else None
    )
    if (
        shape is None
        or shape.entity is None
        or shape.cardinality is not Cardinality.LIST
    ):
        return False
    loaded = ctx.model_for(shape.entity)
    return loaded is not None and loaded.qualname == target.qualname
