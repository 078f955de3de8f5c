"""The survey's shared node index answers what the walks it replaced answered.

The gates and fact extractors read one index per file (`cst/astwalk.NodeIndex`) instead
of walking the tree each on its own; these tests compare its answers with plain walks on
a module holding the shapes where they could part: nested functions and classes,
decorators, lambdas, comprehensions whose first iterable runs once, `for ... else`.
"""

from __future__ import annotations

import ast
import textwrap

from n1fix.analysis.ast_awaits import CallerFacts, import_aliases
from n1fix.analysis.ast_loop_calls import loop_callees
from n1fix.cst.astwalk import (
    any_in_loop,
    below_any,
    indexed_within,
    index_of,
    nodes_of,
    nodes_within,
    owner_scope,
    runs_per_item,
)

SOURCE = textwrap.dedent(
    """
    import app.dal as dal
    from app.users import get_user as gu

    @decorate(f())
    def outer(a=g()):
        for x in items(h()):
            x.save(k())
            def inner(b=m()):
                return n()
            callback = lambda: o()
        else:
            p()
        rows = [q(y) for y in r() if s(y) for z in t(y)]
        table = {u(k): v() for k in w()}
        class Local:
            attr = aa()
            def method(self):
                return [bb() for _ in cc()]
        while dd():
            ee()
        return ff()

    async def handler(session):
        from other import fetch_user as gu
        async for item in stream():
            await session.execute(item)
        for key in keys():
            await gu(key)

    values = [gg(v) for v in hh()]
    """
)


def _tree() -> ast.Module:
    return ast.parse(SOURCE)


def _names(nodes) -> list[str]:
    return sorted(
        ast.unparse(node.func) if isinstance(node, ast.Call) else type(node).__name__
        for node in nodes
    )


def test_nodes_within_finds_what_a_walk_of_the_scope_finds():
    tree = _tree()
    scopes = nodes_of(
        tree,
        ast.Module,
        ast.FunctionDef,
        ast.AsyncFunctionDef,
        ast.ClassDef,
        ast.Lambda,
        ast.For,
        ast.AsyncFor,
        ast.ListComp,
        ast.DictComp,
    )
    assert len(scopes) == 14
    for scope in scopes:
        walked = [n for n in ast.walk(scope) if isinstance(n, (ast.Call, ast.Return))]
        indexed = nodes_within(tree, scope, ast.Call, ast.Return)
        assert _names(indexed) == _names(walked)
        assert len({id(n) for n in indexed}) == len(indexed)
        assert _names(indexed_within(scope, ast.Call, ast.Return)) == _names(walked)


def test_indexed_within_is_none_for_a_tree_not_indexed_last():
    tree, other = _tree(), _tree()
    index_of(tree)
    assert indexed_within(other.body[2], ast.Call) is None


def test_nodes_come_in_pre_order():
    tree = _tree()
    handler = nodes_of(tree, ast.AsyncFunctionDef)[0]
    lines = [node.lineno for node in nodes_within(tree, handler, ast.Call)]
    assert lines == sorted(lines)
    # Field by field: a function's body before its decorators.
    outer = [ast.unparse(c.func) for c in nodes_within(tree, tree.body[2], ast.Call)]
    assert outer[:2] == ["g", "items"] and outer[-2:] == ["decorate", "f"]


def _per_item_by_walk(tree: ast.Module) -> list[str]:
    found = []

    def note(node: ast.AST) -> bool:
        if isinstance(node, ast.Call):
            found.append(node)
        return False

    any_in_loop(tree, note)
    return _names(found)


def test_runs_per_item_reads_loops_as_the_walk_does():
    tree = _tree()
    by_index = _names(n for n in nodes_of(tree, ast.Call) if runs_per_item(tree, n))
    assert by_index == _per_item_by_walk(tree)
    # The body of a `for`, all of a comprehension but its first iterable; not a loop's
    # iterable or `else`, not the inside of a function or lambda defined in a loop.
    assert by_index == _names(
        [
            c
            for c in nodes_of(tree, ast.Call)
            if ast.unparse(c.func)
            in {"x.save", "k", "q", "s", "t", "u", "v", "bb", "gg"}
            or ast.unparse(c) in {"session.execute(item)", "gu(key)"}
        ]
    )


def test_any_in_loop_with_types_answers_as_without():
    tree = _tree()
    for name in ("x.save", "h", "p", "n", "o", "gg", "hh", "bb", "ee"):

        def calls(node: ast.AST, name=name) -> bool:
            return isinstance(node, ast.Call) and ast.unparse(node.func) == name

        assert any_in_loop(tree, calls, types=(ast.Call,)) == any_in_loop(
            tree, calls
        ), name


def test_owner_scope_is_the_innermost_function_class_or_lambda():
    tree = _tree()
    by_callee = {ast.unparse(c.func): c for c in nodes_of(tree, ast.Call)}
    # A function's decorators and defaults are read with the function.
    assert owner_scope(tree, by_callee["decorate"]).name == "outer"
    assert owner_scope(tree, by_callee["g"]).name == "outer"
    assert owner_scope(tree, by_callee["m"]).name == "inner"
    assert isinstance(owner_scope(tree, by_callee["o"]), ast.Lambda)
    assert owner_scope(tree, by_callee["aa"]).name == "Local"
    assert owner_scope(tree, by_callee["bb"]).name == "method"
    assert owner_scope(tree, by_callee["gg"]) is tree


def test_below_any_places_nodes_under_their_containers():
    tree = _tree()
    loops = nodes_of(tree, ast.For, ast.AsyncFor, ast.ListComp, ast.DictComp)
    below = _names(below_any(tree, loops, nodes_of(tree, ast.Call)))
    # Anything under a loop, its header and nested functions included.
    assert "h" in below and "n" in below and "p" in below and "hh" in below
    assert "items" in below  # the header
    assert "ff" not in below and "dd" not in below and "decorate" not in below


def test_loop_callees_and_awaited_callees():
    tree = _tree()
    # Every call under a loop or comprehension, its header and nested functions too.
    assert loop_callees(tree) == {
        *("items", "h", "x.save", "k", "m", "n", "o", "p"),
        *("q", "r", "s", "t", "u", "v", "w", "bb", "cc", "gg", "hh"),
        *("stream", "session.execute", "keys", "gu", "get_user", "fetch_user"),
    }
    # `gu` is bound by two imports: both imported names are possible callees.
    assert import_aliases(tree) == {
        "dal": ["app.dal"],
        "gu": ["get_user", "fetch_user"],
    }
    handler = nodes_of(tree, ast.AsyncFunctionDef)[0]
    caller = CallerFacts(tree, handler, import_aliases(tree))
    assert "session" in caller.sessions
    call = next(c for c in nodes_of(tree, ast.Call) if ast.unparse(c) == "gu(key)")
    assert caller.possible_callees(call) == ["gu", "get_user", "fetch_user"]
