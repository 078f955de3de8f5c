"""Git through the `git` command: fetch the base, commit in a scratch worktree, push.

The bot never touches the user's checkout: it works in a detached worktree of its own and
pushes commits by object name. Git gets no token from the bot; pushing uses whatever
credentials the remote is set up with (in GitHub Actions, the ones `actions/checkout`
stores).
"""

from __future__ import annotations

import os
import subprocess
from dataclasses import dataclass
from pathlib import Path


class GitError(Exception):
    pass


@dataclass(frozen=True)
class Author:
    name: str
    email: str

    @classmethod
    def parse(cls, text: str) -> Author:
        """`Name <email>`."""
        name, sep, rest = text.partition("<")
        if (
            not sep
            or not rest.endswith(">")
            or not name.strip()
            or not rest[:-1].strip()
        ):
            raise ValueError(f"--author must look like `Name <email>`, not {text!r}")
        return cls(name.strip(), rest[:-1].strip())

    def __str__(self) -> str:
        return f"{self.name} <{self.email}>"


class Git:
    def __init__(self, cwd: Path) -> None:
        self.cwd = cwd

    def run(
        self, *args: str, env: dict[str, str] | None = None, stdin: str | None = None
    ) -> str:
        full_env = {
            **os.environ,
            "GIT_TERMINAL_PROMPT": "0",
            "LC_ALL": "C",
            **(env or {}),
        }
        proc = subprocess.run(
            ["git", *args],
            cwd=self.cwd,
            env=full_env,
            input=stdin if stdin is not None else "",
            capture_output=True,
            text=True,
        )
        if proc.returncode != 0:
            detail = (proc.stderr or proc.stdout).strip().splitlines()
            raise GitError(
                f"git {args[0]} failed: {detail[-1] if detail else f'exit {proc.returncode}'}"
            )
        return proc.stdout

    def toplevel(self) -> Path:
        return Path(self.run("rev-parse", "--show-toplevel").strip())

    def fetch(self, remote: str, ref: str) -> str:
        """Fetch one ref of `remote` (into FETCH_HEAD only); its commit."""
        self.run("fetch", "--quiet", "--no-tags", remote, ref)
        return self.rev_parse("FETCH_HEAD")

    def remote_branches(self, remote: str, prefix: str) -> dict[str, str]:
        """Branches of `remote` starting with `prefix`: name -> commit."""
        out = self.run("ls-remote", "--heads", remote, f"refs/heads/{prefix}*")
        branches = {}
        for line in out.splitlines():
            sha, _, ref = line.partition("\t")
            branches[ref.removeprefix("refs/heads/")] = sha
        return branches

    def rev_parse(self, rev: str) -> str:
        return self.run("rev-parse", "--verify", "--quiet", f"{rev}^{{commit}}").strip()

    def tree_of(self, commit: str) -> str:
        return self.run("rev-parse", f"{commit}^{{tree}}").strip()

    def authors_since(self, base: str, tip: str) -> set[str]:
        """Author e-mails of the commits on `tip` that `base` does not have."""
        return set(self.run("log", "--format=%ae", f"{base}..{tip}").split())

    def commits_since(self, base: str, tip: str) -> list[str]:
        """Subjects of the commits on `tip` that `base` does not have, oldest first."""
        return self.run(
            "log", "--reverse", "--format=%s", f"{base}..{tip}"
        ).splitlines()

    def add_worktree(self, path: Path, commit: str) -> Git:
        self.run("worktree", "add", "--quiet", "--detach", str(path), commit)
        return Git(path)

    def remove_worktree(self, path: Path) -> None:
        self.run("worktree", "remove", "--force", str(path))

    # -- in a worktree --

    def reset_to(self, commit: str) -> None:
        self.run("checkout", "--quiet", "--detach", "--force", commit)
        self.run("clean", "--quiet", "-ffdx")

    def commit_files(
        self, files: dict[str, bytes], message: str, author: Author
    ) -> str:
        for rel, data in files.items():
            target = self.cwd / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
        self.run("add", "--", *files)
        identity = {
            "GIT_AUTHOR_NAME": author.name,
            "GIT_AUTHOR_EMAIL": author.email,
            "GIT_COMMITTER_NAME": author.name,
            "GIT_COMMITTER_EMAIL": author.email,
        }
        # No hooks and no signing: the bot's commits must not depend on the user's set-up.
        self.run(
            "-c",
            "commit.gpgsign=false",
            "commit",
            "--quiet",
            "--no-verify",
            "-F",
            "-",
            env=identity,
            stdin=message,
        )
        return self.rev_parse("HEAD")

    def push(self, remote: str, commit: str, branch: str, expected: str | None) -> None:
        """Point `branch` of `remote` at `commit`, only if it is still at `expected`
        (None: only if it does not exist)."""
        lease = f"--force-with-lease=refs/heads/{branch}:{expected or ''}"
        self.run(
            "push",
            "--quiet",
            "--no-verify",
            lease,
            remote,
            f"{commit}:refs/heads/{branch}",
        )

    def delete_branch(self, remote: str, branch: str, expected: str) -> None:
        lease = f"--force-with-lease=refs/heads/{branch}:{expected}"
        self.run(
            "push", "--quiet", "--no-verify", lease, remote, f":refs/heads/{branch}"
        )
