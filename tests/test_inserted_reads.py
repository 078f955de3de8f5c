"""A companion edit's reads are checked on an excerpt (`n1fix.cst.inserted_reads`): the
module with every other function's body left out. Its outcome must be the whole-module
check's (`new_unbound_reads`), for reads the excerpt keeps and for those it drops."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from n1fix.cst import companions
from n1fix.cst.companions import CompanionEdit, apply_companion

DAL = """
from typing import TYPE_CHECKING

import sqlalchemy as sa
from app.db import Session

LIMIT = 10
if TYPE_CHECKING:
    from app.models import Thing
try:
    from fast import helper
except ImportError:
    helper = None


def configure():
    global REGISTRY
    REGISTRY = {}


class ThingTable:
    default_size = 5

    def by_id(self, id):
        with Session() as session:
            return session.get(Thing, id)

    def other(self):
        return [x for x in range(LIMIT)]
"""

# Without `configure`, `REGISTRY` is bound nowhere; the excerpt keeps every function's
# body when the module says `global`, and leaves them out otherwise.
MODULES = {
    "declares a global": DAL,
    "no global": DAL.replace("global REGISTRY", ""),
    # The whole-module check fails on an unbound module-level read (`__file__`, or a
    # name the edit's import then binds), and so must the excerpt's.
    "reads __file__": DAL.replace("LIMIT = 10", "LIMIT = len(__file__)"),
    "reads what the edit imports": DAL.replace("LIMIT = 10", "LIMIT = select"),
    # Bound only by `configure`'s `global`: the excerpt must keep that body.
    "reads a global a function binds": DAL + "\n\nDEFAULTS = REGISTRY\n",
    # The excerpt leaves out other classes' bodies, and the signatures of the owner's
    # other methods unless one binds a name in the class (`:=`).
    "another class, a sibling binding by walrus": DAL.replace(
        "class ThingTable:\n    default_size = 5\n",
        "class Other:\n    other_size = 3\n\n    def more(self):\n        return 1\n\n\n"
        "class ThingTable:\n    default_size = 5\n\n"
        "    @(decorated := staticmethod)\n    def sibling(x: int = LIMIT) -> int:\n"
        "        return x\n",
    ).replace("global REGISTRY", ""),
}

METHODS = {
    "module names": "def by_ids(self, ids):\n    return [Thing, Session, helper, LIMIT, sa, REGISTRY, ids]\n",
    "a name defined nowhere": "def by_ids(self, ids):\n    return missing(ids)\n",
    "a class attribute, bare": "def by_ids(self, ids):\n    return default_size\n",
    "a method, bare": "def by_ids(self, ids):\n    return other(self)\n",
    "its own name, bare": "def by_ids(self, ids):\n    return by_ids\n",
    "a class attribute as a default": "def by_ids(self, ids, size=default_size):\n    return size\n",
    "a local before its assignment": "def by_ids(self, ids):\n    total = total + len(ids)\n    return total\n",
    "a comprehension": "def by_ids(self, ids):\n    return {i: nowhere for i in ids}\n",
    "an added import": "def by_ids(self, ids):\n    return select(Thing).where(Thing.id.in_(ids))\n",
    "another class's attribute, bare": "def by_ids(self, ids):\n    return other_size\n",
    "a name a sibling's decorator binds, as a default": "def by_ids(self, ids, d=decorated):\n    return d\n",
    "a name a sibling's decorator binds, bare": "def by_ids(self, ids):\n    return decorated\n",
}


def _outcome(text: str, edit: CompanionEdit) -> str:
    try:
        return apply_companion(text, edit)
    except Exception as failure:  # noqa: BLE001 - the same failure, whatever it is
        return f"{type(failure).__name__}: {failure}"


@pytest.mark.parametrize("module", MODULES)
@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("owner", ["ThingTable", None])
def test_the_excerpt_answers_as_the_whole_module(module, method, owner, monkeypatch):
    text = textwrap.dedent(MODULES[module])
    if owner is None:  # the same method as a module function after `configure`
        text = text.replace(
            "def configure():", "def by_id(id):\n    pass\n\n\ndef configure():"
        )
    edit = CompanionEdit(
        path=Path("dal.py"),
        display="dal.py",
        owner=owner,
        after="by_id",
        name="by_ids",
        code=METHODS[method],
        imports=(("sqlalchemy", "select"),),
    )
    narrowed = _outcome(text, edit)
    monkeypatch.setattr(companions, "inserted_reads_bound", lambda *args: False)
    assert narrowed == _outcome(text, edit)


def test_bound_reads_take_the_excerpt(monkeypatch):
    """The case the excerpt is for: it answers alone, without the whole-module check."""
    text = textwrap.dedent(MODULES["no global"])
    edit = CompanionEdit(
        path=Path("dal.py"),
        display="dal.py",
        owner="ThingTable",
        after="by_id",
        name="by_ids",
        code="def by_ids(self, ids):\n    return [Thing, Session, helper, LIMIT, sa, ids]\n",
    )

    def whole_module(*args):
        raise AssertionError("the whole-module check ran")

    monkeypatch.setattr(companions, "new_unbound_reads", whole_module)
    assert "def by_ids(self, ids):" in apply_companion(text, edit)
