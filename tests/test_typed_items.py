"""A loop over the values of a repeatable command-line option or a variadic argument
runs a few times, once per run of the command: the finding stays without a fix (lemur's
`create_user --roles`, `create_role --users`, judged pointless on the ecosystem check)."""

from __future__ import annotations

import shutil
import textwrap
from pathlib import Path

import pytest

from n1fix.engine.api import scan_source

GOLDEN = Path(__file__).resolve().parent.parent / "golden"

COMMAND = """
    import click
    from sqlalchemy.orm import Session

    from renderapp.models import User

    session: Session = None


    @click.command("grant")
    {decorator}
    def grant(emails):
        {body}
        return [
            session.query(User).filter(User.email == email).one_or_none()
            for email in emails
        ]
"""

TYPED = "the loop runs over the values of the command-line"


def _scan(tmp_path, decorator, body="pass"):
    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'x'\n")
    shutil.copytree(GOLDEN / "renderapp", tmp_path / "renderapp")
    service = tmp_path / "service.py"
    service.write_text(textwrap.dedent(COMMAND).format(decorator=decorator, body=body))
    (finding,) = scan_source(service, service.read_text())
    return finding


@pytest.mark.parametrize(
    "decorator,flag",
    [
        ('@click.option("-e", "--emails", multiple=True)', "option `--emails`"),
        ('@click.argument("emails", nargs=-1)', "argument `emails`"),
        ('@click.option("-e", "--email", "emails", multiple=True)', "option `--email`"),
    ],
)
def test_values_typed_on_the_command_line_get_no_fix(tmp_path, decorator, flag):
    finding = _scan(tmp_path, decorator)
    assert finding.applicability.value == "none"
    assert f"{TYPED} {flag}, typed by hand" in finding.message


@pytest.mark.parametrize(
    "decorator,body",
    [
        # one value per option: not what the loop iterates
        ('@click.option("-e", "--emails")', "pass"),
        # rebound in the function: no longer what was typed
        ('@click.option("-e", "--emails", multiple=True)', "emails = load_all()"),
        # not click's
        ('@other.option("-e", "--emails", multiple=True)', "pass"),
    ],
)
def test_other_loops_keep_their_fix(tmp_path, decorator, body):
    finding = _scan(tmp_path, decorator, body)
    assert TYPED not in finding.message
    assert finding.applicability.value != "none", finding.message
