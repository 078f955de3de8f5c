"""Whether a batch's keys miss rows because the project normalises the key column.

A project that stores a column's values normalised (`Realm(name=name.lower())`) and
compares them with values it did not normalise relies on the database's collation to
find `myrealm` for `MyRealm` (MySQL's default ignores case). A batch that matches the
fetched rows to the keys in Python (a dict by the column) would not find it: unless the
loop's key itself applies the same methods, such a batch is not offered.
"""

from __future__ import annotations

import libcst as cst

from n1fix.analysis.string_collation import is_string_type


def normalised_column_miss(ctx, model, column, key_expr) -> str | None:
    """Why the batch's dict lookup by `key_expr` may miss rows SQL's `==` found on
    `column`, a string column whose values the project normalises; None when it does
    not, or the key applies every method it uses."""
    if not (is_string_type(column.type) or is_string_type(column.python_type)):
        return None
    index = ctx.project.models
    if index is None:
        return None
    sites = index.normalised_sites(model.qualname, column.attr)
    if not sites:
        return None
    methods = sorted({method for _, _, used in sites for method in used})
    if set(methods) <= _key_methods(key_expr):
        return None
    path, line, used = sites[0]
    more = f" and {len(sites) - 1} more" if len(sites) > 1 else ""
    return (
        f"the project normalises `{model.name}.{column.attr}` with "
        f"{', '.join(f'`.{m}()`' for m in used)} ({path}:{line}{more}) and the keys are "
        "not: it relies on the database's collation to match them, the batch's dict "
        "lookup would miss those rows"
    )


def _key_methods(key_expr: cst.BaseExpression) -> set[str]:
    """The methods the key's own chain of method calls applies (`name.strip().lower()`:
    strip, lower)."""
    methods: set[str] = set()
    node = key_expr
    while isinstance(node, cst.Call) and isinstance(node.func, cst.Attribute):
        methods.add(node.func.attr.value)
        node = node.func.value
    return methods
