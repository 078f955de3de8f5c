"""Fingerprints of fixes: what a fix changes, not where.

A fix's fingerprint hashes its rule, the file of its finding, and for every file the fix
edits, that file's name and the removed and added lines (the `-` and `+` lines of its
diff, without hunk positions, context or blank lines). Lines added or removed elsewhere in the file
leave it unchanged; a rule change that alters the diff changes it, so the new diff is
reviewed again. A fix whose lines may not say what it is about names its subject too:
a `missing-index` fix's `index=True` line is the same for every column written alike,
so its identity holds the column it indexes (`fix_subject`). Identical fixes in one file
(the same code twice) are told apart by an occurrence index, in file order.
"""

from __future__ import annotations

import difflib
import hashlib
import re
from collections import Counter
from collections.abc import Iterable

LENGTH = 16  # hex digits: 64 bits, short enough to read and to name a file


def changed_lines(old: str, new: str) -> list[str]:
    """The diff's removed lines (`-`, in the old file's order) then its added lines (`+`,
    in the new file's order), without positions, trailing spaces or blank lines.

    Grouping them this way, and leaving out blank lines, keeps the identity when the diff
    pairs the same change up differently (an added import with its blank line put above
    or below the blank line already there, as happens when the lines around it move).
    """
    a, b = old.splitlines(), new.splitlines()
    removed: list[str] = []
    added: list[str] = []
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag != "equal":
            removed.extend("-" + line.rstrip() for line in a[i1:i2] if line.strip())
            added.extend("+" + line.rstrip() for line in b[j1:j2] if line.strip())
    return removed + added


# What a rule's fix is about, read from its finding's message.
SUBJECTS = {"missing-index": re.compile(r"foreign key `([^`]+)`")}


def fix_subject(rule: str, message: str) -> str | None:
    pattern = SUBJECTS.get(rule)
    found = pattern.search(message) if pattern else None
    return found.group(1) if found else None


def fix_identity(
    rule: str,
    path: str,
    edits: Iterable[tuple[str, str, str]],
    subject: str | None = None,
) -> str:
    """What a fix is: `edits` are (file, old text, new text), the finding's file first;
    `subject` what it is about, where its lines may not say (`fix_subject`)."""
    parts = [rule, path]
    if subject is not None:
        parts.append(f"subject {subject}")
    for display, old, new in edits:
        parts.append(f"file {display}")
        parts.extend(changed_lines(old, new))
    return "\n".join(parts)


def digest(identity: str, occurrence: int) -> str:
    return hashlib.sha256(f"{identity}\0{occurrence}".encode()).hexdigest()[:LENGTH]


def fingerprints(identities: Iterable[str]) -> list[str]:
    """One fingerprint per identity, in the order given (give them in file order)."""
    seen: Counter[str] = Counter()
    result = []
    for identity in identities:
        result.append(digest(identity, seen[identity]))
        seen[identity] += 1
    return result
