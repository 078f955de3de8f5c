"""The label of a batch whose one reason to be unsafe is its string key's collation.

Tests of key shapes and uniqueness proofs use string-keyed models (tags, labels, emails);
such a batch is never safe (SQL compares strings under the column's collation, its dict
does not: n1fix/analysis/string_collation.py). `label(finding)` gives `COLLATION_ONLY`
when every reason the fix is unsafe is that one, so those tests still show that nothing
else stands in the way.
"""

from __future__ import annotations

COLLATION_ONLY = "unsafe: collation only"

_GAP_END = (
    "` is compared as a string: the database's collation (case, trailing spaces) "
    "may match other rows than Python"
)


def only_collation_gaps(finding) -> bool:
    if finding.applicability.value != "unsafe" or not finding.fix_note:
        return False
    return all(
        part.startswith("`") and part.endswith(_GAP_END)
        for part in finding.fix_note.split("; ")
    )


def label(finding) -> str:
    """The finding's applicability, or `COLLATION_ONLY`."""
    return (
        COLLATION_ONLY if only_collation_gaps(finding) else finding.applicability.value
    )
