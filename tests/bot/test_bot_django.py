"""`n1fix bot` on Django findings: the bundled Django example (examples/djangoshop) gets a
branch and a pull request per rule, each holding what `n1fix apply --select RULE` writes,
with the example's own demo as the tests the bot runs on each branch."""

from __future__ import annotations

import shlex
import shutil
import sys

import pytest
from bot_support import REPO, git, make_checkout
from n1fix_project import n1fix
from test_bot_github import assert_clean_exchanges, assert_token_kept, changed_files

pytest.importorskip("django")

EXAMPLE = REPO / "examples" / "djangoshop"
IGNORED = shutil.ignore_patterns("__pycache__", ".n1fix_cache", ".ruff_cache")
# The example's fixable findings per rule (its README's table).
FILES_BY_RULE = {
    "query-in-loop": {
        "shop/services/account.py",
        "shop/services/catalog.py",
        "shop/services/orders.py",
    },
    "lazy-load-in-loop": {"shop/services/catalog.py", "shop/services/orders.py"},
    "write-in-loop": {"shop/services/inventory.py", "shop/services/orders.py"},
}


@pytest.fixture
def django_checkout(tmp_path, github_api):
    shutil.copytree(EXAMPLE, tmp_path / "work", ignore=IGNORED)
    return make_checkout(tmp_path, github_api)


def test_each_rule_of_the_django_example_gets_its_pull_request(
    django_checkout, run_bot, github_api, tmp_path
):
    checkout = django_checkout
    demo = f"{shlex.quote(sys.executable)} demo.py --quiet"
    run = run_bot(checkout, "--test-cmd", demo)
    assert run.code == 0, run.output
    assert run.stdout.count("tests passed") == len(FILES_BY_RULE), run.stdout
    assert set(checkout.branches()) == {"main"} | {
        f"n1fix/{rule}" for rule in FILES_BY_RULE
    }
    assert_clean_exchanges(run)
    pulls = github_api.standin.repos[checkout.name].pulls
    for rule, files in FILES_BY_RULE.items():
        branch = f"n1fix/{rule}"
        assert changed_files(checkout.remote, branch) == files, rule
        copy = tmp_path / f"applied-{rule}"
        shutil.copytree(EXAMPLE, copy, ignore=IGNORED)
        n1fix("apply", "--select", rule, ".", cwd=copy, env={})
        for rel in files:
            assert (
                git(checkout.remote, "show", f"{branch}:{rel}")
                == (copy / rel).read_text()
            ), (rule, rel)
        (pull,) = [pull for pull in pulls.values() if pull.head == branch]
        assert pull.state == "open" and pull.labels == ["n1fix"]
        assert f"n1fix apply --dry-run --select {rule} ." in pull.body
        assert all(f"`{rel}:" in pull.body for rel in files), rule
        assert "| safe |" in pull.body
    again = run_bot(checkout)
    assert again.code == 0, again.output
    assert [e.method for e in again.exchanges] == ["GET"]
    assert_token_kept(run, checkout.work, checkout.remote)
