"""Keys that come from outside the program untyped: a batch keyed by them finds nothing.

`Model.id == "42"` matches the row with id 42 (the database converts the string); the
batch's dict lookup `users_by_id.get("42")` never does, since its keys are the column's
ints (or UUIDs, dates). Values read from `csv` rows, request arguments and forms,
`os.environ` and `sys.argv` are strings; values decoded from JSON, or read from a `dict`
typed only as holding anything, are whatever the sender wrote (an id sent as `"42"`, a
UUID or a date always as a string). Keyed against a column that is not a string, such a
batch is certain to answer differently, so it is no fix at all. A UUID column is held to a
stricter proof: keys whose type nothing shows (an unannotated parameter, a value read from a
dict) are no fix either, since code holds UUIDs as their strings as often as not.

What a value is, as far as this module follows it: `STR` (a string), `ANY` (an untyped
value: JSON, `Any`), or `("of", inner)` (a container whose items or values are `inner`).
"""

from __future__ import annotations

import libcst as cst

from n1fix.analysis.item_facts import _type_family, bindings, key_type_unshown
from n1fix.analysis.item_keys import converted_type
from n1fix.cst.chains import dotted_name
from n1fix.cst.loop_frames import Frame

STR = "str"
ANY = "any"

# Column types whose Python values are never the strings an untyped source gives.
_NOT_STRING = {
    "int",
    "uuid",
    "date",
    "datetime",
    "time",
    "interval",
    "boolean",
    "bool",
    "float",
    "numeric",
    "decimal",
    "double",
    "real",
    "enum",
}

_STRING_CONTAINERS = {  # attribute of a request (Flask, Werkzeug, Django, Starlette)
    "args",
    "form",
    "values",
    "headers",
    "cookies",
    "GET",
    "POST",
    "query_params",
    "path_params",
}
_JSON_CALLS = {
    "json.load",
    "json.loads",
    "simplejson.load",
    "simplejson.loads",
    "orjson.loads",
    "ujson.loads",
}
_ROWS_CALLS = {"csv.DictReader", "csv.reader"}
_COPIES = {"list", "tuple", "set", "frozenset", "sorted", "reversed"}
_MAPPING_HEADS = {"dict", "Dict", "Mapping", "MutableMapping"}
_SEQUENCE_HEADS = {
    "list",
    "List",
    "Sequence",
    "MutableSequence",
    "Iterable",
    "Iterator",
    "Collection",
    "set",
    "Set",
    "tuple",
    "Tuple",
    "frozenset",
    "FrozenSet",
}
_MAX_DEPTH = 12


def certain_key_miss(
    ctx, model, column, key_expr, frame: Frame, ancestry
) -> str | None:
    """Why a batch keyed by `key_expr` against `column` would miss every row; None
    unless the keys provably come from an untyped source and the column is not a string."""
    family = _type_family(column.type)
    converted = converted_type(key_expr)
    if converted is not None:
        if (converted == "str" and family in _NOT_STRING) or (
            converted in {"int", "float"} and family == "str"
        ):
            return (
                f"the key is converted to {converted} but `{model.name}.{column.attr}` is {family}: "
                "SQL converts it back, the batch's dict lookup would miss every row"
            )
        return None
    if family not in _NOT_STRING:
        return None
    found = _UntypedValues(ctx, ancestry, frame).of_key(key_expr)
    if found is None:
        if family == "uuid" and key_type_unshown(key_expr, frame, ancestry):
            # Serialisers, URLs and JSON hold UUIDs as strings; SQL matches either form
            # (`uuid_keys_of_unshown_type`: a batch may compare them as text).
            return (
                f"`{model.name}.{column.attr}` is a UUID and nothing shows the keys are UUID objects, not "
                "their strings (as serialised rows, URLs and JSON hold them): SQL matches either, the batch's "
                "dict lookup would miss every row"
            )
        return None
    kind, source = found
    if kind == STR:
        what = f"strings (read from {source})"
    elif kind == ANY:
        what = f'of no declared type (read from {source}; an id sent as "42" stays a string)'
    else:
        return None
    return (
        f"the keys are {what} but `{model.name}.{column.attr}` is {family}: SQL converts them, "
        f"the batch's dict lookup would miss every row"
    )


def uuid_keys_of_unshown_type(ctx, column, key_expr, frame: Frame, ancestry) -> bool:
    """`column` is a UUID and nothing shows whether the keys are UUID objects or their
    strings (the case `certain_key_miss` turns away): neither is known, either may be."""
    return (
        _type_family(column.type) == "uuid"
        and converted_type(key_expr) is None
        and _UntypedValues(ctx, ancestry, frame).of_key(key_expr) is None
        and key_type_unshown(key_expr, frame, ancestry)
    )


class _UntypedValues:
    def __init__(self, ctx, ancestry, frame: Frame) -> None:
        self.ctx = ctx
        self.ancestry = ancestry
        self.frame = frame
        self.depth = 0

    def of_key(self, key: cst.BaseExpression):
        return self.kind(key)

    def kind(self, expr: cst.BaseExpression):
        """(what `expr` holds, the source it came from), or None when not known untyped."""
        if self.depth > _MAX_DEPTH:
            return None
        self.depth += 1
        try:
            return self._kind(expr)
        finally:
            self.depth -= 1

    def _kind(self, expr: cst.BaseExpression):
        if isinstance(expr, cst.Name):
            return self._name(expr.value)
        if isinstance(expr, cst.Attribute):
            return self._attribute(expr)
        if isinstance(expr, cst.Subscript):
            return _item(self.kind(expr.value))
        if isinstance(expr, cst.Call):
            return self._call(expr)
        return None

    def _name(self, name: str):
        if name in self.frame.targets:
            target = (
                self.frame.node.target
                if self.frame.is_for
                else self.frame.clauses[0].target
            )
            if isinstance(target, cst.Name) and target.value == name:
                return _item(self.kind(self.frame.first_iter))
            if _first_of_pair(target) == name:  # `for key, value in mapping.items()`
                return self._keys_of_items(self.frame.first_iter)
            return None
        if name in self.ctx.imports:
            return None
        found = bindings(name, self.ancestry)
        if not found:
            return None
        kinds = []
        for value, annotation in found:
            if annotation is not None:
                kinds.append(_annotated(annotation, name, self.ctx))
            elif value is not None:
                kinds.append(self.kind(value))
            else:
                return None  # a loop target or `+=` elsewhere: not followed
        first = kinds[0]
        return (
            first
            if first is not None
            and all(k is not None and k[0] == first[0] for k in kinds)
            else None
        )

    def _keys_of_items(self, iterable: cst.BaseExpression):
        """The keys of `mapping.items()`: strings when the mapping is declared `dict[str, ...]`
        or holds untyped data (the keys of a JSON object or a form are strings)."""
        if not (
            isinstance(iterable, cst.Call)
            and isinstance(iterable.func, cst.Attribute)
            and iterable.func.attr.value == "items"
            and not iterable.args
        ):
            return None
        mapping = iterable.func.value
        if isinstance(mapping, cst.Name) and mapping.value not in self.frame.targets:
            for _value, annotation in bindings(mapping.value, self.ancestry):
                if isinstance(annotation, cst.Subscript) and len(annotation.slice) == 2:
                    key = annotation.slice[0].slice
                    if isinstance(key, cst.Index) and dotted_name(key.value) == "str":
                        source = f"`{mapping.value}: {self.ctx.module.code_for_node(annotation)}`"
                        return STR, f"the keys of {source}"
                    # `dict[int, str]`: the declared key type, not the values', is
                    # what the keys are
                    return None
        found = self.kind(mapping)
        return (STR, found[1]) if found is not None else None

    def _attribute(self, expr: cst.Attribute):
        owner = self._qualified(expr.value)
        attr = expr.attr.value
        if owner == "os" and attr == "environ":
            return ("of", STR), "`os.environ`"
        if owner == "sys" and attr == "argv":
            return ("of", STR), "`sys.argv`"
        if self._is_request(expr.value):
            if attr in _STRING_CONTAINERS:
                return ("of", STR), f"`request.{attr}`"
            if attr == "json":
                return ANY, "`request.json`"
        return None

    def _call(self, call: cst.Call):
        func = call.func
        name = self._qualified(func)
        if name in _JSON_CALLS:
            return ANY, f"`{name}()`"
        if name in _ROWS_CALLS:
            return ("of", ("of", STR)), f"`{name}` rows"
        if name == "os.getenv":
            return STR, "`os.getenv()`"
        if name == "input":
            return STR, "`input()`"
        if name in _COPIES and len(call.args) == 1:
            return self.kind(call.args[0].value)
        if isinstance(func, cst.Attribute):
            method = func.attr.value
            if method in {"get_json", "json"} and self._is_request(func.value):
                return ANY, f"`request.{method}()`"
            if method in {
                "get",
                "getlist",
                "pop",
                "keys",
                "values",
                "split",
                "rsplit",
                "splitlines",
                "strip",
            }:
                if any(
                    arg.keyword is not None and arg.keyword.value == "type"
                    for arg in call.args
                ):
                    return None  # Werkzeug's `request.args.getlist("id", type=int)` converts
                owner = self.kind(func.value)
                if owner is None:
                    return None
                kind, source = owner
                if method in {"split", "rsplit", "splitlines"}:
                    return (("of", STR), source) if kind == STR else None
                if method == "strip":
                    return owner if kind == STR else None
                if method == "getlist":
                    return ("of", _item_kind(kind)), source
                if method == "keys":  # of a request's fields or a JSON object: strings
                    return ("of", STR), source
                if method == "values":
                    return ("of", _item_kind(kind)), source
                return _item(owner)  # get, pop
        return None

    def _qualified(self, expr: cst.BaseExpression) -> str | None:
        name = dotted_name(expr)
        if name is None:
            return None
        head, _, rest = name.partition(".")
        target = self.ctx.imports.get(head)
        if target is not None:
            return f"{target}.{rest}" if rest else target
        return name

    def _is_request(self, expr: cst.BaseExpression) -> bool:
        """`request` (Flask's, or a view's parameter named so), `self.request`."""
        name = dotted_name(expr)
        return name is not None and name.rsplit(".", 1)[-1] in {"request", "req"}


def _first_of_pair(target: cst.BaseExpression) -> str | None:
    if (
        isinstance(target, cst.Tuple)
        and len(target.elements) == 2
        and isinstance(target.elements[0].value, cst.Name)
    ):
        return target.elements[0].value.value
    return None


def _item_kind(kind):
    if kind == ANY:
        return ANY
    if isinstance(kind, tuple) and kind[0] == "of":
        return kind[1]
    if kind == STR:
        return STR
    return None


def _item(found):
    """What one item (or value) of `found` is."""
    if found is None:
        return None
    kind, source = found
    inner = _item_kind(kind)
    return (inner, source) if inner is not None else None


def _annotated(annotation: cst.BaseExpression, name: str, ctx):
    """What an annotation says a name holds, when that is untyped (`Any`, `dict`, `str`)."""
    kind = _annotation_kind(annotation, ctx)
    return (
        (kind, f"`{name}: {ctx.module.code_for_node(annotation)}`")
        if kind is not None
        else None
    )


def _annotation_kind(annotation: cst.BaseExpression, ctx, depth: int = 0):
    if depth > 4:
        return None
    if isinstance(annotation, cst.Subscript):
        head = (dotted_name(annotation.value) or "").rsplit(".", 1)[-1]
        if head in _MAPPING_HEADS or head in _SEQUENCE_HEADS:
            last = annotation.slice[-1].slice
            if isinstance(last, cst.Index):
                inner = _annotation_kind(last.value, ctx, depth + 1)
                return ("of", inner) if inner is not None else None
        return None
    head = (dotted_name(annotation) or "").rsplit(".", 1)[-1]
    if head in {"Any", "object"}:
        return ANY
    if head == "str":
        return STR
    if head in _MAPPING_HEADS or head in _SEQUENCE_HEADS:
        return ("of", ANY)  # items of no declared type
    return None
