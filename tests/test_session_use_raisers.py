"""A plain function's `Raiser` facts are read off the file's node index
(`astwalk.indexed_own_body`); they must equal what a walk of the function's own body
(`walk_own_body`) gives, quirks included: the walk starts from the body's statements
unfiltered, so a `def` or `class` directly in the body is walked, not one deeper."""

from __future__ import annotations

import ast
import textwrap

import pytest

from n1fix.cst.astwalk import walk_own_body
from n1fix.orm.instances import module_instances
from n1fix.orm.session_use import Raiser, _plain_calls, _raised, extract_session_use

SOURCES = {
    "nested def in the body": """
        def f(x):
            def g():
                raise Denied()
            return g
        """,
    "nested def under an if": """
        def f(x):
            if x:
                def g():
                    raise Denied()
            check(x)
        """,
    "decorators, defaults, annotations": """
        @guard(raise_for())
        def f(x=default(), *, y: typed() = other()) -> ret():
            return helper(x)
        """,
    "a lambda and a comprehension": """
        def f(items):
            key = lambda item: rank(item)
            return [convert(i) for i in sorted(items, key=key)]
        """,
    "a class in the body, a method in it": """
        def f():
            class Local:
                attr = made()
                def method(self):
                    raise Inner()
            raise Outer(Local)
        """,
    "awaited and plain calls, aliases": """
        from app import crud as c
        import app.errors as errs
        class Repo:
            def get(self, key):
                value = c.read(key)
                if value is None:
                    raise errs.NotFound(key)
                return self.wrap(value)
            @staticmethod
            def make(x):
                return Repo.build(x)
        """,
    "decorated nested def in the body": """
        def f():
            @wraps(f)
            def inner(*a):
                return call(*a)
            try:
                risky()
            except ValueError:
                raise
            raise Failed from None
        """,
}


def _tree(source: str) -> ast.Module:
    return ast.parse(textwrap.dedent(source))


def _walked(function: ast.FunctionDef, owner, is_method: bool, imports) -> Raiser:
    """The facts as a walk of the own body reads them."""
    args = function.args
    params = [a.arg for a in (*args.posonlyargs, *args.args, *args.kwonlyargs)]
    self_name = params[0] if is_method and params else None
    nodes = list(walk_own_body(function))
    return Raiser(
        f"{owner or 'm'}.{function.name}",
        _raised(nodes),
        _plain_calls(nodes, "m", imports, owner, self_name, set(params)),
    )


@pytest.mark.parametrize("name", sorted(SOURCES))
def test_raisers_equal_a_walk_of_the_own_body(name: str) -> None:
    tree = _tree(SOURCES[name])
    imports = {"c": "app.crud", "errs": "app.errors"}
    found = {
        fact.qualname: fact
        for fact in extract_session_use(tree, "m", "m.py", imports)
        if isinstance(fact, Raiser)
    }
    expected = {}
    for node in tree.body:
        if isinstance(node, ast.FunctionDef):
            expected[f"m.{node.name}"] = _walked(node, None, False, imports)
        elif isinstance(node, ast.ClassDef):
            for item in node.body:
                if isinstance(item, ast.FunctionDef):
                    is_method = not any(
                        isinstance(d, ast.Name) and d.id == "staticmethod"
                        for d in item.decorator_list
                    )
                    owner = f"m.{node.name}"
                    expected[f"{owner}.{item.name}"] = _walked(
                        item, owner, is_method, imports
                    )
    assert found == expected


def test_the_quirks_show_in_the_facts() -> None:
    facts = {
        (name, fact.qualname): fact
        for name, source in SOURCES.items()
        for fact in extract_session_use(_tree(source), "m", "m.py", {})
        if isinstance(fact, Raiser)
    }
    # the nested def directly in the body is walked; under an `if` it is not
    nested = [f for f in facts.values() if f.raises == "Denied"]
    assert len(nested) == 1
    # a class directly in the body: its own statements, not its method's
    local = next(f for f in facts.values() if f.raises == "Outer")
    assert "m.made" in local.calls and "Inner" not in (local.raises or "")
    # decorators, defaults and annotations are not the body's
    decorated = next(f for f in facts.values() if "m.helper" in f.calls)
    assert decorated.calls == ("m.helper",)


def test_instances_count_every_binding() -> None:
    source = """
        class Users:
            pass
        Users_ = Users()
        Admins = Users()
        def rebind():
            global Admins
        Others = Users()
        try:
            pass
        except Exception as Others:
            pass
        Kept = Users()
        import x as Imported
        Imported2 = Users()
        from y import Imported2
        """
    assert module_instances(_tree(source)) == {"Kept": "Users", "Users_": "Users"}
