"""What lazy-load-in-loop's gate and survey read of a file with `ast`, before LibCST.

Each answer is a superset of what the check (`analysis`, `drf`, `admin`) could report
on: a file no loop of which may run over a query's rows, and that holds no list view or
admin changelist, never reaches LibCST for this rule.
"""

from __future__ import annotations

import ast

from n1fix.analysis.ast_rows import QueryRows, loop_rows
from n1fix.cst.astwalk import ast_dotted_name, child_nodes, nodes_of

# DRF's own list views, the only ones `drf` reads.
LIST_VIEWS = {
    "ListAPIView",
    "ListCreateAPIView",
    "ModelViewSet",
    "ReadOnlyModelViewSet",
}

_NESTED_SCOPES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)


def may_hold_list_view(tree: ast.Module) -> bool:
    """A module-level class that may be a DRF list view (`drf.find_drf`: a list view's
    bases and a `queryset`) or a model admin with a literal `list_display`
    (`admin._check_admin`)."""
    for statement in tree.body:
        if not isinstance(statement, ast.ClassDef):
            continue
        assigned = _class_assignments(statement)
        if isinstance(assigned.get("list_display"), (ast.Tuple, ast.List)):
            return True
        if "queryset" in assigned and _list_view_bases(statement):
            return True
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
    """`attr` of every `name.attr` read in a loop that may run over a query's rows, on a
    name the loop binds (its target, a nested loop's, an assignment in its body).

    A superset of what the check follows (`analysis._check_loop`): it starts at a
    synchronous loop whose item is one name, over rows `row_source` finds (see
    `n1fix.analysis.ast_rows`), and every path it reads begins with
    `row.<relationship>` on a name bound in that loop; `self.attr` or a parameter's
    attributes are not such reads."""
    rows = QueryRows(tree)
    found: set[str] = set()
    stack: list[ast.AST] = [tree]
    while stack:
        node = stack.pop()
        loop = loop_rows(node)
        if (
            loop is not None
            and isinstance(loop[0], ast.Name)
            and rows.may_hold(loop[1])
        ):
            found |= _bound_attributes(node, stack)
        else:
            stack.extend(child_nodes(node))
    return found


def _bound_attributes(loop: ast.AST, scopes: list[ast.AST]) -> set[str]:
    """The attributes read on names bound in the loop (its own scope only: the functions
    and classes in it are added to `scopes`, to be read on their own)."""
    bound: set[str] = set()
    reads: list[ast.Attribute] = []
    stack = [loop]
    while stack:
        node = stack.pop()
        if isinstance(node, _NESTED_SCOPES):
            scopes.append(node)
            continue
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            bound.add(node.id)
        elif isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
            reads.append(node)
        stack.extend(child_nodes(node))
    return {node.attr for node in reads if node.value.id in bound}


# What `templates` reads: Django's renderers, by their last name, with the positions and
# keywords of the template name and the context (`templates._RENDERERS`), and the
# generic views it follows.
_RENDERERS = {
    "render": (1, 2, "template_name", "context"),
    "TemplateResponse": (1, 2, "template", "context"),
    "render_to_string": (0, 1, "template_name", "context"),
}
_GENERIC_VIEWS = {"ListView", "DetailView"}


def may_render_template(tree: ast.Module) -> bool:
    """A view `templates.find_templated` may read: a call of a renderer inside a
    function, with a literal template name and a context that is a dict or a name
    (`_function_views`), or a module-level class with a `ListView` / `DetailView` base
    whose other bases may be Django's (`_generic_kind`: a base of the project's may
    render otherwise). Names are read by their last part, or through an import's `as`:
    the check qualifies them by the imports."""
    aliases = _import_aliases(tree, set(_RENDERERS) | _GENERIC_VIEWS)
    django_names = _maybe_django_names(tree)
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
            return True
    stack: list[tuple[ast.AST, bool]] = [(tree, False)]
    while stack:
        node, in_function = stack.pop()
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            in_function = True
        elif in_function and isinstance(node, ast.Call):
            renderer = _RENDERERS.get(_last_name(node.func, aliases))
            if renderer is not None and _may_render(node, *renderer):
                return True
        stack.extend((child, in_function) for child in child_nodes(node))
    return False


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


def _may_render(
    call: ast.Call, name_at: int, context_at: int, name_kw: str, context_kw: str
) -> bool:
    """A literal template name and a context dict or name, where `templates._argument`
    finds them; a `*` or `**` argument may hold them."""
    if any(isinstance(a, ast.Starred) for a in call.args) or any(
        k.arg is None for k in call.keywords
    ):
        return True
    keywords = {k.arg: k.value for k in call.keywords}

    def argument(position: int, keyword: str) -> ast.AST | None:
        if position < len(call.args):
            return call.args[position]
        return keywords.get(keyword)

    template = argument(name_at, name_kw)
    context = argument(context_at, context_kw)
    return (
        isinstance(template, ast.Constant)
        and isinstance(template.value, (str, bytes))
        and isinstance(context, (ast.Dict, ast.Name))
    )
