"""The survey's shortcuts give what the plain readings gave: the listeners in `ast.walk`'s
order, a session-use fact read off one split of the function's walk, sequential-awaits'
runs without the functions holding fewer than two awaits, connection-leak's engine test
with str searches, and module look-ups shared between folders."""

from __future__ import annotations

import ast
import os
import textwrap
from pathlib import Path

import pytest

from n1fix.cst.astwalk import index_of
from n1fix.orm import imports
from n1fix.orm.model_facts import _Context, _listeners, _literal
from n1fix.orm.session_use import SessionUse, extract_session_use
from n1fix.rules.connection_leak.gate import ENGINE_TEXT, may_build_engine
from n1fix.rules.sequential_awaits.gate import runs


def _walked_listeners(tree: ast.Module, ctx: _Context) -> list[tuple]:
    """What `_listeners` read with `ast.walk`, before the node index."""
    from n1fix.cst.astwalk import ast_dotted_name

    found = []
    for node in ast.walk(tree):
        if not (
            isinstance(node, ast.Call)
            and isinstance(node.func, (ast.Name, ast.Attribute))
            and (node.func.id if isinstance(node.func, ast.Name) else node.func.attr)
            in ("listen", "listens_for")
            and len(node.args) >= 2
        ):
            continue
        func = ast_dotted_name(node.func)
        if func is None or not ctx.qualify(func).startswith("sqlalchemy.event"):
            continue
        target = ast_dotted_name(node.args[0])
        if target is None:
            continue
        event = _literal(node.args[1])
        found.append(
            (ctx.qualify(target), event if isinstance(event, str) else "?", node.lineno)
        )
    return found


LISTENERS = """
from sqlalchemy import event
from sqlalchemy.event import listens_for as lf, listen, listens_for
from app.models import User, Group

def setup():
    if True:
        for model in (User, Group):
            listen(model.name, "set", handler)
    listen(User, "after_insert", handler)

@listens_for(Group.members, "append")
def on_append(target, value, initiator):
    event.listen(Group, "before_update", handler)

@lf(User, "load")
def on_load(target, context):
    pass

class Hooks:
    @listens_for(User.email, "set", retval=True)
    def on_email(target, value, old, initiator):
        return value.lower()

    handlers = [event.listen(User, "expire", h) for h in (a, b)]

event.listen(User, "refresh", handler)
event.listen(Group, "refresh", lambda *a: event.listen(User, "deep", handler))
x = dict(a=listen(Group.name, "set", handler, propagate=True))
"""


def test_listeners_come_in_the_order_ast_walk_meets_them():
    tree = ast.parse(LISTENERS)
    index_of(tree)
    ctx = _context_of(tree)
    found = [(f.target, f.event, f.line) for f in _listeners(tree, ctx)]
    expected = _walked_listeners(tree, ctx)
    assert found == expected
    assert len(expected) >= 8  # at several depths, several of each
    assert sorted(expected, key=lambda item: item[2]) != expected  # not line order


def _context_of(tree: ast.Module) -> _Context:
    return _Context("app.hooks", imports.import_map(tree, "app.hooks"))


@pytest.mark.parametrize(
    "source",
    [
        "from sqlalchemy import event\nevent.listen(User, 'load', f)\n",
        "import sqlalchemy.event\nx = 1\n",
        "from sqlalchemy import event\nlisten(User, 'load')\n",  # not qualified
        "from sqlalchemy import event\nevent.listen(a.b(), 'load', f)\n",
    ],
)
def test_listeners_of_few_calls(source):
    tree = ast.parse(source)
    ctx = _context_of(tree)
    assert [(f.target, f.event, f.line) for f in _listeners(tree, ctx)] == (
        _walked_listeners(tree, ctx)
    )


@pytest.mark.parametrize(
    "text",
    [
        "",
        "engine = create_engine(url)",
        "e = create_async_engine(url)",
        "engine_from_config(cfg)",
        "from sqlalchemy import create_engine as ce",
        "create_ engine",
        "CREATE_ENGINE",
        "create_async_engine_from_config",
        "my_create_enginex",
        "# create_engine in a comment",
    ],
)
def test_may_build_engine_is_the_regex(text):
    assert may_build_engine(text) == bool(ENGINE_TEXT.search(text))


SESSIONS = """
class Repo:
    async def get(self, key, db: AsyncSession, *, session=None):
        s = self.other
        s = self.session
        async with self.maker() as s:
            conn = await db.connection()
        async with engine.begin() as s:
            pass
        async with s.begin():
            rows = await s.execute(text("update t set a = 1"))
        await self.helper(key)
        await crud.fetch(db, key)
        x = await self.cache.scalar(select(Item))
        await self.session.scalar(select(Item).where(Item.k == self.other.get(Model, key)))
        helper(lambda: db.add(obj))
        def inner():
            raise KeyError(key)
        if key:
            raise LookupError("missing")
        return rows, [await q.execute(stmt) for q in (s, session)]
"""


def test_async_facts_read_from_one_split_walk():
    tree = ast.parse(SESSIONS)
    index_of(tree)
    (facts,) = [
        f
        for f in extract_session_use(tree, "app.repo", "repo.py", {})
        if isinstance(f, SessionUse)
    ]
    # The walk takes a body's last statement first: `self.session` before `self.cache`.
    assert facts.instance_session == "session"
    assert facts.opens_session and facts.writes and facts.queries
    assert facts.session_params == ("db", "session")
    assert facts.global_sessions == ("app.repo.crud", "app.repo.q")
    assert facts.delegates == ("?db.connection", "app.repo.Repo.helper")
    assert facts.raises == "KeyError"  # a `def` in the body itself is walked
    assert facts.calls == (
        "app.repo.KeyError",
        "app.repo.LookupError",
        "app.repo.Repo.maker",
        "app.repo.engine.begin",
        "app.repo.helper",
        "app.repo.select",
        "app.repo.select.where",
        "app.repo.text",
    )


def test_runs_skip_functions_with_fewer_than_two_awaits():
    source = textwrap.dedent(
        """
        async def one():
            await a()
            b()

        async def two():
            await a()
            await b()

        async def nested():
            async def inner():
                x = await a()
                y: int = await b()
            return inner

        async def apart():
            await a()
            x = 1
            await b()
        """
    )
    tree = ast.parse(source)
    found = runs(tree, source)
    # `two`, `inner`, and `inner` again as a block of `nested`.
    assert len(found) == 3


def test_look_ups_shared_between_folders(tmp_path):
    root = tmp_path
    (root / "app" / "models").mkdir(parents=True)
    (root / "app" / "__init__.py").write_text("")
    (root / "app" / "models" / "__init__.py").write_text("")
    (root / "app" / "models" / "user.py").write_text("")
    (root / "app" / "views").mkdir()
    (root / "app" / "views" / "app.py").write_text("")  # shadows `app` from here
    (root / "scripts").mkdir()
    (root / "scripts" / "models.py").write_text("")
    outside = tmp_path.parent / (tmp_path.name + "-outside")
    outside.mkdir()
    (outside / "secret.py").write_text("")
    os.symlink(outside / "secret.py", root / "app" / "secret.py")
    imports.clear_resolution_cache()
    near_views = root / "app" / "views" / "v.py"
    near_scripts = root / "scripts" / "s.py"
    asked = [
        ("app.models.user", near_scripts),
        ("app.models.user", near_views),
        ("app.models.user.User", near_views),
        ("app.models", near_views),
        ("app", near_views),
        ("app.secret", near_scripts),
        ("models", near_scripts),
        ("models", near_views),
        ("sqlalchemy.orm", near_views),
        ("sqlalchemy", near_views),
        ("app.views.app", near_scripts),
        ("app.nothing", near_scripts),
        ("app.nothing", near_scripts),
        ("app.1x", near_scripts),
    ]
    found = [imports.resolve_module_path(m, root, near=n) for m, n in asked]
    assert found == [
        root / "app" / "models" / "user.py",
        root / "app" / "models" / "user.py",
        None,
        root / "app" / "models" / "__init__.py",
        root / "app" / "__init__.py",
        None,  # a symlink out of the project
        root / "scripts" / "models.py",
        root / "app" / "models" / "__init__.py",  # from `app`, above `views`
        None,
        None,
        root / "app" / "views" / "app.py",
        None,
        None,
        None,
    ]
    listed = imports.listed_folders()
    assert str(root / "app" / "models") in listed
    imports.clear_resolution_cache()
    # The same answers asked in another order, with fresh look-ups.
    again = [imports.resolve_module_path(m, root, near=n) for m, n in reversed(asked)]
    assert again == list(reversed(found))
    assert all(isinstance(path, (Path, type(None))) for path in again)
    imports.clear_resolution_cache()


@pytest.mark.parametrize(
    "text",
    [
        "",
        "for",
        "for x in y",
        "x = [a for a in b]",
        "before = format(x)",
        "fore; _for; for_; for1; 1for",
        "éfor foré",
        "forfor for",
        "# for\n",
        "'for'",
        "x.for_each()",
        "a if b else c",
        "elif; iff; if_; _if; if1; ifé",
        "[x for x in y if x]",
    ],
)
def test_has_word_is_the_regex(text):
    import re

    from n1fix.cst.text_scan import has_word

    for word in ("for", "if"):
        expected = re.search(rf"\b{word}\b", text) is not None
        assert has_word(text, word) == expected, (word, text)


SCOPES = """
import x

@decorate(lambda: a)
def outer(p=lambda q: q + 1, *, k: int = (lambda: 2)()):
    def inner():
        class Local:
            attr = [y for y in range(3)]
            def method(self, f=lambda: 0):
                return lambda: self
        return Local
    values = {k: (lambda v: v)(k) for k in p}
    return inner

class Top(Base):
    first = 1
    def a(self):
        pass
    def b(self):
        for item in self.items:
            yield item
    last = lambda self: self.first

after = [outer(), Top()]
"""


def test_owner_scope_climbs_to_the_innermost_scope():
    from n1fix.cst.astwalk import owner_scope

    tree = ast.parse(SCOPES)
    indexed = index_of(tree).number
    scopes = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)
    parents: dict[int, ast.AST] = {}
    for node in ast.walk(tree):
        for child in ast.iter_child_nodes(node):
            parents[id(child)] = node
    checked = 0
    for node in ast.walk(tree):
        if node is tree or id(node) not in indexed:
            continue  # operators and contexts are not indexed
        expected = parents[id(node)]
        while expected is not tree and not isinstance(expected, scopes):
            expected = parents[id(expected)]
        assert owner_scope(tree, node) is expected, ast.dump(node)[:60]
        checked += 1
    assert checked > 80


def test_import_map_kept_for_the_last_tree_is_a_copy_per_caller():
    tree = ast.parse(
        "from . import a\nimport b.c as d\ndef f():\n    from e import g\n"
    )
    first = imports.import_map(tree, "pkg.mod")
    first["x"] = "changed"
    assert imports.import_map(tree, "pkg.mod") == {"a": "pkg.a", "d": "b.c", "g": "e.g"}
    assert imports.import_map(tree, "pkg", True) == {
        "a": "pkg.a",
        "d": "b.c",
        "g": "e.g",
    }
    assert imports.import_map(tree, "other.mod") == {
        "a": "other.a",
        "d": "b.c",
        "g": "e.g",
    }
    assert imports.import_map(ast.parse("import z"), "pkg.mod") == {"z": "z"}


KEYED = """
def one(a, b):
    x = s.query(Alpha).filter(Alpha.id == a)
    y = s.query(Beta).filter(Beta.id == b)
    return x, y

def nested(a, b):
    return s.query(Alpha).filter(Alpha.x == a).filter(Beta.y == b).all()

def gets(a, b):
    s.get(Item, a)
    s.execute(select(User).where(and_(User.id == b, User.org == a)))

def inner_scopes(a, b):
    def helper():
        return s.query(Gamma).filter(Gamma.id == a).all()
    rows = [s.query(Delta).filter(Delta.id == b).first() for _ in range(2)]
    return s.execute(select(Epsilon).where(Epsilon.id == a)), lambda: s.get(Zeta, b)

class Repo:
    async def find(self, key, other):
        await s.scalars(select(Alpha).where(Alpha.k == key))
        if other:
            return await s.get(Beta, other)
"""


def test_keyed_query_model_is_the_first_in_the_walks_order():
    from n1fix.orm.functions import extract_functions

    tree = ast.parse(KEYED)
    index_of(tree)
    found = {f.name: f for f in extract_functions(tree, "app.repo", "repo.py")}
    assert found["one"].model == "Beta"  # the walk takes the last statement first
    assert found["one"].key_params == ("a", "b")
    assert found["nested"].model == "Beta"
    assert found["gets"].model == "User"
    assert found["inner_scopes"].model == "Epsilon"  # the def in the body is walked too
    assert found["inner_scopes"].key_params == ("a", "b")
    assert found["find"].model == "Beta"
