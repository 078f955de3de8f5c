"""`orm.injected_args`: a decorator supplies its function's first arguments only when
its source shows it (prefect's `@db_injector`), never because of its name."""

from __future__ import annotations

import shutil
import textwrap
from pathlib import Path

import pytest

from n1fix.orm.injected_args import injected_count, injection

USE = """
from app.inject import {name}


@{name}
def read(db, session, key):
    return session.get(Thing, key)
"""


def _project(tmp_path: Path, inject: str, name: str = "db_injector") -> Path:
    app = tmp_path / "app"
    app.mkdir()
    (app / "__init__.py").write_text("")
    (app / "inject.py").write_text(textwrap.dedent(inject))
    (app / "dal.py").write_text(USE.format(name=name))
    return app / "dal.py"


CLASS_FORM = """
    from typing import Generic, cast


    class _Wrapper(Generic[P, R]):
        def __init__(self, func):
            object.__setattr__(self, "_func", func)


    class Injector(_Wrapper[P, R]):
        def __init__(self, func):
            super().__init__(cast(Callable, func))

        def __call__(self, *args, **kwargs):
            db = provide()
            func = cast(Callable, self._func)
            return func(db, *args, **kwargs)


    def db_injector(func):
        return Injector(func)
"""

WRAPPER_FORM = """
    import functools


    def db_injector(fn):
        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            db = provide()
            return fn(db, *args, **kwargs)

        return wrapper
"""


# `provide` shown to run no code of its own: a project function returning a new
# instance of a project class without `__init__`.
PURE_PROVIDE = """

    class Database:
        pass


    def provide():
        return Database()
"""


@pytest.mark.parametrize("source", [CLASS_FORM, WRAPPER_FORM])
def test_injector_supplies_first_argument(tmp_path: Path, source: str) -> None:
    path = _project(tmp_path, source + PURE_PROVIDE)
    assert injected_count("db_injector", path, tmp_path) == 1


@pytest.mark.parametrize("source", [CLASS_FORM, WRAPPER_FORM])
def test_injected_value_made_by_an_unknown_call(tmp_path: Path, source: str) -> None:
    # `provide()` runs once per call of the function, once for a batch method: the
    # injector is read, with the call named, and not counted as free of effects.
    path = _project(tmp_path, source)
    assert injection("db_injector", path, tmp_path).count == 1
    assert injection("db_injector", path, tmp_path).per_call == ("provide()",)
    assert injected_count("db_injector", path, tmp_path) is None


@pytest.mark.parametrize(
    "provide",
    [
        PURE_PROVIDE.replace(
            "        pass", "        def __init__(self):\n            log()"
        ),
        PURE_PROVIDE.replace("return Database()", "log()\n        return Database()"),
        PURE_PROVIDE.replace("return Database()", "return Database(log())"),
    ],
)
def test_a_provider_that_runs_code_is_not_free_of_effects(
    tmp_path: Path, provide: str
) -> None:
    path = _project(tmp_path, WRAPPER_FORM + provide)
    assert injection("db_injector", path, tmp_path).per_call == ("provide()",)


def test_delegating_re_export_is_followed(tmp_path: Path) -> None:
    path = _project(tmp_path, WRAPPER_FORM, name="db_injector_again")
    (tmp_path / "app" / "inject.py").write_text(
        textwrap.dedent(WRAPPER_FORM)
        + "\n\ndef db_injector_again(func):\n"
        + "    return db_injector(func)\n"
    )
    assert injection("db_injector_again", path, tmp_path).count == 1


@pytest.mark.parametrize(
    "source",
    [
        # the injected value is read from the caller's arguments
        WRAPPER_FORM.replace("db = provide()", "db = kwargs.pop('db')"),
        # the caller's arguments come first: nothing is supplied in front of them
        WRAPPER_FORM.replace("fn(db, *args, **kwargs)", "fn(*args, db, **kwargs)"),
        # every call also does something of its own
        WRAPPER_FORM.replace("db = provide()", "db = provide()\n            log(args)"),
        # not the decorated function that is called
        WRAPPER_FORM.replace("return fn(db,", "return other(db,"),
        # the class may build something else than it seems
        CLASS_FORM.replace(
            "def __call__",
            "def __new__(cls, func):\n            return func\n\n        def __call__",
        ),
    ],
)
def test_not_shown_to_inject(tmp_path: Path, source: str) -> None:
    path = _project(tmp_path, source)
    assert injection("db_injector", path, tmp_path) is None


def test_setattr_override_blocks_plain_store(tmp_path: Path) -> None:
    source = CLASS_FORM.replace(
        'object.__setattr__(self, "_func", func)', "self._func = func"
    )
    path = _project(tmp_path, source)
    assert injection("db_injector", path, tmp_path).count == 1
    overridden = source.replace(
        "class Injector(_Wrapper[P, R]):",
        "class Injector(_Wrapper[P, R]):\n        def __setattr__(self, name, value):\n"
        "            pass\n",
    ).replace(
        "class _Wrapper(Generic[P, R]):",
        "class _Wrapper(Generic[P, R]):\n        def __setattr__(self, name, value):\n"
        "            pass\n",
    )
    _project_again = tmp_path / "again"
    _project_again.mkdir()
    path = _project(_project_again, overridden)
    assert injection("db_injector", path, _project_again) is None


def test_unknown_decorator(tmp_path: Path) -> None:
    path = _project(tmp_path, "import functools\n", name="functools")
    assert injected_count("functools.cache", path, tmp_path) is None


GOLDEN = Path(__file__).parent.parent / "golden"


def _injected_case(tmp_path: Path, injection_text: str):
    """The golden injected_first_argument tree as package `app`, next to `renderapp`,
    with its injection module replaced; the findings on its routes."""
    from n1fix.engine.api import scan_source

    shutil.copytree(
        GOLDEN / "query_in_loop/injected_first_argument/before", tmp_path / "app"
    )
    shutil.copytree(GOLDEN / "renderapp", tmp_path / "renderapp")
    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'app'\n")
    (tmp_path / "app" / "__init__.py").write_text("")
    (tmp_path / "app" / "injection.py").write_text(injection_text)
    routes = tmp_path / "app" / "routes.py"
    return [
        f for f in scan_source(routes, routes.read_text()) if f.rule == "query-in-loop"
    ]


def test_a_batch_through_an_injector_whose_provider_runs_code_is_unsafe(
    tmp_path: Path,
) -> None:
    # The wrapper calls `provide_clock()` per call; here it counts its calls, so the
    # batch method (one call) changes what it records: unsafe, and says why.
    text = (
        GOLDEN / "query_in_loop/injected_first_argument/before/injection.py"
    ).read_text()
    assert "def provide_clock() -> Clock:\n    return Clock()" in text
    counted = text.replace(
        "def provide_clock() -> Clock:\n    return Clock()",
        "CALLS = []\n\n\ndef provide_clock() -> Clock:\n    CALLS.append(1)\n"
        "    return Clock()",
    )
    findings = _injected_case(tmp_path, counted)
    assert [f.applicability.value for f in findings] == ["unsafe", "unsafe"]
    assert all("`provide_clock()`" in f.message for f in findings)
    # as written in the golden case (a provider that only makes a new Clock): safe
    again = tmp_path / "again"
    again.mkdir()
    findings = _injected_case(again, text)
    assert [f.applicability.value for f in findings] == ["safe", "safe"]


def test_the_callees_module_is_parsed_once_while_it_is_unchanged(
    tmp_path: Path, monkeypatch
) -> None:
    import n1fix.orm.injected_args as injected_args

    dal = _project(tmp_path, WRAPPER_FORM + PURE_PROVIDE)
    parsed: list[Path] = []
    parse = injected_args.parse_file

    def counting(path: Path):
        parsed.append(Path(path))
        return parse(path)

    monkeypatch.setattr(injected_args, "parse_file", counting)
    assert injected_count("db_injector", dal, tmp_path) == 1
    assert injected_count("db_injector", dal, tmp_path) == 1
    assert parsed.count(dal) == 1
    # another state of the file (here: its size) is read again
    dal.write_text(USE.format(name="db_injector") + "\n\nOTHER = 1\n")
    assert injected_count("db_injector", dal, tmp_path) == 1
    assert parsed.count(dal) == 2
    dal.write_text("from app import inject\n")
    assert injected_count("db_injector", dal, tmp_path) is None
