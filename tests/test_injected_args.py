"""`orm.injected_args`: a decorator supplies its function's first arguments only when
its source shows it (prefect's `@db_injector`), never because of its name."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from n1fix.orm.injected_args import injected_count

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


@pytest.mark.parametrize("source", [CLASS_FORM, WRAPPER_FORM])
def test_injector_supplies_first_argument(tmp_path: Path, source: str) -> None:
    path = _project(tmp_path, source)
    assert injected_count("db_injector", path, tmp_path) == 1


def test_delegating_re_export_is_followed(tmp_path: Path) -> None:
    path = _project(tmp_path, WRAPPER_FORM, name="db_injector_again")
    (tmp_path / "app" / "inject.py").write_text(
        textwrap.dedent(WRAPPER_FORM)
        + "\n\ndef db_injector_again(func):\n"
        + "    return db_injector(func)\n"
    )
    assert injected_count("db_injector_again", path, tmp_path) == 1


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
    assert injected_count("db_injector", path, tmp_path) is None


def test_setattr_override_blocks_plain_store(tmp_path: Path) -> None:
    source = CLASS_FORM.replace(
        'object.__setattr__(self, "_func", func)', "self._func = func"
    )
    path = _project(tmp_path, source)
    assert injected_count("db_injector", path, tmp_path) == 1
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
    assert injected_count("db_injector", path, _project_again) is None


def test_unknown_decorator(tmp_path: Path) -> None:
    path = _project(tmp_path, "import functools\n", name="functools")
    assert injected_count("functools.cache", path, tmp_path) is None
