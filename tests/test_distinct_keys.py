"""Keys shown distinct by the rows a loop iterates, which let a get-or-create loop that
adds rows keyed by its own item be batched (zou's template links); and the traps where
the keys may repeat or the added row may match a later lookup (golden
distinct_keys_get_or_create, trap_distinct_keys_*)."""

from __future__ import annotations

import textwrap

import pytest

from n1fix.engine.api import scan_source

MODELS = """
    from app import db


    class TemplateTypeLink(db.Model):
        template_id = db.Column(db.Integer, db.ForeignKey("template.id"), primary_key=True)
        type_id = db.Column(db.Integer, primary_key=True)
        kind = db.Column(db.String(20), nullable=False)


    class Template(db.Model):
        id = db.Column(db.Integer, primary_key=True)
        number = db.Column(db.Integer, unique=True, nullable=False)
        label = db.Column(db.Integer, unique=True)
        links = db.relationship("TemplateTypeLink")


    class ProjectTypeLink(db.Model):
        project_id = db.Column(db.Integer, primary_key=True)
        type_id = db.Column(db.Integer, primary_key=True)
"""

SERVICE = """
    from app import db
    from app.models import ProjectTypeLink, Template, TemplateTypeLink


    def register(links):
        return links


    def apply_template(project, template: Template, templates: list[Template]):
        {before}
        for link in {rows}:
            existing = ProjectTypeLink.query.filter_by(
                project_id=project.id, type_id={key}
            ).first()
            if existing is None:
                db.session.add(ProjectTypeLink(project_id=project.id, type_id={added}))
        db.session.commit()
"""

QUERY = "TemplateTypeLink.query.filter_by(template_id=template.id).all()"


def _scan(tmp_path, before="", rows=QUERY, key="link.type_id", added="link.type_id"):
    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'app'\n")
    package = tmp_path / "app"
    package.mkdir()
    (package / "__init__.py").write_text("db = None\n")
    (package / "models.py").write_text(textwrap.dedent(MODELS))
    service = package / "service.py"
    service.write_text(
        textwrap.dedent(SERVICE).format(before=before, rows=rows, key=key, added=added)
    )
    findings = [f for f in scan_source(service, service.read_text())]
    assert [f.rule for f in findings] == ["query-in-loop"], findings
    return findings[0]


@pytest.mark.parametrize(
    "rows,proof",
    [
        # the composite primary key with template_id fixed by the loop's query
        (QUERY, "unique with `template_id` fixed by the loop's query"),
        (
            "db.session.query(TemplateTypeLink).filter("
            "TemplateTypeLink.template_id == template.id).all()",
            "unique with `template_id` fixed by the loop's query",
        ),
        # a one-to-many collection: its foreign key fixes template_id
        ("template.links", "fixed by the relationship `Template.links`"),
    ],
)
def test_get_or_create_over_rows_with_distinct_keys_is_batched(tmp_path, rows, proof):
    finding = _scan(tmp_path, rows=rows)
    assert finding.applicability.value == "safe", finding.message
    assert "the keys are distinct" in finding.message
    assert proof in finding.message
    assert "carries its own item's `type_id`" in finding.message


def test_a_unique_not_null_column_of_the_rows_proves_the_keys(tmp_path):
    finding = _scan(
        tmp_path,
        rows="Template.query.all()",
        key="link.number",
        added="link.number",
    )
    assert finding.applicability.value == "safe", finding.message
    assert "`link.number` reads `Template.number`, unique (NOT NULL)" in finding.message


@pytest.mark.parametrize(
    "before,rows,key,added",
    [
        # half of the composite key: type_id repeats across templates
        ("", "TemplateTypeLink.query.all()", "link.type_id", "link.type_id"),
        # a column that is not unique
        ("", QUERY, "link.kind", "link.kind"),
        # unique but nullable: NULLs repeat
        ("", "Template.query.all()", "link.label", "link.label"),
        # a filter on another table: the FROM list repeats rows
        (
            "",
            "TemplateTypeLink.query.filter("
            "TemplateTypeLink.template_id == Template.id).all()",
            "link.type_id",
            "link.type_id",
        ),
        # a join can repeat a row
        (
            "",
            "TemplateTypeLink.query.join(Template).filter_by(id=template.id).all()",
            "link.type_id",
            "link.type_id",
        ),
        # a list built by appending
        (
            "rows = []\n    for t in templates:\n        rows.extend(t.links)",
            "rows",
            "link.type_id",
            "link.type_id",
        ),
        # the rows handed to code that may change the list
        (
            f"rows = {QUERY}\n    register(rows)",
            "rows",
            "link.type_id",
            "link.type_id",
        ),
        # the collection changed in the function
        (
            "template.links.append(TemplateTypeLink(type_id=1))",
            "template.links",
            "link.type_id",
            "link.type_id",
        ),
        # the key distinct, but the row added is keyed otherwise: a later lookup may find it
        ("", QUERY, "link.type_id", "link.type_id + 1"),
        ("", QUERY, "link.type_id", "0"),
    ],
)
def test_keys_not_shown_distinct_or_rows_not_keyed_by_their_item_get_no_fix(
    tmp_path, before, rows, key, added
):
    finding = _scan(tmp_path, before=before, rows=rows, key=key, added=added)
    assert finding.applicability.value == "none", finding.message
    assert "db.session.add()" in finding.message


ADD_FIRST = """
    from app import db
    from app.models import ProjectTypeLink, Template, TemplateTypeLink


    def apply_template(project, template: Template):
        for link in TemplateTypeLink.query.filter_by(template_id=template.id).all():
            db.session.add(ProjectTypeLink(project_id=project.id, type_id=link.type_id))
            existing = ProjectTypeLink.query.filter_by(
                project_id=project.id, type_id=link.type_id
            ).first()
            print(existing)
"""


def test_a_row_added_before_the_items_own_lookup_gets_no_fix(tmp_path):
    """The item's own lookup finds the row it has just added; a batch would not."""
    _scan(tmp_path)
    service = tmp_path / "app" / "service.py"
    service.write_text(textwrap.dedent(ADD_FIRST))
    (finding,) = scan_source(service, service.read_text())
    assert finding.applicability.value == "none", finding.message
    assert "db.session.add()" in finding.message


NESTED = """
    from app import db
    from app.models import ProjectTypeLink, Template, TemplateTypeLink


    def create_link(project, type_id):
        db.session.add(ProjectTypeLink(project_id=project.id, type_id=type_id))
        db.session.commit()


    def apply_template(projects, template: Template):
        for link in TemplateTypeLink.query.filter_by(template_id=template.id).all():
            for project in projects:
                existing = ProjectTypeLink.query.filter_by(type_id=link.type_id).first()
                if existing is None:
                    create_link(project, link.type_id)
"""


def test_a_lookup_repeated_by_a_nested_loop_has_repeated_keys(tmp_path):
    """Each link's key is looked up once per project: the second finds what the first
    created, a batch would create it again."""
    _scan(tmp_path)
    service = tmp_path / "app" / "service.py"
    service.write_text(textwrap.dedent(NESTED))
    (finding,) = scan_source(service, service.read_text())
    assert finding.applicability.value == "none", finding.message
    assert "get-or-create" in finding.message


def test_a_set_of_keys_lets_an_add_keyed_by_the_item_through(tmp_path):
    finding = _scan(
        tmp_path,
        rows="set(type_ids)",
        before="type_ids = [1, 2]",
        key="link",
        added="link",
    )
    # unsafe only for the key's type (an unannotated list), not for the write
    assert finding.applicability.value == "unsafe", finding.message
    assert "key's type is unknown" in finding.message
