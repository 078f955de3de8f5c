#!/usr/bin/env python3
"""Benchmark `n1fix scan` against ruff, a bare `ast.parse` pass and Semgrep.

Prints numbers; it is not a test and asserts nothing. See bench/README.md.

    .venv/bin/python bench/bench_scan.py                 # SQLAlchemy applications, then Django
    .venv/bin/python bench/bench_scan.py --tree ~/src/app --skip-semgrep -j 1
    .venv/bin/python bench/bench_scan.py --django-app --skip-semgrep -j 1   # Django vs SQLAlchemy

The default trees are SQLAlchemy-heavy applications (open-webui and prefect: extracted
under --eco-src, else downloaded from the package registry), Django applications
(pretix, nautobot) and Django's package, the low-density case. Everything downloaded or installed goes to bench/.work (git-ignored):
sdists (bench/.work/dl), their extracted trees (bench/.work/src), and a tools venv with
ruff and semgrep (bench/.work/tools) when they are not on PATH.
"""

from __future__ import annotations

import argparse
import ast
import json
import os
import platform
import re
import shlex
import shutil
import signal
import subprocess
import sys
import tarfile
import tempfile
import textwrap
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
WORK = BENCH / ".work"
DJANGO_SPEC = "django==5.1.*"
PROJECT_MARKERS = ("pyproject.toml", "setup.cfg", "setup.py", ".git")


@dataclass
class Row:
    label: str
    seconds: float | None
    note: str = ""
    # what the ratio columns compare against: "tree" (ruff's and Semgrep's whole-tree runs)
    # or "single" (ruff on the single file); None: no ratio
    versus: str | None = "tree"
    cpu: float | None = (
        None  # CPU seconds (user + system) of the process and its children
    )
    peak_mb: float | None = None  # peak resident memory of the process or a child


@dataclass
class Run:
    seconds: float
    returncode: int | None  # None: timed out
    cpu: float | None = None  # user + system seconds of the command and its children
    stdout: str = ""
    stderr: str = ""
    peak_mb: float | None = (
        None  # the largest resident memory of the command or a child
    )

    def last_error_line(self) -> str:
        lines = [line for line in self.stderr.splitlines() if line.strip()]
        return lines[-1].strip() if lines else ""


@dataclass
class Context:
    n1fix: list[str]
    timeout: float
    n1fix_flags: list[str] = field(default_factory=list)
    n1fix_json: bool = False


def log(message: str) -> None:
    print(f"[bench] {message}", file=sys.stderr, flush=True)


def timed(cmd: list[str], *, timeout: float, cwd: Path = WORK) -> Run:
    """Wall seconds, CPU seconds and peak memory of one command. On a shared machine the
    CPU seconds are the steadier figure: other work stretches the wall time, not the CPU
    time used.

    Every command runs in `bench/.work`, never in the directory the bench was started
    from: `--n1fix "env PYTHONPATH=<checkout> python -m n1fix"` started from a checkout
    of n1fix would import that checkout's package (`-m` puts the working directory
    before `PYTHONPATH` on `sys.path`), not the one named.

    `os.wait4` gives this command's own resource use (its children that it waited for,
    such as a process pool's workers, included), where `getrusage(RUSAGE_CHILDREN)`
    would give the largest memory of any command run so far."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, cwd=cwd, stdout=out, stderr=err, env=_ENV)
        timer = threading.Timer(timeout, proc.kill)
        timer.start()
        try:
            _, status, usage = os.wait4(proc.pid, 0)
        finally:
            timer.cancel()
        seconds = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        stdout, stderr = _text(out.read()), _text(err.read())
    if proc.returncode == -signal.SIGKILL and seconds >= timeout:
        return Run(seconds, None, None, stdout, stderr)
    return Run(
        seconds,
        proc.returncode,
        usage.ru_utime + usage.ru_stime,
        stdout,
        stderr,
        peak_mb=usage.ru_maxrss / 1024,  # kilobytes on Linux
    )


# Commands run with Python's bytecode cache on, as an installed package has it: with
# PYTHONDONTWRITEBYTECODE set (some CI and sandbox shells set it), every run of an
# editable install compiles n1fix's modules from source again (about 0.1 s a run).
_ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def _text(data: bytes | str | None) -> str:
    if data is None:
        return ""
    return data if isinstance(data, str) else data.decode("utf-8", "replace")


# --- the tree ---------------------------------------------------------------------------


# SQLAlchemy-heavy applications, the trees n1fix is for: (label, folder under --eco-src,
# registry requirement for `pip download` when that folder is missing, sdist name prefix).
SQLALCHEMY_TREES = [
    ("open-webui", "open_webui-*", "open-webui==0.12.*", "open_webui-"),
    ("prefect", "prefect-*", "prefect==3.9.*", "prefect-"),
    (
        "airflow-core",
        "apache_airflow_core-*",
        "apache-airflow-core==3.3.*",
        "apache_airflow_core-",
    ),
    ("indico", "indico-*", "indico==3.3.*", "indico-"),
    ("mlflow", "mlflow-*", "mlflow==3.18.*", "mlflow-"),
]
# The scaling run: trees of about 1x, 2x and 4x the files, several applications scanned
# together as one project (labels of SQLALCHEMY_TREES).
SCALES = [
    ("1x", ["indico"]),
    ("2x", ["indico", "mlflow"]),
    ("4x", ["indico", "mlflow", "prefect", "airflow-core", "open-webui"]),
]
# Django applications, the other trees n1fix reads (issue 18): in the defaults beside the
# SQLAlchemy ones, each summary line giving CPU seconds per 1,000 files and per 100,000
# lines so that trees of different sizes compare.
DJANGO_TREES = [
    ("pretix", "pretix-*", "pretix==2026.8.*", "pretix-"),
    ("nautobot", "nautobot-*", "nautobot==3.2.*", "nautobot-"),
]
# Issue 18's cost check: large Django applications beside SQLAlchemy applications of
# about their size (pretix 2026.8.0: 551 files checked, 162k lines; nautobot 3.2.7: 570,
# 163k; prefect 3.9.1: 627, 188k; indico 3.3.14: 956, 135k). Scanning a Django one
# must cost no more.
DJANGO_VERSUS_SQLALCHEMY = [
    *DJANGO_TREES,
    ("prefect", "prefect-*", "prefect==3.9.*", "prefect-"),
    ("indico", "indico-*", "indico==3.3.*", "indico-"),
]
ECO_SRC = Path("/work/eco-src")


def sdist_tree(spec: str, prefix: str) -> Path:
    """The extracted sdist of `spec` (downloaded once into bench/.work/dl)."""
    dl = WORK / "dl"
    pattern = f"[{prefix[0].upper()}{prefix[0].lower()}]{prefix[1:]}*.tar.gz"
    sdists = sorted(dl.glob(pattern))
    if not sdists:
        log(f"downloading the {spec} sdist into {dl}")
        dl.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            [
                sys.executable,
                "-m",
                "pip",
                "download",
                "--no-deps",
                "--no-binary",
                ":all:",
                spec,
                "-d",
                str(dl),
            ],
            check=True,
        )
        sdists = sorted(dl.glob(pattern))
        if not sdists:
            raise SystemExit(f"bench: pip download left no {spec} sdist in {dl}")
    sdist = sdists[-1]
    src = WORK / "src"
    top = src / sdist.name[: -len(".tar.gz")]
    if not top.is_dir():
        log(f"extracting {sdist.name} into {src}")
        src.mkdir(parents=True, exist_ok=True)
        with tarfile.open(sdist) as archive:
            archive.extractall(src, filter="data")
        if not top.is_dir():  # a top folder spelled differently (django- vs Django-)
            found = [
                p
                for p in src.iterdir()
                if p.is_dir() and p.name.lower() == top.name.lower()
            ]
            if not found:
                raise SystemExit(f"bench: no {top.name}/ inside {sdist}")
            top = found[0]
    return top


def django_tree() -> Path:
    top = sdist_tree(DJANGO_SPEC, "django-5.1")
    if not (top / "django").is_dir():
        raise SystemExit(f"bench: no django/ package inside {top}")
    return top / "django"


def application_trees(
    eco_src: Path, applications: list[tuple[str, str, str, str]]
) -> list[tuple[str, Path]]:
    """Each application's tree, by label: a scratch copy (bench/.work/trees) of its
    folder under --eco-src, else the sdist from the registry. A copy because the bench
    clears and fills n1fix's cache in the tree, and --eco-src is read-only."""
    trees = []
    for label, folder, spec, prefix in applications:
        found = sorted(eco_src.glob(folder)) if eco_src.is_dir() else []
        trees.append(
            (label, scratch_copy(found[-1]) if found else sdist_tree(spec, prefix))
        )
    return trees


def sqlalchemy_trees(eco_src: Path) -> dict[str, Path]:
    """The SQLAlchemy-heavy applications, by label."""
    return dict(application_trees(eco_src, SQLALCHEMY_TREES))


def scratch_copy(tree: Path) -> Path:
    copy = WORK / "trees" / tree.name
    if not copy.is_dir():
        log(f"copying {tree} into {copy}")
        # Into a temporary name first: an interrupted copy is never taken for a tree.
        partial = copy.with_name(copy.name + ".partial")
        shutil.rmtree(partial, ignore_errors=True)
        shutil.copytree(
            tree, partial, symlinks=True, ignore=shutil.ignore_patterns(".n1fix_cache")
        )
        partial.rename(copy)
    return copy


def default_trees(eco_src: Path, skip_django: bool) -> list[tuple[str, Path]]:
    """The SQLAlchemy-heavy applications, the Django applications, then Django's package
    as the low-density case (few files reach the precise pass)."""
    trees = list(sqlalchemy_trees(eco_src).items())
    if not skip_django:
        trees += application_trees(eco_src, DJANGO_TREES)
        trees.append(("django", django_tree()))
    return trees


def scale_trees(eco_src: Path) -> list[tuple[str, Path]]:
    """One project per scale of SCALES, its applications side by side (hard links to the
    scratch copies), with its own pyproject.toml so that it is one project root."""
    apps = sqlalchemy_trees(eco_src)
    trees = []
    for scale, labels in SCALES:
        top = WORK / "scale" / scale
        if not top.is_dir():
            log(f"building the {scale} tree {top}")
            partial = top.with_name(top.name + ".partial")
            shutil.rmtree(partial, ignore_errors=True)
            for label in labels:
                shutil.copytree(
                    apps[label], partial / apps[label].name, copy_function=os.link
                )
            (partial / "pyproject.toml").write_text(
                f'[project]\nname = "scale-{scale}"\nversion = "0"\n'
            )
            partial.rename(top)
        trees.append((f"{scale}: {'+'.join(labels)}", top))
    return trees


def python_files(tree: Path) -> list[Path]:
    files = []
    for dirpath, dirnames, filenames in os.walk(tree):
        dirnames[:] = sorted(
            d for d in dirnames if d not in {"__pycache__", ".git", ".n1fix_cache"}
        )
        files.extend(
            Path(dirpath) / name for name in sorted(filenames) if name.endswith(".py")
        )
    return files


def line_count(files: list[Path]) -> int:
    total = 0
    for path in files:
        with path.open("rb") as handle:
            total += sum(1 for _ in handle)
    return total


def project_root(path: Path) -> Path | None:
    for candidate in (path, *path.parents):
        if any((candidate / marker).exists() for marker in PROJECT_MARKERS):
            return candidate
    return None


# --- tools --------------------------------------------------------------------------------


def tools_venv() -> Path:
    venv = WORK / "tools"
    if not (venv / "bin" / "python").exists():
        log(f"creating the tools venv {venv}")
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    return venv


def find_tool(name: str) -> str | None:
    for local in (WORK / "tools" / "bin" / name, REPO / ".venv" / "bin" / name):
        if local.exists():
            return str(local)
    return shutil.which(name)


def ensure_tool(name: str, package: str) -> tuple[str | None, str]:
    """The tool's executable (installed into the tools venv if needed), or None and why."""
    found = find_tool(name)
    if found:
        return found, ""
    venv = tools_venv()
    log(f"installing {package} into {venv}")
    proc = subprocess.run(
        [str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet", package],
        capture_output=True,
        text=True,
    )
    found = find_tool(name)
    if proc.returncode != 0 or not found:
        lines = [
            line for line in (proc.stderr or proc.stdout).splitlines() if line.strip()
        ]
        return (
            None,
            f"pip install {package} failed: {lines[-1].strip() if lines else 'rc=' + str(proc.returncode)}",
        )
    return found, ""


def version_of(cmd: list[str]) -> str:
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    except (OSError, subprocess.TimeoutExpired) as error:
        return f"? ({error})"
    text = (proc.stdout or proc.stderr).strip().splitlines()
    return text[0] if text and proc.returncode == 0 else f"? (rc={proc.returncode})"


# --- n1fix --------------------------------------------------------------------------------


def n1fix_command(spec: str | None) -> list[str]:
    if spec is None:
        return [str(REPO / ".venv" / "bin" / "n1fix")]
    if os.path.exists(spec):
        return [spec]
    return shlex.split(spec)  # e.g. "python -m n1fix" or any wrapper command


def probe_n1fix(ctx: Context) -> str:
    """Look at `n1fix scan --help` for --no-cache and --format; returns a note."""
    run = timed([*ctx.n1fix, "scan", "--help"], timeout=ctx.timeout)
    if run.returncode != 0:
        return (
            f"`n1fix scan --help` failed (rc={run.returncode}): {run.last_error_line()}"
        )
    if "--no-cache" in run.stdout:
        ctx.n1fix_flags.append("--no-cache")
    if "--format" in run.stdout and "json" in run.stdout:
        ctx.n1fix_json = True
    return ""


def clear_n1fix_cache(tree: Path) -> list[Path]:
    """Remove n1fix's cache folders next to the tree and at its project root."""
    removed = []
    places = {tree}
    root = project_root(tree)
    if root is not None:
        places.add(root)
    for place in places:
        cache = place / ".n1fix_cache"
        if cache.is_dir():
            shutil.rmtree(cache)
            removed.append(cache)
    return removed


def n1fix_scan(ctx: Context, target: Path) -> Run:
    cmd = [*ctx.n1fix, "scan", *ctx.n1fix_flags]
    if ctx.n1fix_json:
        cmd += ["--format", "json"]
    return timed([*cmd, str(target)], timeout=ctx.timeout)


def n1fix_apply_dry_run(ctx: Context, target: Path) -> Run:
    """`n1fix apply --dry-run` with the scan's flags but `--no-cache`, which apply does
    not take (it reads and writes no results cache)."""
    flags = [flag for flag in ctx.n1fix_flags if flag != "--no-cache"]
    return timed(
        [*ctx.n1fix, "apply", "--dry-run", *flags, str(target)], timeout=ctx.timeout
    )


def describe_n1fix(run: Run) -> tuple[str, int | None, int | None]:
    """(note, findings, files checked) of one `n1fix scan` run."""
    if run.returncode is None:
        return "timed out", None, None
    findings = files = None
    try:
        data = json.loads(run.stdout)
        findings = int(data["summary"]["findings"])
        files = int(data["summary"]["files_checked"])
    except (ValueError, KeyError, TypeError):
        match = re.search(r"Found (\d+) findings? in (\d+) files?", run.stdout)
        if match:
            findings, files = int(match.group(1)), int(match.group(2))
        else:
            match = re.search(r"(\d+) files? checked, no findings", run.stdout)
            if match:
                findings, files = 0, int(match.group(1))
    if run.returncode not in (0, 1):
        error_lines = sum(1 for line in run.stderr.splitlines() if "error" in line)
        return (
            f"rc={run.returncode}, {error_lines} error lines; last: {run.last_error_line()[:150]}",
            findings,
            files,
        )
    return "", findings, files


# --- the steps ----------------------------------------------------------------------------

# A call that defines a model's column or relationship (SQLAlchemy's or Django's).
_MODEL_DEFINITION = re.compile(
    rb"\b(?:relationship|mapped_column|ForeignKey|ManyToManyField|OneToOneField)\("
)
_SKIPPED_PARTS = {"tests", "test", "migrations", "alembic", "__pycache__"}


def model_file(tree: Path) -> Path | None:
    """The file of `tree` that defines the most model columns and relationships (others
    read its facts), tests and migrations left out; None when no file defines one."""
    best, most = None, 0
    for path in python_files(tree):
        if _SKIPPED_PARTS & set(path.relative_to(tree).parts) or path.name.startswith(
            "test_"
        ):
            continue
        count = len(_MODEL_DEFINITION.findall(path.read_bytes()))
        if count > most:
            best, most = path, count
    return best


def findings_of(run: Run) -> list | None:
    """The findings of a `--format json` scan, None when it printed none."""
    try:
        return json.loads(run.stdout)["findings"]
    except (ValueError, KeyError, TypeError):
        return None


def bench_changed_file(tree: Path, warm_ctx: Context, warm: Run) -> Row | None:
    """Row (b'): after the warm run, a comment appended to the file defining the most
    models, and the tree scanned again with the cache; the file is restored after. Its
    facts are unchanged, so only it should be checked again. The note says when the
    findings differ from the warm run's (a comment changes none)."""
    changed = model_file(tree)
    if changed is None:
        return None
    original = changed.read_bytes()
    newline = b"" if original.endswith(b"\n") or not original else b"\n"
    log(f"n1fix scan, one changed file: {changed}")
    try:
        changed.write_bytes(original + newline + b"# n1fix bench: one changed file\n")
        run = n1fix_scan(warm_ctx, tree)
    finally:
        changed.write_bytes(original)
    note = describe_n1fix(run)[0] or str(changed.relative_to(tree))
    if findings_of(run) != findings_of(warm):
        note += "; findings differ from the warm run's"
    return Row(
        "(b') n1fix scan, one changed file",
        run.seconds,
        note,
        cpu=run.cpu,
        peak_mb=run.peak_mb,
    )


def bench_ast(files: list[Path]) -> tuple[float, int]:
    failures = 0
    start = time.perf_counter()
    for path in files:
        try:
            ast.parse(path.read_bytes(), filename=str(path))
        except (SyntaxError, ValueError):
            failures += 1
    return time.perf_counter() - start, failures


SEMGREP_RULE = textwrap.dedent(
    """\
    rules:
      - id: query-in-loop
        languages: [python]
        severity: WARNING
        message: a database query runs once per item of a loop (N+1)
        patterns:
          - pattern-either:
              - pattern-inside: |
                  for $X in $ITER:
                    ...
              - pattern-inside: |
                  async for $X in $ITER:
                    ...
              - pattern-inside: "[$E for $X in $ITER]"
              - pattern-inside: "{$K: $V for $X in $ITER}"
          - pattern-either:
              - pattern: $S.scalars(...)
              - pattern: $S.scalar(...)
              - pattern: $S.execute(...)
              - pattern: $S.get($MODEL, $KEY)
              - pattern: $S.query(...)
          - metavariable-regex:
              metavariable: $S
              regex: (?i)(.*session.*|db|conn|connection)
    """
)


def bench_semgrep(tree: Path, timeout: float, semgrep: str | None) -> tuple[Row, str]:
    if semgrep is None:
        return (
            Row("(e) semgrep, comparable rule", None, "not installed"),
            "semgrep: not installed (put it on PATH or pass --semgrep PATH; it is not installed by the bench)",
        )
    rule = WORK / "semgrep-query-in-loop.yaml"
    rule.write_text(SEMGREP_RULE)
    # By default Semgrep skips test/ and tests/ folders (its built-in .semgrepignore), and
    # Django has django/test/; this (experimental) flag makes it read the same files as the
    # others. Older versions without the flag get a second try without it.
    cmd = [
        semgrep,
        "scan",
        "--config",
        str(rule),
        "--json",
        "--metrics=off",
        "--disable-version-check",
        "--no-git-ignore",
        "--quiet",
    ]
    run = timed(
        [*cmd, "--x-ignore-semgrepignore-files", str(tree)], timeout=timeout, cwd=WORK
    )
    if (
        run.returncode not in (0, 1, None)
        and "x-ignore-semgrepignore-files" in run.stderr
    ):
        run = timed([*cmd, str(tree)], timeout=timeout, cwd=WORK)
    if run.returncode is None:
        return Row("(e) semgrep, comparable rule", run.seconds, "timed out"), ""
    try:
        data = json.loads(run.stdout)
    except ValueError:
        return (
            Row("(e) semgrep, comparable rule", None, "unavailable"),
            f"semgrep: unavailable (rc={run.returncode}: {run.last_error_line()[:200]})",
        )
    scanned = len(data.get("paths", {}).get("scanned", []))
    errors = len(data.get("errors", []))
    note = f"{len(data.get('results', []))} matches, {scanned} files scanned"
    if errors:
        note += f", {errors} errors"
    return (
        Row(
            "(e) semgrep, comparable rule",
            run.seconds,
            note,
            cpu=run.cpu,
            peak_mb=run.peak_mb,
        ),
        "",
    )


SMALL_FILE = textwrap.dedent(
    '''\
    """A small, clean data-access module: nothing for n1fix to report."""

    from sqlalchemy import select
    from sqlalchemy.orm import Session


    def users_by_id(session: Session, model, ids: list[int]) -> dict[int, object]:
        rows = session.scalars(select(model).where(model.id.in_(ids)))
        return {row.id: row for row in rows}


    def total(values: list[int]) -> int:
        result = 0
        for value in values:
            result += value
        return result
    '''
)


def single_file() -> Path:
    folder = WORK / "single"
    folder.mkdir(parents=True, exist_ok=True)
    # its own project root, so neither n1fix nor ruff picks up this repository's config
    (folder / "pyproject.toml").write_text(
        '[project]\nname = "single"\nversion = "0"\n'
    )
    path = folder / "clean.py"
    path.write_text(SMALL_FILE)
    return path


def best_of(n: int, cmd: list[str], timeout: float) -> tuple[float, float, Run]:
    """The best wall seconds and the best CPU seconds of `n` runs, and the last run."""
    runs = [timed(cmd, timeout=timeout) for _ in range(n)]
    return (
        min(run.seconds for run in runs),
        min(run.cpu if run.cpu is not None else float("inf") for run in runs),
        runs[-1],
    )


# --- main ---------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="Benchmark `n1fix scan` (prints numbers, asserts nothing)."
    )
    parser.add_argument(
        "--tree",
        type=Path,
        action="append",
        help="bench this tree (repeatable) instead of the default SQLAlchemy applications and Django",
    )
    parser.add_argument(
        "--eco-src",
        type=Path,
        default=ECO_SRC,
        help=f"where extracted SQLAlchemy applications are looked for first (default {ECO_SRC})",
    )
    parser.add_argument(
        "--skip-django",
        action="store_true",
        help="leave the Django applications and Django's package out of the defaults",
    )
    parser.add_argument(
        "--django-app",
        action="store_true",
        help="bench the Django applications (pretix, nautobot) beside SQLAlchemy ones "
        "of about their size (prefect, indico) instead of the defaults",
    )
    parser.add_argument(
        "--n1fix",
        help="n1fix executable or command (default: the repo's .venv/bin/n1fix)",
    )
    parser.add_argument(
        "-j",
        "--jobs",
        type=int,
        help="pass -j N to n1fix (default: n1fix's own, every core)",
    )
    parser.add_argument(
        "--only",
        action="append",
        metavar="LABEL",
        help="of the default trees, bench only this one (repeatable): "
        + ", ".join(
            [label for label, *_ in SQLALCHEMY_TREES + DJANGO_TREES] + ["django"]
        ),
    )
    parser.add_argument(
        "--scaling",
        action="store_true",
        help="instead of the tables: cold scans of trees of 1x, 2x and 4x the files "
        "(several applications scanned together), with ruff and Semgrep beside",
    )
    parser.add_argument(
        "--semgrep",
        help="the semgrep executable (default: semgrep on PATH; never installed)",
    )
    parser.add_argument(
        "--skip-semgrep", action="store_true", help="do not run Semgrep"
    )
    parser.add_argument(
        "--skip-ruff", action="store_true", help="do not install or run ruff"
    )
    parser.add_argument(
        "--timeout",
        type=float,
        default=1800,
        help="seconds allowed per timed command (default 1800)",
    )
    args = parser.parse_args(argv)

    WORK.mkdir(parents=True, exist_ok=True)
    if args.tree:
        trees = [(tree.name, tree.resolve()) for tree in args.tree]
        for _, tree in trees:
            if not tree.is_dir():
                parser.error(f"--tree {tree} is not a directory")
    elif args.scaling:
        trees = scale_trees(args.eco_src)
    else:
        trees = (
            application_trees(args.eco_src, DJANGO_VERSUS_SQLALCHEMY)
            if args.django_app
            else default_trees(args.eco_src, args.skip_django)
        )
        if args.only:
            unknown = set(args.only) - {label for label, _ in trees}
            if unknown:
                parser.error(f"--only: no default tree {', '.join(sorted(unknown))}")
            trees = [(label, tree) for label, tree in trees if label in args.only]
    ctx = Context(n1fix=n1fix_command(args.n1fix), timeout=args.timeout)
    notes: list[str] = []
    probe_note = probe_n1fix(ctx)
    if probe_note:
        notes.append(f"n1fix: {probe_note}")
    if args.jobs:
        ctx.n1fix_flags += ["-j", str(args.jobs)]
    ruff = None
    if not args.skip_ruff:
        ruff, ruff_reason = ensure_tool("ruff", "ruff")
        if ruff is None:
            notes.append(f"ruff: unavailable ({ruff_reason})")
    args.semgrep_path = (
        None if args.skip_semgrep else (args.semgrep or shutil.which("semgrep"))
    )
    if args.scaling:
        return bench_scaling(trees, ctx, ruff, args)

    summary = []
    for label, tree in trees:
        summary.append(bench_tree(label, tree, ctx, ruff, args, notes))

    print()
    print(
        "summary (CPU seconds; wall seconds in brackets; ratios of CPU seconds, or of wall when CPU is unknown):"
    )
    print(
        f"{'tree':<20} {'files':>6} {'lines':>8} {'cold':>16} {'warm':>14} {'1 changed':>14} {'ruff':>14} {'semgrep':>14} {'cold/semgrep':>12} {'apply/semgrep':>13} {'cold/ruff':>9} {'warm/ruff':>9} {'peak MB':>7}"
        f" {'checked':>7} {'s/1k files':>10} {'s/100k lines':>12}"
    )
    for line in summary:
        print(line)
    print(
        "checked: the files n1fix checked (its default excludes skip tests and migrations);"
        " s/1k files: cold CPU s per 1,000 of them; s/100k lines: per 100,000 lines of the"
        " tree's .py files"
    )
    for note in dict.fromkeys(notes):
        print(note)
    return 0


def _both(row: Row | None) -> str:
    if row is None or row.seconds is None:
        return "-"
    return (
        f"{row.cpu:.2f} ({row.seconds:.2f})"
        if row.cpu is not None
        else f"- ({row.seconds:.2f})"
    )


def _ratio(row: Row | None, base: Row | None) -> str:
    if row is None or base is None or row.seconds is None or base.seconds is None:
        return ""
    if row.cpu is not None and base.cpu:
        return f"{row.cpu / base.cpu:.2f}"
    return f"{row.seconds / base.seconds:.2f}" if base.seconds else ""


def bench_tree(
    label: str, tree: Path, ctx: Context, ruff: str | None, args, notes: list[str]
) -> str:
    """Run every step on one tree, print its table, and return its line of the summary."""
    log(f"tree {label}: {tree}")
    files = python_files(tree)
    lines = line_count(files)
    rows: list[Row] = []

    # (a) cold, (b) warm
    removed = clear_n1fix_cache(tree)
    cache_note = (
        "--no-cache"
        if "--no-cache" in ctx.n1fix_flags
        else (
            f"cache cleared ({', '.join(str(p) for p in removed)})"
            if removed
            else "no --no-cache flag, no cache found"
        )
    )
    log("n1fix scan, cold")
    cold = n1fix_scan(ctx, tree)
    cold_note, findings, checked = describe_n1fix(cold)
    cold_row = Row(
        "(a) n1fix scan, cold",
        cold.seconds,
        "; ".join(filter(None, [cache_note, cold_note])),
        cpu=cold.cpu,
        peak_mb=cold.peak_mb,
    )
    rows.append(cold_row)
    warm_ctx = Context(
        n1fix=ctx.n1fix,
        timeout=ctx.timeout,
        n1fix_json=ctx.n1fix_json,
        n1fix_flags=[f for f in ctx.n1fix_flags if f != "--no-cache"],
    )
    if "--no-cache" in ctx.n1fix_flags:
        # --no-cache neither reads nor writes the cache, so the run after it is the one
        # that fills the cache; time it too, then the warm run proper.
        clear_n1fix_cache(tree)
        log("n1fix scan, filling the cache")
        fill = n1fix_scan(warm_ctx, tree)
        rows.append(
            Row(
                "    n1fix scan, 1st run with cache",
                fill.seconds,
                describe_n1fix(fill)[0] or "writes the cache",
                cpu=fill.cpu,
                peak_mb=fill.peak_mb,
            )
        )
    log("n1fix scan, warm")
    warm = n1fix_scan(warm_ctx, tree)
    warm_note, warm_findings, _ = describe_n1fix(warm)
    warm_row = Row(
        "(b) n1fix scan, warm (cache filled)",
        warm.seconds,
        warm_note,
        cpu=warm.cpu,
        peak_mb=warm.peak_mb,
    )
    rows.append(warm_row)

    # (b') one changed file: a comment appended to a file defining models
    changed_row = bench_changed_file(tree, warm_ctx, warm)
    if changed_row is not None:
        rows.append(changed_row)

    # (a') apply --dry-run: keeps no results cache, so it is as cold as (a)
    log("n1fix apply --dry-run")
    apply = n1fix_apply_dry_run(ctx, tree)
    apply_row = Row(
        "(a') n1fix apply --dry-run",
        apply.seconds,
        ""
        if apply.returncode in (0, 1)
        else f"rc={apply.returncode}: {apply.last_error_line()[:150]}",
        cpu=apply.cpu,
        peak_mb=apply.peak_mb,
    )
    rows.append(apply_row)

    # (c) ruff
    ruff_row = None
    if ruff is None:
        rows.append(
            Row(
                "(c) ruff check --select E,F --no-cache", None, "unavailable or skipped"
            )
        )
    else:
        log("ruff")
        run = timed(
            [ruff, "check", "--select", "E,F", "--no-cache", "--quiet", str(tree)],
            timeout=args.timeout,
        )
        note = (
            ""
            if run.returncode in (0, 1)
            else f"rc={run.returncode}: {run.last_error_line()[:150]}"
        )
        ruff_row = Row(
            "(c) ruff check --select E,F --no-cache",
            run.seconds,
            note,
            cpu=run.cpu,
            peak_mb=run.peak_mb,
        )
        rows.append(ruff_row)
        if run.returncode not in (0, 1):
            ruff_row = None

    # (d) ast.parse
    log("ast.parse")
    ast_seconds, ast_failures = bench_ast(files)
    rows.append(
        Row(
            "(d) ast.parse, every .py file",
            ast_seconds,
            "in-process, 1 core, no I/O startup"
            + (f"; {ast_failures} did not parse" if ast_failures else ""),
        )
    )

    # (e) semgrep
    semgrep_row = None
    if args.skip_semgrep:
        rows.append(
            Row("(e) semgrep, comparable rule", None, "skipped (--skip-semgrep)")
        )
    else:
        log("semgrep")
        semgrep_row, unavailable = bench_semgrep(tree, args.timeout, args.semgrep_path)
        rows.append(semgrep_row)
        if unavailable:
            notes.append(unavailable)
            semgrep_row = None

    # (f) one small clean file, best of 5
    log("single file, best of 5")
    small = single_file()
    small_best, small_cpu, small_run = best_of(
        5, [*ctx.n1fix, "scan", *warm_ctx.n1fix_flags, str(small)], args.timeout
    )
    small_note = describe_n1fix(small_run)[0]
    rows.append(
        Row(
            "(f) n1fix scan, 1 small clean file",
            small_best,
            "best of 5" + (f"; {small_note}" if small_note else ""),
            "single",
            cpu=small_cpu,
            peak_mb=small_run.peak_mb,
        )
    )
    ruff1_row = None
    if ruff is not None:
        ruff1_seconds, ruff1_cpu, _ = best_of(
            5,
            [ruff, "check", "--select", "E,F", "--no-cache", "--quiet", str(small)],
            args.timeout,
        )
        ruff1_row = Row(
            "    ruff check, same file", ruff1_seconds, "best of 5", None, cpu=ruff1_cpu
        )
        rows.append(ruff1_row)

    # --- report
    print()
    print(f"tree:      {label}: {tree}")
    print(
        f".py files: {len(files)}, {lines:,} lines"
        + (f" (n1fix checked {checked})" if checked is not None else "")
    )
    print(
        f"findings:  n1fix {findings if findings is not None else '?'}"
        + (f" (warm run: {warm_findings})" if warm_findings != findings else "")
    )
    load = (
        " ".join(f"{x:.1f}" for x in os.getloadavg())
        if hasattr(os, "getloadavg")
        else "?"
    )
    print(
        f"machine:   {os.cpu_count()} CPUs, {platform.system()} {platform.machine()}, Python {platform.python_version()}, "
        f"load average {load} (other work on the machine inflates the wall seconds)"
    )
    print(f"n1fix:     {' '.join(ctx.n1fix)} {' '.join(ctx.n1fix_flags)}")
    if ruff:
        print(f"ruff:      {ruff} ({version_of([ruff, '--version'])})")
    print()
    width = max(len(row.label) for row in rows)
    print(
        f"{'step':<{width}}  {'wall s':>8}  {'CPU s':>8}  {'peak MB':>7}  {'x ruff':>7}  {'x semgrep':>9}  note"
    )
    print(f"{'-' * width}  {'-' * 8}  {'-' * 8}  {'-' * 7}  {'-' * 7}  {'-' * 9}  ----")
    for row in rows:
        seconds = f"{row.seconds:8.3f}" if row.seconds is not None else f"{'-':>8}"
        cpu = f"{row.cpu:8.3f}" if row.cpu is not None else f"{'-':>8}"
        peak = f"{row.peak_mb:7.0f}" if row.peak_mb is not None else f"{'-':>7}"
        if row.versus == "tree":
            versus_ruff, versus_semgrep = (
                _ratio(row, ruff_row),
                _ratio(row, semgrep_row),
            )
        elif row.versus == "single":
            versus_ruff, versus_semgrep = _ratio(row, ruff1_row), ""
        else:
            versus_ruff = versus_semgrep = ""
        print(
            f"{row.label:<{width}}  {seconds}  {cpu}  {peak}  {versus_ruff:>7}  {versus_semgrep:>9}  {row.note}"
        )
    print()
    print(
        "x ruff, x semgrep: CPU seconds divided by theirs on the same input (wall seconds where CPU is not"
    )
    print(
        "measured: (d) runs in-process, (f) is the best of 5 runs); for (f), ruff on the same single file."
    )
    print(
        "targets (issue 17): cold scan at most half of Semgrep's time; apply --dry-run at most 1.2x; warm at most 1.5x ruff;"
        " one clean file under 0.1 s."
    )
    return (
        f"{label:<20} {len(files):>6} {lines:>8} {_both(cold_row):>16} {_both(warm_row):>14} {_both(changed_row):>14} {_both(ruff_row):>14} "
        f"{_both(semgrep_row):>14} {_ratio(cold_row, semgrep_row):>12} {_ratio(apply_row, semgrep_row):>13} {_ratio(cold_row, ruff_row):>9} {_ratio(warm_row, ruff_row):>9} "
        f"{cold_row.peak_mb or 0:>7.0f} {checked if checked is not None else '?':>7}"
        f" {_per(cold_row, checked, 1_000):>10} {_per(cold_row, lines, 100_000):>12}"
    )


def _per(row: Row | None, count: int | None, unit: int) -> str:
    """CPU seconds of `row` per `unit` of `count` (files or lines): the size-free figure
    that compares trees of different sizes."""
    if row is None or row.cpu is None or not count:
        return "-"
    return f"{row.cpu * unit / count:.1f}"


def bench_scaling(trees: list[tuple[str, Path]], ctx: Context, ruff, args) -> int:
    """Cold scans of the 1x, 2x and 4x trees: does the time grow with the files, and only
    with them? Prints CPU milliseconds per file, which stays flat when it does."""
    print(
        f"{'tree':<48} {'files':>6} {'n1fix CPU s':>11} {'ms/file':>7} {'wall s':>7} "
        f"{'peak MB':>7} {'ruff CPU s':>10} {'semgrep CPU s':>13} {'x semgrep':>9}"
    )
    notes = []
    for label, tree in trees:
        files = len(python_files(tree))
        log(f"scaling: n1fix scan, cold: {label}")
        cold = n1fix_scan(ctx, tree)
        note = describe_n1fix(cold)[0]
        ruff_cpu = semgrep_cpu = None
        if ruff is not None:
            log("scaling: ruff")
            run = timed(
                [ruff, "check", "--select", "E,F", "--no-cache", "--quiet", str(tree)],
                timeout=args.timeout,
            )
            ruff_cpu = run.cpu
        if args.semgrep_path:
            log("scaling: semgrep")
            row, unavailable = bench_semgrep(tree, args.timeout, args.semgrep_path)
            semgrep_cpu = row.cpu
            if unavailable:
                notes.append(unavailable)
        cpu = cold.cpu or 0
        ratio = f"{cpu / semgrep_cpu:.2f}" if semgrep_cpu else "-"
        print(
            f"{label:<48} {files:>6} {cpu:>11.1f} {1000 * cpu / max(files, 1):>7.1f} "
            f"{cold.seconds:>7.1f} {cold.peak_mb or 0:>7.0f} "
            f"{ruff_cpu if ruff_cpu is not None else float('nan'):>10.2f} "
            f"{semgrep_cpu if semgrep_cpu is not None else float('nan'):>13.1f} {ratio:>9}"
            + (f"  {note}" if note else ""),
            flush=True,
        )
    print(
        "checked: the files n1fix checked (its default excludes skip tests and migrations);"
        " s/1k files: cold CPU s per 1,000 of them; s/100k lines: per 100,000 lines of the"
        " tree's .py files"
    )
    for note in dict.fromkeys(notes):
        print(note)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
