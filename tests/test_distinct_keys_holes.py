"""Loops whose keys the distinct-keys proof takes as distinct although they can repeat,
or whose added row can be found by a later item's lookup (second review of the
distinct-keys get-or-create fix). Run on SQLite (all but the Table variant of the
alias), the loop as written adds one row and the batched loop adds the same key twice
(IntegrityError at commit). Strict xfail until the proof refuses them."""

from __future__ import annotations

import textwrap

import pytest

from n1fix.engine.api import scan_source

MODELS = """
    from app import db
    from sqlalchemy.orm import validates


    class TemplateTypeLink(db.Model):
        template_id = db.Column(db.Integer, primary_key=True)
        type_id = db.Column(db.Integer, primary_key=True)
        source_template_id = db.Column(db.Integer, nullable=False)


    class Template(db.Model):
        id = db.Column(db.Integer, primary_key=True)
        number = db.Column(db.Integer, nullable=False)


    class ProjectTypeLink(db.Model):
        project_id = db.Column(db.Integer, primary_key=True)
        type_id = db.Column(db.Integer, primary_key=True)


    class Soft(db.Model):
        id = db.Column(db.Integer, primary_key=True)
        type_id = db.Column(db.Integer, nullable=False)
        deleted = db.Column(db.Boolean, nullable=False)
        __table_args__ = (
            db.Index(
                "ix_soft_type", "type_id", unique=True, sqlite_where=db.text("NOT deleted")
            ),
        )


    class Tag(db.Model):
        id = db.Column(db.Integer, primary_key=True)
        type_id = db.Column(db.String(50), unique=True, nullable=False)


    class ProjectTag(db.Model):
        project_id = db.Column(db.Integer, primary_key=True)
        type_id = db.Column(db.String(50, collation="NOCASE"), primary_key=True)


    class NormalisedLink(db.Model):
        project_id = db.Column(db.Integer, primary_key=True)
        type_id = db.Column(db.Integer, primary_key=True)

        @validates("type_id")
        def _normalise(self, key, value):
            return abs(value)
"""

SERVICE = """
    from sqlalchemy import select
    from sqlalchemy.orm import aliased

    from app import db
    from app.models import (
        NormalisedLink,
        ProjectTag,
        ProjectTypeLink,
        Soft,
        Tag,
        Template,
        TemplateTypeLink,
    )


    def apply_template(project, template):
        {before}
        for link in {rows}:
            existing = {target}.query.filter_by(
                project_id=project.id, type_id=link.type_id
            ).first()
            if existing is None:
                db.session.add({target}(project_id=project.id, type_id=link.type_id))
"""

OWN_TEMPLATE = "TemplateTypeLink.query.filter_by(template_id=template.id).all()"


@pytest.mark.parametrize(
    "before,rows,target",
    [
        # "fixed by equality" to a column of the same row: one template_id per row,
        # not one for the query; (1, 5, 1) and (2, 5, 2) repeat type_id 5
        (
            "",
            (
                "TemplateTypeLink.query.filter("
                "TemplateTypeLink.template_id == TemplateTypeLink.source_template_id).all()"
            ),
            "ProjectTypeLink",
        ),
        # another table in the FROM list through a lower-case alias: each link comes
        # once per template row (select() does not unique entities)
        (
            "t = aliased(Template)",
            (
                "db.session.scalars(select(TemplateTypeLink).where("
                "TemplateTypeLink.template_id == template.id, t.number > 0)).all()"
            ),
            "ProjectTypeLink",
        ),
        # the same through a Table's columns
        (
            "templates = Template.__table__",
            (
                "db.session.scalars(select(TemplateTypeLink).where("
                "TemplateTypeLink.template_id == template.id, templates.c.number > 0)).all()"
            ),
            "ProjectTypeLink",
        ),
        # keys distinct, but a validator maps -5 and 5 to one stored key: the row added
        # for -5 is what the lookup for 5 finds
        ("", OWN_TEMPLATE, "NormalisedLink"),
        # a partial unique index (soft delete): unique only among the rows not deleted,
        # and the loop iterates every row
        ("", "Soft.query.all()", "ProjectTypeLink"),
        # distinct under the rows' collation ("Foo", "foo"), one key under the
        # lookup's (NOCASE): the row added for "Foo" is what the lookup for "foo" finds
        ("", "Tag.query.all()", "ProjectTag"),
    ],
)
def test_keys_that_may_repeat_get_no_safe_fix(tmp_path, before, rows, target):
    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'app'\n")
    package = tmp_path / "app"
    package.mkdir()
    (package / "__init__.py").write_text("db = None\n")
    (package / "models.py").write_text(textwrap.dedent(MODELS))
    service = package / "service.py"
    service.write_text(
        textwrap.dedent(SERVICE).format(before=before, rows=rows, target=target)
    )
    (finding,) = [
        f
        for f in scan_source(service, service.read_text())
        if f.rule == "query-in-loop"
    ]
    assert finding.applicability.value != "safe", finding.message
