"""`loop_safety.runs_once`: a statement of a loop's body after which the loop is always
left runs at most once per run of the loop, so a query there is no round trip per item.
"""

from __future__ import annotations

import textwrap

import libcst as cst
import pytest

from n1fix.analysis.loop_safety import runs_once
from n1fix.cst.syntax import children


def _chain_to_query(source: str) -> list[cst.CSTNode]:
    """The nodes from the first loop's body down to the call of `q` inside it."""
    module = cst.parse_module(textwrap.dedent(source))

    def search(node, path):
        if isinstance(node, cst.Call) and getattr(node.func, "value", None) == "q":
            return path
        for child in children(node):
            found = search(child, [*path, child])
            if found is not None:
                return found
        return None

    path = search(module, [module])
    loop = next(i for i, node in enumerate(path) if isinstance(node, cst.For))
    return path[loop + 1 :]


ONCE = {
    "break after it": """
        for x in xs:
            q(x)
            break
        """,
    "in an if that breaks": """
        for row in rows:
            if matches(row):
                q(row.id)
                break
        """,
    "a continue before it": """
        for x in xs:
            if skip(x):
                continue
            q(x)
            break
        """,
    "a try inside, the exit after it": """
        for x in xs:
            try:
                q(x)
            except KeyError:
                pass
            break
        """,
    "one line": """
        for x in xs: q(x); break
        """,
    "returned in an if": """
        def first(xs):
            for x in xs:
                if ok(x):
                    return q(x)
        """,
    "a raise after it": """
        for x in xs:
            if bad(x):
                q(x)
                raise ValueError(x)
        """,
    "in an except handler that breaks": """
        for x in xs:
            try:
                rebuild(x)
            except Exception:
                try:
                    q(x)
                except Exception:
                    log(x)
                break
        """,
    "a match case that breaks": """
        for x in xs:
            match x:
                case 1:
                    q(x)
                    break
        """,
}

NOT_ONCE = {
    "a break under a condition": """
        for x in xs:
            q(x)
            if done(x):
                break
        """,
    "a continue between it and the break": """
        for x in xs:
            if ok(x):
                q(x)
                if again(x):
                    continue
                break
        """,
    "a continue in a nested loop's else": """
        for x in xs:
            q(x)
            for y in ys:
                pass
            else:
                continue
            break
        """,
    "the break inside a try": """
        for x in xs:
            try:
                q(x)
                check(x)
                break
            except ValueError:
                pass
        """,
    "in a try whose handler breaks": """
        for x in xs:
            try:
                q(x)
            except ValueError:
                break
        """,
    "a break inside a with that may swallow the error": """
        for x in xs:
            with suppress(LookupError):
                q(x)
                break
        """,
    "a while holding it, then a break": """
        for x in xs:
            while x.parent:
                x = q(x.parent)
            break
        """,
    "a comprehension holding it, then a break": """
        for x in xs:
            found = [q(y) for y in ys]
            break
        """,
    "a raise inside a with": """
        for x in xs:
            with suppress(ValueError):
                q(x)
                raise ValueError(x)
        """,
    "the break of a nested loop": """
        for x in xs:
            for y in ys:
                q(x)
                break
        """,
    "no exit": """
        for x in xs:
            if ok(x):
                q(x)
        """,
}


@pytest.mark.parametrize("source", ONCE.values(), ids=ONCE.keys())
def test_left_after_it_runs_once(source):
    assert runs_once(_chain_to_query(source))


@pytest.mark.parametrize("source", NOT_ONCE.values(), ids=NOT_ONCE.keys())
def test_may_run_again(source):
    assert not runs_once(_chain_to_query(source))
