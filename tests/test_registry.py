"""The rule registry keeps its promises: every rule is complete and documented, and has a
codemod, a golden folder and a README entry under the same name."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import re
from pathlib import Path

import pytest

import n1fix.codemods
from n1fix.rules import all_rules, codemod_for, rule_by_name, select_rules
from n1fix.rules.base import Applicability, FixAvailability, Rule, Severity

REPO = Path(__file__).resolve().parent.parent
GOLDEN = REPO / "golden"
README = REPO / "README.md"
SECTIONS = ("What it does", "Why is this bad?", "Example", "Use instead", "Fix safety")
KEBAB = re.compile(r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$")

RULES = all_rules()


def rule_id(rule: type[Rule]) -> str:
    return rule.NAME


def test_there_are_rules() -> None:
    assert RULES, "no rule found in n1fix.rules"
    assert "query-in-loop" in {rule.NAME for rule in RULES}


def test_names_are_unique() -> None:
    names = [rule.NAME for rule in RULES]
    assert len(names) == len(set(names))


@pytest.mark.parametrize("rule", RULES, ids=rule_id)
def test_rule_attributes(rule: type[Rule]) -> None:
    assert isinstance(rule.NAME, str) and KEBAB.match(rule.NAME), rule.NAME
    assert isinstance(rule.MESSAGE, str) and rule.MESSAGE.strip()
    assert "\n" not in rule.MESSAGE
    assert isinstance(rule.SEVERITY, Severity)
    assert isinstance(rule.FIX, FixAvailability)
    assert rule.module_name() == rule.NAME.replace("-", "_")
    assert rule_by_name(rule.NAME) is rule
    # Instantiable without arguments, as the engine does.
    instance = rule()
    assert callable(instance.gate) and callable(instance.check)


@pytest.mark.parametrize("rule", RULES, ids=rule_id)
def test_rule_lives_in_the_package_of_its_name(rule: type[Rule]) -> None:
    assert rule.__module__ == f"n1fix.rules.{rule.module_name()}.rule"
    package = importlib.import_module(f"n1fix.rules.{rule.module_name()}")
    assert getattr(package, rule.__name__) is rule, (
        f"{package.__name__} does not export {rule.__name__}"
    )


@pytest.mark.parametrize("rule", RULES, ids=rule_id)
def test_docstring_has_the_sections_in_order(rule: type[Rule]) -> None:
    doc = inspect.cleandoc(rule.__doc__ or "")
    assert doc, f"{rule.NAME} has no docstring"
    positions = []
    for section in SECTIONS:
        heading = re.search(rf"^#+ {re.escape(section)}\s*$", doc, re.MULTILINE)
        assert heading, f"{rule.NAME}: section {section!r} missing"
        positions.append(heading.start())
    assert positions == sorted(positions), f"{rule.NAME}: sections out of order"
    # Each section has a body.
    bodies = re.split(r"^#+ .*$", doc, flags=re.MULTILINE)[1:]
    assert all(body.strip() for body in bodies), f"{rule.NAME}: an empty section"
    # Example and Use instead show code.
    for section in ("Example", "Use instead"):
        body = doc[doc.index(f"# {section}") :].split("\n#", 1)[0]
        assert "```" in body, f"{rule.NAME}: {section} has no code block"


@pytest.mark.parametrize("rule", RULES, ids=rule_id)
def test_codemod_module_has_fix(rule: type[Rule]) -> None:
    if rule.FIX is FixAvailability.NONE:
        assert codemod_for(rule) is None or callable(codemod_for(rule))
        return
    module = importlib.import_module(f"n1fix.codemods.{rule.module_name()}")
    assert callable(getattr(module, "fix", None)), f"{module.__name__} has no fix()"
    assert codemod_for(rule) is module.fix
    assert list(inspect.signature(module.fix).parameters)[:2] == ["ctx", "finding"]


def test_every_codemod_has_a_rule() -> None:
    names = {rule.module_name() for rule in RULES}
    codemods = {
        info.name
        for info in pkgutil.iter_modules(n1fix.codemods.__path__)
        if info.ispkg
    }
    assert codemods <= names, f"codemods without a rule: {sorted(codemods - names)}"


@pytest.mark.parametrize("rule", RULES, ids=rule_id)
def test_golden_folder_exists(rule: type[Rule]) -> None:
    folder = GOLDEN / rule.module_name()
    assert folder.is_dir(), f"{folder} missing"
    cases = [p for p in folder.iterdir() if p.is_dir() and (p / "before.py").exists()]
    assert cases, f"{folder} has no case"


def test_every_golden_rule_folder_has_a_rule() -> None:
    names = {rule.module_name() for rule in RULES}
    # App packages (renderapp, legacyapp) are importable; rule folders are not.
    folders = {
        p.name
        for p in GOLDEN.iterdir()
        if p.is_dir()
        and not p.name.startswith((".", "_"))
        and not (p / "__init__.py").exists()
    }
    assert folders <= names, f"golden folders without a rule: {sorted(folders - names)}"


@pytest.mark.parametrize("rule", RULES, ids=rule_id)
def test_rule_is_in_the_readme(rule: type[Rule]) -> None:
    readme = README.read_text(encoding="utf-8")
    heading = re.search(
        rf"^### `{re.escape(rule.NAME)}` \(severity {rule.SEVERITY.value}\)$",
        readme,
        re.MULTILINE,
    )
    assert heading, (
        f"README.md has no `### `{rule.NAME}` (severity {rule.SEVERITY.value})` section"
    )
    rules_section = readme[readme.index("\n## Rules") :]
    assert f"`{rule.NAME}`" in rules_section


def test_select_rules() -> None:
    names = [rule.NAME for rule in RULES if rule.DEFAULT]
    assert [r.NAME for r in select_rules(None, [])] == names
    assert select_rules([], []) == []
    assert [r.NAME for r in select_rules(None, names[:1])] == names[1:]
    # A rule outside the default set runs when selected by name.
    off = [rule.NAME for rule in RULES if not rule.DEFAULT]
    assert off == ["missing-index", "suppression-without-reason", "unbounded-fetch"]
    assert [r.NAME for r in select_rules(off, [])] == off
    with pytest.raises(ValueError, match="no-such-rule"):
        select_rules(["no-such-rule"], [])
    with pytest.raises(ValueError, match="no-such-rule"):
        select_rules(None, ["no-such-rule"])


def test_applicability_values_match_readme() -> None:
    assert {a.value for a in Applicability} == {"safe", "unsafe", "none"}
