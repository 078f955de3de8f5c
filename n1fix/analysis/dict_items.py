"""Loop items the code shows to be dicts, so `item.get("key")` only reads them.

Request payloads and rows turned into dicts are walked as `for entry in entries:` with a
key read by `entry.get("message_id")`. On a `dict` that is a plain read, as pure as
`entry["message_id"]`; on another object `.get` is that object's own code. The code shows
the items are dicts when the iterable is a display or comprehension of dict displays
(`[{"id": k, "name": v} for k, v in pairs]`), or a name every binding of which is one, or
annotated as a collection of dicts (`entries: list[dict[str, str]]`). A comprehension that
only keeps some items (`[e for e in entries if e.get("id")]`) holds dicts when what it
filters does, or when its condition checks `isinstance(e, dict)`; a name rebound to such a
filter of itself holds what its other bindings hold.
"""

from __future__ import annotations

import libcst as cst

from n1fix.analysis.item_facts import annotation_element, bindings
from n1fix.analysis.list_growth import may_gain_other_items
from n1fix.cst.chains import dotted_name
from n1fix.cst.loop_frames import Frame
from n1fix.cst.syntax import target_names, walk

DICT_HEADS = {"dict", "Dict"}
_COPIES = {"list", "tuple", "sorted", "reversed"}
_MAX_DEPTH = 6


def dict_targets(frame: Frame, ancestry) -> frozenset[str]:
    """The loop target, when the code shows every item it takes is a dict."""
    target = frame.node.target if frame.is_for else frame.clauses[0].target
    if not isinstance(target, cst.Name):
        return frozenset()
    if _holds_dicts(frame.first_iter, ancestry, target.value, 0):
        return frozenset({target.value})
    return frozenset()


def undeclared_targets(frame: Frame, ancestry) -> frozenset[str]:
    """The loop target, when nothing in the code says what its items are (an untyped
    parameter, a call's result, a request payload): not shown to be dicts, nor shown to
    be anything else. An annotation or a display that says otherwise leaves it out."""
    target = frame.node.target if frame.is_for else frame.clauses[0].target
    if not isinstance(target, cst.Name) or _declared(frame.first_iter, ancestry):
        return frozenset()
    return frozenset({target.value})


def _declared(expr: cst.BaseExpression, ancestry) -> bool:
    """Does the code say what the items of `expr` are (a display of values, a name
    annotated with an element type other than `Any`)?"""
    if isinstance(expr, (cst.List, cst.Tuple, cst.Set)):
        return True
    if not isinstance(expr, cst.Name):
        return False
    for _value, annotation in bindings(expr.value, ancestry):
        if annotation is None:
            continue
        element = annotation_element(_not_none(_unquoted(annotation)))
        head = element.value if isinstance(element, cst.Subscript) else element
        name = dotted_name(head) if head is not None else None
        if name is not None and name.rsplit(".", 1)[-1] not in {"Any", "object"}:
            return True
    return False


def shown_dict(expr: cst.BaseExpression, ancestry, depth: int = 0) -> bool:
    """The code shows `expr` is a dict (whose keys are distinct): a dict display or
    comprehension, `dict(...)`, or a name every binding of which is one of those or is
    annotated as a mapping. `.items()` of another object (an email `Message`, a pandas
    `Series`) may repeat a key."""
    if _is_dict(expr):
        return True
    if isinstance(expr, cst.Call):
        return dotted_name(expr.func) == "dict"
    if not isinstance(expr, cst.Name) or depth > _MAX_DEPTH:
        return False
    scope = next(
        (n for n in reversed(ancestry) if isinstance(n, cst.FunctionDef)), ancestry[0]
    )
    if _bound_by_as(expr.value, scope):
        return (
            False  # `with ... as d`, `except ... as d`, `import ... as d`: not listed
        )
    found = bindings(expr.value, ancestry)
    return bool(found) and all(
        _mapping_annotation(annotation)
        if annotation is not None
        else value is not None and shown_dict(value, ancestry, depth + 1)
        for value, annotation in found
    )


def _mapping_annotation(annotation: cst.BaseExpression) -> bool:
    annotation = _not_none(_unquoted(annotation))
    head = annotation.value if isinstance(annotation, cst.Subscript) else annotation
    name = dotted_name(head)
    return name is not None and name.rsplit(".", 1)[-1] in DICT_HEADS


def _bound_by_as(name: str, scope: cst.CSTNode) -> bool:
    return any(
        isinstance(node, cst.AsName)
        and isinstance(node.name, cst.Name)
        and node.name.value == name
        for node in walk(scope)
    )


def _holds_dicts(expr: cst.BaseExpression, ancestry, target: str, depth: int) -> bool:
    if depth > _MAX_DEPTH:
        return False
    if isinstance(expr, (cst.List, cst.Tuple, cst.Set)):
        return bool(expr.elements) and all(
            isinstance(element, cst.Element) and _is_dict(element.value)
            for element in expr.elements
        )
    if isinstance(expr, (cst.ListComp, cst.SetComp, cst.GeneratorExp)):
        if _is_dict(expr.elt):
            return True
        kept = kept_items(expr)
        if kept is None:
            return False
        return checks_dict(expr.for_in, kept, ancestry) or _holds_dicts(
            expr.for_in.iter, ancestry, target, depth + 1
        )
    if isinstance(expr, cst.Call):
        if (
            dotted_name(expr.func) in _COPIES
            and expr.args
            and expr.args[0].keyword is None
            and not expr.args[0].star
        ):
            return _holds_dicts(expr.args[0].value, ancestry, target, depth + 1)
        return False
    if (
        isinstance(expr, cst.BooleanOperation)
        and isinstance(expr.operator, cst.Or)
        and isinstance(expr.right, (cst.List, cst.Tuple))
        and not expr.right.elements
    ):  # `group_dicts or []`
        return _holds_dicts(expr.left, ancestry, target, depth + 1)
    if isinstance(expr, cst.Name) and expr.value != target:
        # `entries = [e for e in entries if ...]` keeps items of an earlier value of the
        # name, which another of its bindings gave it
        found = [
            (value, annotation)
            for value, annotation in bindings(expr.value, ancestry)
            if not _filters_itself(value, expr.value)
        ]
        return (
            bool(found)
            and all(
                _bound_to_dicts(value, annotation, ancestry, target, depth)
                for value, annotation in found
            )
            and not may_gain_other_items(
                expr.value, ancestry, given_to_dicts=_takes_dicts
            )
        )
    return False


def _filters_itself(value: cst.BaseExpression | None, name: str) -> bool:
    return (
        isinstance(value, (cst.ListComp, cst.SetComp, cst.GeneratorExp))
        and kept_items(value) is not None
        and isinstance(value.for_in.iter, cst.Name)
        and value.for_in.iter.value == name
    )


def _takes_dicts(call: cst.Call, position: int, ancestry) -> bool:
    """`check(file, user, entries)` with `check` a function of the module whose
    parameter receiving `entries` is annotated as a collection of dicts: what it puts
    into the list is declared a dict, as the caller's own annotation declares."""
    if not isinstance(call.func, cst.Name):
        return False
    argument = call.args[position]
    if argument.star:
        return False
    param = _parameter_for(
        _module_function(call.func.value, ancestry[0]), argument, call
    )
    if param is None or param.annotation is None:
        return False
    return _bound_to_dicts(None, param.annotation.annotation, ancestry, "", 0)


def _module_function(name: str, module: cst.CSTNode) -> cst.FunctionDef | None:
    """The module's one top-level `def name`, when nothing else in it binds `name`."""
    if not isinstance(module, cst.Module):
        return None
    defined = [
        statement
        for statement in module.body
        if isinstance(statement, cst.FunctionDef) and statement.name.value == name
    ]
    if len(defined) != 1 or any(
        name in target_names(node.target)
        for node in walk(module, into_scopes=True)
        if isinstance(node, (cst.AssignTarget, cst.AnnAssign, cst.AugAssign, cst.For))
    ):
        return None
    return defined[0]


def _parameter_for(function, argument: cst.Arg, call: cst.Call) -> cst.Param | None:
    if function is None or function.decorators:
        return None
    params = function.params
    if argument.keyword is not None:
        return next(
            (
                param
                for param in [*params.params, *params.kwonly_params]
                if param.name.value == argument.keyword.value
            ),
            None,
        )
    position = call.args.index(argument)
    if any(arg.star or arg.keyword is not None for arg in call.args[:position]):
        return None
    positional = [*params.posonly_params, *params.params]
    return positional[position] if position < len(positional) else None


def kept_items(comprehension) -> str | None:
    """The target of a comprehension that keeps some of its iterable's items as they
    are (`[e for e in entries if ...]`): one `for` of one name, whose item is the name."""
    clause = comprehension.for_in
    if (
        clause.inner_for_in is not None
        or clause.asynchronous is not None
        or not isinstance(clause.target, cst.Name)
        or not isinstance(comprehension.elt, cst.Name)
        or comprehension.elt.value != clause.target.value
    ):
        return None
    return clause.target.value


def checks_dict(clause: cst.CompFor, name: str, ancestry) -> bool:
    """Does a condition of the clause require `isinstance(name, dict)` (a conjunct of
    an `if`), with `dict` the builtin?"""
    if _binds_dict(ancestry[0]):
        return False
    for condition in clause.ifs:
        for part in _conjuncts(condition.test):
            if (
                isinstance(part, cst.Call)
                and isinstance(part.func, cst.Name)
                and part.func.value == "isinstance"
                and len(part.args) == 2
                and isinstance(part.args[0].value, cst.Name)
                and part.args[0].value.value == name
                and isinstance(part.args[1].value, cst.Name)
                and part.args[1].value.value == "dict"
            ):
                return True
    return False


def _conjuncts(test: cst.BaseExpression):
    if isinstance(test, cst.BooleanOperation) and isinstance(test.operator, cst.And):
        yield from _conjuncts(test.left)
        yield from _conjuncts(test.right)
    else:
        yield test


def _binds_dict(module: cst.CSTNode) -> bool:
    """Does the module bind `dict` or `isinstance` anywhere (so they may not be the
    builtins)?"""
    for node in walk(module, into_scopes=True):
        if isinstance(node, (cst.AssignTarget, cst.AnnAssign, cst.AugAssign, cst.For)):
            if target_names(node.target) & {"dict", "isinstance"}:
                return True
        elif isinstance(node, (cst.FunctionDef, cst.ClassDef, cst.Param)):
            if node.name.value in {"dict", "isinstance"}:
                return True
        elif isinstance(node, cst.ImportAlias):
            alias = node.asname.name if node.asname is not None else node.name
            if isinstance(alias, cst.Name) and alias.value in {"dict", "isinstance"}:
                return True
        elif isinstance(node, cst.ImportFrom) and isinstance(
            node.names, cst.ImportStar
        ):
            return True
    return False


def _bound_to_dicts(value, annotation, ancestry, target: str, depth: int) -> bool:
    if annotation is not None:
        element = annotation_element(_not_none(_unquoted(annotation)))
        head = element.value if isinstance(element, cst.Subscript) else element
        name = dotted_name(head) if head is not None else None
        return name is not None and name.rsplit(".", 1)[-1] in DICT_HEADS
    return value is not None and _holds_dicts(value, ancestry, target, depth + 1)


def _is_dict(expr: cst.BaseExpression) -> bool:
    return isinstance(expr, (cst.Dict, cst.DictComp))


def _not_none(annotation: cst.BaseExpression) -> cst.BaseExpression:
    """`list[dict]` of `Optional[list[dict]]` or `list[dict] | None`: a loop over the
    value runs only when it is not None."""
    if isinstance(annotation, cst.Subscript) and len(annotation.slice) == 1:
        name = dotted_name(annotation.value) or ""
        inner = annotation.slice[0].slice
        if name.rsplit(".", 1)[-1] == "Optional" and isinstance(inner, cst.Index):
            return inner.value
    if isinstance(annotation, cst.BinaryOperation) and isinstance(
        annotation.operator, cst.BitOr
    ):
        for side, other in (
            (annotation.left, annotation.right),
            (annotation.right, annotation.left),
        ):
            if isinstance(other, cst.Name) and other.value == "None":
                return side
    return annotation


def _unquoted(annotation: cst.BaseExpression) -> cst.BaseExpression:
    """`list[dict]` of `"list[dict]"`, as far as a string annotation parses."""
    if isinstance(annotation, cst.SimpleString):
        try:
            return cst.parse_expression(annotation.evaluated_value)
        except (cst.ParserSyntaxError, TypeError):
            return annotation
    return annotation
