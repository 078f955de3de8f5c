"""A 1.x query built in steps: `q = session.query(M)`, then `q.filter_by(k=key).first()`.

    for url in urls:
        obj = meta.Session.query(cls).autoflush(False)
        data = obj.filter_by(url=url).order_by(text("tracking_date desc")).first()

(CKAN's tracking summaries.) The Query object in `obj` runs nothing until `.first()`:
the lookup is the chain written out, `meta.Session.query(cls).autoflush(False)
.filter_by(url=url)...first()`. It is read that way when the loop body binds the name
once, before the lookup, to a Query no call has run yet (a query that already ran,
`rows = q.all()`, is a list, and `rows.count(x)` no query). The
shape remembers the real expression (to report and replace) and the binding, which the
rewrite removes when nothing else reads it, as for a statement in a variable.
"""

from __future__ import annotations

import libcst as cst

from n1fix.orm.dialect import QueryShape, Style


def recognize_through_query_variable(
    orm, node: cst.BaseExpression, ancestry: list[cst.CSTNode], binding_of
) -> QueryShape | None:
    """The query `node` runs on a Query a name of the loop body holds; None when it is
    not one. `binding_of(name, ancestry)` gives the one `name = ...` line of the loop
    body before the query."""
    call = node.expression if isinstance(node, cst.Await) else node
    base = call
    while isinstance(base, (cst.Call, cst.Attribute)):
        base = base.func if isinstance(base, cst.Call) else base.value
    if not isinstance(base, cst.Name) or base is call:
        return None
    binding = binding_of(base.value, ancestry)
    if binding is None:
        return None
    value = binding.body[0].value
    if not _unrun_query(orm, value):
        return None

    class _Inline(cst.CSTTransformer):
        def on_leave(self, original, updated):
            return value if original is base else updated

    shape = orm.query_shape(node.visit(_Inline()))
    if shape is None:
        return None
    shape.site = node
    shape.statement_binding = binding
    return shape


def _unrun_query(orm, value: cst.BaseExpression) -> bool:
    """`session.query(M)...` or `M.query...`: a 1.x Query no call has run yet (no
    `.all()`, `.first()`, ...), which only runs when the chain built on it does."""
    shape = orm.query_shape(value) if isinstance(value, cst.Call) else None
    return shape is not None and shape.style is Style.V1 and shape.terminal is None
