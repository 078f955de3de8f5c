"""`n1fix bot` from start to end: fixes on the base, one branch and pull request per
group, kept up to date; stale ones closed.

Exit codes: 0 done; 1 some group was held back because its tests failed; 2 a git or
GitHub step failed, or files could not be checked.
"""

from __future__ import annotations

import os
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from n1fix.bot import body
from n1fix.bot.fixes import compute
from n1fix.bot.git import Author, Git, GitError
from n1fix.bot.github import (
    GitHub,
    GitHubError,
    InvalidToken,
    MissingToken,
    PullRequest,
    api_url_from,
    mask,
    secret_forms,
    token_from_env,
)
from n1fix.bot.grouping import BRANCH_PREFIX, Group, GroupBy

DEFAULT_AUTHOR = "n1fix-bot <n1fix-bot@users.noreply.github.com>"
OUTPUT_TAIL_LINES = 40

EXIT_DONE, EXIT_HELD_BACK, EXIT_ERROR = 0, 1, 2
FORBIDDEN_HINT = (
    "with the workflow's GITHUB_TOKEN, the repository must allow it: Settings > Actions > General > "
    "Workflow permissions > Allow GitHub Actions to create and approve pull requests"
)


@dataclass
class BotOptions:
    repo: str
    paths: list[Path] = field(default_factory=lambda: [Path(".")])
    base: str = "main"
    group_by: GroupBy = GroupBy.rule
    unsafe_fixes: bool = False
    test_cmd: str | None = None
    dry_run: bool = False
    remote: str = "origin"
    api_url: str | None = None
    author: str = DEFAULT_AUTHOR
    labels: list[str] = field(default_factory=lambda: ["n1fix"])
    cwd: Path = field(default_factory=Path.cwd)


class Output:
    """Every line the bot prints goes through here: the token never leaves as itself."""

    def __init__(self, write: Callable[[str], None], secret: str | None) -> None:
        self._write = write
        self._forms = secret_forms(secret) if secret else []

    def __call__(self, line: str = "") -> None:
        self._write(self.redact(line))

    def redact(self, text: str) -> str:
        return mask(text, self._forms)


def run_bot(options: BotOptions, write: Callable[[str], None] = print) -> int:
    try:
        token: str | None = token_from_env()
    except InvalidToken as error:  # even a dry run must not go on with it: say so now
        write(f"n1fix bot: error: {error}")
        return EXIT_ERROR
    except MissingToken as error:
        if not options.dry_run:
            write(f"n1fix bot: error: {error}")
            return EXIT_ERROR
        token = None
    say = Output(write, token)
    try:
        return _Bot(options, token, say).run()
    except (GitError, GitHubError) as error:
        say(f"n1fix bot: error: {error}")
        return EXIT_ERROR
    except Exception as error:
        # Anything else goes on to the command's handler, but never with the token in it.
        if say.redact(str(error)) != str(error):
            raise RuntimeError(say.redact(f"{type(error).__name__}: {error}")) from None
        raise


@dataclass
class _GroupState:
    group: Group
    commit: str
    old: str | None  # the branch's commit on the remote, if it exists
    pull: PullRequest | None


class _Bot:
    def __init__(self, options: BotOptions, token: str | None, say: Output) -> None:
        self.options = options
        self.say = say
        self.author = Author.parse(options.author)
        self.git = Git(options.cwd)
        self.github = (
            GitHub(api_url_from(options.api_url), token, options.repo)
            if token
            else None
        )
        self.exit = EXIT_DONE

    def run(self) -> int:
        opts = self.options
        top = self.git.toplevel()
        paths = [_inside(top, opts.cwd / p) for p in opts.paths]
        self.cwd_in_repo = _inside(top, opts.cwd)
        self.shown_paths = [str(p) for p in opts.paths]
        self.base_sha = self.git.fetch(opts.remote, f"refs/heads/{opts.base}")
        self.remote_branches = self.git.remote_branches(opts.remote, BRANCH_PREFIX)
        pulls = self._bot_pulls()
        with tempfile.TemporaryDirectory(prefix="n1fix-bot-") as scratch:
            checkout = Path(scratch) / "checkout"
            self.worktree = self.git.add_worktree(checkout, self.base_sha)
            try:
                computed = compute(
                    checkout,
                    self.cwd_in_repo,
                    paths,
                    opts.group_by,
                    unsafe_fixes=opts.unsafe_fixes,
                )
                for error in computed.errors:
                    self.say(f"n1fix: error: {error}")
                for failure in computed.failures:
                    self.say(f"warning: {failure}")
                if computed.errors:
                    self.exit = EXIT_ERROR
                if not computed.groups:
                    self.say(f"No fixes to propose on {opts.base}.")
                for group in computed.groups:
                    self._handle(group, pulls.get(group.branch))
                current = {g.branch for g in computed.groups}
                for branch, pull in sorted(pulls.items()):
                    if branch not in current and _mode_of(branch) is opts.group_by:
                        self._close_stale(pull, blocked=bool(computed.errors))
            finally:
                self.git.remove_worktree(checkout)
                if self.github is not None:
                    self.github.close()
        return self.exit

    def _bot_pulls(self) -> dict[str, PullRequest]:
        """The bot's open pull requests (branch under n1fix/ in this repository), by branch."""
        if self.github is None:
            self.say(
                "(dry run without GITHUB_TOKEN: existing pull requests are not looked up)"
            )
            return {}
        return {
            p.head_ref: p
            for p in self.github.open_pulls()
            if p.head_ref.startswith(BRANCH_PREFIX)
            and (p.head_repo or "").lower() == self.options.repo.lower()
        }

    def _handle(self, group: Group, pull: PullRequest | None) -> None:
        opts = self.options
        commit = self._build(group)
        state = _GroupState(group, commit, self.remote_branches.get(group.branch), pull)
        title = body.title(group)
        text = body.pull_body(
            group,
            base=opts.base,
            paths=self.shown_paths,
            unsafe_fixes=opts.unsafe_fixes,
        )
        if pull is None and self._closed_unmerged(group):
            return
        if state.old is not None:
            old_commit = self.git.fetch(opts.remote, f"refs/heads/{group.branch}")
            if self.git.tree_of(old_commit) == self.git.tree_of(commit):
                self._up_to_date(state, title, text)
                return
            others = self.git.authors_since(self.base_sha, old_commit) - {
                self.author.email
            }
            if others:
                self.say(
                    f"{group.branch}: has commits by {', '.join(sorted(others))}; leaving it alone."
                )
                return
        verb = "update" if state.old else "create"
        if opts.dry_run:
            self._preview(state, verb, title, text)
            return
        if opts.test_cmd and not self._tests_pass(state):
            return
        self.git.push(opts.remote, commit, group.branch, expected=state.old)
        self.say(
            f"{group.branch}: pushed {len(group.edits)} commit{'s' * (len(group.edits) != 1)} ({verb}d)."
        )
        self._open_or_update(state, title, text)

    def _closed_unmerged(self, group: Group) -> bool:
        """Were these very fixes proposed before and closed without merging? Then a
        reviewer said no: do not propose them again (new or changed fixes are proposed)."""
        if self.github is None:
            return False
        marker = body.fixes_marker(group)
        for pull in self.github.closed_pulls(group.branch):
            if not pull.merged and marker in pull.body:
                self.say(
                    f"{group.branch}: the same fixes were closed without merging in #{pull.number}; not proposing them again."
                )
                return True
        return False

    def _build(self, group: Group) -> str:
        self.worktree.reset_to(self.base_sha)
        commit = self.base_sha
        for edit in group.edits:
            commit = self.worktree.commit_files(
                edit.files, body.commit_message(group, edit), self.author
            )
        return commit

    def _up_to_date(self, state: _GroupState, title: str, text: str) -> None:
        branch = state.group.branch
        if state.pull is None:
            if self.options.dry_run:
                self.say(f"{branch}: up to date; would open its pull request: {title}")
                return
            self._open_or_update(state, title, text)
        elif state.pull.body != text or state.pull.title != title:
            if self.options.dry_run:
                self.say(
                    f"{branch}: up to date; would update the description of #{state.pull.number}"
                )
                return
            self.github.update_pull(state.pull.number, title=title, body=text)
            self.say(
                f"{branch}: up to date; description of #{state.pull.number} updated."
            )
        else:
            self.say(f"{branch}: up to date (#{state.pull.number}); nothing to do.")

    def _preview(self, state: _GroupState, verb: str, title: str, text: str) -> None:
        group = state.group
        self.say(
            f"{group.branch}: would {verb} the branch from {self.options.base} ({self.base_sha[:12]}) with:"
        )
        for subject in self.git.commits_since(self.base_sha, state.commit):
            self.say(f"    {subject}")
        if self.options.test_cmd:
            self.say(f"  would run the tests first: {self.options.test_cmd}")
        if state.pull is not None:
            self.say(f"  would update pull request #{state.pull.number}: {title}")
        else:
            labels = ", ".join(self.options.labels) or "none"
            self.say(
                f"  would open a pull request into {self.options.base} (labels: {labels}): {title}"
            )
        for line in text.splitlines():
            self.say(f"  | {line}")

    def _tests_pass(self, state: _GroupState) -> bool:
        command = self.options.test_cmd
        branch = state.group.branch
        env = {
            k: v for k, v in os.environ.items() if k != "GITHUB_TOKEN"
        }  # the tests do not need it
        proc = subprocess.run(
            command,
            shell=True,
            cwd=self.worktree.cwd / self.cwd_in_repo,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            errors="replace",
        )
        if proc.returncode == 0:
            self.say(f"{branch}: tests passed ({command}).")
            return True
        self.exit = max(self.exit, EXIT_HELD_BACK)
        tail = self.say.redact("\n".join(proc.stdout.splitlines()[-OUTPUT_TAIL_LINES:]))
        self.say(
            f"{branch}: tests failed ({command}: exit code {proc.returncode}); the end of their output:"
        )
        for line in tail.splitlines():
            self.say(f"    {line}")
        if state.pull is not None:
            self.github.comment(
                state.pull.number,
                body.tests_failed_comment(command, proc.returncode, tail),
            )
            self.say(f"{branch}: left as it was; commented on #{state.pull.number}.")
        else:
            self.say(f"{branch}: not pushed, no pull request opened.")
        return False

    def _open_or_update(self, state: _GroupState, title: str, text: str) -> None:
        branch = state.group.branch
        if state.pull is not None:
            self.github.update_pull(state.pull.number, title=title, body=text)
            self.say(f"{branch}: updated #{state.pull.number} {state.pull.html_url}")
            return
        try:
            pull = self.github.create_pull(
                title=title, head=branch, base=self.options.base, body=text
            )
        except GitHubError as error:
            if error.status == 403:
                raise GitHubError(
                    f"{error} (the branch is pushed; {FORBIDDEN_HINT})", error.status
                ) from None
            raise
        if self.options.labels:
            self.github.add_labels(pull.number, self.options.labels)
        self.say(f"{branch}: opened #{pull.number} {pull.html_url}")

    def _close_stale(self, pull: PullRequest, *, blocked: bool) -> None:
        branch = pull.head_ref
        if blocked:
            self.say(
                f"{branch}: no fixes now, but some files could not be checked; #{pull.number} stays open."
            )
            return
        if self.options.dry_run:
            self.say(
                f"{branch}: no fixes left; would close #{pull.number} and delete the branch."
            )
            return
        self.github.comment(
            pull.number,
            body.stale_comment(branch.removeprefix(BRANCH_PREFIX), self.options.base),
        )
        # Closed by the bot, not by a reviewer: these fixes may be proposed again later.
        self.github.update_pull(
            pull.number,
            state="closed",
            body=pull.body.replace(body.FIXES_MARK, body.STALE_MARK),
        )
        old = self.remote_branches.get(branch)
        deleted = ""
        if old is not None:
            commit = self.git.fetch(self.options.remote, f"refs/heads/{branch}")
            if not self.git.authors_since(self.base_sha, commit) - {self.author.email}:
                self.git.delete_branch(self.options.remote, branch, expected=old)
                deleted = " and deleted its branch"
        self.say(f"{branch}: no fixes left; closed #{pull.number}{deleted}.")


def _mode_of(branch: str) -> GroupBy:
    name = branch.removeprefix(BRANCH_PREFIX)
    if name.startswith("file/"):
        return GroupBy.file
    return GroupBy.all if name == "all" else GroupBy.rule


def _inside(top: Path, path: Path) -> Path:
    try:
        return Path(os.path.realpath(path)).relative_to(os.path.realpath(top))
    except ValueError:
        raise ValueError(f"{path} is outside the git checkout {top}") from None
