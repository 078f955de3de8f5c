"""A lookup per item beside adds of rows of another table (privacyidea's token groups
and realms): batched when no added row can change what the lookup returns, and the
constructors it relies on (golden adds_rows_of_another_table, trap_adds_subclass_row,
trap_constructor_cascades_looked_up_row)."""

from __future__ import annotations

import textwrap

import pytest

from n1fix.engine.api import scan_source

MODELS = """
    from sqlalchemy import event, select

    from app import db, stamp


    class Group(db.Model):
        __tablename__ = "group"
        id = db.Column(db.Integer, primary_key=True)
        name = db.Column(db.String(80), unique=True, nullable=False)
        {group_extra}


    class Token(db.Model):
        __tablename__ = "token"
        id = db.Column(db.Integer, primary_key=True)


    class Link({link_base}):
        __tablename__ = "link"
        id = db.Column(db.Integer, {link_id})
        token_id = db.Column(db.Integer, db.ForeignKey("token.id"))
        group_id = db.Column(db.Integer, db.ForeignKey("group.id"))
        group = db.relationship("Group")
        {link_extra}
"""

OWN_INIT = """
        def __init__(self, group_id=0, token_id=0, group_name=None):
            if group_id:
                self.group_id = group_id
            elif group_name:
                stmt = select(Group).filter_by(name=group_name)
                self.group_id = db.session.execute(stmt).scalar_one().id
            self.token_id = token_id
"""

SERVICE = """
    from sqlalchemy import select

    from app import db
    from app.models import Group, Link


    def add_groups(token, group_ids: list[int]):
        for group_id in group_ids:
            stmt = select(Group).filter_by(id=group_id){query_extra}
            group = db.session.execute(stmt).scalar_one_or_none()
            if group is None:
                continue
            db.session.add(Link({link_args}))
        db.session.commit()
"""

LISTENER = """

@event.listens_for(Link, "before_insert")
def stamp_link(mapper, connection, target):
    pass
"""

APP = """
    db = None


    def stamp(value):
        return value
"""


def _scan(
    tmp_path,
    *,
    group_extra="",
    link_base="db.Model",
    link_id="primary_key=True",
    link_extra="",
    query_extra="",
    link_args="token_id=token.id, group_id=group.id",
    app=APP,
    models_tail="",
):
    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'app'\n")
    package = tmp_path / "app"
    package.mkdir()
    (package / "__init__.py").write_text(textwrap.dedent(app))
    (package / "models.py").write_text(
        textwrap.dedent(MODELS).format(
            group_extra=group_extra,
            link_base=link_base,
            link_id=link_id,
            link_extra=textwrap.indent(textwrap.dedent(link_extra), "    ").strip(),
        )
        + models_tail
    )
    service = package / "service.py"
    service.write_text(
        textwrap.dedent(SERVICE).format(query_extra=query_extra, link_args=link_args)
    )
    findings = [f for f in scan_source(service, service.read_text())]
    assert [f.rule for f in findings] == ["query-in-loop"], findings
    return findings[0]


PROOF = "the rows the loop adds are `Link` rows, of another table (`link`)"


@pytest.mark.parametrize(
    "link_extra,link_args",
    [
        # SQLAlchemy's own constructor, columns only
        ("", "token_id=token.id, group_id=group.id"),
        # the model's own __init__: sets columns, reads a group by name
        (OWN_INIT, "token_id=token.id, group_id=group.id"),
        (OWN_INIT, "group.id, token.id"),
    ],
)
def test_adds_of_another_tables_rows_are_batched(tmp_path, link_extra, link_args):
    finding = _scan(tmp_path, link_extra=link_extra, link_args=link_args)
    assert finding.applicability.value == "safe", finding.message
    assert PROOF in finding.message


WRITING_INIT = """
    def __init__(self, group_id=0, token_id=0):
        self.group_id = group_id
        self.token_id = token_id
        {write}
"""


@pytest.mark.parametrize(
    "link_extra,link_args",
    [
        # a relationship given to SQLAlchemy's constructor cascades its object in
        ("", "token_id=token.id, group=Group(name='new')"),
        # the constructor adds, or sets a relationship, or calls its own methods
        (WRITING_INIT.format(write="db.session.add(self)"), "group.id, token.id"),
        (WRITING_INIT.format(write="self.group = Group(name='x')"), "group.id"),
        (WRITING_INIT.format(write="self.refresh_names()"), "group.id"),
        (WRITING_INIT.format(write="super().__init__()"), "group.id"),
        (WRITING_INIT.format(write="self.note = 'x'"), "group.id"),
        # through a project function that commits
        (WRITING_INIT.format(write="stamp(self)"), "group.id"),
        # keywords its __init__ does not take
        (OWN_INIT, "group.id, token_id=token.id, other=1"),
    ],
)
def test_constructors_that_may_write_are_not_trusted(tmp_path, link_extra, link_args):
    app = APP.replace("return value", "db.session.commit()\n        return value")
    finding = _scan(tmp_path, link_extra=link_extra, link_args=link_args, app=app)
    assert finding.applicability.value == "none", finding.message
    assert "the loop calls `db.session.add()`" in finding.message


def test_a_decorated_constructor_is_not_trusted(tmp_path):
    decorated = "@staticmethod\n" + textwrap.dedent(OWN_INIT).strip()
    finding = _scan(tmp_path, link_extra=decorated)
    assert finding.applicability.value == "none", finding.message


@pytest.mark.parametrize(
    "kwargs",
    [
        # the added model has an ORM listener, which may write anywhere
        {"models_tail": LISTENER},
        # the looked-up model loads a relationship eagerly
        {"group_extra": 'links = db.relationship("Link", lazy="joined")'},
        # the lookup names the added model, or loads options
        {"query_extra": ".join(Link, Link.group_id == Group.id)"},
        {"query_extra": ".options(db.selectinload(Group.links))"},
        # joined-table inheritance: a Link row is also a Group row
        {
            "link_base": "Group",
            "link_id": 'db.ForeignKey("group.id"), primary_key=True',
        },
    ],
)
def test_lookups_the_added_rows_may_reach_are_not_batched(tmp_path, kwargs):
    finding = _scan(tmp_path, **kwargs)
    assert finding.applicability.value == "none", finding.message


CONFIG_MODELS = """
    from sqlalchemy import UniqueConstraint

    from app import db, stamp


    class Config(db.Model):
        __tablename__ = "config"
        __table_args__ = (UniqueConstraint("owner_id", "Key"),)
        id = db.Column(db.Integer, primary_key=True)
        owner_id = db.Column(db.Integer, nullable=False)
        Key = db.Column(db.String(80), nullable=False)
        Value = db.Column(db.String(200))
        Type = db.Column(db.String(20))

        def __init__(self, owner_id=None, Key=None, Value=None, Type=""):
            self.owner_id = owner_id
            {key_line}
            self.Value = stamp(Value)
            self.Type = Type
"""

CONFIG_SERVICE = """
    from sqlalchemy import select

    from app import db
    from app.models import Config


    def save_config(owner_id: int, data: dict[str, str], types: dict[str, str]):
        for key, value in data.items():
            stmt = select(Config).filter_by(owner_id=owner_id, Key=key)
            config = db.session.execute(stmt).scalar_one_or_none()
            if config:
                config.Value = value
            else:
                config = Config(
                    owner_id=owner_id, Key=key, Value=value, Type=types.get(key, "")
                )
                db.session.add(config)
        db.session.commit()
"""


def _scan_config(tmp_path, key_line):
    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'app'\n")
    package = tmp_path / "app"
    package.mkdir()
    (package / "__init__.py").write_text(textwrap.dedent(APP))
    (package / "models.py").write_text(
        textwrap.dedent(CONFIG_MODELS).format(key_line=key_line)
    )
    service = package / "service.py"
    service.write_text(textwrap.dedent(CONFIG_SERVICE))
    findings = [f for f in scan_source(service, service.read_text())]
    assert [f.rule for f in findings] == ["query-in-loop"], findings
    return findings[0]


def test_get_or_create_with_the_models_own_constructor_is_batched(tmp_path):
    # privacyidea's config tables: a dict's keys, distinct; the row the loop adds is
    # built by an __init__ that copies `Key` from its keyword
    finding = _scan_config(tmp_path, "self.Key = Key")
    assert finding.applicability.value != "none", finding.message


@pytest.mark.parametrize(
    "key_line",
    [
        "self.Key = Key.strip()",  # the row's key is not the item's
        "self.Key = Key if Key else 'default'",
        "if Key:\n                self.Key = Key",  # not always set
    ],
)
def test_a_constructor_that_changes_the_key_is_not_trusted(tmp_path, key_line):
    finding = _scan_config(tmp_path, key_line)
    assert finding.applicability.value == "none", finding.message
