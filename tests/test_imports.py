"""Module names, import maps, module resolution and the project import closure."""

from __future__ import annotations

import ast
import textwrap
from pathlib import Path

import pytest

from n1fix.orm.imports import (
    import_map,
    imported_modules,
    module_name_for,
    project_closure,
    resolve_module_path,
    resolve_relative,
)


def write(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip(), encoding="utf-8")


def imports_of(source: str, module: str, is_package: bool = False) -> dict[str, str]:
    return import_map(ast.parse(textwrap.dedent(source)), module, is_package)


# -- module_name_for -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("relative", "expected"),
    [
        ("app/models.py", "app.models"),
        ("app/models/__init__.py", "app.models"),
        ("app/__init__.py", "app"),
        ("src/pkg/mod.py", "pkg.mod"),
        ("src/pkg/__init__.py", "pkg"),
        ("manage.py", "manage"),
        ("stubs/thing.pyi", "stubs.thing"),
        ("golden/renderapp/models.py", "golden.renderapp.models"),
    ],
)
def test_module_name_for(tmp_path: Path, relative: str, expected: str) -> None:
    assert module_name_for(tmp_path / relative, tmp_path) == expected


def test_module_name_for_relative_paths(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    assert module_name_for(Path("app/models.py"), Path(".")) == "app.models"


# -- import_map ---------------------------------------------------------------------------


def test_import_map_absolute_forms() -> None:
    names = imports_of(
        """
        import os
        import os.path
        import sqlalchemy as sa
        import sqlalchemy.orm as orm
        from app.models import Render, User as U
        from app import models
        """,
        "app.services",
    )
    assert names == {
        "os": "os",
        "sa": "sqlalchemy",
        "orm": "sqlalchemy.orm",
        "Render": "app.models.Render",
        "U": "app.models.User",
        "models": "app.models",
    }


def test_import_map_relative_imports() -> None:
    source = """
        from .models import Render
        from . import db
        from ..core.db import Base
        from .. import settings
    """
    assert imports_of(source, "app.api.views") == {
        "Render": "app.api.models.Render",
        "db": "app.api.db",
        "Base": "app.core.db.Base",
        "settings": "app.settings",
    }
    # in a package's __init__, `.` is the package itself
    assert imports_of(source, "app.api", is_package=True) == {
        "Render": "app.api.models.Render",
        "db": "app.api.db",
        "Base": "app.core.db.Base",
        "settings": "app.settings",
    }


def test_import_map_skips_relative_imports_above_the_top() -> None:
    assert imports_of("from ... import x\nfrom ...y import z\n", "app.mod") == {}
    assert imports_of("from . import x\n", "toplevel") == {}


def test_import_map_type_checking_nested_star_and_precedence() -> None:
    names = imports_of(
        """
        from typing import TYPE_CHECKING

        from app.models import Render
        from app.helpers import *

        if TYPE_CHECKING:
            from app.users import User
        try:
            import ujson as json
        except ImportError:
            import json

        def f():
            from app.other import Render
            from app.lazy import Thing
            return Render, Thing

        class C:
            import app.inner as inner
        """,
        "app.mod",
    )
    assert (
        names["Render"] == "app.models.Render"
    )  # module level wins over function level
    assert names["Thing"] == "app.lazy.Thing"
    assert names["User"] == "app.users.User"
    assert names["json"] == "json"  # the last module-level binding
    assert names["inner"] == "app.inner"
    assert names["*app.helpers"] == "app.helpers"


def test_resolve_relative() -> None:
    assert resolve_relative("x", 0, "a.b", False) == "x"
    assert resolve_relative(None, 1, "a.b", False) == "a"
    assert resolve_relative("c", 2, "a.b.m", False) == "a.c"
    assert resolve_relative(None, 1, "a", True) == "a"
    assert resolve_relative(None, 1, "top", False) is None
    assert resolve_relative(None, 3, "a.b", False) is None


def test_imported_modules_lists_submodule_candidates() -> None:
    tree = ast.parse("import a.b\nfrom c import d, e\nfrom .f import *\n")
    assert imported_modules(tree, "pkg.mod") == ["a.b", "c.d", "c.e", "c", "pkg.f"]


# -- resolve_module_path ------------------------------------------------------------------


def test_resolve_module_path_layouts(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "app/__init__.py": "",
            "app/models.py": "",
            "app/db/__init__.py": "",
            "src/lib/__init__.py": "",
            "src/lib/core.py": "",
            "golden/renderapp/__init__.py": "",
            "golden/renderapp/models.py": "",
            "golden/query_in_loop/case1/before.py": "",
            "golden/query_in_loop/case1/helpers.py": "",
        },
    )
    assert resolve_module_path("app.models", tmp_path) == tmp_path / "app/models.py"
    assert resolve_module_path("app.db", tmp_path) == tmp_path / "app/db/__init__.py"
    assert resolve_module_path("app", tmp_path) == tmp_path / "app/__init__.py"
    assert resolve_module_path("lib.core", tmp_path) == tmp_path / "src/lib/core.py"
    assert resolve_module_path("renderapp.models", tmp_path) is None
    before = tmp_path / "golden/query_in_loop/case1/before.py"
    assert (
        resolve_module_path("renderapp.models", tmp_path, near=before)
        == tmp_path / "golden/renderapp/models.py"
    )
    assert (
        resolve_module_path("helpers", tmp_path, near=before)
        == tmp_path / "golden/query_in_loop/case1/helpers.py"
    )
    assert resolve_module_path("sqlalchemy.orm", tmp_path, near=before) is None
    assert resolve_module_path("app.nope", tmp_path) is None
    assert resolve_module_path("", tmp_path) is None


def test_resolve_module_path_stays_inside_root(tmp_path: Path) -> None:
    write(tmp_path, {"outside/secret.py": "", "project/app.py": ""})
    root = tmp_path / "project"
    assert (
        resolve_module_path("secret", root, near=tmp_path / "outside/secret.py") is None
    )
    (root / "link").symlink_to(tmp_path / "outside")
    assert resolve_module_path("link.secret", root) is None


# -- project_closure ----------------------------------------------------------------------


def test_project_closure_follows_project_imports_transitively(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "app/__init__.py": "",
            "app/db.py": "from sqlalchemy.orm import DeclarativeBase\nclass Base(DeclarativeBase): pass\n",
            "app/models/__init__.py": "from .user import User\nfrom .render import Render\n",
            "app/models/user.py": "from ..db import Base\n",
            "app/models/render.py": "from app.db import Base\nfrom app.models.user import User\n",
            "app/services/__init__.py": "",
            "app/services/renders.py": "import json\nfrom app.models.render import Render\n",
            "app/unrelated.py": "",
        },
    )
    service = tmp_path / "app/services/renders.py"
    closure = project_closure([service], tmp_path)
    assert closure[0] == service
    assert {p.relative_to(tmp_path).as_posix() for p in closure} == {
        "app/services/renders.py",
        "app/__init__.py",
        "app/models/__init__.py",  # the parent package runs too, and it imports user.py
        "app/models/render.py",
        "app/models/user.py",
        "app/db.py",
    }
    assert len(closure) == len(set(closure))


def test_project_closure_keeps_given_files_and_skips_broken_ones(
    tmp_path: Path,
) -> None:
    write(
        tmp_path,
        {
            "a.py": "import b\nimport missing_module\n",
            "b.py": "import c\n",
            "c.py": "def broken(:\n",
            "d.py": "import a\n",
        },
    )
    (tmp_path / "e.py").write_bytes(b"\xff\xfe not utf-8 \x00")
    files = [tmp_path / "d.py", tmp_path / "e.py", tmp_path / "a.py"]
    closure = project_closure(files, tmp_path)
    assert closure[:3] == files
    assert closure[3:] == [tmp_path / "b.py", tmp_path / "c.py"]


def test_project_closure_golden_layout(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "golden/renderapp/__init__.py": "",
            "golden/renderapp/models.py": "from .db import Base\n",
            "golden/renderapp/db.py": "",
            "golden/query_in_loop/case1/before.py": "from renderapp.models import Render\n",
        },
    )
    closure = project_closure(
        [tmp_path / "golden/query_in_loop/case1/before.py"], tmp_path
    )
    assert [p.relative_to(tmp_path).as_posix() for p in closure] == [
        "golden/query_in_loop/case1/before.py",
        "golden/renderapp/__init__.py",
        "golden/renderapp/models.py",
        "golden/renderapp/db.py",
    ]


def test_project_closure_handles_import_cycles(tmp_path: Path) -> None:
    write(tmp_path, {"a.py": "from b import x\n", "b.py": "from a import y\n"})
    assert project_closure([tmp_path / "a.py"], tmp_path) == [
        tmp_path / "a.py",
        tmp_path / "b.py",
    ]
