"""What the iterated query's filters may read for the distinct-keys proof to hold: values
traced to what they are bound to (a parameter, a row a helper of the module returns),
never a table, an alias or a name n1fix cannot trace."""

from __future__ import annotations

import textwrap

import pytest

from n1fix.engine.api import scan_source
from test_distinct_keys_holes import MODELS

SERVICE = """
    from sqlalchemy import select
    from sqlalchemy.orm import aliased

    from app import db
    from app.helpers import imported_template
    from app.models import ProjectTypeLink, Template, TemplateTypeLink

    {module_level}

    def template_of(template_id):
        found = Template.query.get(template_id)
        if found is None:
            raise LookupError(template_id)
        return found


    def alias_of_templates():
        return aliased(Template)


    def apply_template(project, template_id):
        {before}
        for link in TemplateTypeLink.query.filter_by(template_id={value}).all():
            existing = ProjectTypeLink.query.filter_by(
                project_id=project.id, type_id=link.type_id
            ).first()
            if existing is None:
                db.session.add(ProjectTypeLink(project_id=project.id, type_id=link.type_id))
"""


def _applicability(tmp_path, module_level, before, value):
    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'app'\n")
    package = tmp_path / "app"
    package.mkdir()
    (package / "__init__.py").write_text("db = None\n")
    (package / "models.py").write_text(textwrap.dedent(MODELS))
    (package / "helpers.py").write_text("def imported_template(i):\n    return i\n")
    service = package / "service.py"
    service.write_text(
        textwrap.dedent(SERVICE).format(
            module_level=module_level, before=before, value=value
        )
    )
    (finding,) = [
        f
        for f in scan_source(service, service.read_text())
        if f.rule == "query-in-loop"
    ]
    return finding.applicability.value


@pytest.mark.parametrize(
    "module_level,before,value,expected",
    [
        ("", "", "template_id", "safe"),  # a parameter
        ("", "template = template_of(template_id)", "template.id", "safe"),
        ("CURRENT = 3", "", "CURRENT", "safe"),  # a module constant
        # a helper that returns an alias: its columns put a table in the FROM list
        ("", "t = alias_of_templates()", "t.id", "none"),
        ("t = aliased(Template)", "", "t.id", "none"),  # bound at module level
        ("templates = Template.__table__", "", "templates.c.id", "none"),
        # a function of another module: what it returns is not read
        ("", "template = imported_template(template_id)", "template.id", "none"),
        ("", "", "Template.id", "none"),  # another model's column
    ],
)
def test_filter_values_are_traced_to_their_binding(
    tmp_path, module_level, before, value, expected
):
    assert _applicability(tmp_path, module_level, before, value) == expected
