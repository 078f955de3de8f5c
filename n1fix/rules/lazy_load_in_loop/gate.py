"""What lazy-load-in-loop's gate and survey read of a file with `ast`, before LibCST.

Each answer is a superset of what the check (`analysis`, `drf`, `admin`, `templates`)
could report on: a file no loop of which may run over a query's rows, that holds no list
view or admin changelist, and none of whose views renders a template that is found,
never reaches LibCST for this rule.
"""

from __future__ import annotations

import ast
from pathlib import Path

from n1fix.analysis.ast_query_keys import chain_below, django_only
from n1fix.analysis.ast_rows import QueryRows, loop_rows
from n1fix.cst.astwalk import (
    ast_dotted_name,
    ast_target_names,
    below_any,
    child_nodes,
    nodes_of,
    nodes_within,
    owner_scope,
)
from n1fix.orm.django_template_places import (
    find_template,
    places_fact,
    template_places,
)
from n1fix.orm.imports import note_fact
from n1fix.rules.query_in_loop.kept_querysets import ROW_CHAIN

# DRF's own list views, the only ones `drf` reads.
LIST_VIEWS = {
    "ListAPIView",
    "ListCreateAPIView",
    "ModelViewSet",
    "ReadOnlyModelViewSet",
}

_NESTED_SCOPES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)
_COMPREHENSIONS = (ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)


def may_hold_list_view(tree: ast.Module) -> bool:
    """A module-level class that may be a DRF list view `drf._check_view` reads, or a
    model admin with a literal `list_display` (`admin._check_admin`)."""
    for statement in tree.body:
        if not isinstance(statement, ast.ClassDef):
            continue
        assigned = _class_assignments(statement)
        if isinstance(assigned.get("list_display"), (ast.Tuple, ast.List)):
            return True
        if "queryset" in assigned and _list_view_bases(statement):
            if _may_serialize_its_queryset(statement, assigned):
                return True
    return False


def _may_serialize_its_queryset(cls: ast.ClassDef, assigned: dict) -> bool:
    """What `drf._check_view` wants of a list view besides its `queryset`: neither
    `get_serializer` nor `list` of its own, a `get_queryset` (if any) whose every
    `return` starts from `super().get_queryset()`, and a serializer it can name (a
    `serializer_class` name, or a `get_serializer_class`)."""
    methods = {
        statement.name: statement
        for statement in cls.body
        if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef))
    }
    if "get_serializer" in methods or "list" in methods:
        return False
    if _no_rows(_queryset_read(cls)):
        return False
    narrowing = methods.get("get_queryset")
    if narrowing is not None:
        returns = _own_returns(narrowing)
        if not returns or not all(_from_super_queryset(r.value) for r in returns):
            return False
    return (
        isinstance(assigned.get("serializer_class"), ast.Name)
        or "get_serializer_class" in methods
    )


def _queryset_read(cls: ast.ClassDef) -> ast.AST | None:
    """The `queryset` `drf._class_attributes` reads: the last one-target assignment of
    the class body, or annotated assignment with a value."""
    found = None
    for statement in cls.body:
        if isinstance(statement, ast.Assign) and len(statement.targets) == 1:
            target = statement.targets[0]
        elif isinstance(statement, ast.AnnAssign) and statement.value is not None:
            target = statement.target
        else:
            continue
        if isinstance(target, ast.Name) and target.id == "queryset":
            found = statement.value
    return found


def _no_rows(queryset: ast.AST | None) -> bool:
    """A `queryset` `drf._check_view` finds no rows in: it reads them with `row_source`
    (without following helpers), which wants a query of a list of rows. A chain on
    `Cls.attr` that only Django reads (`ast_query_keys.django_only`) is one only when
    every call on it keeps a QuerySet of rows (`DjangoDialect.query_shape` gives up at
    any other method, and no terminal gives a list): `Event.objects.none()` is none."""
    if not isinstance(queryset, (ast.Call, ast.Await)):
        return False
    path = chain_below(queryset)
    return django_only(path) and any(
        type(part) is ast.Call
        and type(part.func) is ast.Attribute
        and part.func.attr not in ROW_CHAIN
        for part in path
    )


def _own_returns(function: ast.AST) -> list[ast.Return]:
    """The `return`s of `function` itself, not of a function or class in it."""
    found: list[ast.Return] = []
    stack = list(child_nodes(function))
    while stack:
        node = stack.pop()
        if isinstance(node, _NESTED_SCOPES):
            continue
        if isinstance(node, ast.Return):
            found.append(node)
        stack.extend(child_nodes(node))
    return found


def _from_super_queryset(value: ast.AST | None) -> bool:
    """A chain starting from `super().get_queryset()` (`drf._super_queryset`)."""
    while isinstance(value, ast.Call) and isinstance(value.func, ast.Attribute):
        inner = value.func.value
        if (
            value.func.attr == "get_queryset"
            and isinstance(inner, ast.Call)
            and isinstance(inner.func, ast.Name)
            and inner.func.id == "super"
        ):
            return True
        value = inner
    return False


def _class_assignments(cls: ast.ClassDef) -> dict[str, ast.AST | None]:
    assigned: dict[str, ast.AST | None] = {}
    for statement in cls.body:
        if isinstance(statement, ast.Assign):
            for target in statement.targets:
                if isinstance(target, ast.Name):
                    assigned[target.id] = statement.value
        elif isinstance(statement, ast.AnnAssign) and isinstance(
            statement.target, ast.Name
        ):
            assigned[statement.target.id] = statement.value
    return assigned


def _list_view_bases(cls: ast.ClassDef) -> bool:
    names = [(ast_dotted_name(base) or "").rsplit(".", 1)[-1] for base in cls.bases]
    return any(name in LIST_VIEWS for name in names) and all(
        name in LIST_VIEWS or name.endswith("Mixin") for name in names
    )


def attributes_of_loop_names(tree: ast.Module) -> set[str]:
    """`attr` of every `row.attr` read in a loop that may run over a query's rows,
    where `row` is the name the loop binds to each row.

    A superset of the first steps of what the check follows (`analysis._check_loop`):
    it starts at a synchronous loop whose item is one name (`loop_rows` reads it as
    `analysis._rows_of` does, through `enumerate` / `sorted` ...), over rows
    `row_source` finds (see `n1fix.analysis.ast_rows`), with that one name bound to
    the rows' model (`env`). Every other name it follows is bound later to what a
    relationship path from that name holds (`x = row.rel`, `for x in row.rel`), so
    every path it records, a related manager's call included, starts with a
    relationship read as `row.<relationship>` on the loop's own name, in the loop
    and not in a function, class or lambda inside it (`_Reads.visit` stops there).
    `self.attr`, a parameter's attributes, or another loop variable's are not such
    reads; a nested loop over rows of its own is read as a loop of its own.

    Rows named by a name count only where `row_source` may read that name's one
    binding (`_OneBinding`)."""
    rows = QueryRows(tree)
    bound = _OneBinding(tree, rows)
    found: set[str] = set()
    # Every loop of the index, each read on its own: a function in a loop holds loops
    # of its own.
    for node in nodes_of(tree, ast.For, *_COMPREHENSIONS):
        loop = loop_rows(node)
        if (
            loop is not None
            and isinstance(loop[0], ast.Name)
            and rows.may_hold(loop[1])
            and bound.may_hold(node, loop[1])
        ):
            found |= _row_attributes(tree, node, loop[0].id)
    return found


class _OneBinding:
    """`row_source` reads rows named by a name only through the one binding the
    function around the loop gives it (`bindings`: its named parameters, and the
    assignments, loop and comprehension targets, augmented assignments and walruses of
    its own scope, not of a function, class or lambda in it); with two or more it
    finds no rows, and with one it reads that value (a parameter's or a loop target's
    is none). Of those bindings this counts the ones it is sure of (named parameters,
    plain and annotated assignments to the name, `for` targets), for a loop directly
    in a function: two or more, or one that is no value `QueryRows` may read as
    rows, and the check finds no rows there. Anything else is left to `QueryRows`."""

    def __init__(self, tree: ast.Module, rows: QueryRows) -> None:
        self._tree, self._rows = tree, rows
        # A function's id -> name -> the values it is bound to (None: no value).
        self._bindings: dict[int, dict[str, list[ast.AST | None]]] = {}

    def may_hold(self, loop: ast.AST, iterable: ast.AST) -> bool:
        if not isinstance(iterable, ast.Name):
            return True
        function = owner_scope(self._tree, loop)
        if not isinstance(function, (ast.FunctionDef, ast.AsyncFunctionDef)):
            return True
        values = self._of(function).get(iterable.id, [])
        if not values:
            return True
        if len(values) > 1 or values[0] is None:
            return False
        return self._rows.may_hold(values[0])

    def _of(self, function: ast.AST) -> dict[str, list[ast.AST | None]]:
        found = self._bindings.get(id(function))
        if found is not None:
            return found
        found = self._bindings[id(function)] = {}
        args = function.args
        for arg in (*args.posonlyargs, *args.args, *args.kwonlyargs):
            found.setdefault(arg.arg, []).append(None)
        tree = self._tree
        for node in nodes_within(
            tree, function, ast.Assign, ast.AnnAssign, ast.For, ast.AsyncFor
        ):
            if owner_scope(tree, node) is not function:
                continue
            # One binding per statement and name, as `bindings` counts them.
            if isinstance(node, ast.Assign):
                names = {t.id for t in node.targets if isinstance(t, ast.Name)}
                value = node.value
            elif isinstance(node, ast.AnnAssign):
                names = {node.target.id} if isinstance(node.target, ast.Name) else set()
                value = node.value
            else:
                names, value = set(ast_target_names(node.target)), None
            for name in names:
                found.setdefault(name, []).append(value)
        return found


def _row_attributes(tree: ast.Module, loop: ast.AST, row: str) -> set[str]:
    """The attributes read on the name `row` in `loop` (its own scope only: the
    functions, classes and lambdas in it are read on their own)."""
    reads = [
        node
        for node in nodes_within(tree, loop, ast.Attribute)
        if type(node.value) is ast.Name and node.value.id == row
    ]
    if not reads:
        return set()
    scopes = nodes_within(tree, loop, *_NESTED_SCOPES)
    if scopes:
        inside = {id(node) for node in below_any(tree, scopes, reads)}
        reads = [node for node in reads if id(node) not in inside]
    return {node.attr for node in reads}


# What `templates` reads: Django's renderers, by their last name, with the positions and
# keywords of the template name and the context (`templates._RENDERERS`), and the
# generic views it follows.
_RENDERERS = {
    "render": (1, 2, "template_name", "context"),
    "TemplateResponse": (1, 2, "template", "context"),
    "render_to_string": (0, 1, "template_name", "context"),
}
_GENERIC_VIEWS = {"ListView", "DetailView"}


# A class view whose template name is Django's default (`<app>/<model>_list.html`):
# which one depends on its model's app, a fact of the project.
DEFAULT_TEMPLATE = "*"


def may_render_template(tree: ast.Module) -> bool:
    """A view `templates.find_templated` may read (see `rendered_templates`)."""
    return bool(rendered_templates(tree))


def rendered_templates(tree: ast.Module) -> list[str]:
    """The names of the templates the views `templates.find_templated` may read render
    (sorted; `DEFAULT_TEMPLATE` for a class view with no `template_name` of its own):
    a call of a renderer inside a function, with a literal template name and a context
    that is a dict or a name (`_function_views`), or a module-level class with a
    `ListView` / `DetailView` base whose other bases may be Django's (`_generic_kind`:
    a base of the project's may render otherwise). Names are read by their last part,
    or through an import's `as`: the check qualifies them by the imports. The check
    reads a view only when its template is found (`render_tree`)."""
    aliases = _import_aliases(tree, set(_RENDERERS) | _GENERIC_VIEWS)
    django_names = _maybe_django_names(tree)
    names: set[str] = set()
    for statement in tree.body:
        if not isinstance(statement, ast.ClassDef):
            continue
        kinds = [
            _last_name(base, aliases) in _GENERIC_VIEWS for base in statement.bases
        ]
        if any(kinds) and all(
            kind or _head(base) in django_names
            for kind, base in zip(kinds, statement.bases)
        ):
            names.update(_class_template(statement))
    # Renderer calls anywhere inside a function, read off the file's node index.
    calls = [
        node
        for node in nodes_of(tree, ast.Call)
        if _last_name(node.func, aliases) in _RENDERERS
    ]
    functions = nodes_of(tree, ast.FunctionDef, ast.AsyncFunctionDef)
    for call in below_any(tree, functions, calls):
        names.update(_rendered(call, *_RENDERERS[_last_name(call.func, aliases)]))
    return sorted(names)


def templates_found(root: Path, names: list[str]) -> bool:
    """Is one of the templates `names` (`rendered_templates`) found where Django looks
    it up? The check reads a view only then (`template_reads.render_tree`); a default
    name is taken as found wherever the places are known. Each place looked at is
    noted as read (`find_template`), and the places as a project fact: the run memo
    keys a file this turned away on them, as the results cache keys a check."""
    root = Path(root)
    note_fact("template_places", root, places_fact(root))
    for name in names:
        if name == DEFAULT_TEMPLATE:
            if template_places(root).known:
                return True
        elif find_template(root, name) is not None:
            return True
    return False


def _class_template(cls: ast.ClassDef) -> set[str]:
    """The literal `template_name`s a class view assigns, or `DEFAULT_TEMPLATE` when it
    assigns none (a computed one is a view the check does not read)."""
    values = [
        value
        for statement in cls.body
        for target, value in _assignment(statement)
        if isinstance(target, ast.Name) and target.id == "template_name"
    ]
    if not values:
        return {DEFAULT_TEMPLATE}
    return {name for value in values if (name := _literal(value)) is not None}


def _import_aliases(tree: ast.Module, names: set[str]) -> dict[str, str]:
    """`as` names the file's imports give to `names` (`render as r`: `r` -> `render`)."""
    return {
        alias.asname: alias.name
        for node in nodes_of(tree, ast.ImportFrom)
        for alias in node.names
        if alias.asname and alias.name in names
    }


def _maybe_django_names(tree: ast.Module) -> set[str]:
    """Names the imports bind that may qualify to `django.`: imported from a `django`
    module, or relatively (the project may be Django itself)."""
    names: set[str] = set()
    for node in nodes_of(tree, ast.Import, ast.ImportFrom):
        if isinstance(node, ast.Import):
            names.update(
                alias.asname or alias.name.split(".", 1)[0]
                for alias in node.names
                if alias.name.split(".", 1)[0] == "django"
            )
        elif isinstance(node, ast.ImportFrom) and (
            node.level > 0 or (node.module or "").split(".", 1)[0] == "django"
        ):
            names.update(alias.asname or alias.name for alias in node.names)
    return names


def _head(expr: ast.AST) -> str | None:
    while isinstance(expr, ast.Attribute):
        expr = expr.value
    return expr.id if isinstance(expr, ast.Name) else None


def _last_name(expr: ast.AST, aliases: dict[str, str]) -> str:
    if isinstance(expr, ast.Attribute):
        return expr.attr
    if isinstance(expr, ast.Name):
        return aliases.get(expr.id, expr.id)
    return ""


def _assignment(statement: ast.stmt) -> list[tuple[ast.AST, ast.AST]]:
    """(target, value) of a class body's assignment as `drf._class_attributes` reads
    it: one target, and an annotated one only with a value."""
    if isinstance(statement, ast.Assign) and len(statement.targets) == 1:
        return [(statement.targets[0], statement.value)]
    if isinstance(statement, ast.AnnAssign) and statement.value is not None:
        return [(statement.target, statement.value)]
    return []


def _rendered(
    call: ast.Call, name_at: int, context_at: int, name_kw: str, context_kw: str
) -> set[str]:
    """The literal template name where `templates._argument` finds it, when the context
    is a dict or a name there; a `*` or `**` argument may hold the context."""
    keywords = {k.arg: k.value for k in call.keywords}

    def argument(position: int, keyword: str) -> ast.AST | None:
        if position < len(call.args):
            return call.args[position]
        return keywords.get(keyword)

    starred = any(isinstance(a, ast.Starred) for a in call.args) or any(
        k.arg is None for k in call.keywords
    )
    names = {
        name
        for value in (argument(name_at, name_kw), keywords.get(name_kw))
        if value is not None and (name := _literal(value)) is not None
    }
    context = argument(context_at, context_kw)
    if starred or isinstance(context, (ast.Dict, ast.Name)):
        return names
    return set()


def _literal(value: ast.AST) -> str | None:
    """A template name as the check reads it (`str()` of a string's value)."""
    if isinstance(value, ast.Constant) and isinstance(value.value, (str, bytes)):
        return str(value.value)
    return None
