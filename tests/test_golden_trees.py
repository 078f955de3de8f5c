"""The golden harness for cases across files: layout checks and the import of trees."""

from __future__ import annotations

import sys
import textwrap
from pathlib import Path

import pytest
from golden_support import CaseError, load_case, validate_case
from golden_trees import expected_tree, imported_tree

CASE_TOML = """\
description = "a tree case"
entry = "service.py"
unsafe_fixes = false

[[findings]]
path = "service.py"
rule = "query-in-loop"
line = 4
applicability = "safe"

[run]
runs = true
"""

DAL = """\
def total(values):
    return sum(values)
"""

SERVICE = """\
from .dal import total


def report(values):
    return {"total": total(values)}
"""


def make_case(root: Path, files: dict[str, str], toml: str = CASE_TOML) -> Path:
    case = root / "query_in_loop" / "tree_case"
    for rel, text in {
        "case.toml": toml,
        "scenario.py": "def run(module, session):\n    return None\n",
        **files,
    }.items():
        path = case / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return case


def test_a_well_formed_tree_case_has_no_problems(tmp_path):
    case = make_case(
        tmp_path,
        {
            "before/dal.py": DAL,
            "before/service.py": SERVICE,
            "after/service.py": SERVICE.replace("total(values)", "sum(values)"),
        },
    )
    assert validate_case(case) == []
    loaded = load_case(case)
    assert loaded.is_tree and loaded.entry == "service.py"
    assert loaded.after_path == case / "after"
    assert [f.path for f in loaded.findings] == ["service.py"]
    # files left out of after/ are expected unchanged
    assert expected_tree(case)["dal.py"] == DAL
    assert "sum(values)" in expected_tree(case)["service.py"]


def test_tree_problems_name_each_file(tmp_path):
    toml = CASE_TOML.replace("line = 4", "line = 40").replace(
        'entry = "service.py"', 'entry = "api.py"'
    )
    case = make_case(
        tmp_path,
        {
            "before/dal.py": DAL,
            "before/service.py": SERVICE,
            "after/dal.py": DAL,  # unchanged: must not be repeated
            "after/extra.py": "x = 1\n",  # n1fix adds no files
        },
        toml,
    )
    problems = "\n".join(validate_case(case))
    assert "entry 'api.py' is not in before/" in problems
    assert "after/dal.py is identical to before/dal.py" in problems
    assert "after/extra.py is not in before/" in problems
    assert "finding line 40 is outside before/service.py" in problems


def test_a_trap_tree_with_a_safe_finding_needs_an_after_tree(tmp_path):
    case = make_case(tmp_path, {"before/dal.py": DAL, "before/service.py": SERVICE})
    assert any("there is no after/" in problem for problem in validate_case(case))


@pytest.mark.parametrize(
    ("toml", "message"),
    [
        (CASE_TOML.replace('entry = "service.py"\n', ""), "needs `entry"),
        (
            CASE_TOML.replace('path = "service.py"\n', ""),
            "needs exactly applicability, line, path, rule",
        ),
        ('known_gap = ""\n' + CASE_TOML, "`known_gap` must say"),
    ],
)
def test_tree_case_toml_is_checked(tmp_path, toml, message):
    case = make_case(
        tmp_path, {"before/dal.py": DAL, "before/service.py": SERVICE}, toml
    )
    with pytest.raises(CaseError, match=message):
        load_case(case)


def test_a_single_file_case_takes_no_entry_or_paths(tmp_path):
    case = make_case(tmp_path, {"before.py": SERVICE})
    with pytest.raises(CaseError, match="`entry` is for cases with a before/ tree"):
        load_case(case)


def test_before_and_after_trees_import_side_by_side_and_are_forgotten(tmp_path):
    case = make_case(
        tmp_path,
        {
            "before/dal.py": DAL,
            "before/service.py": SERVICE,
            "after/dal.py": textwrap.dedent(DAL).replace(
                "sum(values)", "sum(values) * 10"
            ),
        },
    )
    with (
        imported_tree(case, "before", "service.py", "t") as before,
        imported_tree(case, "after", "service.py", "t") as after,
    ):
        assert before.report([1, 2]) == {"total": 3}
        assert after.report([1, 2]) == {
            "total": 30
        }  # the after tree: before's service, after's dal
        assert before.__package__ != after.__package__
        names = (before.__package__, after.__package__)
    assert not [name for name in sys.modules if name.startswith(names)]
