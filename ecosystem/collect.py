"""Run n1fix over one extracted project, in this process: every finding, and every fix's
own diff. `check.py` runs this as a child process per project, so a crash (or a hang, or
a memory blow-up) costs that project only:

    python ecosystem/collect.py PROJECT_DIR OUT.json NAME VERSION [MEMORY_MB]

MEMORY_MB caps this process's address space (0 or absent: no cap): past it n1fix gets a
MemoryError and the project fails alone.

The project is checked as a user gets it from its top directory (`n1fix scan .`): its
own configuration and the default excludes, the results cache off, one process.
"""

from __future__ import annotations

import json
import os
import resource
import sys
import time
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from ecosystem.fingerprint import fingerprints, fix_identity, fix_subject
from ecosystem.model import FindingRecord, FixRecord, ProjectRun

# Opt-in rules whose findings the check reviews too, like the default rules' (a ledger
# entry and a verdict each): off by default for a scan, but advice a user asks for must
# be as right as any fix.
REVIEWED_OPT_IN = ("missing-index", "unbounded-fetch")


def collect(root: Path, name: str, version: str) -> ProjectRun:
    from n1fix.config import load_config
    from n1fix.engine.fixer import one_line
    from n1fix.engine.runner import run
    from n1fix.engine.single_fix import key, single_fixes
    from n1fix.report import fingerprints as finding_prints
    from n1fix.report.diff_report import unified

    started, cpu_started = time.perf_counter(), time.process_time()
    root = root.resolve()
    os.chdir(root)  # n1fix shows paths relative to the working directory
    from n1fix.rules import default_rule_names

    config = load_config(root).merged(cache=False, jobs=1)
    selected = config.select if config.select is not None else default_rule_names()
    config = config.merged(select=[*selected, *REVIEWED_OPT_IN])
    result = run([root], root, config, jobs=1)
    outcome = ProjectRun(
        name,
        version,
        str(root),
        errors=sorted(result.errors),
        files_checked=result.files_checked,
    )

    # Each fix alone, file by file: a crash while fixing one file loses that file's fixes.
    fixes = {}
    by_path: dict[str, list] = {}
    for finding in result.findings:
        if finding.fixable:
            by_path.setdefault(finding.path, []).append(finding)
    for path, findings in by_path.items():
        try:
            fixes.update(single_fixes(findings, root, config, result.project))
        except Exception as error:  # noqa: BLE001 - recorded, the other files go on
            outcome.errors.append(
                one_line(
                    f"{path}: fixing alone: internal error: {type(error).__name__}: {error}"
                )
            )

    lines = finding_prints.SourceLines()
    finding_ids = finding_prints.fingerprints(result.findings, root, lines)
    fixed = [(f, fixes[key(f)]) for f in result.findings if key(f) in fixes]
    fix_ids = fingerprints(
        fix_identity(
            f.rule,
            f.path,
            [
                (fix.display, fix.source.text, fix.new_text),
                *((o.display, o.source.text, o.new_text) for o in fix.others),
            ],
            fix_subject(f.rule, f.message),
        )
        for f, fix in fixed
    )
    for (finding, fix), print_ in zip(fixed, fix_ids):
        diff = unified(fix) + "".join(unified(other) for other in fix.others)
        outcome.fixes.append(
            FixRecord(
                print_,
                finding.rule,
                finding.path,
                finding.line,
                finding.applicability.value,
                finding.message,
                finding.fix_note,
                diff,
            )
        )
    for finding, print_ in zip(result.findings, finding_ids):
        if key(finding) in fixes:
            continue
        code = "\n".join(lines(finding)[finding.line - 1 : finding.end_line])
        outcome.findings.append(
            FindingRecord(
                print_[:16],
                finding.rule,
                finding.path,
                finding.line,
                finding.applicability.value,
                finding.message,
                finding.fix_note,
                code,
            )
        )
    outcome.wall_seconds = round(time.perf_counter() - started, 2)
    outcome.cpu_seconds = round(time.process_time() - cpu_started, 2)
    outcome.peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
    return outcome


def main(argv: list[str]) -> int:
    root, out, name, version, *rest = argv
    memory_mb = int(rest[0]) if rest else 0
    if memory_mb > 0:
        limit = memory_mb * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    result = collect(Path(root), name, version)
    Path(out).write_text(json.dumps(result.to_json()), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
