"""What one run of n1fix over one project gave: its fixes and its findings without a fix.

Plain data, written by the worker (`collect.py`) as JSON and read back by `check.py`.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field


@dataclass
class FixRecord:
    """A finding whose fix, applied alone, changes the code."""

    fingerprint: str
    rule: str
    path: str  # relative to the project's top directory
    line: int
    label: str  # safe | unsafe
    message: str
    fix_note: str | None
    diff: str  # as `n1fix apply --dry-run --unsafe-fixes` prints it for this fix alone


@dataclass
class FindingRecord:
    """A finding without a fix. `label` is `none`, or the fix the scan offers that `apply`
    drops (it does not verify, or cannot be placed)."""

    fingerprint: str
    rule: str
    path: str
    line: int
    label: str
    message: str
    fix_note: str | None
    code: str  # the flagged lines


@dataclass
class ProjectRun:
    project: str
    version: str
    source: str  # the extracted tree the run read
    fixes: list[FixRecord] = field(default_factory=list)
    findings: list[FindingRecord] = field(default_factory=list)
    errors: list[str] = field(
        default_factory=list
    )  # n1fix's own per-file errors, one line each
    files_checked: int = 0
    wall_seconds: float = 0.0
    cpu_seconds: float = 0.0
    peak_mb: int = 0  # the worker's peak resident memory
    crashed: str | None = None  # the run failed as a whole: nothing above is complete

    @property
    def finding_count(self) -> int:
        return len(self.fixes) + len(self.findings)

    def to_json(self) -> dict:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict) -> "ProjectRun":
        data = dict(data)
        data["fixes"] = [FixRecord(**f) for f in data.get("fixes", [])]
        data["findings"] = [FindingRecord(**f) for f in data.get("findings", [])]
        return cls(**data)
