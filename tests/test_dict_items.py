"""Keys read from dict items with `.get("field")`, and loops that change their items."""

from __future__ import annotations

import shutil
import textwrap
from pathlib import Path

import pytest

from n1fix.engine.api import scan_source

GOLDEN = Path(__file__).resolve().parent.parent / "golden"

HEADER = """
    from sqlalchemy.orm import Session

    from keyapp.models import Tag, Tagging
"""


def _scan(tmp_path, code: str):
    tmp_path.mkdir(parents=True, exist_ok=True)
    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'x'\n")
    shutil.copytree(GOLDEN / "keyapp", tmp_path / "keyapp")
    service = tmp_path / "service.py"
    service.write_text(textwrap.dedent(HEADER) + textwrap.dedent(code))
    (finding,) = scan_source(service, service.read_text())
    return finding


LOOP = """
def taggings(session: Session, {params}):
    found = []
    for entry in {iterable}:
{body}
        found.append(session.get(Tagging, {key}))
    return found
"""


@pytest.mark.parametrize(
    "params, iterable, key",
    [
        # a parameter annotated as a list of dicts with int values
        ("entries: list[dict[str, int]]", "entries", 'entry.get("id")'),
        ("entries: 'list[dict[str, int]]'", "entries", 'entry.get("id")'),
        ("entries: list[dict[str, int]]", "entries", 'entry.get("id", 0)'),
        # the same dicts copied, or a display of dict displays
        ("entries: list[dict[str, int]]", "sorted(entries)", 'entry.get("id")'),
        ("ids: list[int]", '[{"id": i} for i in ids]', 'entry.get("id")'),
        # an optional list of dicts, looped over with `or []` (CKAN's group dicts)
        ("entries: Optional[list[dict[str, int]]]", "entries or []", 'entry.get("id")'),
        ("entries: list[dict[str, int]] | None", "entries or []", 'entry.get("id")'),
        # the first of two fields that is set
        ("entries: list[dict[str, int]]", "entries", 'entry.get("id") or entry["pk"]'),
    ],
)
def test_a_field_read_of_an_item_shown_to_be_a_dict_is_batched(
    tmp_path, params, iterable, key
):
    code = "from typing import Optional\n" + LOOP.format(
        params=params, iterable=iterable, body="", key=key
    )
    finding = _scan(tmp_path, code)
    assert finding.applicability.value != "none", finding.message
    assert "taken to be a dict" not in finding.message


@pytest.mark.parametrize(
    "params, key, says",
    [
        # the items are declared as something else: `.get` is that object's code
        (
            "entries: list[Tagging]",
            'entry.get("id")',
            "calls code n1fix cannot show to be pure",
        ),
        # a field named by a variable, or a default that calls code
        (
            "entries: list[dict[str, int]], field: str",
            "entry.get(field)",
            "with arguments n1fix does not read",
        ),
        (
            "entries: list[dict[str, int]]",
            'entry.get("id", fallback())',
            "with arguments n1fix does not read",
        ),
    ],
)
def test_a_get_n1fix_cannot_read_as_a_dict_read_has_no_fix(tmp_path, params, key, says):
    code = LOOP.format(params=params, iterable="entries", body="", key=key)
    finding = _scan(tmp_path, code)
    assert finding.applicability.value == "none"
    assert says in finding.message


@pytest.mark.parametrize(
    "body, says",
    [
        ('        entry["id"] = entry["other"]', "assigns into it"),
        ('        del entry["id"]', "assigns into it"),
        ("        entry.update(id=3)", "calls `.update()` on it"),
        ("        entry.setdefault('id', 3)", "calls `.setdefault()` on it"),
        ("        fill(entry)", "gives it to `fill()`"),
        ('        entries[0]["id"] = 4', "assigns into it"),
        ("        entries[-1].pop('id')", "calls `.pop()` on it"),
    ],
)
def test_a_loop_that_changes_its_items_has_no_fix(tmp_path, body, says):
    for key in ('entry.get("id")', 'entry["id"]'):
        code = LOOP.format(
            params="entries: list[dict[str, int]]",
            iterable="entries",
            body=body,
            key=key,
        )
        finding = _scan(tmp_path / key[5:8], code)
        assert finding.applicability.value == "none", (key, finding.message)
        assert says in finding.message


@pytest.mark.parametrize(
    "body",
    [
        "        found.append(entry)",
        "        print(len(entry), entry)",
        '        entry["meta"]["seen"] = True',  # changes an object inside the entry
        '        other = entry.get("other")',
    ],
)
def test_reading_or_storing_the_item_keeps_the_fix(tmp_path, body):
    code = LOOP.format(
        params="entries: list[dict[str, int]]",
        iterable="entries",
        body=body,
        key='entry.get("id")',
    )
    finding = _scan(tmp_path, code)
    assert finding.applicability.value != "none", finding.message


@pytest.mark.parametrize("params", ["entries", "entries: list", "entries: list[Any]"])
def test_a_get_on_items_nothing_declares_is_taken_for_a_dict_read_unsafe(
    tmp_path, params
):
    # Tag.id is a string: what a JSON payload holds matches it
    code = "from typing import Any\n" + LOOP.format(
        params=params, iterable="entries", body="", key='entry.get("id")'
    ).replace("Tagging", "Tag")
    finding = _scan(tmp_path, code)
    assert finding.applicability.value == "unsafe", finding.message
    assert "`entry` is taken to be a dict" in finding.message


BRANCH = """
def taggings(session: Session, entries: list[dict[str, int]]):
    found = []
    for entry in entries:
        if entry.get("kind") == 1:
{binding}
            found.append(session.get(Tagging, tagging_id))
{other}
    return found
"""


def test_a_key_bound_in_the_branch_of_its_query_is_restated_with_the_branch_as_filter(
    tmp_path,
):
    code = BRANCH.format(
        binding='            tagging_id = entry.get("id")',
        other="        else:\n            found.append(None)",
    )
    finding = _scan(tmp_path, code)
    assert finding.applicability.value == "safe", finding.message


@pytest.mark.parametrize(
    "binding, other, says",
    [
        # bound in the other branch too: no one binding gives its value at the query
        (
            '            tagging_id = entry.get("id")',
            '        else:\n            tagging_id = entry.get("other")',
            "is bound more than once in the loop body",
        ),
        # bound in an inner loop: it changes per item of that loop
        (
            '            for tagging_id in (entry.get("id"),):\n                pass',
            "",
            "not bound by one plain `=` before the query",
        ),
        # bound after the query (by the branch before it, for the next item)
        (
            "            pass",
            '        tagging_id = entry.get("id")',
            "not bound by one plain `=` before the query",
        ),
    ],
)
def test_a_key_bound_elsewhere_than_once_on_the_way_to_its_query_has_no_fix(
    tmp_path, binding, other, says
):
    finding = _scan(tmp_path, BRANCH.format(binding=binding, other=other))
    assert finding.applicability.value == "none"
    assert says in finding.message


FILTERED = """
{helper}
def taggings(session: Session, entries: {annotation}):
{prelude}
    found = []
    for entry in {iterable}:
        found.append(session.get(Tagging, entry.get("id")))
    return found
"""


@pytest.mark.parametrize(
    "annotation, prelude, helper",
    [
        # a filter of itself keeps what its parameter holds (open-webui's folder files)
        (
            "list[dict[str, int]]",
            '    entries = [e for e in entries if e.get("id")]',
            "",
        ),
        # a filter that checks each item is a dict, over items nothing declares
        (
            "list",
            '    checked = [e for e in entries if isinstance(e, dict) and e.get("id")]',
            "",
        ),
        # handed to a function of the module that declares it takes dicts
        (
            "Optional[list[dict[str, int]]]",
            "    allowed(entries)",
            "def allowed(entries: Optional[list[dict]] = None) -> bool:\n"
            "    return bool(entries)\n",
        ),
    ],
)
def test_items_kept_as_dicts_by_a_filter_or_a_declared_callee_are_dicts(
    tmp_path, annotation, prelude, helper
):
    iterable = "checked" if "checked" in prelude else "entries"
    code = "from typing import Optional\n" + FILTERED.format(
        annotation=annotation, prelude=prelude, helper=helper, iterable=iterable
    )
    finding = _scan(tmp_path, code)
    assert finding.applicability.value != "none", finding.message
    assert "taken to be a dict" not in finding.message


@pytest.mark.parametrize(
    "annotation, prelude, helper",
    [
        # a filter of items declared as something else
        ("list[Tagging]", "    entries = [e for e in entries if e.id]", ""),
        # a comprehension that makes new items of them
        ("list[dict[str, int]]", "    entries = [wrap(e) for e in entries]", ""),
        # `dict` is not the builtin in this module
        (
            "list[Tagging]",
            "    entries = [e for e in entries if isinstance(e, dict)]",
            "dict = Tagging\n",
        ),
        # handed to a function that declares nothing about what it puts in
        (
            "list[dict[str, int]]",
            "    fill(entries)",
            "def fill(entries: list) -> None:\n    entries.append(Tagging())\n",
        ),
    ],
)
def test_items_not_shown_to_stay_dicts_have_no_fix(
    tmp_path, annotation, prelude, helper
):
    code = FILTERED.format(
        annotation=annotation, prelude=prelude, helper=helper, iterable="entries"
    )
    finding = _scan(tmp_path, code)
    assert finding.applicability.value == "none", finding.message


SKIPPED = """
def taggings(session: Session, entries: list[dict[str, int]]):
    found = []
    seen = set()
    for entry in entries:
        entry_id = {key}
        if entry.get("kind") == 1 and entry_id not in seen:
            tagging = session.get(Tagging, entry_id)
            if tagging is not None:
                found.append(tagging)
                seen.add(entry_id)
        else:
            seen.add(entry.get("other"))
    return found
"""


def test_a_dict_field_read_is_read_for_the_items_the_loop_skips(tmp_path):
    # `.get` gives None for an entry without the field: reading it for every item, the
    # skipped ones too, raises nowhere
    finding = _scan(tmp_path, SKIPPED.format(key='entry.get("id")'))
    assert finding.applicability.value == "unsafe", finding.message
    assert "the query runs only for some items" in finding.message


def test_a_subscript_key_is_not_read_for_the_items_the_loop_skips(tmp_path):
    finding = _scan(tmp_path, SKIPPED.format(key='entry["id"]'))
    assert finding.applicability.value == "none"
    assert "may raise for the items the loop skips" in finding.message
