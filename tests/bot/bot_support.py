"""Helpers for the bot's tests: repositories with a bare remote, the bot as a command."""

from __future__ import annotations

import itertools
import os
import subprocess
from dataclasses import dataclass
from pathlib import Path

from github_standin import GitHubStandIn
from n1fix_project import n1fix
from prism_front import Exchange, Front

REPO = Path(__file__).resolve().parents[2]
EXAMPLE = REPO / "examples" / "renderservice"
TOKEN = "ghp_n1fixTestTokenThatMustNeverLeak0123456789"
GIT_ID = {
    "GIT_AUTHOR_NAME": "Dev",
    "GIT_AUTHOR_EMAIL": "dev@example.com",
    "GIT_COMMITTER_NAME": "Dev",
    "GIT_COMMITTER_EMAIL": "dev@example.com",
}
_names = itertools.count(1)


@dataclass
class GitHubApi:
    url: str  # the front: what the bot gets as GITHUB_API_URL
    standin: GitHubStandIn
    front: Front


def git(cwd: Path, *args: str) -> str:
    proc = subprocess.run(
        ["git", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        env={**os.environ, **GIT_ID},
    )
    assert proc.returncode == 0, f"git {' '.join(args)}: {proc.stderr}"
    return proc.stdout


@dataclass
class Checkout:
    """A clone of a bare remote holding the example app, and its GitHub repository name."""

    work: Path
    remote: Path
    name: str

    def branches(self) -> dict[str, str]:
        out = git(
            self.remote,
            "for-each-ref",
            "--format=%(refname:short) %(objectname)",
            "refs/heads",
        )
        return dict(line.split() for line in out.splitlines())

    def commit_on_main(self, rel: str, text: str, message: str) -> str:
        (self.work / rel).write_text(text)
        git(self.work, "add", rel)
        git(self.work, "commit", "-qm", message)
        git(self.work, "push", "-q", "origin", "main")
        return git(self.work, "rev-parse", "HEAD").strip()


@dataclass
class BotRun:
    code: int
    stdout: str
    stderr: str
    exchanges: list[Exchange]

    @property
    def output(self) -> str:
        return self.stdout + self.stderr

    def calls(self, method: str | None = None) -> list[Exchange]:
        return [e for e in self.exchanges if method is None or e.method == method]


def make_checkout(tmp_path: Path, github_api: GitHubApi) -> Checkout:
    """Commit `tmp_path/work` as it is, push it to a new bare remote, register the repository."""
    remote = tmp_path / "remote.git"
    git(tmp_path, "init", "-q", "--bare", "-b", "main", str(remote))
    work = tmp_path / "work"
    git(work, "init", "-q", "-b", "main")
    git(work, "add", "-A")
    git(work, "commit", "-qm", "The render service")
    git(work, "remote", "add", "origin", str(remote))
    git(work, "push", "-q", "origin", "main")
    name = f"acme/renderservice-{next(_names)}"
    github_api.standin.add_repo(name, remote)
    return Checkout(work, remote, name)


def run_bot_command(
    github_api: GitHubApi, checkout: Checkout, *args: str, token: str | None = TOKEN
) -> BotRun:
    """`n1fix bot --repo <checkout's name> ARGS` in the checkout, GITHUB_API_URL at the front."""
    env: dict[str, str | None] = {
        k: None for k in os.environ if k.startswith(("GITHUB_", "GIT_"))
    }
    if token is not None:
        env["GITHUB_TOKEN"] = token
    env["GITHUB_API_URL"] = github_api.url
    start = len(github_api.front.exchanges)
    # In this process (the front and the stand-in serve from threads meanwhile).
    run = n1fix(
        "bot", "--repo", checkout.name, *args, cwd=checkout.work, env=env, timeout=600
    )
    prefix = f"/repos/{checkout.name}/"
    exchanges = [
        e for e in github_api.front.exchanges[start:] if e.path.startswith(prefix)
    ]
    return BotRun(run.code, run.out, run.err, exchanges)
