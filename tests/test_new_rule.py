"""scripts/new_rule.py scaffolds a rule that the registry finds and its checks accept.

The scaffold runs on a copy of the checkout (`--root`); the copy's n1fix is then run in
subprocesses (PYTHONPATH puts it before the installed one): `n1fix rules` lists the new
rule, and the copy's registry and layer tests, the generated test and the golden tests of
the stub case pass.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
SCRIPT = REPO / "scripts" / "new_rule.py"
# The tests run on the copy, besides its helpers (conftest.py, golden_support.py, ...).
TEST_FILES = ("test_registry.py", "test_architecture.py", "test_golden.py")
NAME = "sorted-in-python"


def scaffold(root: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, str(SCRIPT), *args, "--root", str(root)],
        capture_output=True,
        text=True,
        timeout=60,
    )


def run_in(root: Path, *args: str) -> subprocess.CompletedProcess:
    """`python *args` with the copy's n1fix first on the path."""
    env = {**os.environ, "PYTHONPATH": str(root), "PYTHONDONTWRITEBYTECODE": "1"}
    return subprocess.run(
        [sys.executable, *args],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )


@pytest.fixture
def checkout(tmp_path: Path) -> Path:
    root = tmp_path / "checkout"
    skip = shutil.ignore_patterns("__pycache__", "*.pyc")
    shutil.copytree(REPO / "n1fix", root / "n1fix", ignore=skip)
    shutil.copytree(REPO / "golden", root / "golden", ignore=skip)
    (root / "tests").mkdir()
    helpers = [
        path.name
        for path in (REPO / "tests").glob("*.py")
        if not path.name.startswith("test_")
    ]
    for name in [*TEST_FILES, *helpers]:
        shutil.copy(REPO / "tests" / name, root / "tests" / name)
    for name in ("README.md", "pyproject.toml"):
        shutil.copy(REPO / name, root / name)
    return root


def test_the_scaffolded_rule_is_discovered_documented_and_tested(
    checkout: Path,
) -> None:
    made = scaffold(checkout, NAME)
    assert made.returncode == 0, made.stderr
    assert (checkout / "n1fix" / "rules" / "sorted_in_python" / "rule.py").is_file()
    assert (
        checkout / "n1fix" / "codemods" / "sorted_in_python" / "rewrite.py"
    ).is_file()

    listed = run_in(
        checkout,
        "-c",
        "import sys, n1fix; print(n1fix.__file__); from n1fix.cli import main; main()",
        "rules",
    )
    assert listed.returncode == 0, listed.stderr
    lines = listed.stdout.splitlines()
    assert lines[0] == str(checkout / "n1fix" / "__init__.py"), (
        "the copy's n1fix was not the one run"
    )
    assert any(line.split()[0] == NAME for line in lines[1:]), listed.stdout

    registry = run_in(
        checkout,
        "-m",
        "pytest",
        "-n",
        "0",
        "-v",
        "-p",
        "no:cacheprovider",
        "tests/test_registry.py",
        "tests/test_architecture.py",
        "tests/test_sorted_in_python.py",
    )
    assert registry.returncode == 0, registry.stdout[-4000:] + registry.stderr[-2000:]
    assert (
        "test_docstring_has_the_sections_in_order[sorted-in-python] PASSED"
        in registry.stdout
    )
    assert "test_rule_is_in_the_readme[sorted-in-python] PASSED" in registry.stdout

    golden = run_in(
        checkout,
        "-m",
        "pytest",
        "-n",
        "0",
        "-v",
        "-p",
        "no:cacheprovider",
        "tests/test_golden.py",
        "-k",
        "sorted_in_python or well_formed",
    )
    assert golden.returncode == 0, golden.stdout[-4000:] + golden.stderr[-2000:]
    assert "test_golden_rewrite[sorted_in_python/basic] PASSED" in golden.stdout
    assert "test_golden_corpus_is_well_formed PASSED" in golden.stdout


def test_the_generated_test_fails_when_the_rule_is_not_found(checkout: Path) -> None:
    assert scaffold(checkout, NAME).returncode == 0
    rule = checkout / "n1fix" / "rules" / "sorted_in_python" / "rule.py"
    rule.write_text(
        rule.read_text().replace(
            'NAME = "sorted-in-python"', 'NAME = "sorted-in-pyhton"'
        )
    )
    tests = run_in(
        checkout,
        "-m",
        "pytest",
        "-n",
        "0",
        "-q",
        "-p",
        "no:cacheprovider",
        "tests/test_sorted_in_python.py",
    )
    assert tests.returncode == 1, tests.stdout


@pytest.mark.parametrize(
    "name,problem",
    [
        ("Sorted_In_Python", "is not a kebab-case rule name"),
        ("sorted--in-python", "is not a kebab-case rule name"),
        ("query-in-loop", "is taken: n1fix/rules/query_in_loop exists"),
        ("context", "is taken: n1fix/rules/context.py exists"),
        ("renderapp", "is taken: golden/renderapp exists"),
        ("class", "Python keyword"),
    ],
)
def test_a_bad_or_taken_name_is_refused_in_one_line(
    checkout: Path, name: str, problem: str
) -> None:
    before = sorted(checkout.rglob("*"))
    refused = scaffold(checkout, name)
    assert refused.returncode == 2
    assert refused.stdout == ""
    assert len(refused.stderr.splitlines()) == 1 and problem in refused.stderr, (
        refused.stderr
    )
    assert sorted(checkout.rglob("*")) == before


def test_help() -> None:
    shown = subprocess.run(
        [sys.executable, str(SCRIPT), "--help"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert shown.returncode == 0
    assert "kebab-case" in shown.stdout and "--root" in shown.stdout
