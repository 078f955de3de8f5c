"""Each finding's fix on its own: what `apply` would change for that finding alone.

Reports that show a fix per finding (SARIF `fixes`, the audit's proposed diffs) run the
fixer once per fixable finding, accepting that finding's fix and refusing every other,
so the text shown is exactly what the fixer would write, verified the same way.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from n1fix.config import Config
from n1fix.engine.fileio import SourceError, SourceFile, read_source
from n1fix.rules.base import Finding
from n1fix.rules.project import ProjectContext


@dataclass
class FileEdit:
    """One file's part of a fix: its text before (`source`) and after."""

    path: Path
    display: str
    source: SourceFile
    new_text: str

    def line_edits(self) -> list["LineEdit"]:
        """The changed line ranges, top to bottom, each against the original lines."""
        return LineEdit.hunks(self.source.text, self.new_text)


@dataclass
class SingleFix:
    finding: Finding
    path: Path
    display: str
    source: SourceFile
    new_text: str
    # The other files the fix changes (a batch method added next to the per-item one).
    others: list[FileEdit] = field(default_factory=list)

    def line_edits(self) -> list["LineEdit"]:
        """The changed line ranges, top to bottom, each against the original lines."""
        return LineEdit.hunks(self.source.text, self.new_text)


@dataclass(frozen=True)
class LineEdit:
    """Lines `start_line..end_line` (1-based, inclusive) of the old text become `text`.

    `end_line == start_line - 1` is an insertion before `start_line`.
    """

    start_line: int
    end_line: int
    text: str

    @classmethod
    def between(cls, old: str, new: str) -> "LineEdit":
        a, b = old.splitlines(keepends=True), new.splitlines(keepends=True)
        prefix = 0
        while prefix < min(len(a), len(b)) and a[prefix] == b[prefix]:
            prefix += 1
        suffix = 0
        while (
            suffix < min(len(a), len(b)) - prefix and a[-1 - suffix] == b[-1 - suffix]
        ):
            suffix += 1
        return cls(prefix + 1, len(a) - suffix, "".join(b[prefix : len(b) - suffix]))

    @classmethod
    def hunks(cls, old: str, new: str) -> list["LineEdit"]:
        import difflib

        a, b = old.splitlines(keepends=True), new.splitlines(keepends=True)
        matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
        return [
            cls(i1 + 1, i2, "".join(b[j1:j2]))
            for tag, i1, i2, j1, j2 in matcher.get_opcodes()
            if tag != "equal"
        ]


def key(finding: Finding) -> tuple:
    # The message too: two findings of a rule may start at one place (a DRF view's
    # `queryset`, read by several serializer fields), each with its own fix.
    return (finding.path, finding.line, finding.column, finding.rule, finding.message)


def single_fixes(
    findings: list[Finding], root: Path, config: Config, project: ProjectContext | None
) -> dict[tuple, SingleFix]:
    """`key(finding)` -> its fix alone, for every finding with a fix (safe or unsafe)."""
    fixable = [f for f in findings if f.fixable]
    if not fixable or project is None:
        return {}
    # LibCST loads only when some finding has a fix to show.
    from n1fix.engine.checker import file_context
    from n1fix.engine.fixer import fix_text
    from n1fix.engine.survey import survey_file
    from n1fix.rules import all_rules, select_rules

    rules = [rule() for rule in select_rules(config.select, config.ignore)]
    gates = {rule.NAME: rule() for rule in all_rules()}
    by_path: dict[str, list[Finding]] = {}
    for finding in fixable:
        by_path.setdefault(finding.path, []).append(finding)
    fixes: dict[tuple, SingleFix] = {}
    for display, targets in by_path.items():
        path = Path(display).resolve()
        try:
            source = read_source(path)
        except SourceError:
            continue
        survey = survey_file(path, root, gates, text=source.text)

        def make(text: str, path=path, display=display, survey=survey):
            return file_context(
                path, display, text, survey.module_name, survey.imports, project
            )

        for target in targets:
            try:
                outcome = fix_text(
                    source.text, make, rules, unsafe_fixes=True, accept=_only(target)
                )
            except Exception:  # noqa: BLE001 - a file the fixer cannot take (too deep, a rule's bug): no fix shown
                break
            if outcome.changed:
                others = _other_files(outcome.companions)
                if others is not None:
                    fixes[key(target)] = SingleFix(
                        target, path, display, source, outcome.text, others
                    )
    return fixes


def _other_files(companions) -> list[FileEdit] | None:
    """The other files' parts of a fix; None when one cannot be placed (apply would not
    write the fix either)."""
    if not companions:
        return []
    from n1fix.cst.companions import CompanionFailed, NewFile, apply_companion

    edits: dict[Path, FileEdit] = {}
    for edit, _finding in companions:
        if isinstance(edit, NewFile):
            if edit.path.exists():
                return None  # apply would not create it either
            source = SourceFile.absent(edit.path)
            edits[edit.path] = FileEdit(edit.path, edit.display, source, edit.text)
            continue
        if edit.path not in edits:
            try:
                source = read_source(edit.path)
            except SourceError:
                return None
            edits[edit.path] = FileEdit(edit.path, edit.display, source, source.text)
        try:
            edits[edit.path].new_text = apply_companion(edits[edit.path].new_text, edit)
        except CompanionFailed:
            return None
    return [e for e in edits.values() if e.new_text != e.source.text]


def _only(target: Finding):
    """Accept the target's fix once (in the untouched text, where positions match)."""
    taken = False

    def accept(finding: Finding) -> bool:
        nonlocal taken
        if taken or key(finding) != key(target):
            return False
        taken = True
        return True

    return accept
