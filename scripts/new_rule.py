#!/usr/bin/env python3
"""Scaffold a new rule: `python scripts/new_rule.py NAME` (NAME in kebab-case).

Writes, for NAME `sorted-in-python` (snake `sorted_in_python`):

    n1fix/rules/sorted_in_python/__init__.py   exports the rule class
    n1fix/rules/sorted_in_python/rule.py       the class: docs (TODO), NAME, MESSAGE,
                                                SEVERITY, FIX, a `gate` and a `check`
    n1fix/codemods/sorted_in_python/__init__.py exports `fix`
    n1fix/codemods/sorted_in_python/rewrite.py `fix`, raising FixFailed until written
    golden/sorted_in_python/basic/              a stub case: no finding expected yet
    tests/test_sorted_in_python.py              the rule is discovered and documented
    README.md                                   a `### `sorted-in-python`` section stub

Nothing is registered by hand: rules and codemods are found by their package name. Like
ruff's `scripts/add_rule.py`, it refuses a name that is not kebab-case or already taken.
"""

from __future__ import annotations

import argparse
import keyword
import re
import sys
from pathlib import Path

KEBAB = re.compile(r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$")
SEVERITIES = ("high", "medium", "low")
README_RULES = "\n## Rules\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="new_rule.py",
        description="Create the packages, golden case stub, test and README section of a new n1fix rule.",
    )
    parser.add_argument(
        "name", help="the rule's name in kebab-case, e.g. sorted-in-python"
    )
    parser.add_argument(
        "--severity",
        choices=SEVERITIES,
        default="medium",
        help="the rule's severity (default: medium)",
    )
    parser.add_argument(
        "--root",
        type=Path,
        default=Path(__file__).resolve().parent.parent,
        help="the checkout to write into (default: this one)",
    )
    args = parser.parse_args(argv)
    problem = name_problem(args.name, args.root)
    if problem:
        print(f"new_rule.py: {problem}", file=sys.stderr)
        return 2
    for path in scaffold(args.name, args.severity, args.root):
        print(
            f"{'edited' if path.name == 'README.md' else 'created'} {path.relative_to(args.root)}"
        )
    print(
        f"next: write the docs and `check` in n1fix/rules/{snake(args.name)}/rule.py, then the golden case"
    )
    return 0


def snake(name: str) -> str:
    return name.replace("-", "_")


def class_name(name: str) -> str:
    return "".join(part.capitalize() for part in name.split("-"))


def name_problem(name: str, root: Path) -> str | None:
    """Why `name` cannot be a new rule in the checkout at `root`, or None."""
    if not (root / "n1fix" / "rules").is_dir():
        return f"{root} is not an n1fix checkout (no n1fix/rules/)"
    if not KEBAB.match(name):
        return f"`{name}` is not a kebab-case rule name (lowercase words joined by `-`, e.g. sorted-in-python)"
    module = snake(name)
    if keyword.iskeyword(module):
        return f"`{name}` would make the Python keyword `{module}` a package name"
    taken = [
        root / "n1fix" / "rules" / module,
        root / "n1fix" / "rules" / f"{module}.py",
        root / "n1fix" / "codemods" / module,
        root / "n1fix" / "codemods" / f"{module}.py",
        root / "golden" / module,
        root / "tests" / f"test_{module}.py",
    ]
    existing = [path for path in taken if path.exists()]
    if existing:
        return f"`{name}` is taken: {existing[0].relative_to(root)} exists"
    return None


def scaffold(name: str, severity: str, root: Path) -> list[Path]:
    """Write the new rule's files under `root`; return what was created or edited."""
    module, cls = snake(name), class_name(name)
    files = {
        root / "n1fix" / "rules" / module / "__init__.py": RULE_INIT.format(
            name=name, module=module, cls=cls
        ),
        root / "n1fix" / "rules" / module / "rule.py": RULE.format(
            name=name, cls=cls, severity=severity.upper()
        ),
        root / "n1fix" / "codemods" / module / "__init__.py": CODEMOD_INIT.format(
            name=name, module=module
        ),
        root / "n1fix" / "codemods" / module / "rewrite.py": CODEMOD.format(name=name),
        root / "golden" / module / "basic" / "before.py": GOLDEN_BEFORE.format(
            name=name
        ),
        root / "golden" / module / "basic" / "case.toml": GOLDEN_CASE.format(
            name=name, module=module
        ),
        root / "golden" / module / "basic" / "scenario.py": GOLDEN_SCENARIO.format(
            name=name
        ),
        root / "tests" / f"test_{module}.py": TEST.format(
            name=name, module=module, cls=cls
        ),
    }
    for path, text in files.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    created = list(files)
    readme = root / "README.md"
    if readme.exists():
        readme.write_text(
            with_readme_section(readme.read_text(encoding="utf-8"), name, severity),
            encoding="utf-8",
        )
        created.append(readme)
    return created


def with_readme_section(readme: str, name: str, severity: str) -> str:
    """The README with a section for the rule at the end of `## Rules` (made if missing)."""
    section = README_SECTION.format(name=name, severity=severity)
    if README_RULES not in readme:
        return readme.rstrip("\n") + "\n" + README_RULES + "\n" + section
    start = readme.index(README_RULES) + len(README_RULES)
    following = re.search(r"^## ", readme[start:], re.MULTILINE)
    end = start + following.start() if following else len(readme)
    head = readme[:end].rstrip("\n") + "\n\n"
    return head + section + ("\n" + readme[end:] if following else "")


RULE_INIT = '''"""The `{name}` rule: the class and its docs in `rule.py`, its detection beside it."""

from n1fix.rules.{module}.rule import {cls}

__all__ = ["{cls}"]
'''

RULE = '''"""## What it does
TODO: the pattern this rule finds, in one or two sentences.

## Why is this bad?
TODO: what it costs (round trips, rows loaded), and how that grows with the data.

## Example
```python
# TODO: the smallest code that shows the pattern
```

## Use instead
```python
# TODO: the same code without it
```

## Fix safety
TODO: when the fix is safe, unsafe or not offered, and why (every fact a safe fix relies
on is shown from the code).
"""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING, Iterable

from n1fix.rules.base import FixAvailability, Finding, Rule, Severity

if TYPE_CHECKING:
    from n1fix.rules.context import FileContext


class {cls}(Rule):
    __doc__ = __doc__
    NAME = "{name}"
    MESSAGE = "TODO: what is wrong, in one line"
    SEVERITY = Severity.{severity}
    # Until the codemod in n1fix/codemods/ is written (its `fix` raises FixFailed).
    FIX = FixAvailability.NONE

    def gate(self, tree: ast.Module, text: str) -> bool:
        """May this file hold a finding? Cheap; it may say yes too often, never too rarely."""
        return True

    def check(self, ctx: FileContext) -> Iterable[Finding]:
        # TODO: yield self.finding_at(ctx, node, self.MESSAGE, ...) for each finding
        return []
'''

CODEMOD_INIT = '''"""The `{name}` rewrite: `fix(ctx, finding)` in `rewrite.py`."""

from n1fix.codemods.{module}.rewrite import fix

__all__ = ["fix"]
'''

CODEMOD = '''"""TODO: what the `{name}` fix rewrites, in one line."""

from __future__ import annotations

import libcst as cst

from n1fix.cst.errors import FixFailed


def fix(ctx, finding) -> cst.Module:
    """The module with `finding` fixed, following `finding.plan` (set by the rule)."""
    raise FixFailed("the {name} fix is not written yet")
'''

GOLDEN_BEFORE = """# TODO({name}): the code the rule must find, using the seeded models, e.g.
# `from renderapp.models import Project, Render`; then list its findings in case.toml,
# write after.py by hand (the fixed code) and scenario.py's run().
"""

GOLDEN_CASE = """# A stub written by scripts/new_rule.py: no finding is expected yet, so the golden tests
# check only that the code comes out unchanged. Replace it with a real case.
description = "stub: {name} has no golden case yet (golden/{module}/basic)"
unsafe_fixes = false
findings = []

[run]
runs = false
reason = "stub: before.py holds no code yet"
"""

GOLDEN_SCENARIO = '''"""Runs the case's code on a fresh seeded database (see tests/golden_support.py)."""


def run(module, session):
    raise NotImplementedError("TODO({name}): call the code in before.py with realistic arguments")
'''

TEST = '''"""The `{name}` rule."""

from __future__ import annotations

from n1fix.rules import all_rules, codemod_for, rule_by_name
from n1fix.rules.{module} import {cls}


def test_the_rule_is_discovered_under_its_name() -> None:
    assert rule_by_name("{name}") is {cls}
    assert {cls} in all_rules()
    assert codemod_for({cls}) is not None


def test_the_rule_documents_its_sections() -> None:
    doc = {cls}.__doc__ or ""
    for section in ("What it does", "Why is this bad?", "Example", "Use instead", "Fix safety"):
        assert f"## {{section}}" in doc
'''

README_SECTION = """### `{name}` (severity {severity})

TODO: what the rule finds and what its fix does, with a short example.
"""


if __name__ == "__main__":
    sys.exit(main())
