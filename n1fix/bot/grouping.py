"""Which fixes go into which pull request, and the branch each group lives on."""

from __future__ import annotations

import enum
import re
from collections import defaultdict
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the CLI imports GroupBy; the engine stays unloaded until a run
    from n1fix.bot.edits import Edit

BRANCH_PREFIX = "n1fix/"


class GroupBy(str, enum.Enum):
    rule = "rule"  # one pull request per rule (the default)
    file = "file"  # one per changed file
    all = "all"  # one for everything


@dataclass(frozen=True)
class Group:
    by: GroupBy
    key: str  # the rule name, the file path, or "all"
    branch: str
    edits: tuple[Edit, ...]

    @property
    def findings(self):
        return [f for edit in self.edits for f in edit.findings]

    @property
    def paths(self) -> list[str]:
        return sorted({p for edit in self.edits for p in edit.paths})


def group_by_rule(edits_by_rule: dict[str, list[Edit]]) -> list[Group]:
    """Edits computed one rule at a time (so each branch holds only its rule's fixes)."""
    return _named(
        (GroupBy.rule, rule, BRANCH_PREFIX + _ref_safe(rule), edits)
        for rule, edits in sorted(edits_by_rule.items())
        if edits
    )


def group_by_file(edits: list[Edit]) -> list[Group]:
    """One group per file; an edit that spans files goes with its first file."""
    by_file: dict[str, list[Edit]] = defaultdict(list)
    for edit in edits:
        by_file[edit.paths[0]].append(edit)
    return _named(
        (GroupBy.file, path, f"{BRANCH_PREFIX}file/{_ref_safe(path)}", group)
        for path, group in sorted(by_file.items())
    )


def group_all(edits: list[Edit]) -> list[Group]:
    return _named([(GroupBy.all, "all", BRANCH_PREFIX + "all", edits)] if edits else [])


def _named(specs) -> list[Group]:
    groups: list[Group] = []
    taken: set[str] = set()
    for by, key, branch, edits in specs:
        name, n = branch, 2
        while name in taken:  # two paths that sanitise alike
            name, n = f"{branch}-{n}", n + 1
        taken.add(name)
        groups.append(Group(by, key, name, tuple(edits)))
    return groups


def _ref_safe(text: str) -> str:
    """A git branch name part (see `git check-ref-format`): no component starts with a dot
    or ends with `.lock`, no `..`, only unremarkable characters."""
    parts = []
    for part in text.split("/"):
        part = re.sub(r"[^A-Za-z0-9._-]+", "-", part)
        part = re.sub(r"\.{2,}", ".", part).lstrip(".") or "_"
        if part.endswith(".lock"):
            part = part[: -len(".lock")] + "-lock"
        parts.append(part)
    return "/".join(parts)
