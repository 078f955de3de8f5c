"""A write keyed through `filter_by()`, batched: the key's keyword leaves the
`filter_by()` call and the statement gains `.where(Model.col.in_(keys))`.

    delete(AccessGrant).filter_by(resource_type=resource_type, resource_id=resource_id)

becomes

    delete(AccessGrant).filter_by(resource_type=resource_type).where(
        AccessGrant.resource_id.in_(resource_ids)
    )

and a `filter_by()` left with no keyword goes: `delete(M).filter_by(id=key)` becomes
`delete(M).where(M.id.in_(keys))`. `filter_by()` names columns of the statement's
entity, which the analysis checked is the written model.
"""

from __future__ import annotations

import libcst as cst

from n1fix.orm.dialect import Predicate


class FilterByKeyToIn(cst.CSTTransformer):
    def __init__(self, predicate: Predicate, in_expr: cst.BaseExpression) -> None:
        self.predicate = predicate
        self.in_expr = in_expr

    def on_leave(self, original, updated):
        if original is not self.predicate.container:
            return updated
        kept = [
            arg
            for arg, was in zip(updated.args, original.args)
            if was is not self.predicate.node
        ]
        where = [cst.Arg(self.in_expr)]
        if not kept:
            receiver = updated.func.value
            return cst.Call(
                func=cst.Attribute(value=receiver, attr=cst.Name("where")), args=where
            )
        kept[-1] = kept[-1].with_changes(comma=cst.MaybeSentinel.DEFAULT)
        narrowed = updated.with_changes(args=kept)
        return cst.Call(
            func=cst.Attribute(value=narrowed, attr=cst.Name("where")), args=where
        )
