"""n1fix's own code keeps one format: `ruff format` at the line length set in pyproject.toml."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _ruff() -> list[str]:
    beside = Path(sys.executable).with_name("ruff")
    if beside.exists():
        return [str(beside)]
    found = shutil.which("ruff")
    assert found, "ruff is part of the test extra: pip install -e '.[test]'"
    return [found]


def test_the_code_is_formatted() -> None:
    paths = ["n1fix", "tests", "scripts", "ecosystem", "bench"]
    run = subprocess.run(
        [*_ruff(), "format", "--check", *paths],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert run.returncode == 0, (
        f"run `ruff format {' '.join(paths)}`:\n{run.stdout}{run.stderr}"
    )
