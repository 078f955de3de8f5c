"""Whether the git working tree has uncommitted changes (so `apply` can warn before writing)."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import time
from pathlib import Path

__all__ = ["working_tree_dirty"]


def working_tree_dirty(root: Path, timeout: float = 10.0) -> bool | None:
    """True if files under `root` have uncommitted changes (untracked files included).

    False when they are all committed; None when `root` is not in a git checkout, git is
    missing, or git fails or takes longer than `timeout` seconds. Never raises.
    """
    env = {
        **os.environ,
        # A status check must not take index.lock and so fail a concurrent `git commit`.
        "GIT_OPTIONAL_LOCKS": "0",
        "GIT_TERMINAL_PROMPT": "0",
        "LC_ALL": "C",
    }
    deadline = time.monotonic() + timeout
    listed = _git(
        ["config", "-z", "--name-only", "--get-regexp", r"^filter\."],
        root,
        env,
        timeout,
    )
    if listed is None:
        return None
    options = _no_commands(listed[1])
    status = _git(
        [*options, "status", "--porcelain", "--untracked-files=normal", "--", "."],
        root,
        env,
        max(deadline - time.monotonic(), 0.01),
    )
    if status is None or status[0] != 0:
        return None
    return bool(status[1].strip())


def _no_commands(filter_keys: bytes) -> list[str]:
    """`-c` options that stop `git status` from running commands the repository's own
    config names: an fsmonitor hook, and the clean/process commands of filter drivers
    (run on files whose stat data changed). The checkout may be anyone's, and n1fix runs
    none of its code."""
    options = ["-c", "core.fsmonitor=false"]
    keys = [key for key in os.fsdecode(filter_keys).split("\0") if key.count(".") >= 2]
    for driver in sorted({key[len("filter.") : key.rindex(".")] for key in keys}):
        options += ["-c", f"filter.{driver}.clean=", "-c", f"filter.{driver}.process="]
    return options


def _git(
    args: list[str], root: Path, env: dict[str, str], timeout: float
) -> tuple[int, bytes] | None:
    """(exit code, stdout) of git, or None when it cannot start or times out."""
    try:
        # Own process group: on timeout the whole group is killed, so a hook or helper git
        # started cannot keep the output pipe open and hang us.
        proc = subprocess.Popen(
            ["git", *args],
            cwd=root,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
    except (OSError, ValueError):
        return None
    try:
        out, _ = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        _kill_group(proc)
        return None
    return proc.returncode, out


def _kill_group(proc: subprocess.Popen[bytes]) -> None:
    with contextlib.suppress(OSError):
        os.killpg(proc.pid, signal.SIGKILL)
    with contextlib.suppress(subprocess.TimeoutExpired, OSError):
        proc.communicate(timeout=5)
