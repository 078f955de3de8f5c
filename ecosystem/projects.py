"""The pinned projects (`projects.toml`): what to fetch and how to recognise it."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path

PROJECTS_FILE = Path(__file__).with_name("projects.toml")


@dataclass(frozen=True)
class Project:
    name: str
    version: str
    archive: str  # the file name on the package index
    sha256: str
    url: str

    @property
    def label(self) -> str:
        return f"{self.name}-{self.version}"


def load_projects(path: Path = PROJECTS_FILE) -> list[Project]:
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    projects = [Project(**entry) for entry in data.get("project", [])]
    names = [p.name for p in projects]
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise ValueError(f"{path}: projects listed twice: {', '.join(duplicates)}")
    return projects


def select(projects: list[Project], names: list[str] | None) -> list[Project]:
    """The projects named (all when none are); an unknown name is an error."""
    if not names:
        return projects
    known = {p.name: p for p in projects}
    unknown = [n for n in names if n not in known]
    if unknown:
        raise ValueError(
            f"unknown project(s): {', '.join(unknown)} (known: {', '.join(sorted(known))})"
        )
    return [known[n] for n in dict.fromkeys(names)]
