"""Run the worker (`collect.py`) on each project, each in its own process.

A project that cannot be fetched, crashes, or runs past the timeout gives a run marked
`crashed` with the reason; the other projects go on. The worker's stderr is kept in
`<cache>/logs/<project>.log`. Each worker's address space is capped (`memory_mb`), so
a large tree that blows up fails alone (the worker sets the cap on itself) instead of starving the machine.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Callable

from ecosystem.fetch import FetchError, source_dir
from ecosystem.model import ProjectRun
from ecosystem.projects import Project

WORKER = Path(__file__).with_name("collect.py")


def run_project(
    project: Project,
    cache: Path,
    seeds: list[Path],
    timeout: float,
    memory_mb: int = 0,
) -> ProjectRun:
    """One project's run; `memory_mb` caps the worker's address space (0: no cap)."""
    started = time.perf_counter()
    try:
        source = source_dir(project, cache, seeds)
    except (FetchError, OSError) as error:
        return ProjectRun(project.name, project.version, "", crashed=f"fetch: {error}")
    logs = cache / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    log = logs / f"{project.name}.log"
    with (
        tempfile.TemporaryDirectory(prefix="n1fix-eco-") as tmp,
        log.open("w", encoding="utf-8") as err,
    ):
        out = Path(tmp) / "run.json"
        command = [
            sys.executable,
            str(WORKER),
            str(source),
            str(out),
            project.name,
            project.version,
            str(memory_mb),
        ]
        try:
            done = subprocess.run(
                command,
                stdout=err,
                stderr=err,
                timeout=timeout,
                check=False,
            )
        except subprocess.TimeoutExpired:
            return _crashed(
                project,
                source,
                f"no result after {timeout:.0f} s (log: {log})",
                started,
            )
        if done.returncode != 0 or not out.is_file():
            over = _out_of_memory(log)
            return _crashed(
                project,
                source,
                f"the worker exited with {done.returncode}"
                + (f", out of memory (limit {memory_mb} MB)" if over else "")
                + f" (log: {log})",
                started,
            )
        run = ProjectRun.from_json(json.loads(out.read_text(encoding="utf-8")))
    run.wall_seconds = round(
        time.perf_counter() - started, 2
    )  # with the start-up and fetch
    return run


def _out_of_memory(log: Path) -> bool:
    try:
        return "MemoryError" in log.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return False


def _crashed(project: Project, source: Path, reason: str, started: float) -> ProjectRun:
    return ProjectRun(
        project.name,
        project.version,
        str(source),
        crashed=reason,
        wall_seconds=round(time.perf_counter() - started, 2),
    )


def run_all(
    projects: list[Project],
    cache: Path,
    seeds: list[Path],
    *,
    jobs: int,
    timeout: float,
    memory_mb: int = 0,
    done: Callable[[ProjectRun], None] | None = None,
) -> list[ProjectRun]:
    """Every project's run, in the order given; `jobs` projects at a time, the largest
    archives first so the last one to finish is a small one."""

    def one(project: Project) -> ProjectRun:
        run = run_project(project, cache, seeds, timeout, memory_mb)
        if done is not None:
            done(run)
        return run

    order = sorted(projects, key=lambda p: -_size(p, cache, seeds))
    with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        runs = {run.project: run for run in pool.map(one, order)}
    return [runs[p.name] for p in projects]


def _size(project: Project, cache: Path, seeds: list[Path]) -> int:
    for folder in [cache / "archives", *seeds]:
        path = folder / project.archive
        if path.is_file():
            return path.stat().st_size
    return 0
