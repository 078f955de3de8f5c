"""Helpers for tests that hold a rule's gate to its check on a small project: the
project on disk, the rule's findings with and without the gates, and the files the
gated run gave the rule's check. Shared by the gate tests of
related-key-via-relationship and lazy-load-in-loop."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import n1fix.engine.runner as runner
from n1fix.config import Config


def write_app(root: Path, files: dict[str, str]) -> Path:
    """`root/pyproject.toml` and a package `app` holding `files` (name -> code)."""
    (root / "pyproject.toml").write_text("[project]\nname = 'x'\nversion = '0'\n")
    app = root / "app"
    app.mkdir()
    (app / "__init__.py").write_text("")
    for name, code in files.items():
        (app / name).write_text(code)
    return root


def count_checked(monkeypatch, rule: str) -> Counter:
    """The files the precise pass checks for `rule`, by name, counted from now on."""
    counts: Counter = Counter()
    work = runner._work

    def counted(task):
        if task[3] is None or rule in task[3]:
            counts[task[0].name] += 1
        return work(task)

    monkeypatch.setattr(runner, "_work", counted)
    return counts


def found(result, rule: str) -> list[str]:
    """`file.py:line` of each of `rule`'s findings, sorted."""
    return sorted(
        f"{f.path.rsplit('/', 1)[-1]}:{f.line}"
        for f in result.findings
        if f.rule == rule
    )


def with_and_without_gates(
    root: Path, rule: str, monkeypatch
) -> tuple[list[str], list[str], set[str]]:
    """`rule` alone on `root/app`: its findings with the gates, its findings without
    them (`found`), and the names of the files the gated run gave its check."""
    checked = count_checked(monkeypatch, rule)
    config = Config(select=[rule], cache=False)
    gated = runner.run([root / "app"], root, config, jobs=1)
    turned = set(checked)
    ungated = runner.run([root / "app"], root, config, jobs=1, use_gate=False)
    return found(gated, rule), found(ungated, rule), turned
