"""The one place that reads the engine's `RunResult.changes` for the bot.

An `Edit` is one unit the bot commits: the files one fix (or one file's fixes) rewrote,
with the findings it applied. Today the engine reports one changed file at a time; when a
fix edits several files, only `edits_from` needs to learn the new shape.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from pathlib import Path

from n1fix.engine.fileio import encode
from n1fix.engine.runner import RunResult
from n1fix.rules._base import Finding


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
    """One `Edit` per changed file, paths relative to `repo_root`, in path order."""
    edits = []
    for change in result.changes:
        rel = Path(change.path).resolve().relative_to(repo_root.resolve()).as_posix()
        findings = tuple(dataclasses.replace(f, path=rel, plan=None) for f in change.applied)
        edits.append(Edit({rel: encode(change.source, change.new_text)}, findings))
    return sorted(edits, key=lambda e: e.paths)
