"""What lazy-load-in-loop's gate and survey read of a file with `ast`, before LibCST.

Each answer is a superset of what the check (`analysis`, `drf`, `admin`) could report
on: a file no loop of which may run over a query's rows, and that holds no list view or
admin changelist, never reaches LibCST for this rule.
"""

from __future__ import annotations

import ast

from n1fix.analysis.ast_rows import QueryRows, loop_rows
from n1fix.cst.astwalk import ast_dotted_name, child_nodes

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
