"""Rewrite `obj.rel.id` to `obj.rel_id` (the finding names the column)."""

from __future__ import annotations

import libcst as cst

from n1fix.rules.base import Finding
from n1fix.rules.related_key_via_relationship.analysis import RelatedKeyPlan


def fix(ctx, finding: Finding) -> cst.Module:
    plan: RelatedKeyPlan = finding.plan
    site = plan.site

    class _Replace(cst.CSTTransformer):
        def leave_Attribute(self, original, updated):
            if original is not site:
                return updated
            # keep the outer node's brackets and whitespace; only the two names change
            return updated.with_changes(value=plan.owner, attr=cst.Name(plan.column))

    return ctx.module.visit(_Replace())
