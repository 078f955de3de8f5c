"""The review bundle: one Markdown file per unreviewed fix, for the reviewers.

`<out>/<project>/<fingerprint>.md` holds the finding, its message, why it is unsafe, its
diff, and the path of the extracted source, so the reviewer opens the code around it (its
models, its callers) as a maintainer would. `<out>/<project>/findings.md` lists the
unreviewed findings without a fix; `<out>/index.md` lists everything to review.
"""

from __future__ import annotations

from pathlib import Path

from ecosystem.ledger import ProjectLedger
from ecosystem.model import ProjectRun


def write_bundle(
    out: Path,
    runs: list[ProjectRun],
    ledgers: dict[str, ProjectLedger],
    ledger_dir: Path,
) -> int:
    """Write the bundle for these runs (each project's folder is replaced); return the
    number of fix files written."""
    written = 0
    for run in runs:
        folder = out / run.project
        folder.mkdir(parents=True, exist_ok=True)
        for old in folder.glob("*.md"):
            old.unlink()
        ledger = ledgers[run.project]
        verdicts = {f.fingerprint: f.verdict for f in [*ledger.fixes, *ledger.findings]}
        ledger_file = ledger_dir / f"{run.project}.toml"
        for fix in run.fixes:
            if verdicts.get(fix.fingerprint, "unreviewed") == "unreviewed":
                (folder / f"{fix.fingerprint}.md").write_text(
                    _fix_page(run, fix, ledger_file), encoding="utf-8"
                )
                written += 1
        findings = [
            f
            for f in run.findings
            if verdicts.get(f.fingerprint, "unreviewed") == "unreviewed"
        ]
        if findings:
            (folder / "findings.md").write_text(
                _findings_page(run, findings, ledger_file), encoding="utf-8"
            )
    _write_index(out)
    return written


def _fix_page(run: ProjectRun, fix, ledger_file: Path) -> str:
    source = Path(run.source) / fix.path
    note = f"\n**Why {fix.label}:** {fix.fix_note}\n" if fix.fix_note else ""
    return f"""# {fix.rule} ({fix.label}): {fix.path}:{fix.line}

- project: {run.project} {run.version}
- source: `{source}` line {fix.line} (the whole tree: `{run.source}`)
- fingerprint: `{fix.fingerprint}`

**Message:** {fix.message}
{note}
## The fix alone (`n1fix apply --dry-run --unsafe-fixes`)

{_fenced(fix.diff, "diff")}

## Verdict

Read the diff in its context (the models, the callers), then in `{ledger_file}` set, on
the `[[fix]]` with `fingerprint = "{fix.fingerprint}"`: `verdict` = "merge" | "pointless" |
"wrong", `why` = one line, and for merge `label-right = true` or `false`.
"""


def _findings_page(run: ProjectRun, findings, ledger_file: Path) -> str:
    parts = [
        f"# {run.project} {run.version}: findings without a fix\n\n"
        f"Verdicts go in `{ledger_file}`, on the `[[finding]]` with the fingerprint: "
        f'`verdict` = "true" | "noise", `why` = one line.\n'
    ]
    for finding in findings:
        dropped = (
            f" (the scan offers a {finding.label} fix; apply drops it)"
            if finding.label != "none"
            else ""
        )
        note = f"\n**Why no fix:** {finding.fix_note}\n" if finding.fix_note else ""
        parts.append(
            f"\n## {finding.rule}: {finding.path}:{finding.line}{dropped}\n\n"
            f"- source: `{Path(run.source) / finding.path}` line {finding.line}\n"
            f"- fingerprint: `{finding.fingerprint}`\n\n"
            f"**Message:** {finding.message}\n{note}\n"
            f"{_fenced(finding.code, 'python')}\n"
        )
    return "".join(parts)


def _fenced(text: str, language: str) -> str:
    """A code block whose fence is longer than any run of backticks in the text."""
    longest = run = 0
    for char in text:
        run = run + 1 if char == "`" else 0
        longest = max(longest, run)
    fence = "`" * max(3, longest + 1)
    return f"{fence}{language}\n{text.rstrip()}\n{fence}"


def _write_index(out: Path) -> None:
    lines = [
        "# n1fix ecosystem review bundle\n",
        "One file per unreviewed fix; `findings.md`: findings without a fix.\n",
    ]
    for folder in sorted(p for p in out.iterdir() if p.is_dir()):
        pages = sorted(p for p in folder.glob("*.md") if p.name != "findings.md")
        lines.append(f"\n## {folder.name}: {len(pages)} fixes to review\n")
        for page in pages:
            title = page.read_text(encoding="utf-8").splitlines()[0].lstrip("# ")
            lines.append(f"- [{title}]({folder.name}/{page.name})\n")
        if (folder / "findings.md").exists():
            lines.append(f"- [findings without a fix]({folder.name}/findings.md)\n")
    (out / "index.md").write_text("".join(lines), encoding="utf-8")
