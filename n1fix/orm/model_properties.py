"""Properties of a class that hand out model classes: prefect's database interface.

prefect's model functions query `db.WorkQueue`, with `db: PrefectDBInterface`, whose
property `WorkQueue` is `return orm_models.WorkQueue`: reading the attribute on an
instance gives the model class. Recorded as names of a pseudo-module named after the
class (`<module>.PrefectDBInterface` -> `WorkQueue` -> `<...>.orm_models.WorkQueue`), the
model index makes `<module>.PrefectDBInterface.WorkQueue` an alias of the model, as it
does for a module's re-exports. Only a `@property` whose body is one `return` of a dotted
name (after a docstring) is read: anything else might hand out something else.
"""

from __future__ import annotations

import ast

from n1fix.cst.astwalk import ast_dotted_name, ast_without_docstring


def property_names(cls: ast.ClassDef, qualify) -> tuple[tuple[str, str], ...]:
    """(property, what it returns, qualified by `qualify`) for each such property."""
    found = {}
    for node in cls.body:
        if not isinstance(node, ast.FunctionDef):
            continue
        if [ast_dotted_name(d) for d in node.decorator_list] != ["property"]:
            found.pop(node.name, None)  # a later definition replaces the property
            continue
        body = ast_without_docstring(node.body)
        if len(body) == 1 and isinstance(body[0], ast.Return) and body[0].value:
            returned = ast_dotted_name(body[0].value)
            if returned is not None:
                found[node.name] = qualify(returned)
                continue
        found.pop(node.name, None)
    return tuple(sorted(found.items()))
