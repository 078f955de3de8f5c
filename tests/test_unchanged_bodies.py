"""A rewrite's names are checked on excerpts (`n1fix.cst.unchanged_bodies`): both modules
without the bodies of the functions the rewrite left alone. `new_unbound_reads` must
answer as the whole modules' analysis does, whether the excerpts decide or send it on
to the whole modules."""

from __future__ import annotations

import textwrap

import libcst as cst
import pytest

from n1fix.cst import name_binding
from n1fix.cst.name_binding import new_unbound_reads
from n1fix.cst.unchanged_bodies import MAX_DEPTH, excerpts

BASE = textwrap.dedent(
    """\
    import os.path
    import sqlalchemy as sa
    from app.db import Session
    from app.models import *

    LIMIT = 10
    registry = {}


    def configure(value=LIMIT):
        global REGISTRY
        REGISTRY = {}
        return value


    def helper(rows):
        # the global rows of a comment, not a statement
        total = 0
        for row in rows:
            total += row
        return total, os.path.join("a", "b")


    def decorate(function):
        return function


    class Store:
        size = LIMIT

        @decorate
        def by_id(self, id, size=size):
            with Session() as session:
                return session.get(Thing, id), size

        def by_ids(self, ids):
            return [self.by_id(i) for i in ids]

        class Inner:
            def nested(self):
                counter = 0

                def bump():
                    nonlocal counter
                    counter += 1

                bump()
                return counter

        def same(self):
            return helper([1])


    class Other:
        def same(self):
            return helper([1])


    def twin():
        return REGISTRY


    def twin():
        return REGISTRY
    """
)

WITHOUT_STAR = BASE.replace(
    "from app.models import *\n", "from app.models import Thing\n"
)


def _edit(old: str, new: str, base: str = BASE) -> tuple[str, str]:
    assert old in base, old
    return base, base.replace(old, new, 1)


EDITS = {
    "a new undefined read in a method": _edit(
        "return [self.by_id(i) for i in ids]", "return [missing(i) for i in ids]"
    ),
    "a new undefined read without a star import": _edit(
        "return [self.by_id(i) for i in ids]",
        "return [missing(i) for i in ids]",
        WITHOUT_STAR,
    ),
    "a bound read added": _edit(
        "return [self.by_id(i) for i in ids]",
        "return [self.by_id(i) for i in ids if LIMIT]",
    ),
    "a local read before its assignment": _edit(
        "    total = 0\n", "    total = total + 0\n"
    ),
    "a global rebound in a function": _edit(
        "    return total, os", "    LIMIT = LIMIT + 1\n    return total, os"
    ),
    "a function the others call removed": _edit(
        "def helper(rows):", "def helper_renamed(rows):"
    ),
    "a function the others call removed, no star import": _edit(
        "def helper(rows):", "def helper_renamed(rows):", WITHOUT_STAR
    ),
    "an import removed": _edit("import sqlalchemy as sa\n", "", WITHOUT_STAR),
    "the session import removed": _edit(
        "from app.db import Session\n", "", WITHOUT_STAR
    ),
    "the star import removed": _edit("from app.models import *\n", ""),
    "a star import added": _edit(
        "import os.path\n", "import os.path\nfrom extra import *\n", WITHOUT_STAR
    ),
    "the dotted import removed": _edit("import os.path\n", "import os\n"),
    "the dotted import removed, no star": _edit(
        "import os.path\n", "import os\n", WITHOUT_STAR
    ),
    "an import added and read": _edit(
        "import os.path\n",
        "import os.path\nfrom sqlalchemy import select\n",
        BASE.replace("return [self.by_id(i) for i in ids]", "return select(ids)"),
    ),
    "the global declaration removed": _edit("    global REGISTRY\n", "", WITHOUT_STAR),
    "a global declared in a changed function": _edit(
        "        return [self.by_id(i)",
        "        global LATER\n        LATER = 1\n        return [self.by_id(i)",
    ),
    "a nonlocal removed": _edit("            nonlocal counter\n", "", WITHOUT_STAR),
    "a decorator's name removed": _edit(
        "def decorate(function):", "def decorated(function):", WITHOUT_STAR
    ),
    "a class attribute a default reads removed": _edit(
        "    size = LIMIT\n", "", WITHOUT_STAR
    ),
    "a class attribute read bare in a method": _edit(
        "return [self.by_id(i) for i in ids]", "return size", WITHOUT_STAR
    ),
    "one of two twins changed": _edit(
        "def twin():\n    return REGISTRY\n\n\ndef twin",
        "def twin():\n    return UNKNOWN\n\n\ndef twin",
        WITHOUT_STAR,
    ),
    "one of two same methods changed": _edit(
        "        return helper([1])\n\n\nclass Other",
        "        return helpers([1])\n\n\nclass Other",
        WITHOUT_STAR,
    ),
    "a module-level read of a name a function binds": _edit(
        "registry = {}\n", "registry = {}\nDEFAULTS = REGISTRY\n", WITHOUT_STAR
    ),
    "a method added": _edit(
        "    def same(self):\n        return helper([1])\n\n\nclass Other",
        "    def same(self):\n        return helper([1])\n\n    def more(self):\n"
        "        return later\n\n\nclass Other",
        WITHOUT_STAR,
    ),
    "a function moved": (
        WITHOUT_STAR,
        WITHOUT_STAR.replace(
            "def decorate(function):\n    return function\n\n\n", ""
        ).replace(
            "class Store:",
            "def decorate(function):\n    return function\n\n\nclass Store:",
        ),
    ),
    "nothing changed": (BASE, BASE),
}


def _whole(before: cst.Module, after: cst.Module, defined: frozenset[str]):
    return name_binding._first_new_read(
        name_binding._unbound_reads_of(before),
        name_binding._unbound_reads_of(after),
        defined,
    )


@pytest.mark.parametrize("edit", EDITS)
@pytest.mark.parametrize("defined", [frozenset(), frozenset({"missing", "UNKNOWN"})])
def test_the_answer_is_the_whole_modules(edit, defined):
    before_text, after_text = EDITS[edit]
    before, after = cst.parse_module(before_text), cst.parse_module(after_text)
    assert new_unbound_reads(before, after, defined) == _whole(before, after, defined)


def test_the_whole_modules_are_not_analysed_when_the_excerpts_say_all_bound(
    monkeypatch,
):
    before_text, after_text = EDITS["a bound read added"]
    analysed = []
    original = name_binding._unbound_reads_of
    monkeypatch.setattr(
        name_binding,
        "_unbound_reads_of",
        lambda module: analysed.append(module) or original(module),
    )
    before, after = cst.parse_module(before_text), cst.parse_module(after_text)
    assert new_unbound_reads(before, after) is None
    assert analysed == []


def test_only_the_changed_function_keeps_its_body():
    before_text, after_text = EDITS["a bound read added"]
    old, new = excerpts(cst.parse_module(before_text), cst.parse_module(after_text))
    assert "return [self.by_id(i) for i in ids if LIMIT]" in new.code
    assert "return [self.by_id(i) for i in ids]" in old.code
    # The others are stubs, but for the one that declares a global and the one whose
    # body says `nonlocal`.
    assert "total += row" not in old.code and "total += row" not in new.code
    assert "REGISTRY = {}" in old.code and "REGISTRY = {}" in new.code
    assert "nonlocal counter" in old.code and "nonlocal counter" in new.code
    # Decorators and default values stay: they are read outside the function.
    assert "@decorate" in new.code and "size=size" in new.code


def test_a_module_nested_too_deep_gets_no_excerpts():
    deep = "x = " + " + ".join(f"a{i}" for i in range(MAX_DEPTH)) + "\n"
    text = deep + "\n\ndef f():\n    return 1\n"
    assert excerpts(cst.parse_module(text), cst.parse_module(text + "\n")) is None
    shallow = "x = a + b\n\n\ndef f():\n    return 1\n"
    assert excerpts(cst.parse_module(shallow), cst.parse_module(shallow)) is not None


def test_a_chain_too_deep_for_the_analysis_still_fails_as_before():
    chain = " + ".join(f"a{i}" for i in range(400))
    before = cst.parse_module(
        f"def f():\n    return {chain}\n\n\ndef g():\n    return 1\n"
    )
    after = cst.parse_module(before.code.replace("return 1", "return 2"))
    with pytest.raises(RecursionError):
        new_unbound_reads(before, after)
