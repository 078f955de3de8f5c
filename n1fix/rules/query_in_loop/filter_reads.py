"""What the filters of the query a loop iterates read: the queried entity's own columns
and plain values only, or something else.

A filter that reads another table's columns puts that table in the FROM list: without a
join condition every row of the entity comes once per row of the other table (`select()`
does not de-duplicate entities). Whether a name is such a table is decided from what it is
bound to, not from its spelling: `t = aliased(Template)` and `templates.c.number` read a
table as much as `Template.number` does. A name n1fix cannot trace to a plain value counts
as one that may read a table.
"""

from __future__ import annotations

import libcst as cst

from n1fix.analysis.item_facts import bindings
from n1fix.cst.chains import unwind
from n1fix.cst.syntax import walk

# Chain calls whose arguments are expressions over the FROM list.
_FILTERING = {"where", "filter", "filter_by", "order_by", "distinct"}
# What SQLAlchemy's own helpers build from their arguments: no table of their own.
_SQL_HELPERS = {"and_", "or_", "not_", "func", "true", "false", "null"}
_BUILTINS = {"int", "str", "float", "bool", "len"}
# Attributes that turn a value into a selectable or its columns.
_TABLE_ATTRS = {"c", "columns", "__table__", "table", "alias", "subquery", "cte"}
_CONSTANTS = (
    cst.Integer,
    cst.Float,
    cst.Imaginary,
    cst.SimpleString,
    cst.ConcatenatedString,
)
_ENTITY, _VALUE = "entity", "value"


def pinned_by_values(ctx, source, ancestry) -> set[str] | None:
    """The entity's columns the query fixes by `==` to a value that reads no column, when
    every filter reads only the entity's columns and plain values; else None."""
    entity = source.entity_code
    seen: set[int] = set()
    for expression in (source.layout, source.chain):
        for method in unwind(expression)[1]:
            if method.name not in _FILTERING or id(method.call) in seen:
                continue
            seen.add(id(method.call))
            for arg in method.call.args:
                if _reads(ctx, arg.value, entity, ancestry) is None:
                    return None
    pinned: set[str] = set()
    for pred in source.shape.predicates:
        if not pred.attr or (pred.model is not None and pred.model != entity):
            continue
        if isinstance(pred.value, cst.Name) and pred.value.value == "None":
            continue
        # `Link.a == Link.b` fixes `a` per row, not for the query.
        if _reads(ctx, pred.value, entity, ancestry) == {_VALUE}:
            pinned.add(pred.attr)
    return pinned


def _reads(ctx, node, entity: str, ancestry, depth: int = 0) -> set[str] | None:
    """{"entity"} and/or {"value"}: what the expression reads; None when it may read
    another table, or a name n1fix cannot trace."""
    if depth > 8:
        return None
    if ctx.code(node) == entity:
        return {_ENTITY}
    if isinstance(node, _CONSTANTS):
        return {_VALUE}
    if isinstance(node, cst.FormattedString):
        return _all(
            ctx,
            [
                part.expression
                for part in node.parts
                if isinstance(part, cst.FormattedStringExpression)
            ],
            entity,
            ancestry,
            depth,
        )
    if isinstance(node, cst.Name):
        return _name_reads(ctx, node, entity, ancestry, depth)
    if isinstance(node, cst.Attribute):
        if ctx.code(node.value) == entity:
            return {_ENTITY}
        if node.attr.value in _TABLE_ATTRS:
            return None
        return _reads(ctx, node.value, entity, ancestry, depth)
    if isinstance(node, cst.Call):
        return _call_reads(ctx, node, entity, ancestry, depth)
    if isinstance(node, cst.Comparison):
        return _all(
            ctx,
            [node.left, *(c.comparator for c in node.comparisons)],
            entity,
            ancestry,
            depth,
        )
    if isinstance(node, (cst.BinaryOperation, cst.BooleanOperation)):
        return _all(ctx, [node.left, node.right], entity, ancestry, depth)
    if isinstance(node, cst.UnaryOperation):
        return _reads(ctx, node.expression, entity, ancestry, depth)
    if isinstance(node, (cst.Tuple, cst.List, cst.Set)):
        return _all(
            ctx, [element.value for element in node.elements], entity, ancestry, depth
        )
    if isinstance(node, cst.Subscript):
        parts = [node.value]
        for element in node.slice:
            if not isinstance(element.slice, cst.Index):
                return None
            parts.append(element.slice.value)
        return _all(ctx, parts, entity, ancestry, depth)
    return None


def _call_reads(ctx, call: cst.Call, entity: str, ancestry, depth: int):
    """A call's arguments, and what the callee returns: a query's rows, a builtin's or
    SQLAlchemy helper's value, a model's own method (`Template.get(id)`: not a column of
    it), or what every `return` of a function of this module gives."""
    shape = ctx.orm.query_shape(call)
    if shape is not None and shape.entity is not None and shape.terminal is not None:
        return {_VALUE}  # a query run apart (`.get()`, `.first()`): rows, values here
    args = _all(ctx, [arg.value for arg in call.args], entity, ancestry, depth)
    if args is None:
        return None
    func = call.func
    if isinstance(func, cst.Name) and func.value in _BUILTINS:
        return args
    if isinstance(func, cst.Name) and not bindings(func.value, ancestry):
        helper = _module_function(ctx.module, func.value)
        if helper is not None:
            returned = _returns_reads(ctx, helper, entity, depth)
            return None if returned is None else args | returned
    if isinstance(func, cst.Attribute) and func.attr.value not in _TABLE_ATTRS:
        model = ctx.model_for(func.value)
        if (
            model is not None
            and ctx.code(func.value) != entity
            and model.column(func.attr.value) is None
            and model.relationship(func.attr.value) is None
            and not _bound_in_function(func.value, ancestry)
        ):
            return args  # a query or constructor method of the model: rows, values
    callee = _reads(ctx, func, entity, ancestry, depth)
    return None if callee is None else args | callee


def _bound_in_function(node: cst.BaseExpression, ancestry) -> bool:
    head = node
    while isinstance(head, cst.Attribute):
        head = head.value
    return isinstance(head, cst.Name) and bool(bindings(head.value, ancestry))


def _module_function(module: cst.Module, name: str) -> cst.FunctionDef | None:
    """The module-level function `name`, when nothing else of the module binds it."""
    values = _module_values(module, name)
    found = [
        s
        for s in module.body
        if isinstance(s, cst.FunctionDef) and s.name.value == name
    ]
    return found[0] if len(found) == 1 and len(values) == 1 else None


def _returns_reads(ctx, helper: cst.FunctionDef, entity: str, depth: int):
    if any(isinstance(n, (cst.Yield, cst.Await)) for n in walk(helper.body)):
        return None
    found: set[str] = set()
    for node in walk(helper.body):
        if isinstance(node, (cst.FunctionDef, cst.ClassDef, cst.Lambda)):
            return None  # a nested scope's returns are not the function's
        if isinstance(node, cst.Return):
            if node.value is None:
                found.add(_VALUE)
                continue
            reads = _reads(
                ctx, node.value, entity, [ctx.module, helper, node], depth + 1
            )
            if reads is None:
                return None
            found |= reads
    return found or {_VALUE}


def _all(ctx, nodes, entity: str, ancestry, depth: int) -> set[str] | None:
    found: set[str] = set()
    for node in nodes:
        reads = _reads(ctx, node, entity, ancestry, depth)
        if reads is None:
            return None
        found |= reads
    return found or {_VALUE}


def _name_reads(
    ctx, node: cst.Name, entity: str, ancestry, depth: int
) -> set[str] | None:
    """A name: a constant, SQLAlchemy's helpers, a parameter, or a variable bound once
    (in the function, else in the module) to a plain value."""
    name = node.value
    if name in ("None", "True", "False"):
        return {_VALUE}
    found = bindings(name, ancestry)
    if found:
        if len(found) != 1:
            return None
        value, _ = found[0]
        if value is None:
            return _parameter(name, ancestry)
        return _reads(ctx, value, entity, ancestry, depth + 1)
    qualified = ctx.imports.get(name)
    if qualified is not None:
        module, _, last = qualified.rpartition(".")
        if module.split(".")[0] == "sqlalchemy" and last in _SQL_HELPERS:
            return {_VALUE}
        return None  # a model, a table or an alias defined elsewhere, or unknown
    values = _module_values(ctx.module, name)
    if len(values) != 1 or values[0] is None:
        return None
    return _reads(ctx, values[0], entity, [ctx.module], depth + 1)


def _parameter(name: str, ancestry) -> set[str] | None:
    """A parameter of the enclosing function: a value its caller passes (an unbound
    loop target or other binding without a value is not traced)."""
    function = next(
        (n for n in reversed(ancestry) if isinstance(n, cst.FunctionDef)), None
    )
    if function is None:
        return None
    params = function.params
    names = [
        p.name.value
        for p in (*params.posonly_params, *params.params, *params.kwonly_params)
    ]
    return {_VALUE} if name in names else None


def _module_values(module: cst.Module, name: str) -> list[cst.BaseExpression | None]:
    """What the module's top-level statements bind `name` to (None: not an assignment:
    an import, a class, a function, a loop...)."""
    found: list[cst.BaseExpression | None] = []
    for statement in module.body:
        if isinstance(statement, (cst.ClassDef, cst.FunctionDef)):
            if statement.name.value == name:
                found.append(None)
            continue
        if not isinstance(statement, cst.SimpleStatementLine):
            if name in _names_bound(statement):
                found.append(None)
            continue
        for small in statement.body:
            if isinstance(small, cst.Assign):
                for target in small.targets:
                    if isinstance(target.target, cst.Name):
                        if target.target.value == name:
                            found.append(small.value)
                    elif name in _names_bound(target.target):
                        found.append(None)
            elif isinstance(small, (cst.AnnAssign, cst.AugAssign)):
                if name in _names_bound(small.target):
                    found.append(
                        small.value
                        if isinstance(small, cst.AnnAssign)
                        and isinstance(small.target, cst.Name)
                        else None
                    )
            elif isinstance(small, (cst.Import, cst.ImportFrom)):
                if name in _names_bound(small):
                    found.append(None)
    return found


def _names_bound(node: cst.CSTNode) -> set[str]:
    """Every name spelled in `node` (a superset of what it binds: enough to refuse)."""
    return {n.value for n in [node, *walk(node)] if isinstance(n, cst.Name)}
