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
