"""Every output on Django findings, on a copy of the bundled Django example
(examples/djangoshop): SARIF (schema-valid, its fixes what `n1fix apply` writes), GitHub
annotations, Markdown, JSON, `--statistics`, the baseline, the audit (with a trace the
example's demo recorded) and the interactive prompt work as they do on SQLAlchemy
findings. The bot's run on the example is in tests/bot/test_bot_django.py."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pexpect
import pytest
from n1fix_project import n1fix

from test_audit import SECTIONS, TIMING, diff_blocks
from test_interactive import PROMPT, _spawn
from test_output_formats import apply_fix, validate

pytest.importorskip("django")

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "djangoshop"
SERVICES = ("account.py", "catalog.py", "inventory.py", "orders.py")
# What `n1fix scan` finds in the example (its README's tables).
BY_RULE = {"write-in-loop": 11, "query-in-loop": 6, "lazy-load-in-loop": 4}
FINDINGS = sum(BY_RULE.values())


def copy_example(where: Path) -> Path:
    root = where / "djangoshop"
    shutil.copytree(
        EXAMPLE,
        root,
        ignore=shutil.ignore_patterns("__pycache__", ".n1fix_cache", ".ruff_cache"),
    )
    return root


@pytest.fixture(scope="module")
def shop(tmp_path_factory) -> Path:
    """A copy of the example that the tests only read (scan, audit)."""
    return copy_example(tmp_path_factory.mktemp("shop"))


@pytest.fixture(scope="module")
def scanned(shop: Path) -> list[dict]:
    run = n1fix("scan", ".", "--format", "json", cwd=shop)
    assert run.code == 1, run
    return json.loads(run.out)["findings"]


def test_json_names_every_django_finding(scanned) -> None:
    counts: dict[str, int] = {}
    for finding in scanned:
        counts[finding["rule"]] = counts.get(finding["rule"], 0) + 1
    assert counts == BY_RULE
    assert {Path(f["path"]).name for f in scanned} == set(SERVICES)
    assert all(f["path"].startswith("shop/services/") for f in scanned)


def test_sarif_validates_and_its_fixes_are_what_apply_writes(
    shop: Path, scanned, tmp_path: Path
) -> None:
    run = n1fix("scan", ".", "--format", "sarif", cwd=shop)
    assert run.code == 1, run
    log = json.loads(run.out)
    validate(log)
    results = log["runs"][0]["results"]
    assert len(results) == FINDINGS
    rules = {rule["id"] for rule in log["runs"][0]["tool"]["driver"]["rules"]}
    assert set(BY_RULE) <= rules
    by_label = {"safe": 0, "unsafe": 0, "none": 0}
    for result in results:
        label = result["properties"]["applicability"]
        by_label[label] += 1
        assert ("fixes" in result) == (label != "none"), result["message"]["text"]
    assert by_label == {"safe": 14, "unsafe": 1, "none": 6}
    # account.py holds one finding: its SARIF fix is exactly what `n1fix apply` writes.
    [account] = [
        r
        for r in results
        if r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
        == "shop/services/account.py"
    ]
    original = (shop / "shop" / "services" / "account.py").read_text()
    by_sarif = apply_fix(original, account["fixes"][0])
    assert "Order.objects.filter(customer__in=" in by_sarif
    copy = copy_example(tmp_path)
    assert n1fix("apply", "shop/services/account.py", cwd=copy).code == 0
    assert by_sarif == (copy / "shop" / "services" / "account.py").read_text()


def test_github_markdown_and_statistics(shop: Path) -> None:
    github = n1fix("scan", ".", "--format", "github", cwd=shop)
    assert github.code == 1, github
    lines = github.out.splitlines()
    assert len(lines) == FINDINGS
    assert all(line.startswith("::error file=shop/services/") for line in lines)
    assert any("title=n1fix (write-in-loop)::" in line for line in lines)

    markdown = n1fix("scan", ".", "--format", "markdown", cwd=shop)
    assert markdown.code == 1, markdown
    assert (
        f"{FINDINGS} findings in 4 files (12 checked): 14 safe fixes, 1 unsafe fix,"
        " 6 with no fix." in markdown.out
    )
    assert "`shop/services/catalog.py:" in markdown.out

    statistics = n1fix("scan", ".", "--statistics", cwd=shop)
    assert statistics.code == 1, statistics
    rows = statistics.out.splitlines()
    for rule, count in BY_RULE.items():
        assert any(re.match(rf"^\s+{count}  {rule}\s+\[\*\] \S", row) for row in rows)
    assert f"Found {FINDINGS} findings in 4 files (12 files checked)." in rows


ORDERS_AGAIN = """

def orders_of(customers: list[Customer]) -> dict[int, int]:
    return {customer.pk: Order.objects.filter(customer=customer).count() for customer in customers}
"""


def test_the_baseline_fails_only_on_a_new_django_finding(tmp_path: Path) -> None:
    root = copy_example(tmp_path)
    wrote = n1fix(
        "scan", ".", "--baseline", "baseline.json", "--write-baseline", cwd=root
    )
    assert wrote.code == 0 and f"Wrote {FINDINGS} findings" in wrote.err, wrote
    same = n1fix("scan", ".", "--baseline", "baseline.json", cwd=root)
    assert same.code == 0 and "query-in-loop" not in same.out, same
    # Lines added above the known findings keep them matched; a new loop is new.
    orders = root / "shop" / "services" / "orders.py"
    text = orders.read_text()
    orders.write_text(
        text.replace('"""Orders:', '"""Orders, as the shop sells them:\n\n', 1)
        + ORDERS_AGAIN
    )
    new = n1fix("scan", ".", "--baseline", "baseline.json", cwd=root)
    assert new.code == 1, new
    [line] = [line for line in new.out.splitlines() if ": query-in-loop" in line]
    assert line.startswith("shop/services/orders.py:")
    assert "Found 1 finding in 1 file" in new.out
    sarif = n1fix(
        "scan", ".", "--baseline", "baseline.json", "--format", "sarif", cwd=root
    )
    assert len(json.loads(sarif.out)["runs"][0]["results"]) == 1


@pytest.fixture(scope="module")
def audited(shop: Path) -> tuple[str, str]:
    """The audit of the example with the trace its demo recorded, and the trace's name."""
    demo = subprocess.run(
        [sys.executable, "demo.py", "--quiet", "--trace", "demo-trace.json"],
        cwd=shop,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert demo.returncode == 0, demo.stderr
    run = n1fix("audit", ".", "--trace", "demo-trace.json", cwd=shop)
    assert run.code == 0, run
    return run.out, "demo-trace.json"


def test_the_audit_has_every_section_and_every_finding(audited) -> None:
    report, _ = audited
    positions = [report.index(section) for section in SECTIONS]
    assert positions == sorted(positions)
    assert f"- **Findings:** {FINDINGS} ({FINDINGS} high)" in report
    assert "- **Fixes available:** 14 safe (`n1fix apply`), 1 unsafe" in report, report[
        :2000
    ]
    for name in SERVICES:
        assert f"### `shop/services/{name}`" in report
    diffs = diff_blocks(report)
    assert len(diffs) == 15  # one per fix, safe or unsafe
    assert any("in_bulk(product_ids)" in diff for diff in diffs)
    assert any('.select_related("product")' in diff for diff in diffs)
    assert not TIMING.search(report.replace("1 + N", ""))


def test_the_audit_quotes_the_demo_s_trace_for_every_finding(audited) -> None:
    report, trace = audited
    assert f"the trace `{trace}` reached {FINDINGS} of {FINDINGS} findings" in report
    measured = re.findall(
        rf"- \*\*Measured:\*\* these lines sent (\d+) statements? in the run recorded"
        rf" in `{re.escape(trace)}`",
        report,
    )
    assert len(measured) == FINDINGS and all(int(n) > 0 for n in measured)


def test_the_audit_s_advice_is_written_for_django(audited) -> None:
    report, _ = audited
    practices = report[report.index("## Best practices") :]
    for django in ('select_related("author")', "in_bulk(keys)", "bulk_create("):
        assert django in practices, django
    for sqlalchemy in ("selectinload", "session.scalars", "before_cursor_execute"):
        assert sqlalchemy not in practices, sqlalchemy
    assert "CaptureQueriesContext" in practices


def test_the_interactive_prompt_on_django_findings(tmp_path: Path) -> None:
    root = copy_example(tmp_path)
    applied = copy_example(tmp_path / "applied")
    assert n1fix("apply", "shop/services/account.py", cwd=applied).code == 0
    inventory = (root / "shop" / "services" / "inventory.py").read_text()
    child = _spawn(root, "shop/services/account.py", "shop/services/inventory.py")
    child.expect("shop/services/account.py:")
    child.expect("query-in-loop")
    child.expect("fix safety: safe")
    child.expect(r"\+\+\+ b/shop/services/account.py")
    child.expect(PROMPT)
    child.sendline("y")
    child.expect("shop/services/inventory.py:")
    child.expect("write-in-loop")
    child.expect(PROMPT)
    child.sendline("d")  # skip the rest of this file
    child.expect(r"Applied 1 change, skipped 3 changes; wrote 1 file\.")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    after = root / "shop" / "services"
    assert (after / "account.py").read_text() == (
        applied / "shop" / "services" / "account.py"
    ).read_text()
    assert (after / "inventory.py").read_text() == inventory
