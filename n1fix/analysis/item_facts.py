"""What n1fix can tell about a loop's items and the names around it.

Which model a loop's items are (a query result, an annotated parameter, a relationship
collection), whether an iterable can be read twice, what type a key has: the facts the
query-in-loop contract needs to call a rewrite safe.
"""

from __future__ import annotations

import libcst as cst

from n1fix.analysis.item_keys import converted_type
from n1fix.analysis.row_keyed_dicts import key_from_not_null_column
from n1fix.analysis.string_collation import column_collation_gap
from n1fix.cst.chains import dotted_name
from n1fix.cst.loop_frames import Frame, frames_of
from n1fix.cst.method_syntax import named_params
from n1fix.cst.syntax import names_assigned, target_names, walk, walk_kinds
from n1fix.orm.dialect import Cardinality

_REITERABLE_CALLS = {"list", "sorted", "tuple", "set", "frozenset", "dict"}


_REITERABLE_METHODS = {"all", "fetchall", "keys", "values", "items", "copy", "unique"}


_REITERABLE_ANNOTATIONS = {
    "list",
    "List",
    "Sequence",
    "tuple",
    "Tuple",
    "set",
    "Set",
    "frozenset",
    "FrozenSet",
    "Collection",
    "dict",
    "Dict",
    "Mapping",
    "MutableSequence",
    "AbstractSet",
}


_TYPE_FAMILIES = {
    "int": "int",
    "integer": "int",
    "biginteger": "int",
    "smallinteger": "int",
    "bigint": "int",
    "str": "str",
    "string": "str",
    "text": "str",
    "unicode": "str",
    "unicodetext": "str",
    "varchar": "str",
    "uuid": "uuid",
    "uuid.uuid": "uuid",
    # sqlalchemy_utils' UUIDType (and its copies in projects such as zou); the GUID type
    # decorator from SQLAlchemy's documentation
    "uuidtype": "uuid",
    "guid": "uuid",
    # Django's field classes (a foreign key column has its target key's class)
    "autofield": "int",
    "bigautofield": "int",
    "smallautofield": "int",
    "integerfield": "int",
    "bigintegerfield": "int",
    "smallintegerfield": "int",
    "positiveintegerfield": "int",
    "positivebigintegerfield": "int",
    "positivesmallintegerfield": "int",
    "charfield": "str",
    "textfield": "str",
    "slugfield": "str",
    "emailfield": "str",
    "urlfield": "str",
    "uuidfield": "uuid",
}


def _type_family(name: str | None) -> str | None:
    if not name:
        return None
    return _TYPE_FAMILIES.get(name.rsplit(".", 1)[-1].lower(), name.lower())


def key_type_gap(ctx, model, column, key_expr, frame: Frame, ancestry) -> str | None:
    """SQL compares `'1' = 1` as equal; a dict lookup does not. Keys must match the column.

    A key read from an attribute of a loop item (an ORM row) is taken to have its column's
    type unless the item's model says otherwise; a bare key (`for user_id in ids`) needs an
    annotation (`ids: list[int]`) that shows its type.
    """
    column_type = _type_family(column.type)
    converted = converted_type(key_expr)
    if converted is not None:
        if column_type and converted != column_type:
            return f"the key is {converted} but `{model.name}.{column.attr}` is {column_type}; SQL converts, a dict lookup does not"
        return None
    if isinstance(key_expr, cst.Attribute) and isinstance(key_expr.value, cst.Name):
        items_model = (
            item_model(ctx, frame, ancestry)
            if key_expr.value.value in frame.targets
            else None
        )
        item_column = (
            items_model.column(key_expr.attr.value) if items_model is not None else None
        )
        key_type = _type_family(item_column.type) if item_column is not None else None
        if key_type and column_type and key_type != column_type:
            return f"the key is {key_type} but `{model.name}.{column.attr}` is {column_type}; SQL converts, a dict lookup does not"
        return None
    if _looked_up(key_expr, frame):
        # `labels[name]`: the mapping's values, not the loop's items, are the keys
        value = _mapping_values_annotation(key_expr.value.value, ancestry)
        key_type = _type_family(dotted_name(value)) if value is not None else None
    else:
        element = _element_annotation(frame, ancestry)
        if element is not None and reads_item_field(key_expr, frame):
            element = mapping_values(element)  # `entry.get("id")` of `dict[str, int]`
        if element is None:  # `for key, value in d.items()` keyed by `key`
            element = _dict_key_annotation(frame, key_expr, ancestry)
        key_type = (
            _type_family(dotted_name(element))
            if element is not None
            else _literal_type(frame)
        )
    if key_type is None and _looked_up(key_expr, frame):
        return (
            f"the key's type is unknown (nothing shows what `{key_expr.value.value}` holds); "
            "SQL matches '1' to 1, a dict lookup does not"
        )
    if key_type is None:
        return f"the key's type is unknown; SQL matches '1' to 1, a dict lookup does not (annotate the list, e.g. `list[{column_type or 'int'}]`)"
    if column_type and key_type != column_type:
        return f"the key is {key_type} but `{model.name}.{column.attr}` is {column_type}; SQL converts, a dict lookup does not"
    return None


def _looked_up(key_expr, frame: Frame) -> bool:
    """`labels[name]`: a lookup in a mapping that is not the loop's item."""
    return (
        isinstance(key_expr, cst.Subscript)
        and isinstance(key_expr.value, cst.Name)
        and key_expr.value.value not in frame.targets
    )


def _mapping_values_annotation(name: str, ancestry):
    """`str` for a name annotated `dict[int, str]` (or `Mapping[...]`)."""
    for _value, annotation in bindings(name, ancestry):
        if (
            isinstance(annotation, cst.Subscript)
            and len(annotation.slice) == 2
            and isinstance(annotation.slice[1].slice, cst.Index)
        ):
            return annotation.slice[1].slice.value
    return None


def reads_item_field(key_expr, frame: Frame) -> bool:
    """`entry["id"]` or `entry.get("id")`: one field of the loop's item, by a literal."""
    if isinstance(key_expr, cst.Subscript):
        receiver, index = key_expr.value, key_expr.slice[0].slice
        field = index.value if isinstance(index, cst.Index) else None
    elif (
        isinstance(key_expr, cst.Call)
        and isinstance(key_expr.func, cst.Attribute)
        and key_expr.func.attr.value == "get"
        and key_expr.args
    ):
        receiver, field = key_expr.func.value, key_expr.args[0].value
    else:
        return False
    return (
        isinstance(receiver, cst.Name)
        and receiver.value in frame.targets
        and isinstance(field, (cst.SimpleString, cst.Integer))
    )


def mapping_values(annotation: cst.BaseExpression) -> cst.BaseExpression | None:
    """`int` of `dict[str, int]` (or `Mapping[...]`); None for anything else."""
    head = annotation.value if isinstance(annotation, cst.Subscript) else None
    name = dotted_name(head) if head is not None else None
    if (
        name is not None
        and name.rsplit(".", 1)[-1] in {"dict", "Dict", "Mapping", "MutableMapping"}
        and len(annotation.slice) == 2
        and isinstance(annotation.slice[1].slice, cst.Index)
    ):
        return annotation.slice[1].slice.value
    return None


def key_type_unshown(key_expr, frame: Frame, ancestry) -> bool:
    """Whether nothing in the code shows the keys' Python type: `key_type_gap` takes an
    attribute of a row as its column's type, and a bare key needs an annotation or literals."""
    if isinstance(key_expr, cst.Attribute) and isinstance(key_expr.value, cst.Name):
        return False
    if converted_type(key_expr) is not None:
        return False
    if _looked_up(key_expr, frame):
        return _mapping_values_annotation(key_expr.value.value, ancestry) is None
    return _element_annotation(frame, ancestry) is None and _literal_type(frame) is None


def _literal_type(frame: Frame) -> str | None:
    """`str` for a loop over `("a", "b")` (a tuple, list or set of literals of one type)."""
    iterable = frame.first_iter
    if (
        not isinstance(iterable, (cst.Tuple, cst.List, cst.Set))
        or not iterable.elements
    ):
        return None
    kinds = set()
    for element in iterable.elements:
        value = element.value
        if isinstance(value, cst.SimpleString) and "b" not in value.prefix.lower():
            kinds.add("str")
        elif isinstance(value, cst.Integer):
            kinds.add("int")
        else:
            return None
    return kinds.pop() if len(kinds) == 1 else None


def _element_annotation(frame: Frame, ancestry):
    """`int` for a loop over a name annotated `list[int]` (or `Sequence[int]`, ...)."""
    iterable = frame.first_iter
    if not isinstance(iterable, cst.Name):
        return None
    for _value, annotation in bindings(iterable.value, ancestry):
        if annotation is not None:
            return annotation_element(annotation)
    return None


def _dict_key_annotation(frame: Frame, key_expr, ancestry):
    """`int` for the key of `for key, value in mapping.items()` over a name annotated
    `dict[int, ...]` (or `Mapping[int, ...]`, ...)."""
    target, iterable = (
        (frame.node.target, frame.node.iter) if frame.is_for else (None, None)
    )
    if not (
        isinstance(target, cst.Tuple)
        and len(target.elements) == 2
        and isinstance(target.elements[0].value, cst.Name)
        and isinstance(key_expr, cst.Name)
        and target.elements[0].value.value == key_expr.value
        and isinstance(iterable, cst.Call)
        and isinstance(iterable.func, cst.Attribute)
        and iterable.func.attr.value == "items"
        and not iterable.args
        and isinstance(iterable.func.value, cst.Name)
    ):
        return None
    for _value, annotation in bindings(iterable.func.value.value, ancestry):
        if isinstance(annotation, cst.Subscript) and len(annotation.slice) == 2:
            key = annotation.slice[0].slice
            return key.value if isinstance(key, cst.Index) else None
    return None


def str_targets(frame: Frame, ancestry) -> frozenset[str]:
    """The loop target, when the code shows its items are `str` (`for name in names`
    with `names: list[str]`, or over string literals)."""
    target = frame.node.target if frame.is_for else frame.clauses[0].target
    if not isinstance(target, cst.Name):
        return frozenset()
    element = _element_annotation(frame, ancestry)
    shown = (
        dotted_name(element) == "str"
        if element is not None
        else _literal_type(frame) == "str"
    )
    return frozenset({target.value}) if shown else frozenset()


def key_may_be_none(ctx, key_expr, frame: Frame, ancestry) -> bool:
    """True unless the key reads a NOT NULL column of a model the loop's items are known
    to be, or is the result of a conversion (`str(...)`, an f-string), never None."""
    if converted_type(key_expr) is not None:
        return False
    if key_from_not_null_column(ctx, key_expr, frame, ancestry, bindings):
        return False
    if not (
        isinstance(key_expr, cst.Attribute) and isinstance(key_expr.value, cst.Name)
    ):
        return True
    if key_expr.value.value not in frame.targets:
        return True
    items_model = item_model(ctx, frame, ancestry)
    if items_model is None:
        return True
    column = items_model.column(key_expr.attr.value)
    return column is None or column.nullable


def item_model(ctx, frame: Frame, ancestry):
    """The model of the loop's items, when its iterable is a query result or an annotated name."""
    iterable = frame.first_iter
    if not (frame.is_for or len(frame.clauses) == 1):
        return None
    target = frame.node.target if frame.is_for else frame.clauses[0].target
    if not isinstance(target, cst.Name):
        return None
    shape = (
        ctx.orm.query_shape(iterable)
        if isinstance(iterable, (cst.Call, cst.Await))
        else None
    )
    if (
        shape is not None
        and shape.entity is not None
        and shape.cardinality is Cardinality.LIST
    ):
        return ctx.model_for(shape.entity)
    if isinstance(iterable, cst.Name):
        for value, annotation in bindings(iterable.value, ancestry):
            if value is not None:
                bound = (
                    ctx.orm.query_shape(value)
                    if isinstance(value, (cst.Call, cst.Await))
                    else None
                )
                if (
                    bound is not None
                    and bound.entity is not None
                    and bound.cardinality is Cardinality.LIST
                ):
                    return ctx.model_for(bound.entity)
            if annotation is not None:
                element = annotation_element(annotation)
                if element is not None:
                    return ctx.model_for(element)
    relationship = _relationship_of(ctx, iterable, ancestry, frame)
    if relationship is not None and relationship.uselist is not False:
        return (
            ctx.project.models.get(relationship.target) if relationship.target else None
        )
    return None


def loaded_collection(ctx, expr, ancestry, frame: Frame) -> bool:
    """A list-like relationship (`user.projects`): iterating it twice gives the same items."""
    relationship = _relationship_of(ctx, expr, ancestry, frame)
    return (
        relationship is not None
        and relationship.uselist is not False
        and relationship.lazy not in {"dynamic", "write_only", "unknown"}
    )


def _relationship_of(ctx, expr, ancestry, inside: Frame | None = None):
    """`user.projects` -> the relationship, when `user`'s model is known."""
    if not (isinstance(expr, cst.Attribute) and isinstance(expr.value, cst.Name)):
        return None
    owner = model_of_name(ctx, expr.value.value, ancestry, inside)
    return owner.relationship(expr.attr.value) if owner is not None else None


def model_of_name(ctx, name: str, ancestry, inside: Frame | None = None):
    """The model of the object a name holds: a loop item, an annotated parameter, a get()."""
    frames = frames_of(ancestry)
    if inside is not None and inside in frames:
        frames = frames[: frames.index(inside)]
    for frame in reversed(frames):
        if name in frame.targets:
            return item_model(ctx, frame, ancestry)
    for value, annotation in bindings(name, ancestry):
        if annotation is not None and dotted_name(annotation):
            return ctx.model_for(annotation)
        bound = (
            ctx.orm.query_shape(value)
            if isinstance(value, (cst.Call, cst.Await))
            else None
        )
        if (
            bound is not None
            and bound.entity is not None
            and bound.cardinality
            in (Cardinality.OPTIONAL, Cardinality.ONE, Cardinality.FIRST)
        ):
            return ctx.model_for(bound.entity)
    return None


def bindings(
    name: str, ancestry, *, comprehensions: bool = True
) -> list[tuple[cst.BaseExpression | None, cst.BaseExpression | None]]:
    """(value, annotation) pairs binding `name` in the enclosing function, parameters
    included; `comprehensions=False` leaves out a comprehension's own `for` targets (they
    bind in the comprehension, not the function)."""
    function = next(
        (n for n in reversed(ancestry) if isinstance(n, cst.FunctionDef)), None
    )
    scope = function if function is not None else ancestry[0]
    found: list[tuple[cst.BaseExpression | None, cst.BaseExpression | None]] = []
    if function is not None:
        params = function.params
        for param in named_params(params):
            if param.name.value == name:
                found.append(
                    (None, param.annotation.annotation if param.annotation else None)
                )
    for names, value, annotation, in_comprehension in _bindings_in(scope, ancestry[0]):
        if name in names and (comprehensions or not in_comprehension):
            found.append((value, annotation))
    return found


_BINDINGS = frozenset(
    {cst.Assign, cst.AnnAssign, cst.For, cst.CompFor, cst.AugAssign, cst.NamedExpr}
)

# The bindings of the scopes of the module last asked about, each walked once: rules ask
# about many names in one function.
_WALKED: list = [None, {}]


def _bindings_in(scope: cst.CSTNode, module: cst.CSTNode) -> list[tuple]:
    """(names, value, annotation, is a comprehension's `for`) for every binding in `scope`,
    in walk order (nested functions and classes left out)."""
    if _WALKED[0] is not module:
        _WALKED[0], _WALKED[1] = module, {}
    known = _WALKED[1].get(scope)
    if known is not None:
        return known
    events = []
    for node in walk_kinds(scope, _BINDINGS):
        if isinstance(node, cst.Assign):
            names = {
                t.target.value for t in node.targets if isinstance(t.target, cst.Name)
            }
            if names:
                events.append((names, node.value, None, False))
        elif isinstance(node, cst.AnnAssign):
            if isinstance(node.target, cst.Name):
                events.append(
                    ({node.target.value}, node.value, node.annotation.annotation, False)
                )
        elif isinstance(node, (cst.For, cst.CompFor, cst.AugAssign, cst.NamedExpr)):
            events.append(
                (target_names(node.target), None, None, isinstance(node, cst.CompFor))
            )
    _WALKED[1][scope] = events
    return events


def annotation_element(annotation: cst.BaseExpression) -> cst.BaseExpression | None:
    if isinstance(annotation, cst.Subscript) and len(annotation.slice) == 1:
        inner = annotation.slice[0].slice
        if isinstance(inner, cst.Index):
            return inner.value
    return None


def reiterable(iterable: cst.BaseExpression, ancestry, anchor_index: int) -> bool:
    """Whether iterating `iterable` twice gives the same items (a list, not a generator)."""
    if isinstance(iterable, (cst.List, cst.Tuple, cst.Set, cst.ListComp, cst.SetComp)):
        return False  # a literal: reusable, but it has no name to reuse; materialise into one
    if not isinstance(iterable, cst.Name):
        return False
    latest = _latest_binding_before(iterable.value, ancestry, anchor_index)
    if latest is not None:
        return reiterable_value(latest)
    found = bindings(iterable.value, ancestry)
    if not found:
        return False
    for value, annotation in found:
        if annotation is not None:
            head = (
                annotation.value
                if isinstance(annotation, cst.Subscript)
                else annotation
            )
            name = dotted_name(head) or ""
            if name.rsplit(".", 1)[-1] not in _REITERABLE_ANNOTATIONS:
                return False
            continue
        if value is None or not reiterable_value(value):
            return False
    return True


def returned_collection(iterable: cst.BaseExpression, ancestry, returns_of) -> bool:
    """`projects = await ProjectsDAL.get_by_user_id(user_id)` where the project function is
    annotated `-> list[Project]`: a list, safe to iterate twice. `returns_of(call)` gives
    the head of a project function's return annotation."""
    if returns_of is None or not isinstance(iterable, cst.Name):
        return False
    found = bindings(iterable.value, ancestry)
    if not found:
        return False
    for value, annotation in found:
        if annotation is not None or value is None:
            return False
        call = value.expression if isinstance(value, cst.Await) else value
        if not isinstance(call, cst.Call):
            return False
        head = returns_of(call) or ""
        if head.rsplit(".", 1)[-1] not in _REITERABLE_ANNOTATIONS:
            return False
    return True


def _latest_binding_before(
    name: str, ancestry, anchor_index: int
) -> cst.BaseExpression | None:
    """The value of a plain `name = value` that is the last statement of the anchor's own
    block to bind `name` before the anchor (`projects = list(projects)` put there by an
    earlier fix); None when another kind of statement binds it last, or none does."""
    if anchor_index < 1:
        return None
    block, anchor = ancestry[anchor_index - 1], ancestry[anchor_index]
    body = list(getattr(block, "body", ()))
    if not any(statement is anchor for statement in body):
        return None
    position = next(i for i, statement in enumerate(body) if statement is anchor)
    for statement in reversed(body[:position]):
        if name not in names_assigned(statement):
            continue
        small = (
            statement.body[0]
            if isinstance(statement, cst.SimpleStatementLine)
            and len(statement.body) == 1
            else None
        )
        if (
            isinstance(small, cst.Assign)
            and len(small.targets) == 1
            and isinstance(small.targets[0].target, cst.Name)
        ):
            return small.value
        return None
    return None


def reiterable_value(value: cst.BaseExpression) -> bool:
    if isinstance(
        value,
        (
            cst.List,
            cst.Tuple,
            cst.Set,
            cst.ListComp,
            cst.SetComp,
            cst.Dict,
            cst.DictComp,
        ),
    ):
        return True
    if isinstance(value, cst.Await):
        value = value.expression
    if isinstance(value, cst.Call):
        name = dotted_name(value.func)
        if name in _REITERABLE_CALLS:
            return True
        if (
            isinstance(value.func, cst.Attribute)
            and value.func.attr.value in _REITERABLE_METHODS
        ):
            return True
    return False


def key_gaps(
    ctx, model, column, key_expr, frame: Frame, ancestry, matched_in_python=True
) -> list[str]:
    """What the per-item keys may do differently in `in_` than in `==`, and, when the
    batch matches rows to keys in Python (a dict by the key; not a batched write), where
    that matching may differ from SQL's."""
    gaps: list[str] = []
    if column.nullable and key_may_be_none(ctx, key_expr, frame, ancestry):
        gaps.append(
            f"`{model.name}.{column.attr}` is nullable and the key may be None (`== None` matches NULL rows, `in_` does not)"
        )
    # A batched write matches rows in SQL alone, as the per-item statements did.
    type_gap = (
        key_type_gap(ctx, model, column, key_expr, frame, ancestry)
        if matched_in_python
        else None
    )
    if type_gap:
        gaps.append(type_gap)
    collation = column_collation_gap(model, column) if matched_in_python else None
    if collation:
        gaps.append(collation)
    return gaps


def key_type_evidence(
    ctx, model, column, key_expr, frame: Frame, ancestry
) -> str | None:
    """Why the keys are likely of another type than `column` although nothing declares
    them (the batch's dict lookup would then miss rows SQL matched): an attribute of an
    item of unknown model that every indexed model with that column declares otherwise
    (`pending_cert.external_id`, a String, keying an Integer id), or a collection the code
    tests for a string (`if "all" in pending_ids`) iterated for integer keys."""
    column_type = _type_family(column.type)
    if column_type is None:
        return None
    if (
        isinstance(key_expr, cst.Attribute)
        and isinstance(key_expr.value, cst.Name)
        and key_expr.value.value in frame.targets
        and item_model(ctx, frame, ancestry) is None
        and ctx.project.models is not None
    ):
        attr = key_expr.attr.value
        declared = {
            (info.name, _type_family(info.column(attr).type))
            for info in ctx.project.models.models.values()
            if info.column(attr) is not None
        }
        families = {family for _, family in declared}
        if len(families) == 1 and None not in families and column_type not in families:
            (family,) = families
            owners = ", ".join(sorted(name for name, _ in declared))
            return (
                f"`.{attr}` is {family} in every model that has it ({owners}), "
                f"`{model.name}.{column.attr}` is {column_type}: SQL converts, the batch's "
                "dict lookup would miss"
            )
        return None
    iterable = frame.first_iter
    if (
        column_type != "str"
        and isinstance(key_expr, cst.Name)
        and key_expr.value in frame.targets
        and isinstance(iterable, cst.Name)
    ):
        scope = next(
            (n for n in reversed(ancestry) if isinstance(n, cst.FunctionDef)), None
        )
        for node in walk(scope) if scope is not None else ():
            if (
                isinstance(node, cst.Comparison)
                and isinstance(node.left, cst.SimpleString)
                and len(node.comparisons) == 1
                and isinstance(node.comparisons[0].operator, (cst.In, cst.NotIn))
                and isinstance(node.comparisons[0].comparator, cst.Name)
                and node.comparisons[0].comparator.value == iterable.value
            ):
                return (
                    f"`{iterable.value}` is tested for the string {node.left.value}, so it "
                    f"holds strings, and `{model.name}.{column.attr}` is {column_type}: SQL "
                    "converts, the batch's dict lookup would miss"
                )
    return None
