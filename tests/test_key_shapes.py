"""Keys that are not a plain column of the item, and what the code proves about them."""

from __future__ import annotations

import shutil
import textwrap
from pathlib import Path

import pytest
from collation_gaps import COLLATION_ONLY, label

from n1fix.engine.api import scan_source

GOLDEN = Path(__file__).resolve().parent.parent / "golden"

HEADER = """
    from sqlalchemy import select
    from sqlalchemy.orm import Session

    from keyapp.models import Member, Sport, SportPreference, Tag, Tagging
"""


def _scan(tmp_path, code: str):
    tmp_path.mkdir(parents=True, exist_ok=True)
    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'x'\n")
    shutil.copytree(GOLDEN / "keyapp", tmp_path / "keyapp")
    service = tmp_path / "service.py"
    service.write_text(textwrap.dedent(HEADER) + textwrap.dedent(code))
    return scan_source(service, service.read_text())


@pytest.mark.parametrize(
    "query, applicability",
    [
        # (member_id, sport_id) is the primary key and member_id is fixed: one row a sport
        (
            "session.query(SportPreference).filter_by(sport_id=sport.id, member_id=member.id).first()",
            "safe",
        ),
        (
            "session.scalars(select(SportPreference).where(SportPreference.sport_id == sport.id, SportPreference.member_id == member.id)).one_or_none()",
            "safe",
        ),
        # member_id not fixed: several rows a sport, and no ORDER BY to pick one
        (
            "session.query(SportPreference).filter_by(sport_id=sport.id).first()",
            "unsafe",
        ),
        (
            "session.scalars(select(SportPreference).where(SportPreference.sport_id == sport.id, SportPreference.member_id != member.id)).first()",
            "unsafe",
        ),
        # a filter_by after a join names the joined model's columns, not the primary key's
        (
            "session.query(SportPreference).join(Member).filter_by(id=member.id).filter(SportPreference.sport_id == sport.id).first()",
            "unsafe",
        ),
    ],
)
def test_a_composite_primary_key_completed_by_fixed_columns_is_unique(
    tmp_path, query, applicability
):
    (finding,) = _scan(
        tmp_path,
        f"""
        def colours(session: Session, sports: list[Sport], member: Member):
            return [{query} for sport in sports]
        """,
    )
    assert finding.applicability.value == applicability, finding.message
    if applicability == "safe":
        assert "(member_id, sport_id) identifies a row of `SportPreference`" in (
            finding.message
        )


TAG_LOOP = """
def tag_names(session: Session, rows: list[tuple[str, int]]):
    names = []
    for tag_id, count in rows:
{body}
    return names
"""


@pytest.mark.parametrize(
    "body, applicability, says",
    [
        # tuple unpacking of the loop target and a builtin conversion: CKAN's stats
        (
            "        tag = session.get(Tag, str(tag_id))\n        names.append((tag.name, count))",
            COLLATION_ONLY,
            None,
        ),
        # a key bound in the body before the query, as a pure function of the item
        (
            "        key = str(tag_id)\n        tag = session.get(Tag, key)\n        names.append(tag.name)",
            COLLATION_ONLY,
            None,
        ),
        # f-strings are str and never None
        (
            "        tag = session.get(Tag, f'{tag_id}')\n        names.append(tag.name)",
            COLLATION_ONLY,
            None,
        ),
        # a key that calls project code: nothing shows it is pure
        (
            "        tag = session.get(Tag, normalise(tag_id))\n        names.append(tag.name)",
            "none",
            "not a pure function of the item",
        ),
        # a method call on the item: n1fix does not know what it does
        (
            "        tag = session.get(Tag, tag_id.strip())\n        names.append(tag.name)",
            "none",
            "not a pure function of the item",
        ),
        # int() may raise for a later item, which the batch would raise before the loop
        (
            "        tagging = session.get(Tagging, int(tag_id))\n        names.append(tagging)",
            "unsafe",
            "`int()` raises for a value that is no number",
        ),
        # ... and inside a try of the loop the original handles it per item: no fix
        (
            "        try:\n            tagging = session.get(Tagging, int(tag_id))\n"
            "        except ValueError:\n            continue\n        names.append(tagging)",
            "none",
            "may raise inside a `try` of the loop",
        ),
        # str() of the key against an int column: the dict lookup would miss every row
        (
            "        tagging = session.get(Tagging, str(tag_id))\n        names.append(tagging)",
            "none",
            "would miss every row",
        ),
    ],
)
def test_keys_computed_from_the_item(tmp_path, body, applicability, says):
    (finding,) = _scan(
        tmp_path,
        "def normalise(value):\n    return value.lower()\n"
        + TAG_LOOP.format(body=body),
    )
    assert label(finding) == applicability, finding.message
    if says:
        assert says in finding.message


def test_a_shadowed_builtin_is_not_the_conversion(tmp_path):
    (finding,) = _scan(
        tmp_path,
        "str = lambda value: value.upper()\n"
        + TAG_LOOP.format(
            body="        tag = session.get(Tag, str(tag_id))\n        names.append(tag)"
        ),
    )
    assert finding.applicability.value == "none"
    assert "`str` is bound in this module" in finding.message


LEVEL_LOOP = """
def sports_by_name(session: Session, names: list[str], labels: dict[str, str]):
    found = []
    for name in names:
{body}
    return found
"""


@pytest.mark.parametrize(
    "body, applicability, says",
    [
        # a mapping the loop does not change: the key is a function of the item, but a
        # missing name raises, and the batch would raise before the loop's earlier items
        (
            "        found.append(session.scalars(select(Sport).where(Sport.label == labels[name])).first())",
            "unsafe",
            "`labels[...]` raises for a missing key",
        ),
        # the loop writes into the mapping: a later item's key may differ
        (
            "        found.append(session.scalars(select(Sport).where(Sport.label == labels[name])).first())\n"
            "        labels[name] = 'seen'",
            "none",
            "the loop may change `labels` (assigns an item of it)",
        ),
        (
            "        found.append(session.scalars(select(Sport).where(Sport.label == labels[name])).first())\n"
            "        labels.pop(name)",
            "none",
            "calls `.pop()` on it",
        ),
        (
            "        found.append(session.scalars(select(Sport).where(Sport.label == labels[name])).first())\n"
            "        remember(labels)",
            "none",
            "passes it to a call",
        ),
    ],
)
def test_keys_looked_up_in_a_mapping(tmp_path, body, applicability, says):
    (finding,) = _scan(tmp_path, LEVEL_LOOP.format(body=body))
    assert finding.applicability.value == applicability, finding.message
    assert says in finding.message


def test_a_write_on_db_session_blocks_a_model_query_batch(tmp_path):
    """`Model.query` reads through the scoped session `db.session` writes to: a later
    item's query would autoflush and see an earlier item's row (zou's template links),
    so a batch read before the loop could create a row twice: no fix."""
    (finding,) = _scan(
        tmp_path,
        """
        class Db:
            session = None


        db = Db()


        def copy_preferences(sports: list[Sport], member: Member):
            for sport in sports:
                existing = SportPreference.query.filter_by(
                    member_id=member.id, sport_id=sport.id
                ).first()
                if existing is None:
                    db.session.add(SportPreference(member_id=member.id, sport_id=sport.id))
        """,
    )
    assert finding.applicability.value == "none", finding.message
    assert "the loop calls `db.session.add()`" in finding.message
    assert "a later item's query may see what an earlier item wrote" in finding.message


@pytest.mark.parametrize(
    "body, says",
    [
        # `+=` rebinds the key after its `=`: the keys are not `str(tag_id)`
        (
            "        key = str(tag_id)\n        key += '-old'\n        names.append(session.get(Tag, key))",
            "`key` is bound more than once in the loop body",
        ),
        (
            "        key = tag_id.strip()\n        names.append(session.get(Tag, key))",
            "`key = tag_id.strip()`: the key calls code n1fix cannot show to be pure",
        ),
        (
            "        if count:\n            key = str(tag_id)\n        else:\n            key = 't-1'\n"
            "        names.append(session.get(Tag, key))",
            "`key` is not bound by one plain `=` before the query",
        ),
    ],
)
def test_a_key_bound_in_the_body_says_why_it_cannot_be_repeated(tmp_path, body, says):
    (finding,) = _scan(tmp_path, TAG_LOOP.format(body=body))
    assert finding.applicability.value == "none", finding.message
    assert says in finding.message


def test_a_key_that_reads_a_global_is_unsafe(tmp_path):
    """`PREFIX` is the module's: a function the loop calls could rebind it (`global`)."""
    (finding,) = _scan(
        tmp_path,
        "PREFIX = 't'\n"
        + TAG_LOOP.format(
            body="        names.append(session.get(Tag, f'{PREFIX}-{tag_id}'))"
        ),
    )
    assert finding.applicability.value == "unsafe", finding.message
    assert "the key reads `PREFIX`, which the function does not bind" in finding.message
    (local,) = _scan(
        tmp_path / "local",
        TAG_LOOP.replace("    names = []", "    names = []\n    prefix = 't'").format(
            body="        names.append(session.get(Tag, f'{prefix}-{tag_id}'))"
        ),
    )
    assert label(local) == COLLATION_ONLY, local.message


@pytest.mark.parametrize(
    "body, applicability, says",
    [
        # rebound once, before the query, to a pure function of the item
        (
            "        tag_id = str(tag_id)\n        names.append(session.get(Tag, tag_id))",
            COLLATION_ONLY,
            None,
        ),
        # rebound twice: at the query the name is not `str(item)`
        (
            "        tag_id = str(tag_id)\n        names.append(session.get(Tag, tag_id))\n"
            "        tag_id = 't-1'",
            "none",
            "`tag_id` is bound more than once in the loop body",
        ),
        # rebound only on some passes
        (
            "        if count:\n            tag_id = str(tag_id)\n"
            "        names.append(session.get(Tag, tag_id))",
            "none",
            "`tag_id` is not rebound by one plain `=` before the query",
        ),
        # rebound through a method n1fix cannot show to be pure
        (
            "        tag_id = tag_id.strip()\n        names.append(session.get(Tag, tag_id))",
            "none",
            "the key calls code n1fix cannot show to be pure",
        ),
    ],
)
def test_a_loop_variable_rebound_in_the_body(tmp_path, body, applicability, says):
    (finding,) = _scan(tmp_path, TAG_LOOP.format(body=body))
    assert label(finding) == applicability, finding.message
    if says:
        assert says in finding.message


@pytest.mark.parametrize(
    "body, applicability, says",
    [
        # `names: list[str]`: `.strip()` of a str is a pure function of it
        (
            "        found.append(session.scalars(select(Sport).where(Sport.label == name.strip())).first())",
            COLLATION_ONLY,
            None,
        ),
        (
            "        label = name.strip().lower()\n"
            "        found.append(session.scalars(select(Sport).where(Sport.label == label)).first())",
            COLLATION_ONLY,
            None,
        ),
        # an argument n1fix does not read as characters to strip
        (
            "        found.append(session.scalars(select(Sport).where(Sport.label == name.strip(chars))).first())",
            "none",
            "with arguments n1fix does not read",
        ),
        # `.title()` is not among the text methods n1fix takes as pure
        (
            "        found.append(session.scalars(select(Sport).where(Sport.label == name.title())).first())",
            "none",
            "the key calls code n1fix cannot show to be pure",
        ),
    ],
)
def test_text_methods_of_str_items(tmp_path, body, applicability, says):
    code = LEVEL_LOOP.replace("labels: dict[str, str]", "chars: str").format(body=body)
    (finding,) = _scan(tmp_path, code)
    assert label(finding) == applicability, finding.message
    if says:
        assert says in finding.message


def test_text_methods_of_items_of_unknown_type_are_not_pure(tmp_path):
    """`for name in names` without an annotation: `.strip()` is whatever `name` has."""
    code = LEVEL_LOOP.replace("names: list[str]", "names").format(
        body="        found.append(session.scalars(select(Sport).where(Sport.label == name.strip())).first())"
    )
    (finding,) = _scan(tmp_path, code)
    assert finding.applicability.value == "none", finding.message
    assert "the key calls code n1fix cannot show to be pure" in finding.message
