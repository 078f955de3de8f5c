"""Second review of the other-table-adds and dict-items proofs (privacyidea's fixes):
counter-examples n1fix still gets wrong. Each is marked xfail(strict=True) until the
proof is tightened; each names the behaviour change it would cause (shown on SQLite)."""

from __future__ import annotations

import textwrap

import pytest

from n1fix.engine.api import scan_source
from tests.test_other_table_adds import APP, CONFIG_MODELS, CONFIG_SERVICE, _scan
from tests.test_query_variable import _scan as scan_query_variable

HOLE = "second review: hole in the other-table-adds proof"

# The constructor sets columns on `self` only, but grows a relationship collection by a
# method call: the new Group cascades into the session with the Link, autoflush inserts
# it, and a later item's lookup by id finds it. Before: group_ids [1, 2] with only group
# 1 stored gives links to 1 and 2; after the batch, only to 1.
APPENDING_INIT = """
    groups = db.relationship("Group", secondary="link_group")

    def __init__(self, group_id=0, token_id=0, group_name=None):
        self.group_id = group_id
        self.token_id = token_id
        if group_name:
            self.groups.append(Group(name=group_name))
"""

# The same, through a project function handed `self`: only writing calls are looked
# for below the constructor, not relationship assignments.
HELPER_INIT = """
    def __init__(self, group_id=0, token_id=0, group_name=None):
        self.group_id = group_id
        self.token_id = token_id
        if group_name:
            attach_group(self, group_name)
"""
HELPER = """

def attach_group(link, name):
    link.group = Group(name=name)
"""

# A session-level listener runs on every flush: the model-level listener check does
# not see it, and what it adds is a row of the looked-up table.
SESSION_LISTENER = """

@event.listens_for(db.session, "before_flush")
def create_groups(session, context, instances):
    for obj in list(session.new):
        if isinstance(obj, Link):
            session.add(Group(name=f"auto-{obj.token_id}-{obj.group_id}"))
"""


@pytest.mark.parametrize(
    "kwargs",
    [
        {
            "link_extra": APPENDING_INIT,
            "link_args": 'group.id, token.id, f"{group.name}-copy"',
        },
        {
            "link_extra": HELPER_INIT,
            "models_tail": HELPER,
            "link_args": 'group.id, token.id, f"{group.name}-copy"',
        },
        {"models_tail": SESSION_LISTENER},
    ],
    ids=[
        "init-appends-to-relationship",
        "init-helper-sets-relationship",
        "session-listener",
    ],
)
def test_added_rows_that_bring_looked_up_rows_are_not_batched(tmp_path, kwargs):
    finding = _scan(tmp_path, **kwargs)
    assert finding.applicability.value == "none", finding.message


def test_a_dict_changed_while_its_items_are_iterated_is_not_batched(tmp_path):
    # The rewrite iterates `list(data.items())`, taken before the loop: a value the
    # loop body writes for a later key was read by the original loop, not by the
    # snapshot (and a key added raised RuntimeError, the snapshot hides it). A list
    # iterated by name is guarded ("the loop changes `xs` while iterating it").
    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'app'\n")
    package = tmp_path / "app"
    package.mkdir()
    (package / "__init__.py").write_text(textwrap.dedent(APP))
    (package / "models.py").write_text(
        textwrap.dedent(CONFIG_MODELS).format(key_line="self.Key = Key")
    )
    source = textwrap.dedent(CONFIG_SERVICE).replace(
        "        if config:\n",
        "        if key == 'password':\n"
        "            data['password_set'] = 'yes'\n"
        "        if config:\n",
    )
    assert "data['password_set']" in source
    service = package / "service.py"
    service.write_text(source)
    findings = list(scan_source(service, source))
    assert [f.rule for f in findings] == ["query-in-loop"], findings
    assert findings[0].applicability.value == "none", findings[0].message


@pytest.mark.parametrize(
    "rebinding",
    [
        "for query in [session.query(Summary)]:\n    pass",
        "with session.no_autoflush as query:\n    pass",
        "if (query := session.query(Summary)) is None:\n    continue",
        "del query",
        "def reset():\n    nonlocal query\n    query = session.query(Summary)\nreset()",
        "try:\n    pass\nexcept Exception as query:\n    pass",
    ],
    ids=["for-target", "with-as", "walrus", "del", "nonlocal", "except-as"],
)
def test_a_query_variable_rebound_otherwise_than_by_assignment_is_not_inlined(
    tmp_path, rebinding
):
    # Only `=`/`+=` bindings are counted: the lookup runs on the unfiltered query the
    # rebinding left in `query`, the fix on the filtered chain of the `=` line (the
    # for-target case gets a *safe* fix that drops rows with total <= 0).
    body = (
        "query = session.query(Summary).filter(Summary.total > 0)\n"
        f"{rebinding}\n"
        "out[package_id] = query.filter_by(id=package_id).one_or_none()"
    )
    findings = scan_query_variable(tmp_path, body)
    assert all(f.applicability.value == "none" for f in findings), findings


def test_items_of_what_may_not_be_a_dict_are_not_distinct_keys(tmp_path):
    # An email Message's items() repeats a header that comes twice (so does a pandas
    # Series' with a repeated index): the original loop's second "X-Tag" finds the row
    # its first one added and updates it; the batch misses it and adds it again (a
    # unique violation at the commit). Without the distinct proof the loop's add
    # leaves no fix; the message now only names the key's type and collation.
    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'app'\n")
    package = tmp_path / "app"
    package.mkdir()
    (package / "__init__.py").write_text(textwrap.dedent(APP))
    (package / "models.py").write_text(
        textwrap.dedent(CONFIG_MODELS).format(key_line="self.Key = Key")
    )
    source = (
        textwrap.dedent(CONFIG_SERVICE)
        .replace("data: dict[str, str]", "data: Message")
        .replace(
            "from sqlalchemy import select",
            "from email.message import Message\n\nfrom sqlalchemy import select",
        )
    )
    service = package / "service.py"
    service.write_text(source)
    findings = list(scan_source(service, source))
    assert [f.rule for f in findings] == ["query-in-loop"], findings
    assert findings[0].applicability.value == "none", findings[0].message
