"""`n1fix bot` against real parts: a bare git remote on disk and Prism (GitHub's OpenAPI
description) in front of a stateful stand-in; the example app is the code it fixes."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from bot_support import EXAMPLE, TOKEN, git, make_checkout
from n1fix_project import n1fix

BRANCH = "n1fix/query-in-loop"
# The files the example's README lists with fixable query-in-loop findings.
FIXED_FILES = {
    "app/services/admin.py",
    "app/services/chains.py",
    "app/services/dashboard.py",
    "app/services/gallery.py",
}


def assert_clean_exchanges(run) -> None:
    """Every request reached the stand-in through Prism and passed GitHub's schema both ways."""
    for exchange in run.exchanges:
        assert 200 <= exchange.status < 300, (
            exchange.method,
            exchange.path,
            exchange.status,
            exchange.response_body,
        )
        assert exchange.violations == [], (
            exchange.method,
            exchange.path,
            exchange.violations,
        )
        assert exchange.accept == "application/vnd.github+json"
        assert exchange.authorization == f"Bearer {TOKEN}"


def assert_token_kept(run, *places: Path) -> None:
    assert TOKEN not in run.output
    for place in places:
        for path in place.rglob("*"):
            if path.is_file():
                assert TOKEN.encode() not in path.read_bytes(), path


def changed_files(remote: Path, branch: str) -> set[str]:
    return set(git(remote, "diff", "--name-only", f"main...{branch}").split())


def test_example_gets_its_branch_and_a_schema_valid_pull_request(
    example_checkout, run_bot, github_api, tmp_path
):
    main = example_checkout.branches()["main"]
    run = run_bot(example_checkout)
    assert run.code == 0, run.output
    assert set(example_checkout.branches()) == {"main", BRANCH}

    remote = example_checkout.remote
    assert git(remote, "rev-parse", f"{BRANCH}~{len(FIXED_FILES)}").strip() == main
    subjects = git(
        remote, "log", "--reverse", "--format=%s", f"main..{BRANCH}"
    ).splitlines()
    assert [s.split(" in ")[1].split(" (")[0] for s in subjects] == sorted(FIXED_FILES)
    assert all(s.startswith("n1fix: query-in-loop in ") for s in subjects)
    authors = set(
        git(remote, "log", "--format=%an <%ae>", f"main..{BRANCH}").splitlines()
    )
    assert authors == {"n1fix-bot <n1fix-bot@users.noreply.github.com>"}
    assert changed_files(remote, BRANCH) == FIXED_FILES

    # The branch holds exactly what `n1fix apply` writes on a copy of the example.
    copy = tmp_path / "applied"
    shutil.copytree(EXAMPLE, copy, ignore=shutil.ignore_patterns("__pycache__"))
    n1fix("apply", "--select", "query-in-loop", ".", cwd=copy, env={})
    for rel in FIXED_FILES:
        assert git(remote, "show", f"{BRANCH}:{rel}") == (copy / rel).read_text(), rel

    assert_clean_exchanges(run)
    posts = [(e.path, e.request_body) for e in run.calls("POST")]
    pulls = [body for path, body in posts if path.endswith("/pulls")]
    assert len(pulls) == 1 and pulls[0]["head"] == BRANCH and pulls[0]["base"] == "main"
    assert ("labels" in pulls[0]) is False
    assert (
        f"/repos/{example_checkout.name}/issues/1/labels",
        {"labels": ["n1fix"]},
    ) in posts
    pull = github_api.standin.repos[example_checkout.name].pulls[1]
    assert pull.state == "open" and pull.labels == ["n1fix"]
    for rel in FIXED_FILES:
        assert f"`{rel}:" in pull.body
    assert "1 + N → 2" in pull.body and "| safe |" in pull.body
    assert "n1fix apply --dry-run --select query-in-loop ." in pull.body
    assert "opened #1" in run.stdout
    assert_token_kept(run, example_checkout.work, example_checkout.remote)

    # A second run finds the branch up to date and opens nothing.
    again = run_bot(example_checkout)
    assert again.code == 0, again.output
    assert [e.method for e in again.exchanges] == ["GET"]
    assert (
        example_checkout.branches()[BRANCH] == git(remote, "rev-parse", BRANCH).strip()
    )
    assert len(github_api.standin.repos[example_checkout.name].pulls) == 1
    assert "up to date (#1); nothing to do" in again.stdout
    assert_token_kept(again, example_checkout.work)


# The example's fixable findings per rule (its README lists them).
FILES_BY_RULE = {
    "query-in-loop": FIXED_FILES,
    "lazy-load-in-loop": {"app/services/reports.py"},
    "related-key-via-relationship": {"app/services/reports.py"},
    "sequential-awaits": {"app/services/profile.py"},
    "write-in-loop": {"app/services/reports.py"},
}


def test_every_rule_of_the_example_gets_its_own_branch_and_pull_request(
    full_example_checkout, run_bot, github_api, tmp_path
):
    checkout = full_example_checkout
    run = run_bot(checkout)
    assert run.code == 0, run.output
    assert set(checkout.branches()) == {"main"} | {
        f"n1fix/{rule}" for rule in FILES_BY_RULE
    }
    assert_clean_exchanges(run)

    pulls = github_api.standin.repos[checkout.name].pulls
    assert sorted(pull.head for pull in pulls.values()) == sorted(
        f"n1fix/{rule}" for rule in FILES_BY_RULE
    )
    for rule, files in FILES_BY_RULE.items():
        branch = f"n1fix/{rule}"
        assert changed_files(checkout.remote, branch) == files, rule
        # Each branch holds what `n1fix apply --select RULE` writes on a copy, and nothing else.
        copy = tmp_path / f"applied-{rule}"
        shutil.copytree(EXAMPLE, copy, ignore=shutil.ignore_patterns("__pycache__"))
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

    again = run_bot(checkout)
    assert again.code == 0, again.output
    assert [e.method for e in again.exchanges] == ["GET"]
    assert len(github_api.standin.repos[checkout.name].pulls) == len(FILES_BY_RULE)
    assert_token_kept(run, checkout.work, checkout.remote)


def test_base_that_moves_rebuilds_the_branch_and_updates_the_same_pull_request(
    example_checkout, run_bot, github_api
):
    assert run_bot(example_checkout).code == 0
    first = example_checkout.branches()[BRANCH]
    new_main = example_checkout.commit_on_main("NOTES.md", "Release notes.\n", "Notes")

    run = run_bot(example_checkout)
    assert run.code == 0, run.output
    branches = example_checkout.branches()
    assert branches[BRANCH] != first
    assert (
        git(example_checkout.remote, "merge-base", "main", BRANCH).strip() == new_main
    )
    assert changed_files(example_checkout.remote, BRANCH) == FIXED_FILES
    assert_clean_exchanges(run)
    assert [e.method for e in run.exchanges] == ["GET", "PATCH"]
    assert run.calls("PATCH")[0].path.endswith("/pulls/1")
    assert len(github_api.standin.repos[example_checkout.name].pulls) == 1


def test_fixes_merged_by_hand_close_the_stale_pull_request(
    example_checkout, run_bot, github_api
):
    assert run_bot(example_checkout).code == 0
    # Someone merges the fixes (fast-forward main to the bot's branch).
    git(example_checkout.work, "fetch", "-q", "origin", BRANCH)
    git(example_checkout.work, "merge", "-q", "--ff-only", "FETCH_HEAD")
    git(example_checkout.work, "push", "-q", "origin", "main")

    run = run_bot(example_checkout)
    assert run.code == 0, run.output
    assert_clean_exchanges(run)
    pull = github_api.standin.repos[example_checkout.name].pulls[1]
    assert pull.state == "closed"
    assert (
        len(pull.comments) == 1
        and "nothing left to fix for `query-in-loop`" in pull.comments[0]
    )
    assert (
        "n1fix-bot stale fixes:" in pull.body
    )  # closed by the bot: may be proposed again
    assert BRANCH not in example_checkout.branches()
    assert "closed #1 and deleted its branch" in run.stdout

    quiet = run_bot(example_checkout)
    assert quiet.code == 0 and [e.method for e in quiet.exchanges] == ["GET"]
    assert "No fixes to propose" in quiet.stdout


def test_failing_tests_open_nothing_and_leave_no_branch(
    example_checkout, run_bot, github_api
):
    test_cmd = "python3 -c \"import os, sys; print('boom', os.environ.get('GITHUB_TOKEN', 'no token')); sys.exit(3)\""
    run = run_bot(example_checkout, "--test-cmd", test_cmd)
    assert run.code == 1, run.output
    assert set(example_checkout.branches()) == {"main"}
    assert [e.method for e in run.exchanges] == [
        "GET",
        "GET",
    ]  # open pulls; closed ones of the branch
    assert github_api.standin.repos[example_checkout.name].pulls == {}
    assert "tests failed" in run.stdout and "exit code 3" in run.stdout
    assert "boom no token" in run.stdout  # the tests ran without the token
    assert_token_kept(run, example_checkout.work)


def test_tests_run_on_the_fixed_code(example_checkout, run_bot):
    # Passes only where the fixes are applied: gallery.py gains an `in_` query.
    run = run_bot(
        example_checkout, "--test-cmd", "grep -q 'in_(' app/services/gallery.py"
    )
    assert run.code == 0, run.output
    assert "tests passed" in run.stdout and BRANCH in example_checkout.branches()


def test_new_fixes_failing_tests_leave_the_open_pull_request_as_it_was_with_a_comment(
    example_checkout, run_bot, github_api
):
    assert run_bot(example_checkout).code == 0
    before = example_checkout.branches()[BRANCH]
    example_checkout.commit_on_main("NOTES.md", "Release notes.\n", "Notes")

    run = run_bot(
        example_checkout,
        "--test-cmd",
        "python3 -c 'print(\"2 failed\"); raise SystemExit(1)'",
    )
    assert run.code == 1, run.output
    assert example_checkout.branches()[BRANCH] == before
    assert_clean_exchanges(run)
    assert [e.method for e in run.exchanges] == ["GET", "POST"]
    pull = github_api.standin.repos[example_checkout.name].pulls[1]
    assert pull.state == "open" and len(pull.comments) == 1
    assert (
        "failed on them (exit code 1)" in pull.comments[0]
        and "2 failed" in pull.comments[0]
    )


def test_dry_run_touches_nothing(example_checkout, run_bot, github_api):
    run = run_bot(example_checkout, "--dry-run")
    assert run.code == 0, run.output
    assert set(example_checkout.branches()) == {"main"}
    assert [e.method for e in run.exchanges] == ["GET", "GET"]
    assert github_api.standin.repos[example_checkout.name].pulls == {}
    assert f"{BRANCH}: would create the branch" in run.stdout
    assert (
        "would open a pull request into main (labels: n1fix): n1fix: fix query-in-loop in 4 files"
        in run.stdout
    )
    assert git(example_checkout.work, "status", "--porcelain") == ""
    assert git(example_checkout.work, "worktree", "list").count("\n") == 1
    assert_token_kept(run, example_checkout.work)

    # Without a token it still shows the plan, and asks GitHub nothing.
    offline = run_bot(example_checkout, "--dry-run", token=None)
    assert offline.code == 0 and offline.exchanges == []
    assert "would open a pull request" in offline.stdout


def test_without_a_token_a_real_run_stops_before_touching_anything(
    example_checkout, run_bot
):
    run = run_bot(example_checkout, token=None)
    assert run.code == 2 and "GITHUB_TOKEN is not set" in run.output
    assert set(example_checkout.branches()) == {"main"} and run.exchanges == []


def test_group_by_file_opens_one_pull_request_per_file(
    example_checkout, run_bot, github_api
):
    run = run_bot(
        example_checkout, "--group", "file", "--label", "perf", "--label", "bot"
    )
    assert run.code == 0, run.output
    expected = {f"n1fix/file/{rel}" for rel in FIXED_FILES}
    assert set(example_checkout.branches()) == {"main", *expected}
    for branch in expected:
        assert changed_files(example_checkout.remote, branch) == {
            branch.removeprefix("n1fix/file/")
        }
    assert_clean_exchanges(run)
    pulls = github_api.standin.repos[example_checkout.name].pulls.values()
    assert {p.head for p in pulls} == expected
    assert all(p.labels == ["perf", "bot"] for p in pulls)


def test_api_url_option_wins_over_the_environment(
    example_checkout, run_bot, github_api
):
    # GITHUB_API_URL points at the front; a dead --api-url must be the one used.
    run = run_bot(example_checkout, "--api-url", "http://127.0.0.1:9")
    assert run.code == 2 and "ConnectError" in run.output and run.exchanges == []
    assert TOKEN not in run.output


def test_branch_edited_by_someone_else_is_left_alone(
    example_checkout, run_bot, github_api
):
    assert run_bot(example_checkout).code == 0
    git(example_checkout.work, "fetch", "-q", "origin", BRANCH)
    git(example_checkout.work, "checkout", "-q", "-b", "review", "FETCH_HEAD")
    (example_checkout.work / "REVIEW.md").write_text("Looks good, one tweak.\n")
    git(example_checkout.work, "add", "REVIEW.md")
    git(example_checkout.work, "commit", "-qm", "Review tweak")
    git(example_checkout.work, "push", "-q", "origin", f"HEAD:{BRANCH}")
    edited = example_checkout.branches()[BRANCH]

    run = run_bot(example_checkout)
    assert run.code == 0, run.output
    assert example_checkout.branches()[BRANCH] == edited
    assert "has commits by dev@example.com; leaving it alone" in run.stdout
    assert [e.method for e in run.exchanges] == ["GET"]


def test_the_actions_script_runs_the_bot_with_its_inputs(
    example_checkout, github_api, tmp_path
):
    """action.yml's run step (inputs come in through env), with the installed n1fix."""
    import os
    import sys

    import yaml

    action = yaml.safe_load(
        (Path(__file__).resolve().parents[2] / "action.yml").read_text()
    )
    assert action["runs"]["using"] == "composite"
    step = next(s for s in action["runs"]["steps"] if s["name"] == "Run n1fix bot")
    assert "${{" not in step["run"]  # inputs only through the environment
    venv_bin = tmp_path / "runner" / "n1fix-venv" / "bin"
    venv_bin.mkdir(parents=True)
    (venv_bin / "n1fix").symlink_to(Path(sys.executable).parent / "n1fix")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GITHUB_", "GIT_"))}
    env.update(
        RUNNER_TEMP=str(tmp_path / "runner"),
        GITHUB_REPOSITORY=example_checkout.name,
        GITHUB_API_URL=github_api.url,
        GITHUB_TOKEN=TOKEN,
        N1FIX_PATHS="app/services app/dal",
        N1FIX_BASE="main",
        N1FIX_GROUP="rule",
        N1FIX_UNSAFE="false",
        N1FIX_TEST_CMD="test -f app/models.py",
        N1FIX_LABELS="n1fix,performance",
        N1FIX_AUTHOR=action["inputs"]["author"]["default"],
        N1FIX_DRY_RUN="false",
    )
    proc = subprocess.run(
        ["bash", "-e", "-c", step["run"]],
        cwd=example_checkout.work,
        env=env,
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "tests passed" in proc.stdout and TOKEN not in proc.stdout + proc.stderr
    pull = github_api.standin.repos[example_checkout.name].pulls[1]
    assert pull.labels == ["n1fix", "performance"]
    assert (
        "n1fix apply --dry-run --select query-in-loop app/services app/dal" in pull.body
    )
    author = git(
        example_checkout.remote, "log", "-1", "--format=%an <%ae>", BRANCH
    ).strip()
    assert (
        author
        == "github-actions[bot] <41898282+github-actions[bot]@users.noreply.github.com>"
    )


def test_example_workflow_scans_to_sarif_and_runs_the_action():
    import yaml

    root = Path(__file__).resolve().parents[2]
    workflow = yaml.safe_load((root / "docs" / "n1fix-workflow.yml").read_text())
    assert workflow[True]["schedule"]  # YAML 1.1 reads the `on:` key as True
    scan_steps = " ".join(
        str(s.get("run", "")) + str(s.get("uses", ""))
        for s in workflow["jobs"]["scan"]["steps"]
    )
    assert (
        "n1fix scan --format sarif . > n1fix.sarif" in scan_steps
        and "upload-sarif" in scan_steps
    )
    bot = workflow["jobs"]["bot"]
    assert bot["permissions"] == {
        "contents": "write",
        "pull-requests": "write",
        "issues": "write",
    }
    assert any(s.get("uses", "").startswith("OWNER/n1fix@") for s in bot["steps"])


def test_fixes_a_reviewer_closed_are_not_proposed_again(
    example_checkout, run_bot, github_api
):
    assert run_bot(example_checkout).code == 0
    pull = github_api.standin.repos[example_checkout.name].pulls[1]
    pull.state = "closed"  # closed without merging, branch kept

    run = run_bot(example_checkout)
    assert run.code == 0, run.output
    assert_clean_exchanges(run)
    assert "the same fixes were closed without merging in #1" in run.stdout
    assert [e.method for e in run.exchanges] == ["GET", "GET"]
    assert len(github_api.standin.repos[example_checkout.name].pulls) == 1

    # New fixes on the base are a new proposal.
    gallery = example_checkout.work / "app" / "services" / "gallery.py"
    gallery.write_text(
        gallery.read_text()
        + (
            "\n\ndef authors_of(session, renders):\n"
            "    return [session.get(User, render.user_id) for render in renders]\n"
        )
    )
    example_checkout.commit_on_main(
        "app/services/gallery.py", gallery.read_text(), "Authors"
    )
    reopened = run_bot(example_checkout)
    assert reopened.code == 0, reopened.output
    assert_clean_exchanges(reopened)
    assert "opened #2" in reopened.stdout


DAL = """\
from sqlalchemy import select
from sqlalchemy.orm import Session

from renderapp.models import Render


def renders_for_project(session: Session, project_id: int) -> list[Render]:
    return list(session.scalars(select(Render).where(Render.project_id == project_id).order_by(Render.id)))
"""

SERVICE = """\
from dal import renders_for_project


def gallery(session, projects):
    return {project.id: renders_for_project(session, project.id) for project in projects}
"""


def test_a_fix_across_two_files_stays_in_one_commit_and_one_branch(
    tmp_path, github_api, run_bot
):
    """The service's fix adds a batch method to the DAL: both files travel together."""

    golden = Path(__file__).resolve().parents[2] / "golden"
    work = tmp_path / "work"
    work.mkdir()
    (work / "pyproject.toml").write_text("[project]\nname = 'demo'\n")
    shutil.copytree(
        golden / "renderapp",
        work / "renderapp",
        ignore=shutil.ignore_patterns("__pycache__"),
    )
    shutil.copy(
        golden / "query_in_loop" / "count_per_project" / "before.py",
        work / "a_counts.py",
    )
    (work / "dal.py").write_text(DAL)
    (work / "service.py").write_text(SERVICE)
    checkout = make_checkout(tmp_path, github_api)

    run = run_bot(checkout, "--group", "file")
    assert run.code == 0, run.output
    assert set(checkout.branches()) == {
        "main",
        "n1fix/file/a_counts.py",
        "n1fix/file/dal.py",
    }
    assert changed_files(checkout.remote, "n1fix/file/a_counts.py") == {"a_counts.py"}
    assert changed_files(checkout.remote, "n1fix/file/dal.py") == {
        "dal.py",
        "service.py",
    }
    assert "def renders_for_projects(" in git(
        checkout.remote, "show", "n1fix/file/dal.py:dal.py"
    )
    assert "renders_for_projects(session, project_ids)" in git(
        checkout.remote, "show", "n1fix/file/dal.py:service.py"
    )
    assert_clean_exchanges(run)

    by_rule = run_bot(checkout, "--group", "rule")
    assert by_rule.code == 0, by_rule.output
    subjects = git(
        checkout.remote, "log", "--reverse", "--format=%s", f"main..{BRANCH}"
    ).splitlines()
    assert subjects == [
        "n1fix: query-in-loop in a_counts.py",
        "n1fix: query-in-loop in 2 files",
    ]
    assert set(
        git(checkout.remote, "show", "--name-only", "--format=", BRANCH).split()
    ) == {"dal.py", "service.py"}


def test_group_all_from_another_base_in_a_dry_run(example_checkout, run_bot):
    git(example_checkout.work, "push", "-q", "origin", "main:develop")
    run = run_bot(
        example_checkout,
        "--group",
        "all",
        "--base",
        "develop",
        "--unsafe-fixes",
        "--dry-run",
        "app",
    )
    assert run.code == 0, run.output
    assert "n1fix/all: would create the branch from develop" in run.stdout
    assert (
        "would open a pull request into develop (labels: n1fix): n1fix: fix database round-trip waste in 4 files"
        in run.stdout
    )
    assert "n1fix apply --dry-run --unsafe-fixes app" in run.stdout
    assert set(example_checkout.branches()) == {"main", "develop"}


def test_a_repository_that_forbids_actions_to_open_pull_requests_gets_a_hint(
    example_checkout, run_bot, github_api
):
    repo = github_api.standin.repos[example_checkout.name]
    repo.actions_may_create_pulls = False
    run = run_bot(example_checkout)
    assert run.code == 2
    assert (
        "answered 403: GitHub Actions is not permitted to create or approve pull requests."
        in run.stdout
    )
    assert "Allow GitHub Actions to create and approve pull requests" in run.stdout
    assert repo.pulls == {} and BRANCH in example_checkout.branches()

    # Once allowed, the next run opens the pull request for the branch already pushed.
    repo.actions_may_create_pulls = True
    again = run_bot(example_checkout)
    assert again.code == 0, again.output
    assert_clean_exchanges(again)
    assert [e.method for e in again.exchanges] == ["GET", "GET", "POST", "POST"]
    assert "opened #1" in again.stdout and list(repo.pulls) == [1]
