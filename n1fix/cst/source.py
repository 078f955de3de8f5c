"""Reading a source file's bytes safely: the one reading helper every layer shares."""

from __future__ import annotations

import errno
import os
import stat


def read_regular(path: str | os.PathLike[str]) -> bytes:
    """The bytes of `path` (a symlink followed) if it is a regular file, else OSError.

    Opened without blocking and checked before reading: a FIFO or a device planted under a
    name n1fix reads (`pyproject.toml`, `.gitignore`, a module, the cache) would otherwise
    hang the run or never end.
    """
    fd = os.open(
        path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)
    )
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise OSError(errno.EINVAL, "not a regular file", os.fspath(path))
        chunks = []
        while chunk := os.read(fd, 1 << 20):
            chunks.append(chunk)
        return b"".join(chunks)
    finally:
        os.close(fd)
