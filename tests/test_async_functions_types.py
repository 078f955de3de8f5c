"""`cst/async_functions.py` tests node classes by `type(x) is C`: equal to `isinstance`
only while none of those classes has a subclass."""

from __future__ import annotations

import libcst as cst

from n1fix.cst.async_functions import EXACT_CLASSES, async_functions, blocks_below


def test_the_exactly_tested_classes_have_no_subclasses() -> None:
    for kind in EXACT_CLASSES:
        assert kind.__subclasses__() == [], kind


def test_blocks_below_every_compound_statement() -> None:
    module = cst.parse_module(
        "if a:\n    x\nelif b:\n    y\nelse:\n    z\n"
        "try:\n    p\nexcept E:\n    q\nelse:\n    r\nfinally:\n    s\n"
        "match v:\n    case 1:\n        t\n"
        "for i in c:\n    u\nelse:\n    w\n"
        "while d: pass\n"
    )
    found = [
        [cst.Module(body=list(block.body)).code for block in blocks_below(statement)]
        for statement in module.body
    ]
    assert found == [
        ["x\n", "y\n", "z\n"],
        ["p\n", "r\n", "s\n", "q\n"],
        ["t\n"],
        ["u\n", "w\n"],
        [],  # a one-line body is no indented block
    ]


def test_async_functions_nested_in_blocks_and_classes() -> None:
    module = cst.parse_module(
        "if flag:\n"
        "    class A:\n"
        "        async def a(self):\n"
        "            async def inner(): pass\n"
        "        try:\n"
        "            async def b(self): pass\n"
        "        finally:\n"
        "            def c(self): pass\n"
        "else:\n"
        "    async def top(): pass\n"
    )
    found = [(f.name.value, owner) for f, owner in async_functions(module)]
    assert sorted(found, key=str) == sorted(
        [("a", "A"), ("inner", None), ("b", "A"), ("top", None)], key=str
    )
