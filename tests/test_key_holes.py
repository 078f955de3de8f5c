"""The dict-item key proofs past the second review's counter-examples: other binding
forms and other ways into the item."""

from __future__ import annotations

import pytest
from test_second_review_keys_txn import _scan

MAPPING_CAPTURE = """
def taggings(session: Session, entries: list[dict[str, int]]):
    found = []
    for entry in entries:
        tagging_id = entry.get("id")
        match entry.get("other"):
            case {"id": tagging_id}:
                pass
        found.append(session.get(Tagging, tagging_id))
    return found
"""

STAR_CAPTURE = MAPPING_CAPTURE.replace('{"id": tagging_id}', "[*tagging_id]")

COPIED_LIST = """
def taggings(session: Session, entries: list[dict[str, int]]):
    found = []
    for entry in entries:
        others = list(entries)
        others[-1]["id"] = 7
        found.append(session.get(Tagging, entry.get("id")))
    return found
"""

UPDATED_THROUGH_ALIAS = """
def taggings(session: Session, entries: list[dict[str, int]]):
    found = []
    for entry in entries:
        alias = entry
        alias.update(id=3)
        found.append(session.get(Tagging, entry.get("id")))
    return found
"""

EXTENDED = """
def taggings(session: Session, ids: list[int], rows):
    entries = [{"id": i} for i in ids]
    entries.extend(rows)
    found = []
    for entry in entries:
        found.append(session.get(Tagging, entry.get("id")))
    return found
"""


@pytest.mark.parametrize(
    "code", [MAPPING_CAPTURE, STAR_CAPTURE, COPIED_LIST, UPDATED_THROUGH_ALIAS]
)
def test_a_key_changed_another_way_gets_no_fix(tmp_path, code):
    finding = _scan(tmp_path, code)
    assert finding.applicability.value == "none", finding.message


def test_a_list_of_dicts_extended_with_other_rows_is_not_shown_to_hold_dicts(
    tmp_path,
):
    finding = _scan(tmp_path, EXTENDED)
    assert finding.applicability.value != "safe", finding.message


GROWN_WITH_DICTS = """
def taggings(session: Session, ids: list[int]):
    entries = [{"id": i} for i in ids]
    entries.append({"id": 0})
    found = []
    for entry in entries:
        found.append(session.get(Tagging, entry.get("id")))
    return found
"""

READ_ONLY_ALIAS = """
def taggings(session: Session, entries: list[dict[str, int]]):
    found = []
    for entry in entries:
        tagging_id = entry.get("id")
        found.append(session.get(Tagging, tagging_id))
    return found
"""


def test_a_list_of_dicts_grown_with_dicts_still_holds_dicts(tmp_path):
    finding = _scan(tmp_path, GROWN_WITH_DICTS)
    assert finding.applicability.value != "none", finding.message
    assert "taken to be a dict" not in finding.message


def test_a_key_read_into_a_name_keeps_its_safe_fix(tmp_path):
    finding = _scan(tmp_path, READ_ONLY_ALIAS)
    assert finding.applicability.value == "safe", finding.message
