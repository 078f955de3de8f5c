"""The same file gets the same findings from any starting point: the repository's root, the
project's own folder, or the file alone. Imports are resolved from each file's own project
root (the nearest pyproject.toml, setup.cfg or setup.py above it, `src/` layouts
included), so facts from other modules (a DAL method behind a package re-export) are not
lost when the scan starts higher up."""

from __future__ import annotations

import shutil
import textwrap
from pathlib import Path

import pytest
from n1fix_project import RENDER_MODELS

from n1fix.config import load_config
from n1fix.engine.discovery import find_project_root
from n1fix.engine.runner import run
from n1fix.orm.imports import clear_resolution_cache, import_root, module_name_for

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "renderservice"


def findings(top: Path, *paths: str) -> set[tuple]:
    """What `n1fix scan PATHS` run in `top` reports: (file, rule, line, column, fix, message)."""
    given = [Path(p) for p in paths]
    root = find_project_root(given, cwd=top)
    config = load_config(root).merged(cache=False)
    result = run([top / p for p in given], root, config, jobs=1)
    assert not result.errors, result.errors
    return {
        (f.path, f.rule, f.line, f.column, f.applicability.value, f.message)
        for f in result.findings
    }


def in_folder(found: set[tuple], folder: str) -> set[tuple]:
    return {f for f in found if f[0].startswith(folder + "/")}


@pytest.fixture
def repository(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The example where it lives: a folder with its own pyproject.toml in a repository
    with another one at the top. Findings name paths from the top, where every scan runs."""
    top = tmp_path / "repo"
    shutil.copytree(
        EXAMPLE,
        top / "examples" / "renderservice",
        ignore=shutil.ignore_patterns("__pycache__", "*.db"),
    )
    (top / "pyproject.toml").write_text('[project]\nname = "tool"\n')
    monkeypatch.chdir(top)
    return top


def test_the_example_gets_the_same_findings_from_any_scan_root(
    repository: Path,
) -> None:
    example = "examples/renderservice"
    from_top = in_folder(findings(repository, "."), example)
    from_example = findings(repository, example)
    # the example's DAL calls (`from app.dal import RendersDAL`, a package re-export) among them
    assert any(
        f[0] == f"{example}/app/services/dashboard.py"
        and "RendersDAL.latest_for_project()" in f[5]
        for f in from_example
    )
    assert from_top == from_example
    one_by_one = set()
    for path in sorted((repository / example).rglob("*.py")):
        one_by_one |= findings(repository, str(path.relative_to(repository)))
    assert one_by_one == from_example


DAL = """
    from sqlalchemy import select
    from sqlalchemy.orm import Session

    from {package}.models import Render


    class RendersDAL:
        @staticmethod
        def for_project(session: Session, project_id: int) -> list[Render]:
            return session.scalars(select(Render).where(Render.project_id == project_id).order_by(Render.id)).all()
"""

SERVICE = """
    from sqlalchemy.orm import Session

    from {package}.dal import RendersDAL
    from {package}.models import Project


    def renders_by_project(session: Session, projects: list[Project]) -> dict[int, list]:
        result = {{}}
        for project in projects:
            result[project.id] = RendersDAL.for_project(session, project.id)
        return result
"""


def write_app(base: Path, package: str) -> None:
    files = {
        "__init__.py": "",
        "models.py": RENDER_MODELS,
        "dal/__init__.py": "from .renders import RendersDAL\n",  # the DAL re-exported by its package
        "dal/renders.py": DAL,
        "services.py": SERVICE,
    }
    for name, text in files.items():
        path = base / package / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text.format(package=package)))


@pytest.fixture
def monorepo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Two apps, each its own project: `apps/api` (pyproject.toml, flat) and `apps/web`
    (setup.cfg, a `src/` layout), under a repository with a pyproject.toml of its own."""
    top = tmp_path / "mono"
    top.mkdir()
    (top / "pyproject.toml").write_text('[project]\nname = "mono"\n')
    api, web = top / "apps" / "api", top / "apps" / "web"
    api.mkdir(parents=True)
    (api / "pyproject.toml").write_text('[project]\nname = "api"\n')
    write_app(api, "api_app")
    web.mkdir(parents=True)
    (web / "setup.cfg").write_text("[metadata]\nname = web\n")
    write_app(web / "src", "web_app")
    monkeypatch.chdir(top)
    return top


def test_each_app_of_a_monorepo_imports_from_its_own_root(monorepo: Path) -> None:
    clear_resolution_cache()
    web_dal = monorepo / "apps/web/src/web_app/dal/renders.py"
    assert import_root(web_dal, monorepo) == (monorepo / "apps/web").resolve()
    assert module_name_for(web_dal, monorepo) == "web_app.dal.renders"
    assert (
        module_name_for(monorepo / "apps/api/api_app/dal/__init__.py", monorepo)
        == "api_app.dal"
    )
    # a module named setup.py inside a package does not make the package a project
    (monorepo / "apps/api/api_app/setup.py").write_text("def configure():\n    pass\n")
    clear_resolution_cache()
    assert (
        module_name_for(monorepo / "apps/api/api_app/setup.py", monorepo)
        == "api_app.setup"
    )
    (monorepo / "apps/api/api_app/setup.py").unlink()
    clear_resolution_cache()

    from_top = findings(monorepo, ".")
    calls = sorted((f[0], f[1], f[4]) for f in from_top)
    assert calls == [
        ("apps/api/api_app/services.py", "query-in-loop", "safe"),
        ("apps/web/src/web_app/services.py", "query-in-loop", "safe"),
    ]
    assert from_top == findings(monorepo, "apps/api") | findings(monorepo, "apps/web")
    assert in_folder(from_top, "apps/web") == findings(
        monorepo, "apps/web/src/web_app/services.py"
    )
    assert in_folder(from_top, "apps/api") == findings(
        monorepo, "apps/api/api_app/services.py"
    )
