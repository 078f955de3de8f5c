"""A loop that commits in every item through project code and reads the row it looked
up gets no batch: each commit expires the rows a batch loaded, which then load again one
per item (lemur's autorotate commands; golden trap_commit_expires_batch)."""

from __future__ import annotations

import textwrap

import pytest

from n1fix.engine.api import scan_source

FILES = {
    "extensions.py": "db = None\n",
    "database.py": """
        from app.extensions import db


        def commit():
            db.session.commit()


        def update(model):
            commit()
            db.session.refresh(model)
            return model


        def add(model):
            db.session.add(model)
            return model


        def save(session, model):
            session.add(model)
            session.commit()
    """,
    "models.py": """
        from app.extensions import db


        class Authority(db.Model):
            id = db.Column(db.Integer, primary_key=True)
            name = db.Column(db.String(20), nullable=False)


        class Certificate(db.Model):
            id = db.Column(db.Integer, primary_key=True)
            authority_id = db.Column(
                db.Integer, db.ForeignKey("authority.id"), nullable=False
            )
            rotation = db.Column(db.Boolean)
    """,
}

SERVICE = """
    from app import database
    from app.models import Authority, Certificate


    def enable(session, certs: list[Certificate]):
        names = []
        for cert in certs:
            authority = {lookup}.filter(Authority.id == cert.authority_id).first()
            {read}
            cert.rotation = True
            {write}
        return names
"""

EXPIRES = "which commits: each commit expires every loaded object"


def _scan(
    tmp_path,
    lookup="Authority.query",
    read="names.append(authority.name)",
    write="database.update(cert)",
):
    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'app'\n")
    package = tmp_path / "app"
    package.mkdir()
    (package / "__init__.py").write_text("")
    for name, text in FILES.items():
        (package / name).write_text(textwrap.dedent(text))
    service = package / "service.py"
    service.write_text(
        textwrap.dedent(SERVICE).format(lookup=lookup, read=read, write=write)
    )
    (finding,) = [f for f in scan_source(service, service.read_text())]
    return finding


def test_a_commit_in_every_item_through_project_code_leaves_no_fix(tmp_path):
    finding = _scan(tmp_path)
    assert finding.applicability.value == "none"
    assert f"`database.update()` in every item, {EXPIRES}" in finding.message


def test_the_session_passed_to_the_committing_call_counts(tmp_path):
    finding = _scan(
        tmp_path,
        lookup="session.query(Authority)",
        write="database.save(session, cert)",
    )
    assert finding.applicability.value == "none"
    assert EXPIRES in finding.message


@pytest.mark.parametrize(
    "lookup,read,write",
    [
        # the commit runs only in some items
        (
            "Authority.query",
            "names.append(authority.name)",
            "if cert.rotation:\n            database.update(cert)",
        ),
        # the row looked up is only tested, never read: the batch saves its queries
        ("Authority.query", "names.append(authority is None)", "database.update(cert)"),
        # project code that adds without committing
        ("Authority.query", "names.append(authority.name)", "database.add(cert)"),
        # the loop's own session is not the one the call commits
        (
            "session.query(Authority)",
            "names.append(authority.name)",
            "database.update(cert)",
        ),
    ],
)
def test_commits_not_in_every_item_or_rows_not_read_keep_the_fix(
    tmp_path, lookup, read, write
):
    finding = _scan(tmp_path, lookup=lookup, read=read, write=write)
    assert EXPIRES not in finding.message, finding.message


def test_a_commit_on_each_side_of_an_if_else_counts(tmp_path):
    """lemur's pending-certificate loops: `if real_cert: create(...) else: update(...)`,
    each side committing: every item that goes on commits."""
    finding = _scan(
        tmp_path,
        write=(
            "if cert.rotation:\n            database.update(cert)\n"
            "        else:\n            database.update(authority)"
        ),
    )
    assert finding.applicability.value == "none"
    assert EXPIRES in finding.message, finding.message


def test_an_elif_chain_without_else_does_not_count(tmp_path):
    finding = _scan(
        tmp_path,
        write=(
            "if cert.rotation:\n            database.update(cert)\n"
            "        elif cert.id:\n            database.update(authority)"
        ),
    )
    assert EXPIRES not in finding.message, finding.message
