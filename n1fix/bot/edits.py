"""The one place that reads the engine's `RunResult.changes` for the bot.

An `Edit` is one unit the bot commits: the files one fix (or one file's fixes) rewrote,
with the findings it applied. A change that needs another file's change (a call site
and the batch method the fix adds to a DAL: `FileChange.requires`) lands in the same
edit, so no commit or branch ever holds half of a two-file fix.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from pathlib import Path

from n1fix.engine.fileio import encode
from n1fix.engine.runner import FileChange, RunResult
from n1fix.rules.base import Finding


@dataclass(frozen=True)
class Edit:
    files: dict[str, bytes]  # repository-relative POSIX path -> new content
    findings: tuple[Finding, ...]  # with `path` repository-relative too

    @property
    def paths(self) -> list[str]:
        return sorted(self.files)

    @property
    def rules(self) -> list[str]:
        return sorted({f.rule for f in self.findings})


def edits_from(result: RunResult, repo_root: Path) -> list[Edit]:
    """One `Edit` per set of changes that need each other, paths relative to `repo_root`."""
    root = repo_root.resolve()

    def rel(path: Path) -> str:
        return Path(path).resolve().relative_to(root).as_posix()

    edits = []
    for cluster in _linked(result.changes):
        files = {rel(c.path): encode(c.source, c.new_text) for c in cluster}
        findings = [
            dataclasses.replace(f, path=rel(c.path), plan=None)
            for c in cluster
            for f in c.applied
        ]
        edits.append(Edit(files, tuple(sorted(findings, key=Finding.sort_key))))
    return sorted(edits, key=lambda e: e.paths)


def _linked(changes: list[FileChange]) -> list[list[FileChange]]:
    """The changes grouped by `requires` links, either way round (union-find)."""
    parent = {c.path: c.path for c in changes}

    def top(path: Path) -> Path:
        while parent[path] != path:
            parent[path] = parent[parent[path]]
            path = parent[path]
        return path

    for change in changes:
        for needed in getattr(change, "requires", ()):
            if needed in parent:
                parent[top(needed)] = top(change.path)
    clusters: dict[Path, list[FileChange]] = {}
    for change in changes:
        clusters.setdefault(top(change.path), []).append(change)
    return list(clusters.values())
