"""The survey's cheaper walks answer what the plainer ones they replaced answered.

`child_nodes`, `NodeIndex` and `walk_own_body` skip the fields the grammar types as
names, strings, constants or numbers; `walk_own_body` keeps a function's walk with the
tree's index; `_may_key` finds `_KEYED_TEXT` without searching its slow alternative;
module names and import look-ups are worked out once per folder. Each is compared here
with the plain version on shapes where they could part.
"""

from __future__ import annotations

import ast
import os
import textwrap
from pathlib import Path

import pytest

from n1fix.cst import astwalk
from n1fix.cst.astwalk import child_nodes, index_of, walk_own_body
from n1fix.orm.functions import _KEYED_TEXT, _may_key
from n1fix.orm.imports import (
    clear_resolution_cache,
    import_map,
    imported_modules,
    module_name_for,
    resolve_module_path,
)

SOURCE = textwrap.dedent(
    """
    import a.b as ab
    from . import sibling
    from .pkg import *
    global_value = {**base, "k": 1}

    @decorate(f())
    async def outer(x, *, flag=None, other=g(), **rest):
        global counter
        def inner(y=h()):
            return [z for z in y if z]
        class Local:
            def method(self):
                return self.x
        callback = lambda item: item.save()
        if x:
            def hidden():
                return k()
        try:
            import json
        except ImportError as error:
            from .compat import json
        else:
            from app import other_thing
        finally:
            pass
        match x:
            case Point(x=0, y=yy) if yy:
                nonlocal_name = yy
            case {"key": value, **others}:
                pass
            case [first, *others]:
                pass
        async with session() as s:
            await s.execute(select(User).where(User.id == x))
        return f"{x!r:>{width}}"
    """
)


def _plain_children(node: ast.AST) -> list[ast.AST]:
    return [
        child
        for name in node._fields
        if name not in astwalk._LEAVES
        for value in [getattr(node, name, None)]
        for child in (value if isinstance(value, list) else [value])
        if isinstance(child, ast.AST)
    ]


def _plain_own_body(function: ast.AST) -> list[ast.AST]:
    """The walk `walk_own_body` replaced: a stack, every field not a leaf."""
    found: list[ast.AST] = []
    stack = list(function.body)
    while stack:
        node = stack.pop()
        found.append(node)
        stack.extend(
            child
            for child in _plain_children(node)
            if not isinstance(child, astwalk._NESTED_SCOPES)
        )
    return found


def test_child_nodes_reads_every_node_field():
    tree = ast.parse(SOURCE)
    for node in ast.walk(tree):
        assert list(child_nodes(node)) == _plain_children(node), ast.dump(node)[:80]


def test_index_numbers_every_node_in_pre_order():
    tree = ast.parse(SOURCE)
    order: list[ast.AST] = []

    def visit(node: ast.AST) -> None:
        order.append(node)
        for child in _plain_children(node):
            visit(child)

    visit(tree)
    index = astwalk.NodeIndex(tree)
    assert sorted(index.number.values()) == list(range(len(order)))
    assert [index.number[id(node)] for node in order] == list(range(len(order)))
    for kind, nodes in index.by_class.items():
        assert nodes == [node for node in order if type(node) is kind]
        assert index.numbers_of(kind) == [index.number[id(n)] for n in nodes]


@pytest.mark.parametrize("indexed", [True, False])
def test_own_body_walk_is_the_plain_walk(indexed):
    tree = ast.parse(SOURCE)
    if indexed:
        index_of(tree)
    functions = [
        node
        for node in ast.walk(tree)
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))
    ]
    for function in functions:
        assert list(walk_own_body(function)) == _plain_own_body(function)
        # Asked again (the kept walk, when indexed): the same nodes.
        assert list(walk_own_body(function)) == _plain_own_body(function)


def test_kept_walk_is_not_given_for_another_tree():
    first = ast.parse(SOURCE)
    index_of(first)
    outer = first.body[-1]
    walked = list(walk_own_body(outer))
    second = ast.parse(SOURCE)
    index_of(second)
    other = second.body[-1]
    assert list(walk_own_body(other)) == _plain_own_body(other)
    assert not set(map(id, walk_own_body(other))) & set(map(id, walked))


@pytest.mark.parametrize(
    "text",
    [
        "Ab.c ==",
        "aB_x.c==",
        "ab.c == 1",
        "A.b.c == d",
        "A .b == c",
        "a.b ==.C == x",
        "xÀY.c ==",
        "Xé.c\n== y",
        "x == Y.z",
        "x ==\n  Y.z",
        "q.filter_by( a = b)",
        "q.filter_by(a == b)",
        "d.get(x.Y",
        "d.get(x.y",
        "_A1.b  ==",
        "1A.b==",
        "aa.bb = = C.d",
        "Ａ.b ==",  # a full-width capital is a word character, not [A-Z]
        "ﾠA.b==",
        "",
    ],
)
def test_may_key_is_the_keyed_text_search(text):
    assert _may_key(text) == (_KEYED_TEXT.search(text) is not None)


def test_import_walk_serves_both_readers_of_the_same_tree():
    tree = ast.parse(SOURCE)
    names = import_map(tree, "app.mod")
    modules = imported_modules(tree, "app.mod")
    assert names["ab"] == "a.b" and names["json"] == "app.compat.json"
    assert names["other_thing"] == "app.other_thing"
    assert modules[:2] == ["a.b", "app.sibling"]
    other = ast.parse("from x import y\n")
    assert import_map(other, "m") == {"y": "x.y"}
    assert imported_modules(other, "m") == ["x.y", "x"]


def _project(tmp_path: Path) -> Path:
    root = tmp_path / "proj"
    for name in ("app/__init__.py", "app/models.py", "app/sub/__init__.py"):
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text("")
    (root / "app/sub/views.py").write_text("")
    (root / "pyproject.toml").write_text("")
    return root


def test_module_names_through_a_symlinked_file_and_folder(tmp_path):
    root = _project(tmp_path)
    elsewhere = tmp_path / "elsewhere.py"
    elsewhere.write_text("")
    os.symlink(elsewhere, root / "app" / "linked.py")
    os.symlink(root / "app", tmp_path / "alias")
    clear_resolution_cache()
    assert module_name_for(root / "app/sub/views.py", root) == "app.sub.views"
    assert module_name_for(root / "app/sub/__init__.py", root) == "app.sub"
    assert module_name_for(root / "app/sub", root) == "app.sub"
    # The link's target lies outside the project: named by its stem, as before.
    assert module_name_for(root / "app/linked.py", root) == "elsewhere"
    assert module_name_for(tmp_path / "alias/models.py", root) == "app.models"
    assert module_name_for(root / "app/missing.py", root) == "app.missing"


def test_look_ups_from_files_of_one_folder_agree(tmp_path):
    root = _project(tmp_path)
    clear_resolution_cache()
    views = root / "app/sub/views.py"
    init = root / "app/sub/__init__.py"
    for near in (views, init, str(views), root / "app/sub", None):
        assert resolve_module_path("app.models", root, near=near) == (
            root / "app/models.py"
        )
        assert resolve_module_path("app.nothing", root, near=near) is None
        assert resolve_module_path("os.path", root, near=near) is None
        assert resolve_module_path("app.1bad", root, near=near) is None
        assert resolve_module_path("", root, near=near) is None
    # A module added to the folder is seen after the run's look-ups are forgotten.
    (root / "app/extra.py").write_text("")
    clear_resolution_cache()
    assert resolve_module_path("app.extra", root, near=views) == root / "app/extra.py"
