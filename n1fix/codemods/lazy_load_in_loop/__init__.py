"""The `lazy-load-in-loop` rewrite: `fix(ctx, finding)`, SQLAlchemy's loader options in
`rewrite.py`, a loader written as a call on the query (Django's) in `row_loader.py`, a
Django admin's `list_select_related` and a class view's `queryset` in `admin.py`."""

import libcst as cst

from n1fix.codemods.lazy_load_in_loop import admin, rewrite, row_loader
from n1fix.rules.lazy_load_in_loop.admin import AdminPlan
from n1fix.rules.lazy_load_in_loop.templates import QuerysetPlan
from n1fix.rules.base import Finding

__all__ = ["fix"]


def fix(ctx, finding: Finding) -> cst.Module:
    if isinstance(finding.plan, AdminPlan):
        return admin.fix_admin(ctx, finding.plan)
    if isinstance(finding.plan, QuerysetPlan):
        return admin.fix_view_queryset(ctx, finding.plan)
    if finding.plan.row_loader is not None:
        return row_loader.fix_with_row_loader(ctx, finding.plan)
    return rewrite.fix(ctx, finding)
