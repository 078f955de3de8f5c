"""Helpers for tests that hold a rule's gate to its check on a small project: the
project on disk, the rule's findings with and without the gates, and the files the
gated run gave the rule's check; or one module per spelling of a query, run with and
without the gates. Shared by the gate tests of query-in-loop, write-in-loop,
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


def modules_per_function(source: str) -> dict[str, str]:
    """function name -> the module holding it alone (with the source's header): a gate
    reads a whole file, so one spelling must not let another in."""
    lines = source.splitlines(keepends=True)
    starts = [
        i for i, line in enumerate(lines) if line.startswith(("def ", "async def "))
    ]
    header = "".join(lines[: starts[0]])
    modules = {}
    for start, end in zip(starts, [*starts[1:], len(lines)]):
        name = lines[start].split("def ", 1)[1].split("(", 1)[0]
        modules[name] = header + "".join(lines[start:end])
    return modules


def spelling_runs(root: Path, models: str, spellings: str, rule: str):
    """`root/app/models.py` and `app/spellings/<function>.py`, one module for each
    function of `spellings` (`modules_per_function`); `rule` alone run on `root` with
    the gates and without them: (gated, ungated) results."""
    (root / "pyproject.toml").write_text("[project]\nname = 'x'\nversion = '0'\n")
    (root / "app").mkdir()
    (root / "app" / "__init__.py").write_text("")
    (root / "app" / "models.py").write_text(models)
    (root / "app" / "spellings").mkdir()
    (root / "app" / "spellings" / "__init__.py").write_text("")
    for name, text in modules_per_function(spellings).items():
        (root / "app" / "spellings" / f"{name}.py").write_text(text)
    config = Config(cache=False, select=(rule,))
    gated = runner.run([root], root, config, use_gate=True)
    return gated, runner.run([root], root, config, use_gate=False)
