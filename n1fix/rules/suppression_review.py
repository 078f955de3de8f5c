"""What the rules about suppression comments share: the gate and the finding shape."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from n1fix.cst.text_scan import may_name_n1fix
from n1fix.rules.base import Applicability, Finding

if TYPE_CHECKING:
    from n1fix.engine.suppressions import Suppression

_MARK = re.compile(r"#\s*n1fix:\s*ignore", re.IGNORECASE)


def has_suppression_comment(text: str) -> bool:
    """The gate of the rules about suppressions: the comment's text is there (perhaps in a
    string, which the rules then tell apart)."""
    return may_name_n1fix(text) and _MARK.search(text) is not None


def finding_at_comment(rule, ctx, suppression: Suppression, message: str) -> Finding:
    return Finding(
        rule=rule.NAME,
        path=ctx.display_path,
        line=suppression.line,
        column=suppression.column,
        end_line=suppression.line,
        end_column=suppression.end_column,
        message=message,
        severity=rule.SEVERITY,
        applicability=Applicability.NONE,
    )


def silenced_by_itself(rule, suppression: Suppression) -> bool:
    """`# n1fix: ignore[unused-suppression]` silences that rule on its own comment."""
    return suppression.rules is not None and rule.NAME in suppression.rules


def reviewing_rules() -> set[str]:
    from n1fix.rules import all_rules

    return {rule.NAME for rule in all_rules() if hasattr(rule, "review_suppressions")}


__all__ = [
    "finding_at_comment",
    "has_suppression_comment",
    "reviewing_rules",
    "silenced_by_itself",
]
