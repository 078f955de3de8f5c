"""Whether the git working tree has uncommitted changes (so `apply` can warn before writing)."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
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
    try:
        # Own process group: on timeout the whole group is killed, so a hook or helper git
        # started cannot keep the output pipe open and hang us.
        proc = subprocess.Popen(
            ["git", "status", "--porcelain", "--untracked-files=normal", "--", "."],
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
    if proc.returncode != 0:
        return None
    return bool(out.strip())


def _kill_group(proc: subprocess.Popen[bytes]) -> None:
    with contextlib.suppress(OSError):
        os.killpg(proc.pid, signal.SIGKILL)
    with contextlib.suppress(subprocess.TimeoutExpired, OSError):
        proc.communicate(timeout=5)
