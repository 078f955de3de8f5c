"""lazy-load-in-loop in Django's admin: a changelist's rows read a relation per row.

The changelist renders each row's `list_display` columns: a foreign key column shows
`str(row.<fk>)`, a method column runs the method on the row. When `list_display` names a
relation field, Django loads the page with `select_related()`, which follows non-null
foreign keys only (recursively, five levels deep): a nullable one, or a relation a method
reads without any relation field in `list_display`, is a query per row.

The fix sets `list_select_related` to the lookups that load them. A tuple replaces the
automatic `select_related()`, so it lists what that call followed as well (the model's
non-null foreign keys, recursively): the page loads what it loaded before and the
missing relations. No finding when the admin sets `list_select_related`, or overrides
`get_queryset`, `get_list_select_related` or `get_list_display` (the page's query or
columns are its own), or when its bases are the project's own classes.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable

import libcst as cst

from n1fix.cst.chains import dotted_name
from n1fix.cst.syntax import walk
from n1fix.orm.dialect import MANY_TO_ONE
from n1fix.rules.base import Applicability, Finding

_OWN_QUERY = {
    "list_select_related",
    "get_queryset",
    "get_list_select_related",
    "get_list_display",
}
_MAX_DEPTH = 5  # how deep Django's `select_related()` follows foreign keys


@dataclass
class AdminPlan:
    """`list_select_related = (...)` added to an admin class after `after`."""

    site: cst.CSTNode  # the finding's node
    after: cst.BaseStatement  # the `list_display = ...` statement
    lookups: tuple[str, ...]


def find_admin(ctx, rule) -> Iterable[Finding]:
    registered = _registrations(ctx.module)
    for statement in ctx.module.body:
        if isinstance(statement, cst.ClassDef) and _is_model_admin(
            ctx, statement, ctx.module, ctx.imports, 0
        ):
            model_expr = registered.get(statement.name.value) or _decorated(statement)
            if model_expr is None:
                continue
            model = ctx.model_for(model_expr)
            if model is None or model.django is None:
                continue
            yield from _check_admin(rule, ctx, statement, model)


def _is_model_admin(ctx, cls: cst.ClassDef, module, imports, depth: int) -> bool:
    """A `ModelAdmin` whose project bases (followed through the modules they are
    imported from) set none of `_OWN_QUERY` and add no bases but `ModelAdmin`'s."""
    names = [dotted_name(base.value) or "" for base in cls.bases]
    if not names or depth > 3:
        return False
    for name in names:
        if name.rsplit(".", 1)[-1] == "ModelAdmin":
            continue
        base, base_module, base_imports = _project_class(ctx, name, module, imports)
        if base is None or _own_query(base):
            return False
        if not _is_model_admin(ctx, base, base_module, base_imports, depth + 1):
            return False
    return True


def _project_class(ctx, name: str, module, imports):
    """The class `name` names in `module` (defined there or imported from the project),
    with its module and that module's imports."""
    qualified = imports.get(name)
    if qualified is not None:
        module_name, _, name = qualified.rpartition(".")
        module = ctx.project_module(module_name)
        if module is None:
            return None, None, None
        imports = _imports_of(module)
    found = [
        s for s in module.body if isinstance(s, cst.ClassDef) and s.name.value == name
    ]
    if len(found) != 1:
        return None, None, None
    return found[0], module, imports


def _imports_of(module: cst.Module) -> dict[str, str]:
    """`from a.b import C as D` -> {"D": "a.b.C"} (absolute imports only)."""
    found: dict[str, str] = {}
    for statement in module.body:
        if not isinstance(statement, cst.SimpleStatementLine):
            continue
        for small in statement.body:
            if (
                isinstance(small, cst.ImportFrom)
                and not small.relative
                and small.module is not None
                and not isinstance(small.names, cst.ImportStar)
            ):
                source = dotted_name(small.module)
                for alias in small.names:
                    imported = dotted_name(alias.name)
                    local = (
                        alias.asname.name.value
                        if alias.asname is not None
                        and isinstance(alias.asname.name, cst.Name)
                        else imported
                    )
                    found[local] = f"{source}.{imported}"
    return found


def _own_query(cls: cst.ClassDef) -> bool:
    for statement in cls.body.body:
        if (
            isinstance(statement, cst.FunctionDef)
            and statement.name.value in _OWN_QUERY
        ):
            return True
        if isinstance(statement, cst.SimpleStatementLine):
            for small in statement.body:
                if isinstance(small, cst.Assign) and any(
                    isinstance(t.target, cst.Name) and t.target.value in _OWN_QUERY
                    for t in small.targets
                ):
                    return True
    return False


def _decorated(cls: cst.ClassDef) -> cst.BaseExpression | None:
    """`@admin.register(Book)`: the one model the class is registered for."""
    for decorator in cls.decorators:
        call = decorator.decorator
        if (
            isinstance(call, cst.Call)
            and (dotted_name(call.func) or "").rsplit(".", 1)[-1] == "register"
            and len(call.args) == 1
            and call.args[0].keyword is None
        ):
            return call.args[0].value
    return None


def _registrations(module: cst.Module) -> dict[str, cst.BaseExpression]:
    """`admin.site.register(Book, BookAdmin)`: admin class name -> the model."""
    found: dict[str, cst.BaseExpression] = {}
    for statement in module.body:
        if not isinstance(statement, cst.SimpleStatementLine):
            continue
        for small in statement.body:
            call = small.value if isinstance(small, cst.Expr) else None
            if (
                isinstance(call, cst.Call)
                and (dotted_name(call.func) or "").endswith("site.register")
                and len(call.args) == 2
                and isinstance(call.args[1].value, cst.Name)
            ):
                found[call.args[1].value.value] = call.args[0].value
    return found


def _check_admin(rule, ctx, cls: cst.ClassDef, model) -> Iterable[Finding]:
    assigned: dict[str, tuple[cst.BaseStatement, cst.BaseExpression]] = {}
    methods: dict[str, cst.FunctionDef] = {}
    for statement in cls.body.body:
        if isinstance(statement, cst.FunctionDef):
            methods[statement.name.value] = statement
        elif isinstance(statement, cst.SimpleStatementLine):
            for small in statement.body:
                if isinstance(small, cst.Assign) and len(small.targets) == 1:
                    target = small.targets[0].target
                    if isinstance(target, cst.Name):
                        assigned[target.value] = (statement, small.value)
    if _OWN_QUERY & (set(assigned) | set(methods)) or "list_display" not in assigned:
        return
    statement, value = assigned["list_display"]
    if not isinstance(value, (cst.Tuple, cst.List)):
        return
    entries: list[tuple[str, cst.SimpleString]] = []
    for element in value.elements:
        if isinstance(element.value, cst.SimpleString):
            entries.append((str(element.value.evaluated_value), element.value))
    index = ctx.project.models
    related_field = any(_foreign_key(model, name) is not None for name, _ in entries)
    needed: list[tuple[tuple[str, ...], cst.CSTNode, str]] = []
    for name, node in entries:
        rel = _foreign_key(model, name)
        if rel is not None:
            if _nullable(model, rel):
                needed.append(((name,), node, f"`{name}` (a nullable foreign key)"))
            continue
        method = methods.get(name)
        if method is None:
            continue
        for path, read in _method_reads(ctx, method, model):
            if related_field and _non_null_path(index, model, path):
                continue  # Django's select_related() follows it
            needed.append((path, read, f"`{ctx.code(read)}` in `{name}()`"))
    if not needed:
        return
    followed, complete = _followed(index, model, (), 0) if related_field else ([], True)
    lookups = maximal_lookups([path for path, _, _ in needed] + followed)
    text = ", ".join(f'"{lookup}"' for lookup in lookups)
    text = f"({text},)" if len(lookups) == 1 else f"({text})"
    reads = ", ".join(why for _, _, why in needed)
    message = (
        f"the changelist of `{cls.name.value}` reads {reads} once per row (1 + N round"
        f" trips); load it with the page: `list_select_related = {text}`"
    )
    applicability, note = Applicability.SAFE, None
    if not complete:
        applicability = Applicability.UNSAFE
        note = (
            "`list_select_related` replaces the `select_related()` Django runs, which"
            " also follows the foreign keys of models n1fix cannot read"
        )
    elif any(
        path for path, node, _ in needed if not isinstance(node, cst.SimpleString)
    ):
        applicability = Applicability.UNSAFE
        note = (
            "a method reads the relation: n1fix does not check that it does for every"
            " row, and the page now loads it for every row"
        )
    plan = AdminPlan(needed[0][1], statement, tuple(lookups))
    yield rule.finding_at(ctx, needed[0][1], message, applicability, note, plan=plan)


def _foreign_key(model, name: str):
    rel = model.relationship(name)
    if (
        rel is None
        or rel.direction != MANY_TO_ONE
        or rel.uselist is not False
        or not rel.foreign_key_attrs
    ):
        return None
    return rel


def _nullable(model, rel) -> bool:
    column = model.column(rel.foreign_key_attrs[0])
    return column is None or column.nullable


def _method_reads(ctx, method: cst.FunctionDef, model):
    """Foreign key paths a `list_display` method reads on its row (`obj.author.name`:
    `("author",)`), each with its first read."""
    params = method.params.params
    if len(params) != 2:
        return []
    row = params[1].name.value
    found: dict[tuple[str, ...], cst.CSTNode] = {}
    for node in walk(method.body):
        if not isinstance(node, cst.Attribute):
            continue
        chain = []
        base: cst.BaseExpression = node
        while isinstance(base, cst.Attribute):
            chain.append(base)
            base = base.value
        if not isinstance(base, cst.Name) or base.value != row:
            continue
        chain.reverse()
        current, path = model, ()
        for attribute in chain:
            rel = _foreign_key(current, attribute.attr.value) if current else None
            if rel is None:
                break
            path = path + (rel.attr,)
            found.setdefault(path, attribute)
            current = ctx.project.models.get(rel.target) if rel.target else None
    return [
        (path, node)
        for path, node in found.items()
        if not any(other[: len(path)] == path and other != path for other in found)
    ]


def _non_null_path(index, model, path: tuple[str, ...]) -> bool:
    current = model
    for depth, attr in enumerate(path):
        if current is None or depth >= _MAX_DEPTH:
            return False
        rel = _foreign_key(current, attr)
        if rel is None or _nullable(current, rel):
            return False
        current = index.get(rel.target) if rel.target else None
    return True


def _followed(index, model, prefix, depth) -> tuple[list[tuple[str, ...]], bool]:
    """The non-null foreign key paths Django's `select_related()` follows from `model`,
    and whether every model on the way is known."""
    paths: list[tuple[str, ...]] = []
    complete = True
    for rel in model.relationships.values():
        if _foreign_key(model, rel.attr) is None or _nullable(model, rel):
            continue
        if rel.attr.endswith("_ptr"):
            continue  # a parent link: the parent's table is joined anyway
        path = prefix + (rel.attr,)
        paths.append(path)
        target = index.get(rel.target) if rel.target else None
        if target is None:
            complete = False
            continue
        if depth + 1 < _MAX_DEPTH:
            more, known = _followed(index, target, path, depth + 1)
            paths.extend(more)
            complete = complete and known
    return paths, complete


def maximal_lookups(paths: list[tuple[str, ...]]) -> list[str]:
    """The lookups, a path left out when a longer one starts with it, in order."""
    unique = list(dict.fromkeys(paths))
    return [
        "__".join(path)
        for path in unique
        if not any(other[: len(path)] == path and other != path for other in unique)
    ]
