"""A rule's project-wide gate runs through its own hooks: `survey` gathers facts per file,
`project_gate` reads them once the project is known. The engine names no rule, so a rule
it has never heard of (defined here) works the same way as the bundled ones."""

from __future__ import annotations

import ast
import re
import textwrap
from pathlib import Path
from typing import Iterable

import pytest
from n1fix_project import RENDER_MODELS

import n1fix.engine.runner as runner
from n1fix.config import Config
from n1fix.engine.survey import survey_file
from n1fix.rules import all_rules
from n1fix.rules.base import Finding, Rule, Severity

ENGINE = Path(runner.__file__).resolve().parent

# What the toy rule's hooks were called with, by hook: (file or facts, ...).
CALLS: dict[str, list] = {}


class NamesAModel(Rule):
    """A rule only this test knows: a file that names one of the project's model classes.

    Its per-file gate turns every file away; only its project gate lets files through.
    """

    NAME = "names-a-model"
    MESSAGE = "The file names a model"
    SEVERITY = Severity.LOW

    def gate(self, tree: ast.Module, text: str) -> bool:
        return False

    def survey(self, tree: ast.Module, text: str) -> list[str]:
        CALLS.setdefault("survey", []).append(text)
        return sorted(set(re.findall(r"[A-Za-z_]\w*", text)))

    def project_gate(self, facts: list[str] | None, project) -> bool:
        CALLS.setdefault("project_gate", []).append(facts)
        return any(name.rpartition(".")[2] in facts for name in project.models.models)

    def check(self, ctx) -> Iterable[Finding]:
        CALLS.setdefault("check", []).append(ctx.display_path)
        yield self.finding_at(ctx, ctx.module.body[0], self.MESSAGE)


@pytest.fixture
def toy_rule(monkeypatch) -> type[Rule]:
    """The engine sees the toy rule as the only rule there is."""
    CALLS.clear()
    monkeypatch.setattr(runner, "all_rules", lambda: (NamesAModel,))
    monkeypatch.setattr(runner, "select_rules", lambda select, ignore: [NamesAModel])
    return NamesAModel


@pytest.fixture
def project(tmp_path: Path, monkeypatch) -> Path:
    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'x'\nversion = '0'\n")
    app = tmp_path / "app"
    app.mkdir()
    (app / "__init__.py").write_text("")
    (app / "models.py").write_text(textwrap.dedent(RENDER_MODELS).lstrip())
    (app / "uses.py").write_text(
        "from app.models import Render\n\n\ndef first(renders: list[Render]):\n    return renders[0]\n"
    )
    (app / "other.py").write_text("def double(x):\n    return 2 * x\n")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def _findings(result) -> list[tuple[str, str, int]]:
    return [(f.rule, f.path, f.line) for f in result.findings]


def test_the_engine_runs_a_rule_it_does_not_know_through_its_hooks(
    toy_rule, project: Path
) -> None:
    result = runner.run([project / "app"], project, Config(cache=False), jobs=1)
    assert not result.errors
    # Only its project gate could let a file through, and it did for the two naming a model.
    assert _findings(result) == [
        ("names-a-model", "app/models.py", 1),
        ("names-a-model", "app/uses.py", 1),
    ]
    assert sorted(CALLS["check"]) == ["app/models.py", "app/uses.py"]
    # Every file found was surveyed, and its project gate saw what the survey found.
    assert len(CALLS["survey"]) == len(CALLS["project_gate"]) == 4
    assert ["def", "double", "return", "x"] in CALLS[
        "project_gate"
    ]  # app/other.py's facts


def test_a_warm_run_gives_the_project_gate_the_cached_facts(
    toy_rule, project: Path
) -> None:
    cold = runner.run([project / "app"], project, Config(), jobs=1)
    cold_facts = sorted(CALLS["project_gate"])
    CALLS.clear()
    warm = runner.run([project / "app"], project, Config(), jobs=1)
    assert "survey" not in CALLS and "check" not in CALLS  # all from the cache
    # The files the project gate turned away are asked about again, with the facts the
    # cold run found. (The ones it let through are not: the cached survey keeps the rule
    # among the file's gated rules, as it always has.)
    assert ["def", "double", "return", "x"] in CALLS["project_gate"]
    assert all(facts in cold_facts for facts in CALLS["project_gate"])
    assert _findings(warm) == _findings(cold) != []


def test_facts_are_gathered_only_for_the_rules_asked_for(project: Path) -> None:
    rules = {rule.NAME: rule() for rule in (*all_rules(), NamesAModel)}
    path = project / "app" / "uses.py"
    every = survey_file(path, project, rules)
    assert "names-a-model" in every.rule_facts and "query-in-loop" in every.rule_facts
    # Rules without a `survey` keep nothing, not even None.
    without = [name for name, rule in rules.items() if not rule.surveys_files()]
    assert "first-row-via-all" in without
    assert not set(without) & set(every.rule_facts)
    only = survey_file(path, project, rules, facts_of={"names-a-model"})
    assert list(only.rule_facts) == ["names-a-model"]
    assert only.gated == every.gated  # every rule still gates the file


def test_the_engine_names_no_rule() -> None:
    names = [rule.NAME for rule in all_rules()]
    # What every rule shares (the base types, the file and project context).
    allowed = {"base", "context", "project", "line_length"}
    for path in sorted(ENGINE.rglob("*.py")):
        text = path.read_text(encoding="utf-8")
        assert not [
            name for name in names if f'"{name}"' in text or f"'{name}'" in text
        ], path
        reached = set(re.findall(r"n1fix\.rules\.([\w.]+)", text))
        assert reached <= allowed, (path, reached - allowed)
