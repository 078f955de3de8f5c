"""`n1fix apply --interactive`: walk through the fixes one by one, Bowler's keys.

Each verified fix is shown (rule, message, fix safety, a coloured diff of the change,
and of the other file a fix adds code to) and the user answers:

    y  apply this change          n  skip it
    a  apply this and the rest of this file
    d  skip the rest of this file
    q  quit, keeping what was accepted
    ?  help

The fixer asks about one fix at a time on the current text, so every change shown is the
one that will be written; an accepted fix changes the text the next one is built on.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, TextIO

from n1fix.rules.base import Applicability, Finding

HELP = """\
y - apply this change
n - skip this change
a - apply this change and the rest of the changes in this file
d - skip this change and the rest of the changes in this file
q - quit; changes accepted so far are written
? - show this help"""

PROMPT = "Apply this change? [y,n,a,d,q,?] "


@dataclass
class Reviewer:
    """The `review` callback of the fixer, talking to a terminal."""

    out: TextIO
    ask: Callable[
        [str], str
    ]  # shows a prompt, returns the answer (EOF: raises EOFError)
    color: bool = True
    applied: int = 0
    skipped: int = 0
    quit: bool = False
    _file_answer: tuple[str, bool] | None = None  # (path, apply?) after `a` or `d`

    def __call__(
        self, finding: Finding, old_text: str, new_text: str, companions: list
    ) -> bool:
        if self.quit:
            return False  # not asked, so neither applied nor skipped
        decision = self._decide(finding, old_text, new_text, companions)
        if decision:
            self.applied += 1
        else:
            self.skipped += 1
        return decision

    def _decide(
        self, finding: Finding, old_text: str, new_text: str, companions: list
    ) -> bool:
        if self._file_answer is not None:
            path, answer = self._file_answer
            if path == finding.path:
                return answer
            self._file_answer = None
        self._show(finding, old_text, new_text, companions)
        while True:
            try:
                answer = self.ask(PROMPT).strip().lower()
            except (EOFError, KeyboardInterrupt):
                self.out.write("\n")
                self.quit = True
                return False
            if answer == "y":
                return True
            if answer == "n":
                return False
            if answer in ("a", "d"):
                self._file_answer = (finding.path, answer == "a")
                return answer == "a"
            if answer == "q":
                self.quit = True
                return False
            self.out.write(HELP + "\n")

    def _show(
        self, finding: Finding, old_text: str, new_text: str, companions: list
    ) -> None:
        safety = finding.applicability.value
        if finding.applicability is Applicability.UNSAFE and finding.fix_note:
            safety += f" ({finding.fix_note})"
        self._print(
            f"\n{finding.path}:{finding.line}:{finding.column}: {finding.rule}", "bold"
        )
        self.out.write(f"{finding.message}\n")
        self.out.write(f"fix safety: {safety}\n")
        diffs = [_diff(finding.path, old_text, new_text)]
        for edit in companions:
            diffs.append(_companion_diff(edit))
        for text in filter(None, diffs):
            self._print_diff(text)

    def _print(self, text: str, style: str) -> None:
        if not self.color:
            self.out.write(text + "\n")
            return
        from rich.console import Console

        Console(file=self.out, force_terminal=True, highlight=False).print(
            text, style=style
        )

    def _print_diff(self, text: str) -> None:
        from n1fix.report.diff_report import coloured
        from n1fix.report.style import Style

        self.out.write(
            coloured(text, Style(self.color))
        )  # uncropped, as `apply --dry-run` prints it

    def summary(self, files_written: int) -> str:
        from n1fix.report.wording import plural

        applied, skipped = (
            plural(self.applied, "change"),
            plural(self.skipped, "change"),
        )
        return f"Applied {applied}, skipped {skipped}; wrote {plural(files_written, 'file')}."


def _diff(display: str, old: str, new: str, new_file: bool = False) -> str:
    return "".join(
        difflib.unified_diff(
            old.splitlines(keepends=True),
            new.splitlines(keepends=True),
            fromfile="/dev/null" if new_file else f"a/{display}",
            tofile=f"b/{display}",
        )
    )


def _companion_diff(edit) -> str:
    """The other file's part of a change, as it would be applied to that file now."""
    from n1fix.cst.companions import NewFile, apply_companion
    from n1fix.engine.fileio import SourceError, read_source

    if isinstance(edit, NewFile):
        return _diff(edit.display, "", edit.text, new_file=True)
    try:
        old = read_source(Path(edit.path)).text
        new = apply_companion(old, edit)
    except (SourceError, Exception):  # noqa: BLE001 - the preview only; the write re-checks
        return f"(adds `{edit.name}` to {edit.display})\n"
    return _diff(edit.display, old, new)
