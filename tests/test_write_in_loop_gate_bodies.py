"""write-in-loop's gate places each call in the `for` loop whose own body holds it, read
off the node index (`gate._OwnBodies`): the check examines a loop's body, not its
target, iterable or `else`, nor what a nested loop, a `while`, a function, class or
lambda holds."""

from __future__ import annotations

import ast
import textwrap

import pytest

from n1fix.rules.write_in_loop.gate import gate


def _gate(source: str) -> bool:
    text = textwrap.dedent(source)
    return gate(ast.parse(text), text)


@pytest.mark.parametrize(
    "source",
    [
        # the write is the body's only statement, or inside a comprehension there
        "for o in objs:\n    session.delete(o)\n",
        "for o in objs:\n    [db_session.merge(x) for x in o.parts]\n",
        # a nested loop's body, filling the outer body alone
        "for a in xs:\n    for o in a:\n        session.delete(o)\n",
        # after a `while` (which the check does not read) in the same body
        "for o in objs:\n    while busy():\n        pass\n    session.refresh(o)\n",
        # after a nested function, inside a method, an async loop, a decorated function
        "for o in objs:\n    def f():\n        pass\n    session.delete(o)\n",
        "class A:\n    def m(self):\n        for n in names:\n"
        "            Tag.objects.create(name=n)\n",
        "async def f():\n    async for o in rows:\n        await session.delete(o)\n",
        "@app.route('/')\ndef f():\n    for b in books:\n"
        "        Book.objects.filter(pk=b.pk).update(n=1)\n",
        # a loop in a function defined inside another loop's body
        "for a in xs:\n    def f():\n        for o in a:\n            session.delete(o)\n",
        # an item saved, its rows a query bound in the function a class sits in
        "def f():\n    rows = Book.objects.all()\n    class C:\n        for b in rows:\n"
        "            b.save()\n",
        # an import under another name, a relative import: SQLAlchemy's own package
        "import sqlalchemy as sa\nfor r in rows:\n    conn.execute(sa.insert(T), r)\n",
        "from . import x\nfor r in rows:\n    conn.execute(stmt)\n",
    ],
)
def test_a_write_in_a_loops_own_body_passes(source: str) -> None:
    assert _gate(source)


@pytest.mark.parametrize(
    "source",
    [
        # the loop's iterable, target and `else`
        "for o in session.merge(x):\n    pass\n",
        "for o in objs:\n    pass\nelse:\n    session.delete(o)\n",
        # a nested loop's iterable or `else`, filling the body alone
        "for a in xs:\n    for o in session.merge(a):\n        pass\n",
        "for a in xs:\n    for o in a:\n        pass\n    else:\n"
        "        session.delete(o)\n",
        # a `while` filling the body alone, and a while loop of its own
        "for o in objs:\n    while busy():\n        session.delete(o)\n",
        "while rows:\n    session.delete(rows.pop())\n",
        # a function, lambda or class filling the body alone
        "for o in objs:\n    def f():\n        session.delete(o)\n",
        "for o in objs:\n    f = lambda: session.delete(o)\n",
        "for o in objs:\n    class C:\n        x = session.delete(o)\n",
        # a decorator of a function in the loop: the function's part, not the loop's
        "for o in objs:\n    @session.merge(o)\n    def f():\n        pass\n",
        # no write the check reads: execute without SQLAlchemy, an item with no model
        "for r in rows:\n    cursor.execute(sql, r)\n",
        "for b in books:\n    b.save()\n",
        "session.delete(o)\n",
    ],
)
def test_a_call_outside_every_loops_own_body_is_turned_away(source: str) -> None:
    assert not _gate(source)
