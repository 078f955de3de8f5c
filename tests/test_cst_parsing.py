"""n1fix.cst.parsing: LibCST's tree for the text, without validating each parsed node."""

from pathlib import Path

import libcst as cst
import pytest

from n1fix.cst.parsing import parse_module

SOURCES = [
    "x = (1 +\n  2)\n",
    "async def f(session):\n    a = await session.get(A, 1)\n    b = await g()\n",
    "for x in (yield_ for yield_ in y if not x):\n    print(x, *a, **k)\n",
    "with open(p) as f, lock:\n    pass\nelse_ = lambda: None\n",
    "class A(B, metaclass=M):\n    '''doc'''\n    x: int = 1\n",
    "def f():\n\treturn [i async for i in g()]\n",
    "if a:\r\n    b\r\n",
]


@pytest.mark.parametrize("text", SOURCES)
def test_the_same_tree_as_libcst(text):
    module = parse_module(text)
    assert module.deep_equals(cst.parse_module(text))
    assert module.code == text


def test_the_same_tree_for_n1fix_own_modules():
    for path in sorted(Path(__file__).parents[1].joinpath("n1fix", "cst").glob("*.py")):
        text = path.read_text(encoding="utf-8")
        assert parse_module(text).deep_equals(cst.parse_module(text)), path


def test_nodes_built_after_a_parse_are_validated():
    parse_module("x = 1\n")
    with pytest.raises(cst.CSTValidationError):
        cst.Tuple([], lpar=[cst.LeftParen()], rpar=[])


def test_validation_is_back_after_a_syntax_error():
    with pytest.raises(cst.ParserSyntaxError):
        parse_module("def f(:\n")
    with pytest.raises(cst.CSTValidationError):
        cst.Tuple([], lpar=[cst.LeftParen()], rpar=[])


def test_the_parser_config_is_passed_on():
    config = cst.PartialParserConfig(encoding="latin-1")
    module = parse_module("x = 1\n", config=config)
    assert module.encoding == cst.parse_module("x = 1\n", config=config).encoding
    assert module.encoding == "latin-1"
