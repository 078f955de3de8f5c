"""`apply` verifies each rewrite without redoing work on the same text (issue 17).

A rewrite's names are checked by LibCST's scope analysis of the text before and after
(`cst/name_binding.py`), and the rewrite is parsed and checked again: the text before is
analysed once however many fixes are tried on it, a verified rewrite (the next step's
text before) is not analysed twice, and the rewrite is parsed once for both checks. The
answers are those of the long way.
"""

from __future__ import annotations

import textwrap
from collections import Counter
from pathlib import Path

import libcst as cst
import pytest
from libcst.metadata import MetadataWrapper, PositionProvider
from n1fix_project import TWO_LOOPS, make_project

import n1fix.cst.name_binding as name_binding
import n1fix.cst.parsing as parsing
from n1fix.engine.api import fix_source

MODULE = textwrap.dedent(
    """\
    import os

    LIMIT = 3


    def totals(rows):
        for i in range(LIMIT):
            if i:
                print(carried)
            carried = i
        return [row for row in rows if undefined_name(row)]


    class Report:
        def rows(self, xs):
            xs = list(xs)
            total = 0
            total += len(xs)
            return total
    """
)


@pytest.fixture
def service(tmp_path: Path) -> Path:
    project = make_project(tmp_path / "proj")
    path = project / "app" / "service.py"
    path.write_text(TWO_LOOPS, encoding="utf-8")
    return path


def _counting(monkeypatch, module, name: str) -> Counter:
    calls: Counter = Counter()
    original = getattr(module, name)

    def counted(*args, **kwargs):
        calls[name] += 1
        return original(*args, **kwargs)

    monkeypatch.setattr(module, name, counted)
    return calls


def test_positions_are_libcsts():
    module = cst.parse_module(MODULE)
    wrapper = MetadataWrapper(module, unsafe_skip_copy=True)
    expected = wrapper.resolve(PositionProvider)
    ours = name_binding._PositionsOf(module)
    assert expected and all(ours.get(node) == at for node, at in expected.items())
    assert ours.get(cst.Name("elsewhere")) is None


def test_a_module_is_analysed_once(monkeypatch):
    calls = _counting(monkeypatch, name_binding, "_unbound_reads_of")
    module = cst.parse_module(MODULE)
    first = name_binding._unbound_reads(module)
    assert name_binding._unbound_reads(module) is first
    assert calls["_unbound_reads_of"] == 1
    # Another tree of the same text is another module: analysed on its own, alike.
    assert name_binding._unbound_reads(cst.parse_module(MODULE)) == first
    assert calls["_unbound_reads_of"] == 2
    assert first == Counter(
        {
            ("totals", "carried", "before assignment"): 1,
            ("totals.<comprehension>", "undefined_name", "undefined"): 1,
        }
    )


def test_apply_analyses_each_text_once_and_parses_each_rewrite_once(
    service: Path, monkeypatch
):
    analysed = _counting(monkeypatch, name_binding, "_unbound_reads_of")
    parsed: list[str] = []
    original = parsing.parse_module

    def counted(text, config=None):
        parsed.append(text)
        return original(text, config)

    for module in ("n1fix.engine.checker", "n1fix.cst.parsing"):
        monkeypatch.setattr(f"{module}.parse_module", counted)
    name_binding._recent.clear()
    outcome = fix_source(service, TWO_LOOPS)
    assert len(outcome.applied) == 2 and outcome.failures == []
    # Every text was parsed once: the file, and each rewrite checked.
    assert sorted(Counter(parsed).values()) == [1] * len(set(parsed))
    assert TWO_LOOPS in parsed and outcome.text in parsed
    # Scope analysis: once per text parsed, never twice for one tree.
    assert analysed["_unbound_reads_of"] <= len(parsed)
