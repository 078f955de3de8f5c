"""`cst.positions.Positions` gives every node the range LibCST's `PositionProvider`
does: the findings' line and column come from it."""

from __future__ import annotations

from pathlib import Path

import libcst as cst
import pytest
from libcst.metadata import MetadataWrapper, PositionProvider

from n1fix.cst.positions import Positions

ROOT = Path(__file__).resolve().parent.parent
# Modules of many shapes: decorators, nested blocks, comments, strings over several
# lines, parenthesised expressions, `async`, a trailing line without a newline.
SOURCES = [
    ROOT / "n1fix" / "cst" / "positions.py",
    ROOT / "n1fix" / "rules" / "write_in_loop" / "analysis.py",
    ROOT / "golden" / "sequential_awaits" / "django_trap_profile_stats" / "before.py",
    ROOT / "golden" / "count_via_len" / "django_queryset_count" / "before.py",
]
SNIPPETS = [
    "x = (\n    1 +  # one\n    2\n)\n",
    "@a\n# between\n@b(\n  c)\nasync def f(x, /, *a, y=1, **k) -> int:\n    return await g()  \n",
    "class C:\n    'doc'\n    def m(self):\n\n        pass\n    # trailing\n\n\ny = [i for i in range(3) if i]\n",
    "if a:\r\n    b = 1\r\nelse:\r\n    b = 2",
    "s = '''one\ntwo'''; t = f'{s!r:>{w}}'\nwith (open(p) as f, open(q)):\n    pass\n",
]


def _cases():
    for path in SOURCES:
        if path.exists():
            yield pytest.param(path.read_text(encoding="utf-8"), id=path.name)
    for number, text in enumerate(SNIPPETS):
        yield pytest.param(text, id=f"snippet{number}")


@pytest.mark.parametrize("text", list(_cases()))
def test_every_node_has_libcsts_range(text):
    wrapper = MetadataWrapper(cst.parse_module(text), unsafe_skip_copy=True)
    expected = wrapper.resolve(PositionProvider)
    positions = Positions(wrapper.module)
    assert expected
    for node, code_range in expected.items():
        assert positions[node] == code_range, type(node).__name__


# Shapes for printing one function or class alone, and whether every node inside a
# function or class is answered without printing the whole module: indentation of tabs
# and of two spaces under a two-space class, a function under four spaces where the
# module's first block has two, a function inside a `match` case, two
# methods of the same text (the text occurs twice, so the class around them is printed),
# comments before a decorated class; the whole module for a last function without a
# trailing newline (printed alone, it ends with one) and for carriage returns.
ALONE = [
    (
        "class A:\n  def f(self):\n  \tif x:\n  \t    return 1\n  # note\n  @d\n  def g(self): pass\n",
        True,
    ),
    (
        "if a:\n  x = 1\nif b:\n    def f(self):\n        if y:\n          return 1\n",
        True,
    ),
    (
        "match cmd:\n    case 1:\n        def h():\n            return [\n  1]\n    case _:\n        pass\n",
        True,
    ),
    (
        "class A:\n    def same(self):\n        return 1\nclass B:\n    def same(self):\n        return 1\n",
        True,
    ),
    ("x = 1\ndef last():\n    return x  # no newline", False),
    (
        "import a\n\n\n# leading\n@deco(1)\nclass K(Base):\n    class Meta:\n        ordering = ['-id']\n\n    async def m(self):\n        async for r in q():\n            yield r\n",
        True,
    ),
    ("def f():\r\n    return 1\r\n", False),
    # An `elif` printed alone says `if`, and here that text is the first statement's:
    # the `if` / `elif` around is printed instead.
    (
        "def f(x):\n    if x == 2:\n        y = 2\n    if x == 1:\n        z = 1\n    elif x == 2:\n        y = 2\n    return y\n",
        True,
    ),
    # The last line has no newline and its text, with one, is an earlier line: printed
    # alone it would be found there. The whole module is printed instead.
    ("def f():\n    return x\ndef g():\n    return x", False),
    (
        "async def f(db):\n    while True:\n        async with db.begin() as tx:\n            try:\n                rows = await tx.all()\n            except KeyError:\n                rows = []  # none\n            finally:\n                tx.close()\n        for row in rows:\n            if row:\n                yield row\n            else:\n                break\n",
        True,
    ),
    (
        "def f(cmd):\n    match cmd:\n        case [x, *rest]:\n            for r in rest:\n                print(r)\n        case _:\n            pass\n",
        True,
    ),
]


def _alone_cases():
    for path in SOURCES:
        if path.exists():
            yield pytest.param(path.read_text(encoding="utf-8"), None, id=path.name)
    for number, (text, alone) in enumerate(ALONE):
        yield pytest.param(text, alone, id=f"alone{number}")


@pytest.mark.parametrize("text, alone", list(_alone_cases()))
def test_printing_the_function_around_gives_libcsts_range(text, alone, monkeypatch):
    from n1fix.cst.tree_index import index_tree

    wrapper = MetadataWrapper(cst.parse_module(text), unsafe_skip_copy=True)
    expected = wrapper.resolve(PositionProvider)
    index_tree(wrapper.module)
    printed = []
    original = cst.Module._codegen

    def spy(self, state, *args, **kwargs):
        printed.append(self)
        return original(self, state, *args, **kwargs)

    monkeypatch.setattr(cst.Module, "_codegen", spy)
    positions = Positions(wrapper.module, text)
    # Nodes inside functions and classes first, the deepest first, so that each is
    # answered from the function around it before anything prints the whole module.
    inside, outside = [], []
    for node in expected:
        (inside if _in_function_or_class(node) else outside).append(node)
    assert inside
    for node in reversed(inside):
        assert positions[node] == expected[node], type(node).__name__
    if alone is not None:
        assert (printed == []) is alone
    for node in outside:
        assert positions[node] == expected[node], type(node).__name__


def _in_function_or_class(target) -> bool:
    from n1fix.cst.tree_index import indexed

    found = indexed(target)
    if found is None:  # whitespace and punctuation: the index leaves them out
        return False
    index, at = found
    ancestry = index.ancestry(0, at) + [target]
    return any(isinstance(node, (cst.FunctionDef, cst.ClassDef)) for node in ancestry)


@pytest.mark.parametrize("text", [text for text, _ in ALONE])
def test_each_node_asked_first_gets_libcsts_range(text):
    """What a statement printed alone answers for the first node asked: nothing printed
    before can correct it (an `elif` printed as an `if`, a last line without newline)."""
    from n1fix.cst.tree_index import index_tree

    wrapper = MetadataWrapper(cst.parse_module(text), unsafe_skip_copy=True)
    expected = wrapper.resolve(PositionProvider)
    index_tree(wrapper.module)
    for node, code_range in expected.items():
        assert Positions(wrapper.module, text)[node] == code_range, type(node).__name__
