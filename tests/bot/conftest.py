"""Fixtures for the bot's tests: Prism + stand-in once per session, repositories per test."""

from __future__ import annotations

import shutil

import pytest
from bot_support import EXAMPLE, GitHubApi, make_checkout, run_bot_command
from github_standin import GitHubStandIn
from prism_front import (
    Front,
    PrismProxy,
    ensure_installed,
    load_spec,
    write_served_spec,
)


@pytest.fixture(scope="session")
def github_api(tmp_path_factory):
    reason = ensure_installed()
    if reason:
        pytest.skip(reason)
    spec = load_spec()
    standin = GitHubStandIn(spec)
    upstream = standin.start()
    place = tmp_path_factory.mktemp("prism")
    served = write_served_spec(spec, place / "api.github.com.served.json")
    prism = PrismProxy(served, upstream, place / "prism.log")
    try:
        prism.wait_ready()
        front = Front(prism.port)
        yield GitHubApi(front.url, standin, front)
        front.stop()
    finally:
        prism.stop()
        standin.stop()


@pytest.fixture
def full_example_checkout(tmp_path, github_api):
    """The example app as it is: every rule has fixes in it."""
    work = tmp_path / "work"
    shutil.copytree(EXAMPLE, work, ignore=shutil.ignore_patterns("__pycache__", "*.db"))
    return make_checkout(tmp_path, github_api)


@pytest.fixture
def example_checkout(tmp_path, github_api):
    """The example app with `select = ["query-in-loop"]` in its pyproject.toml: one group
    under `--group rule`, so the tests of the bot's steps count one branch and one pull request."""
    work = tmp_path / "work"
    shutil.copytree(EXAMPLE, work, ignore=shutil.ignore_patterns("__pycache__", "*.db"))
    with (work / "pyproject.toml").open("a") as pyproject:
        pyproject.write('\n[tool.n1fix]\nselect = ["query-in-loop"]\n')
    return make_checkout(tmp_path, github_api)


@pytest.fixture
def run_bot(github_api):
    def run(checkout, *args: str, **kwargs):
        return run_bot_command(github_api, checkout, *args, **kwargs)

    return run
