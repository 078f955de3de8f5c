"""Names a module binds only as parameters annotated with one class: `db` in prefect.

Every model function of prefect takes `db: PrefectDBInterface` (supplied by
`@db_injector`) and queries `db.WorkQueue`. When the module binds `db` nowhere else (no
assignment, import, loop, `with ... as`, other parameter...), every `db` it reads is such
a parameter, so `db.WorkQueue` is the attribute `WorkQueue` of a `PrefectDBInterface`:
the model index knows what that class's properties hand out (`orm.model_properties`).
The annotation is taken at its word, as everywhere in n1fix.
"""

from __future__ import annotations

import libcst as cst

from n1fix.cst.chains import dotted_name
from n1fix.cst.syntax import target_names, walk_kinds

_UNTYPED = ""  # a name bound otherwise, or under several annotations

# Every class `parameter_classes` reads a binding from.
_BINDERS = frozenset(
    {
        cst.Param,
        cst.Assign,
        cst.AnnAssign,
        cst.AugAssign,
        cst.For,
        cst.CompFor,
        cst.WithItem,
        cst.ExceptHandler,
        cst.NamedExpr,
        cst.FunctionDef,
        cst.ClassDef,
        cst.Import,
        cst.ImportFrom,
        cst.Global,
        cst.Nonlocal,
        cst.MatchAs,
        cst.MatchStar,
        cst.MatchMapping,
    }
)


def parameter_classes(module: cst.Module) -> dict[str, str]:
    """Name -> its annotation as written, for names bound only as parameters that all
    carry that one dotted annotation."""
    seen: dict[str, str] = {}

    def bind(name: str, annotation: str = _UNTYPED) -> None:
        if seen.get(name, annotation) != annotation:
            annotation = _UNTYPED
        seen[name] = annotation

    for node in walk_kinds(module, _BINDERS, into_scopes=True):
        if isinstance(node, cst.Param):
            annotation = (
                dotted_name(node.annotation.annotation)
                if node.annotation is not None
                else None
            )
            bind(node.name.value, annotation or _UNTYPED)
        elif isinstance(node, cst.Assign):
            for target in node.targets:
                for name in _bound(target.target):
                    bind(name)
        elif isinstance(node, (cst.AnnAssign, cst.AugAssign)) or isinstance(
            node, (cst.For, cst.CompFor)
        ):
            for name in _bound(node.target):
                bind(name)
        elif isinstance(node, cst.WithItem) and node.asname is not None:
            for name in _bound(node.asname.name):
                bind(name)
        elif isinstance(node, cst.ExceptHandler) and node.name is not None:
            for name in _bound(node.name.name):
                bind(name)
        elif isinstance(node, cst.NamedExpr):
            for name in _bound(node.target):
                bind(name)
        elif isinstance(node, (cst.FunctionDef, cst.ClassDef)):
            bind(node.name.value)
        elif isinstance(node, (cst.Import, cst.ImportFrom)):
            if isinstance(node.names, cst.ImportStar):
                return {}  # any name may be bound
            for alias in node.names:
                bound = alias.asname.name if alias.asname else alias.name
                bind((dotted_name(bound) or "").partition(".")[0])
        elif isinstance(node, (cst.Global, cst.Nonlocal)):
            for item in node.names:
                bind(item.name.value)
        elif isinstance(node, (cst.MatchAs, cst.MatchStar)) and node.name is not None:
            bind(node.name.value)
        elif isinstance(node, cst.MatchMapping) and node.rest is not None:
            bind(node.rest.value)
    return {name: kind for name, kind in seen.items() if kind != _UNTYPED}


def _bound(target: cst.BaseExpression) -> set[str]:
    return target_names(target)
