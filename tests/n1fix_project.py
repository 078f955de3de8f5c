"""A tiny SQLAlchemy 2.0 project on disk, and a way to run the real `n1fix` command on it.

Shared by the behaviour tests (test_cli, test_fixer_safety): `make_project(tmp_path)`
writes `pyproject.toml`, `app/models.py` (User, Project with a NOT NULL foreign key) and
`app/service.py` (one query per user in a loop).
"""

from __future__ import annotations

import io
import os
import signal
import subprocess
import sys
import types
import warnings
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

# Project and Render (Render.project_id a NOT NULL foreign key), indented for
# textwrap.dedent: the models of the in-process tests of queries in loops.
RENDER_MODELS = """
    from sqlalchemy import ForeignKey
    from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


    class Base(DeclarativeBase):
        pass


    class Project(Base):
        __tablename__ = "projects"
        id: Mapped[int] = mapped_column(primary_key=True)


    class Render(Base):
        __tablename__ = "renders"
        id: Mapped[int] = mapped_column(primary_key=True)
        project_id: Mapped[int] = mapped_column(ForeignKey("projects.id"))
"""


def write_service(tmp_path: Path, models: str, header: str, body: str) -> Path:
    """`pyproject.toml`, `app/models.py` and `app/service.py` (header then body), each
    dedented: the project of an in-process rule test. Returns the service's path."""
    import textwrap

    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'x'\nversion = '0'\n")
    (tmp_path / "app").mkdir()
    (tmp_path / "app" / "__init__.py").write_text("")
    (tmp_path / "app" / "models.py").write_text(textwrap.dedent(models))
    service = tmp_path / "app" / "service.py"
    service.write_text(textwrap.dedent(header) + textwrap.dedent(body))
    return service


# The console script installed next to the interpreter running the tests.
N1FIX = Path(sys.executable).parent / "n1fix"

PYPROJECT = """\
[project]
name = "demo"
version = "0"
"""

MODELS = """\
from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(200), unique=True)


class Project(Base):
    __tablename__ = "projects"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), nullable=False)
"""

# The query is on line 11, column 20 (1-based, as ruff counts).
SERVICE = """\
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import Project, User


def projects_by_user(session: Session, users: list[User]) -> dict[int, list[Project]]:
    result = {}
    for user in users:
        # one query per user
        projects = session.scalars(select(Project).where(Project.user_id == user.id)).all()
        result[user.id] = projects
    return result
"""
SERVICE_LINE, SERVICE_COLUMN = 11, 20

# No query in a loop.
CLEAN = """\
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import Project


def all_projects(session: Session) -> list[Project]:
    return list(session.scalars(select(Project).order_by(Project.id)))
"""

# `.first()` without ORDER BY: the batch may pick another row, so the fix is unsafe.
UNSAFE_FIRST = """\
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import Project, User


def first_project(session: Session, users: list[User]) -> dict[int, Project | None]:
    result = {}
    for user in users:
        result[user.id] = session.scalars(select(Project).where(Project.user_id == user.id)).first()
    return result
"""

# Two independent N+1 loops with distinct queries, both with safe fixes.
TWO_LOOPS = """\
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import Project, User


def projects_by_user(session: Session, users: list[User]) -> dict[int, list[Project]]:
    result = {}
    for user in users:
        result[user.id] = session.scalars(select(Project).where(Project.user_id == user.id)).all()
    return result


def owners(session: Session, projects: list[Project]) -> dict[int, User | None]:
    result = {}
    for project in projects:
        result[project.id] = session.get(User, project.user_id)
    return result
"""
TWO_LOOPS_LINES = (10, 17)

_LIST_PER_KEY = """

def projects_by_user_{i}(session: Session, users: list[User]) -> dict[int, list[Project]]:
    result = {{}}
    for user in users:
        result[user.id] = session.scalars(select(Project).where(Project.user_id == user.id)).all()
    return result
"""

_GET_PER_KEY = """

def owners_{i}(session: Session, projects: list[Project]) -> dict[int, User | None]:
    result = {{}}
    for project in projects:
        result[project.id] = session.get(User, project.user_id)
    return result
"""


def many_loops(fixes: int) -> str:
    """A service module with `fixes` functions, each with one N+1 loop that has a safe fix
    (alternately a list per key and a `session.get`)."""
    header = TWO_LOOPS.split("\n\n\ndef ")[0] + "\n"
    return header + "".join(
        (_LIST_PER_KEY if i % 2 == 0 else _GET_PER_KEY).format(i=i)
        for i in range(fixes)
    )


def make_project(
    root: Path, service: str | None = SERVICE, *, pyproject: str = PYPROJECT
) -> Path:
    """Write the project under `root` and return `root`."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "pyproject.toml").write_text(pyproject, encoding="utf-8")
    app = root / "app"
    app.mkdir(exist_ok=True)
    (app / "__init__.py").write_text("", encoding="utf-8")
    (app / "models.py").write_text(MODELS, encoding="utf-8")
    if service is not None:
        (app / "service.py").write_text(service, encoding="utf-8")
    return root


@dataclass
class Run:
    code: int
    out: str
    err: str

    @property
    def err_lines(self) -> list[str]:
        return [line for line in self.err.splitlines() if line.strip()]


# What the command's environment adds to the test run's: plain, wide output.
PLAIN = {"NO_COLOR": "1", "TERM": "dumb", "COLUMNS": "200"}


def n1fix(
    *args: str | os.PathLike[str],
    cwd: Path,
    env: Mapping[str, str | None] = PLAIN,
    timeout: float = 120,
) -> Run:
    """Run the `n1fix` command in `cwd`, in this process: what the console script does
    (`n1fix.cli_plain.main`: a plain scan without typer, the rest `n1fix.cli.main`), with its stdin empty, its stdout and stderr pipes read back as
    text, and `env` (a value of None removes the variable) on top of this environment.

    A run that takes longer than `timeout` seconds is stopped with `Hung`. Tests of the
    process itself (signals, a terminal, the real stdout's encoding, a hang that only a
    kill ends) use `n1fix_process`.
    """
    with in_process(args, cwd, env, timeout) as streams:
        from n1fix.cli_plain import main

        try:
            main()
            code = 0
        except SystemExit as exit_:
            # As the interpreter exits: None is 0, an int itself, anything else 1.
            code = 0 if exit_.code is None else exit_.code
            code = code if isinstance(code, int) else 1
    out, err = streams
    return Run(code, out.text(), err.text())


def n1fix_process(
    *args: str | os.PathLike[str],
    cwd: Path,
    env: Mapping[str, str | None] = PLAIN,
    timeout: float = 120,
) -> Run:
    """Run the installed `n1fix` console script in `cwd`, as a process."""
    proc = subprocess.run(
        [str(N1FIX), *map(str, args)],
        cwd=cwd,
        env=_environment(env),
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    return Run(proc.returncode, proc.stdout, proc.stderr)


def _environment(
    changes: Mapping[str, str | None], base: Mapping[str, str] = os.environ
) -> dict[str, str]:
    env = dict(base)
    for name, value in changes.items():
        if value is None:
            env.pop(name, None)
        else:
            env[name] = value
    return env


class Hung(BaseException):
    """An in-process run took longer than its timeout (not an `Exception`: n1fix's
    top-level handler must not turn it into an exit code)."""


class _Pipe:
    """A stream as a pipe is to the command: bytes, read back as `text=True` reads them."""

    def __init__(self) -> None:
        self.raw = io.BytesIO()
        self.stream = io.TextIOWrapper(self.raw, encoding="utf-8", write_through=True)

    def text(self) -> str:
        self.stream.flush()
        data = io.TextIOWrapper(io.BytesIO(self.raw.getvalue()), encoding="utf-8")
        return data.read()


# The warning filters of a fresh interpreter (`python -W` unset): what the command's
# own warnings meet when it runs as a process.
_DEFAULT_FILTERS = (
    ("default", DeprecationWarning, "__main__"),
    ("ignore", DeprecationWarning, ""),
    ("ignore", PendingDeprecationWarning, ""),
    ("ignore", ImportWarning, ""),
    ("ignore", ResourceWarning, ""),
)


@contextmanager
def in_process(
    args: tuple, cwd: Path, env: Mapping[str, str | None], timeout: float
) -> Iterator[tuple[_Pipe, _Pipe]]:
    """The process state a command reads, set for one run and put back after it."""
    out, err = _Pipe(), _Pipe()
    saved_environ = dict(os.environ)
    saved_cwd = os.getcwd()
    saved = (sys.argv, sys.stdin, sys.stdout, sys.stderr, sys.modules["__main__"])

    def hung(signum, frame) -> None:
        raise Hung(f"n1fix {' '.join(map(str, args))} ran over {timeout} s")

    previous_alarm = signal.signal(signal.SIGALRM, hung)
    with open(os.devnull, encoding="utf-8") as stdin, warnings.catch_warnings():
        warnings.resetwarnings()
        for action, category, module in reversed(_DEFAULT_FILTERS):
            warnings.filterwarnings(action, category=category, module=module)
        warnings.showwarning = _show_warning
        try:
            os.environ.clear()
            os.environ.update(_environment(env, saved_environ))
            os.chdir(cwd)
            sys.argv = [str(N1FIX), *map(str, args)]
            # A console script's __main__ is in no package: click names the program
            # after argv[0] then (under `python -m pytest` it would say "python -m pytest").
            sys.modules["__main__"] = types.ModuleType("__main__")
            sys.stdin, sys.stdout, sys.stderr = stdin, out.stream, err.stream
            signal.setitimer(signal.ITIMER_REAL, timeout)
            yield out, err
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, previous_alarm)
            sys.argv, sys.stdin, sys.stdout, sys.stderr, sys.modules["__main__"] = saved
            os.chdir(saved_cwd)
            os.environ.clear()
            os.environ.update(saved_environ)


def _show_warning(message, category, filename, lineno, file=None, line=None) -> None:
    # As an interpreter shows a warning: on the stderr of the moment (the command's).
    sys.stderr.write(warnings.formatwarning(message, category, filename, lineno, line))
