"""The module index (`cst/tree_index.py`) answers every walk as the walk itself does."""

from __future__ import annotations

import libcst as cst

from n1fix.cst.ancestry import nodes_with_ancestry
from n1fix.cst.syntax import walk, walk_kinds
from n1fix.cst.tree_index import index_tree

SOURCE = """
import os as system, a.b
from m import *

@decorate(lambda x: x + 1)
class Renders(Base):
    limit: int = 3

    def recent(self, session, ids=[i for i in range(3)]):
        for render in session.scalars(select(Render)):
            def inner(y):
                return [z.name for z in y if z]
            total = sum(inner(r) for r in render.items)
            async def later():
                async for row in stream():
                    await row.save()
            with open(render.path) as handle, lock:
                global seen
                seen = {k: v for k, v in handle}
        match total:
            case {"id": found, **rest}:
                del rest
            case [first, *others] if first:
                pass
        return (lambda q: session.get(Render, q))(ids[0])

def plain(values):
    return [v.id for v in values if v.ok]
"""

KINDS = frozenset(
    {cst.Call, cst.Name, cst.Assign, cst.FunctionDef, cst.Lambda, cst.ListComp}
)

# Where the walks start: every kind of container the rules walk.
STARTS = frozenset(
    {
        cst.ClassDef,
        cst.FunctionDef,
        cst.Lambda,
        cst.IndentedBlock,
        cst.For,
        cst.With,
        cst.Match,
        cst.ListComp,
        cst.DictComp,
        cst.GeneratorExp,
        cst.Call,
    }
)


def _answers(module: cst.Module) -> list:
    """Every walk of every node, as plain ids."""

    def ids(nodes):
        return [id(node) for node in nodes]

    answers = []
    for node in [module, *walk_kinds(module, STARTS, into_scopes=True)]:
        answers.append(ids(walk(node)))
        answers.append(ids(walk(node, into_scopes=True)))
        answers.append(ids(walk_kinds(node, KINDS)))
        answers.append(ids(walk_kinds(node, KINDS, into_scopes=True)))
        for kinds in (None, KINDS):
            answers.append(
                [
                    (id(found), ids(ancestry))
                    for found, ancestry in nodes_with_ancestry(
                        node, lambda n, a: len(a) % 3 != 1, kinds
                    )
                ]
            )
    return answers


def test_the_index_answers_as_the_walks_do():
    module = cst.parse_module(SOURCE)
    index_tree(cst.parse_module("x = 1\n"))  # another module: `module` is walked
    walked = _answers(module)
    index_tree(module)
    assert _answers(module) == walked
