"""Keys that are a pure function of a loop's item, so a batch may compute them again first.

Real loops rarely compare a column with `item.attr` as it is: they convert it
(`str(group_id)` for `for group_id, count in rows`, `int(row["id"])`), look it up
(`Level[item.level]`, `labels[item.name]` in a mapping the loop does not change) or format
it (`f"owner:{owner_id}"`). A batch reads every key before the loop, so such a key must
give the same value there: no calls into the project's code, builtins that no binding of
the module shadows, mappings the loop never writes. What it cannot keep is the moment a
key raises: `int("x")` or a missing mapping key raises in the pre-pass, before the loop
did its work for the items before it, which only an unsafe fix may change.

`str()` and f-strings are taken not to raise and not to act: they call a value's
`__str__`/`__format__`, which for the values keys hold (numbers, strings, UUIDs, dates,
enum members) do neither.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import libcst as cst

from n1fix.analysis.item_aliases import changed_through_alias
from n1fix.cst.chains import dotted_name
from n1fix.cst.loop_frames import Frame
from n1fix.cst.syntax import target_names, walk, walk_kinds

# Builtin conversions a key may go through, and the Python type of what they give.
CONVERSIONS = {"str": "str", "int": "int", "float": "float"}
_RAISING_CONVERSIONS = {"int", "float"}  # ValueError for text that is no number
# Methods of `str` that give a new `str` from it alone (with at most a string argument:
# the characters to strip) and never raise.
TEXT_METHODS = {"strip", "lstrip", "rstrip", "lower", "upper", "casefold"}
# Methods that only read a mapping; any other use of it in the loop may change it.
_READING_METHODS = {"get", "keys", "values", "items", "copy", "count", "index"}


@dataclass
class KeyFacts:
    """What a key expression is, as far as batching it goes."""

    problem: str | None = None  # why the batch cannot compute it before the loop
    raises: list[str] = field(default_factory=list)  # how it may raise per item
    unsure: list[str] = field(default_factory=list)  # other facts not shown (unsafe)
    # Asked, not found: the loop targets the code shows to hold `str` (`for name in
    # names` with `names: list[str]`), whose text methods are pure.
    str_names: frozenset[str] = frozenset()
    # The loop targets the code shows to hold dicts (`dict_items`), whose `.get` only reads.
    dict_names: frozenset[str] = frozenset()
    # Those whose items nothing declares: a `.get` on them is taken to be a dict's (unsafe).
    undeclared_names: frozenset[str] = frozenset()


def judge_key(
    key: cst.BaseExpression,
    frame: Frame,
    invariant,
    module: cst.Module,
    local=None,
    str_names: frozenset[str] = frozenset(),
    dict_names: frozenset[str] = frozenset(),
    undeclared_names: frozenset[str] = frozenset(),
) -> KeyFacts:
    """Whether `key` (in terms of the loop's item) can be computed again before the loop.

    `invariant(name)` says whether a name other than the loop's targets keeps one value
    over the whole loop; `local(name)` whether the enclosing function binds it (a global
    could be rebound by any code the loop calls); `str_names` the loop targets shown to
    hold `str`; `dict_names` those shown to hold dicts, `undeclared_names` those whose
    items nothing declares.
    """
    facts = KeyFacts(
        str_names=str_names, dict_names=dict_names, undeclared_names=undeclared_names
    )
    _judge(key, frame, invariant, module, facts)
    if local is not None:
        outside = sorted(
            name
            for name in _plain_names(key)
            if name not in frame.targets and name not in CONVERSIONS and not local(name)
        )
        if outside:
            facts.unsure.append(
                f"the key reads `{outside[0]}`, which the function does not bind: "
                "code the loop calls could rebind it between items"
            )
    return facts


def _plain_names(expr: cst.BaseExpression) -> set[str]:
    """Names the key reads as values, not those it only subscripts (`labels` of
    `labels[name]`, already unsafe as a lookup)."""
    found: set[str] = set()
    stack = [expr]
    while stack:
        node = stack.pop()
        if isinstance(node, cst.Name):
            found.add(node.value)
        elif isinstance(node, cst.Attribute):
            stack.append(node.value)
        elif isinstance(node, cst.Subscript):
            if not isinstance(node.value, cst.Name):
                stack.append(node.value)
            stack.extend(
                e.slice.value for e in node.slice if isinstance(e.slice, cst.Index)
            )
        elif isinstance(node, cst.Call):
            stack.extend(arg.value for arg in node.args)
        elif isinstance(node, cst.Tuple):  # a key of several columns
            stack.extend(element.value for element in node.elements)
        elif isinstance(node, cst.FormattedString):
            for part in node.parts:
                if isinstance(part, cst.FormattedStringExpression):
                    stack.append(part.expression)
    return found


def _judge(expr, frame: Frame, invariant, module, facts: KeyFacts) -> None:
    if facts.problem:
        return
    if isinstance(expr, (cst.SimpleString, cst.Integer)):
        return
    if isinstance(expr, cst.Name):
        if expr.value not in frame.targets and not invariant(expr.value):
            facts.problem = f"`{expr.value}` changes in the loop in a way n1fix cannot repeat before it"
        return
    if isinstance(expr, cst.Attribute):
        _judge(expr.value, frame, invariant, module, facts)
        return
    if isinstance(expr, cst.Subscript):
        _judge_subscript(expr, frame, invariant, module, facts)
        return
    if isinstance(expr, cst.Call):
        _judge_call(expr, frame, invariant, module, facts)
        return
    if isinstance(expr, cst.Tuple):  # a key of several columns: each part is a key
        for element in expr.elements:
            if isinstance(element, cst.StarredElement):
                facts.problem = "the key unpacks a value n1fix cannot read"
                return
            _judge(element.value, frame, invariant, module, facts)
        return
    if isinstance(expr, cst.BooleanOperation):
        # `entry.get("id") or entry.get("url") or ""`: the first truthy part; a key's
        # values (text, numbers, None) are true or false by what they hold
        _judge(expr.left, frame, invariant, module, facts)
        _judge(expr.right, frame, invariant, module, facts)
        return
    if isinstance(expr, cst.FormattedString):
        for part in expr.parts:
            if isinstance(part, cst.FormattedStringExpression):
                _judge(part.expression, frame, invariant, module, facts)
                if part.format_spec:
                    for spec in part.format_spec:
                        if isinstance(spec, cst.FormattedStringExpression):
                            _judge(spec.expression, frame, invariant, module, facts)
        return
    facts.problem = "the key is computed in a way n1fix cannot show to be pure"


def _judge_subscript(expr: cst.Subscript, frame, invariant, module, facts) -> None:
    if len(expr.slice) != 1 or not isinstance(expr.slice[0].slice, cst.Index):
        facts.problem = "the key is a slice or a multi-index subscript"
        return
    index = expr.slice[0].slice.value
    if isinstance(index, (cst.SimpleString, cst.Integer)):
        # `row["id"]`: a fixed field of the item, as a plain attribute is
        _judge(expr.value, frame, invariant, module, facts)
        _judge_item_kept(expr.value, index, frame, facts)
        return
    mapping = expr.value
    if not (isinstance(mapping, cst.Name) and mapping.value not in frame.targets):
        facts.problem = "the key looks up a per-item index in something that is not a loop-invariant name"
        return
    if not invariant(mapping.value):
        facts.problem = f"`{mapping.value}` changes in the loop"
        return
    changed = changed_in_loop(mapping.value, frame)
    if changed:
        facts.problem = f"the loop may change `{mapping.value}` ({changed}), so its keys before the loop may differ"
        return
    _judge(index, frame, invariant, module, facts)
    facts.raises.append(
        f"`{mapping.value}[...]` raises for a missing key; the batch looks up every item's key "
        "before the loop, so it would raise before the loop did its work for the items before"
    )


def _judge_call(expr: cst.Call, frame, invariant, module, facts) -> None:
    if isinstance(expr.func, cst.Attribute) and expr.func.attr.value in TEXT_METHODS:
        _judge_text_method(expr, frame, invariant, module, facts)
        return
    if isinstance(expr.func, cst.Attribute) and expr.func.attr.value == "get":
        _judge_field_read(expr, frame, facts)
        return
    name = expr.func.value if isinstance(expr.func, cst.Name) else None
    if name not in CONVERSIONS:
        facts.problem = "the key calls code n1fix cannot show to be pure"
        return
    if len(expr.args) != 1 or expr.args[0].keyword is not None or expr.args[0].star:
        facts.problem = f"the key calls `{name}()` with arguments n1fix does not read"
        return
    if name in shadowed_builtins(module):
        facts.problem = (
            f"`{name}` is bound in this module, so it may not be the builtin"
        )
        return
    _judge(expr.args[0].value, frame, invariant, module, facts)
    if name in _RAISING_CONVERSIONS:
        facts.raises.append(
            f"`{name}()` raises for a value that is no number; the batch converts every item's "
            "key before the loop, so it would raise before the loop did its work for the items before"
        )


def _judge_text_method(expr: cst.Call, frame, invariant, module, facts) -> None:
    """`name.strip()`, `name.lower()` on a value shown to be a `str`: a pure function
    of it that never raises. On anything else the method is the object's own code."""
    receiver = expr.func.value
    if not _is_text(receiver, facts.str_names):
        facts.problem = "the key calls code n1fix cannot show to be pure"
        return
    if (
        any(
            arg.keyword is not None
            or arg.star
            or not isinstance(arg.value, cst.SimpleString)
            for arg in expr.args
        )
        or len(expr.args) > 1
    ):
        facts.problem = f"the key calls `.{expr.func.attr.value}()` with arguments n1fix does not read"
        return
    _judge(receiver, frame, invariant, module, facts)


_LITERALS = (cst.SimpleString, cst.Integer, cst.Float)


def _judge_field_read(expr: cst.Call, frame, facts) -> None:
    """`item.get("key")` (or with a literal default) on the loop's item: on a dict a
    plain read of one field, as `item["key"]` is. Taken as such when the code shows the
    items are dicts (`dict_items`); assumed, for an unsafe fix, when nothing says what
    they are; otherwise (`list[Assignment]`) `.get` is the object's own code."""
    receiver = expr.func.value
    if not (
        isinstance(receiver, cst.Name)
        and receiver.value in frame.targets
        and receiver.value in facts.dict_names | facts.undeclared_names
    ):
        facts.problem = "the key calls code n1fix cannot show to be pure"
        return
    if receiver.value not in facts.dict_names:
        facts.unsure.append(
            f"`{receiver.value}` is taken to be a dict, whose `.get()` only reads: "
            "nothing in the code says what the items are"
        )
    args = expr.args
    if not (
        1 <= len(args) <= 2
        and all(arg.keyword is None and not arg.star for arg in args)
        and isinstance(args[0].value, _LITERALS)
        and all(_is_literal(arg.value) for arg in args[1:])
    ):
        facts.problem = "the key calls `.get()` with arguments n1fix does not read"
        return
    _judge_item_kept(receiver, args[0].value, frame, facts)


def _judge_item_kept(receiver: cst.BaseExpression, field, frame, facts) -> None:
    """A field read of the item before the loop gives what the query read only when the
    loop changes neither that field of the item nor, through its iterable, of any other
    item."""
    if facts.problem or not isinstance(receiver, cst.Name):
        return
    objects = [(receiver.value, 0)]  # the item, and the items of its iterable
    holder = _iterable_holder(frame.first_iter)
    if holder is not None:
        objects.append(holder)
    for name, depth in objects:
        changed = changed_inside(name, frame, depth, field=_literal_value(field))
        if changed:
            facts.problem = (
                f"the loop may change `{name}` ({changed}), so the key read before the "
                "loop may differ"
            )
            return


def _iterable_holder(expr: cst.BaseExpression) -> tuple[str, int] | None:
    """The name the loop's items are reached through, and how many steps into it they
    are: `entries` (1), `entries or []` (1), `holder.entries` (2), `sorted(entries)`."""
    while True:
        if isinstance(expr, cst.BooleanOperation) and isinstance(expr.operator, cst.Or):
            expr = expr.left  # `entries or []`: the right side is a new list
        elif (
            isinstance(expr, cst.Call)
            and dotted_name(expr.func) in _ITEM_COPIES
            and expr.args
        ):
            expr = expr.args[0].value  # a new list of the same items
        else:
            break
    steps = 1
    while isinstance(expr, (cst.Attribute, cst.Subscript)):
        expr, steps = expr.value, steps + 1
    return (expr.value, steps) if isinstance(expr, cst.Name) else None


_ITEM_COPIES = {"list", "tuple", "sorted", "reversed", "enumerate", "iter"}


def _is_literal(expr: cst.BaseExpression) -> bool:
    return isinstance(expr, _LITERALS) or (
        isinstance(expr, cst.Name) and expr.value in {"None", "True", "False"}
    )


def _is_text(expr: cst.BaseExpression, str_names: frozenset[str]) -> bool:
    """A `str` for certain: a loop target shown to hold one, an f-string, or a text
    method of one (`str(...)` is the builtin only when not shadowed: not taken here)."""
    if isinstance(expr, cst.Name):
        return expr.value in str_names
    if isinstance(expr, cst.FormattedString):
        return True
    return (
        isinstance(expr, cst.Call)
        and isinstance(expr.func, cst.Attribute)
        and expr.func.attr.value in TEXT_METHODS
        and _is_text(expr.func.value, str_names)
    )


def converted_type(key: cst.BaseExpression) -> str | None:
    """The Python type a key certainly has: `str` for `str(...)` and f-strings."""
    if isinstance(key, cst.FormattedString):
        return "str"
    if (
        isinstance(key, cst.Call)
        and isinstance(key.func, cst.Attribute)
        and key.func.attr.value in TEXT_METHODS
    ):
        return "str"  # judged a text method of a str, or the key has no batch
    if (
        isinstance(key, cst.Call)
        and isinstance(key.func, cst.Name)
        and key.func.value in CONVERSIONS
    ):
        return CONVERSIONS[key.func.value]
    return None


def changed_in_loop(name: str, frame: Frame) -> str | None:
    """How the loop body may change the mapping `name`: written into, deleted from,
    rebound, given to a call, or called with a method that is not a read."""
    body = frame.node.body if frame.is_for else frame.node
    for node in walk(body, into_scopes=True):
        if isinstance(node, (cst.AssignTarget, cst.AugAssign, cst.AnnAssign)):
            target = node.target
            if name in target_names(target):
                return "rebinds it"
            if _is_item_of(target, name):
                return "assigns an item of it"
        if isinstance(node, cst.Del) and _is_item_of(node.target, name):
            return "deletes an item of it"
        if isinstance(node, cst.Call):
            func = node.func
            if (
                isinstance(func, cst.Attribute)
                and isinstance(func.value, cst.Name)
                and func.value.value == name
                and func.attr.value not in _READING_METHODS
            ):
                return f"calls `.{func.attr.value}()` on it"
            for arg in node.args:
                if isinstance(arg.value, cst.Name) and arg.value.value == name:
                    return "passes it to a call"
    return None


# Calls that take an object without changing it: the builtins that read one, and a
# container's methods that store it (`results.append(entry)`).
_READING_BUILTINS = {"len", "str", "repr", "bool", "isinstance", "print", "id", "hash"}
_STORING_METHODS = {"append", "add", "extend", "insert", "appendleft"}
# `log.debug("items: %s", items)`: a logger formats what it is given, with `str()`.
_LOGGERS = {"log", "logger", "logging", "_log", "_logger", "LOG", "LOGGER"}
_LOGGING_METHODS = {
    "debug",
    "info",
    "warning",
    "warn",
    "error",
    "exception",
    "critical",
}


def _literal_value(expr: cst.BaseExpression):
    if isinstance(expr, cst.SimpleString):
        return expr.evaluated_value
    if isinstance(expr, cst.Integer):
        return expr.evaluated_value
    return None


def changed_inside(name: str, frame: Frame, depth: int = 0, field=None) -> str | None:
    """How the loop body may change the object `name` holds, or (`depth` 1) an object
    directly inside it (an item of a list of dicts): assigning or deleting into it
    (`entry["id"] = ...`, `entries[0]["id"] = ...`), calling a method on it that is not
    a read, or giving it to code other than a reading builtin or a container storing it
    (`results.append(entry)`). Rebinding `name` changes no object: not counted. With
    `field`, a write of another literal field (`del entry["data"]` when the key reads
    `entry["id"]`) leaves the field alone: not counted either."""
    body = frame.node.body if frame.is_for else frame.node
    for node in walk(body, into_scopes=True):
        if isinstance(node, (cst.AssignTarget, cst.AugAssign, cst.AnnAssign, cst.Del)):
            target = node.target
            if (
                isinstance(target, (cst.Subscript, cst.Attribute))
                and _within(target.value, name, depth)
                and not _other_field(target, name, depth, field)
            ):
                return "assigns into it"
        elif isinstance(node, cst.Call):
            func = node.func
            if isinstance(func, cst.Attribute) and _within(func.value, name, depth):
                if func.attr.value not in _READING_METHODS:
                    return f"calls `.{func.attr.value}()` on it"
                continue
            if any(_within(arg.value, name, depth) for arg in node.args) and not (
                _only_reads_arguments(func)
            ):
                return f"gives it to `{dotted_name(func) or 'a call'}()`"
    return changed_through_alias(name, body, depth)


def _only_reads_arguments(func: cst.BaseExpression) -> bool:
    """A reading builtin, a container storing what it is given, or a logger."""
    if isinstance(func, cst.Name):
        return func.value in _READING_BUILTINS
    if not isinstance(func, cst.Attribute):
        return False
    if func.attr.value in _STORING_METHODS:
        return True
    owner = dotted_name(func.value)
    return (
        func.attr.value in _LOGGING_METHODS
        and owner is not None
        and owner.rsplit(".", 1)[-1] in _LOGGERS
    )


def _other_field(target, name: str, depth: int, field) -> bool:
    """`entry["data"]` (or `entries[i]["data"]`) when the key reads another field of
    the item."""
    if field is None or not isinstance(target, cst.Subscript):
        return False
    steps, expr = 0, target.value
    while isinstance(expr, (cst.Subscript, cst.Attribute)):
        expr, steps = expr.value, steps + 1
    if steps != depth or len(target.slice) != 1:
        return False
    index = target.slice[0].slice
    if not isinstance(index, cst.Index):
        return False
    value = _literal_value(index.value)
    return value is not None and value != field


def _within(expr: cst.BaseExpression, name: str, depth: int) -> bool:
    """Is `expr` the name `name`, or at most `depth` subscripts or attributes into it?"""
    steps = 0
    while isinstance(expr, (cst.Subscript, cst.Attribute)):
        expr, steps = expr.value, steps + 1
    return isinstance(expr, cst.Name) and expr.value == name and steps <= depth


def _is_item_of(target: cst.CSTNode, name: str) -> bool:
    if isinstance(target, (cst.Subscript, cst.Attribute)):
        return isinstance(target.value, cst.Name) and target.value.value == name
    if isinstance(target, (cst.Tuple, cst.List)):
        return any(_is_item_of(e.value, name) for e in target.elements)
    return False


_TARGETED = (
    cst.AssignTarget,
    cst.AnnAssign,
    cst.AugAssign,
    cst.For,
    cst.CompFor,
    cst.NamedExpr,
)

_BINDERS = frozenset(
    {
        *_TARGETED,
        cst.FunctionDef,
        cst.ClassDef,
        cst.Param,
        cst.ImportFrom,
        cst.ImportAlias,
        cst.AsName,
    }
)

# The builtins bound somewhere in the module last asked about.
_SHADOWED: list = [None, frozenset()]


def shadowed_builtins(module: cst.Module) -> frozenset[str]:
    """Conversion builtins that some binding of the module (at any level: an assignment,
    a parameter, a def, a class, an import; or a star import) may shadow."""
    if _SHADOWED[0] is module:
        return _SHADOWED[1]
    bound: set[str] = set()
    for node in walk_kinds(module, _BINDERS, into_scopes=True):
        if isinstance(node, _TARGETED):
            bound |= target_names(node.target)
        elif isinstance(node, (cst.FunctionDef, cst.ClassDef, cst.Param)):
            bound.add(node.name.value)
        elif isinstance(node, cst.ImportFrom) and isinstance(
            node.names, cst.ImportStar
        ):
            bound |= set(CONVERSIONS)
        elif isinstance(node, cst.ImportAlias):
            alias = node.asname.name if node.asname is not None else node.name
            if isinstance(alias, cst.Name):
                bound.add(alias.value)
        elif isinstance(node, cst.AsName) and isinstance(node.name, cst.Name):
            bound.add(node.name.value)  # `with ... as str`, `except E as str`
    _SHADOWED[0], _SHADOWED[1] = module, frozenset(bound & set(CONVERSIONS))
    return _SHADOWED[1]
