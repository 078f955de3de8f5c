"""Read and write user source files without ever damaging them.

A file is read as bytes once, decoded with the encoding Python itself would use (PEP 263
cookie or UTF-8 BOM) and kept with its original line endings. Writing encodes with the same
encoding and BOM and replaces the file atomically, keeping its permission bits, so a file is
either the old version or the new one, never half written.
"""

from __future__ import annotations

import codecs
import contextlib
import errno
import hashlib
import io
import os
import re
import stat
import tokenize
from dataclasses import dataclass
from pathlib import Path

from n1fix.cst.source import read_regular

__all__ = [
    "FileChanged",
    "SourceError",
    "SourceFile",
    "TEMP_NAME",
    "encode",
    "normalize_newlines",
    "os_error_reason",
    "read_regular",
    "read_source",
    "remove_stale_temp",
    "write_atomic",
]

# The temp files `write_atomic` creates next to the file it replaces: `.name.py.1a2b3c4d.n1fix-tmp`.
TEMP_NAME = re.compile(r"^\..+\.[0-9a-f]{8}\.n1fix-tmp$", re.S)
# A temp file this old belongs to no running write (one takes milliseconds): an earlier
# run was killed before it could remove it.
STALE_TEMP_SECONDS = 60

_NEWLINES = ("\n", "\r\n", "\r")
_NEWLINE_RE = re.compile(r"\r\n|\r|\n")

_ERRNO_REASONS = {
    errno.ENOENT: "no such file or directory",
    errno.EACCES: "permission denied",
    errno.EPERM: "permission denied",
    errno.ELOOP: "symlink loop",
    errno.EISDIR: "is a directory",
    errno.ENOTDIR: "not a directory",
    errno.EROFS: "read-only file system",
    errno.ENOSPC: "no space left on device",
    errno.EDQUOT: "disk quota exceeded",
    errno.ENAMETOOLONG: "file name too long",
    errno.EIO: "input/output error",
}


class SourceError(Exception):
    """A file could not be read or written; `str()` is one line: ``"<path>: <reason>"``."""

    def __init__(self, path: str | os.PathLike[str], reason: str) -> None:
        # args stay (path, reason) so the error pickles across worker processes.
        super().__init__(os.fspath(path), reason)
        self.path: str = os.fspath(path)
        self.reason: str = " ".join(reason.split())

    def __str__(self) -> str:
        return f"{self.path}: {self.reason}"


class FileChanged(SourceError):
    """The file's bytes on disk are no longer the ones read: someone edited it meanwhile."""


@dataclass(frozen=True)
class SourceFile:
    """A decoded source file.

    `text` keeps the original line endings; `encoding` is the codec for the text without
    the BOM (a UTF-8 BOM gives ``encoding="utf-8"`` and ``bom=True``); `newline` is the
    most common line ending ("\\n" when the file has none).
    """

    path: Path
    text: str
    encoding: str
    bom: bool
    newline: str
    digest: str = ""  # content_hash of the bytes on disk (for the results cache)
    # The file's modification time and size when read: `write_atomic` checks them (and
    # then the bytes) so that an edit made while n1fix ran is never overwritten.
    mtime_ns: int = 0
    size: int = -1
    # False: a file a fix creates (`absent`); it is written only if still not there.
    exists: bool = True

    @classmethod
    def absent(cls, path: Path) -> "SourceFile":
        """A file not there yet, to be created as UTF-8 with "\\n" line endings."""
        return cls(path, "", "utf-8", False, "\n", exists=False)


def os_error_reason(exc: OSError) -> str:
    """A short lower-case reason for an OS error, without the path."""
    if exc.errno in _ERRNO_REASONS:
        return _ERRNO_REASONS[exc.errno]
    if exc.strerror:
        return exc.strerror.lower()
    return str(exc) or type(exc).__name__


def read_source(path: Path) -> SourceFile:
    """Read and decode `path`, or raise `SourceError` saying why it cannot be used."""
    try:
        st = os.stat(path)
        if stat.S_ISDIR(st.st_mode):
            raise SourceError(path, "is a directory")
        if not stat.S_ISREG(st.st_mode):
            # Checked before opening: opening a FIFO for reading would block.
            raise SourceError(path, "not a regular file")
        with open(path, "rb") as handle:
            data = handle.read()
            st = os.fstat(handle.fileno())
    except OSError as exc:
        raise SourceError(path, os_error_reason(exc)) from exc

    if b"\0" in data:
        raise SourceError(path, "binary file (contains NUL bytes)")
    digest = content_hash(data)
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
    except SyntaxError as exc:
        raise SourceError(path, _cookie_problem(str(exc.msg), data)) from exc

    bom = data.startswith(codecs.BOM_UTF8)
    if bom:
        encoding, data = "utf-8", data[len(codecs.BOM_UTF8) :]
    try:
        # bytes.decode never translates newlines, so "\r\n" and "\r" survive as they are.
        text = data.decode(encoding)
    except UnicodeDecodeError as exc:
        raise SourceError(path, _not_valid(data, encoding, exc)) from exc
    return SourceFile(
        path,
        text,
        encoding,
        bom,
        _dominant_newline(text),
        digest,
        st.st_mtime_ns,
        st.st_size,
    )


def content_hash(data: bytes) -> str:
    """A short hash of a file's bytes: what the results cache keys a file by."""
    return hashlib.blake2b(data, digest_size=16).hexdigest()


def encode(source: SourceFile, new_text: str) -> bytes:
    """Encode `new_text` as `source` was encoded: same codec, BOM kept or left out."""
    try:
        data = new_text.encode(source.encoding)
    except UnicodeEncodeError as exc:
        char = exc.object[exc.start]
        reason = f"cannot encode {char!r} (U+{ord(char):04X}) as {source.encoding}"
        raise SourceError(source.path, reason) from exc
    return codecs.BOM_UTF8 + data if source.bom else data


def normalize_newlines(text: str, newline: str) -> str:
    """Return `text` with every line ending ("\\r\\n", "\\r" or "\\n") turned into `newline`."""
    if newline not in _NEWLINES:
        raise ValueError(f"newline must be one of {_NEWLINES!r}, got {newline!r}")
    return _NEWLINE_RE.sub(newline, text)


def write_atomic(path: Path, data: bytes, original: SourceFile | None = None) -> None:
    """Replace the contents of `path` with `data` atomically, or raise `SourceError`.

    The bytes go to a temporary file in the same directory, are fsynced, get the original
    file's permission bits (and owner, where allowed), then `os.replace` the original. A
    symlink is written through: its target is replaced and the link stays a link. A file
    without the owner's write bit is refused as read-only, even for root.

    With `original` (the file as it was read), the file is replaced only if it still
    holds those bytes, checked just before the replace (mtime and size, then the bytes);
    otherwise `FileChanged` is raised and the file is left as it is.
    """
    target = _write_target(path)
    try:
        st: os.stat_result | None = os.stat(target)
    except FileNotFoundError:
        st = None
    except OSError as exc:
        raise SourceError(path, os_error_reason(exc)) from exc

    if st is not None:
        if not stat.S_ISREG(st.st_mode):
            raise SourceError(path, "not a regular file")
        # Root passes os.access for any file, so the mode bits are checked on their own.
        if not st.st_mode & stat.S_IWUSR:
            raise SourceError(path, "read-only file")
        if not os.access(target, os.W_OK):
            raise SourceError(path, "permission denied")

    tmp, fd = _create_temp(path, target, st)
    try:
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view) :]
            if st is not None:
                os.fchmod(fd, stat.S_IMODE(st.st_mode))
                _keep_owner(fd, st)
            os.fsync(fd)
        finally:
            os.close(fd)
        if original is not None and not original.exists:
            _create_only(path, tmp, target)
        else:
            if original is not None:
                _check_unchanged(path, target, original)
            os.replace(tmp, target)
    except BaseException as exc:
        _unlink_quietly(tmp)
        if isinstance(exc, OSError):
            raise SourceError(path, os_error_reason(exc)) from exc
        raise
    _fsync_directory(target.parent)


def _create_only(path: Path, tmp: Path, target: Path) -> None:
    """Put the new file in place unless one appeared meanwhile (a hard link fails on an
    existing name; where the file system has no hard links, the name is checked)."""
    try:
        os.link(tmp, target)
    except FileExistsError as exc:
        raise FileChanged(
            path, "created by someone else since n1fix looked; not written"
        ) from exc
    except OSError:
        if os.path.lexists(target):
            raise FileChanged(
                path, "created by someone else since n1fix looked; not written"
            ) from None
        os.replace(tmp, target)
    else:
        _unlink_quietly(tmp)


def _check_unchanged(path: Path, target: Path, original: SourceFile) -> None:
    reason = "changed on disk since n1fix read it; not written (run n1fix again)"
    try:
        st = os.stat(target)
        if (st.st_mtime_ns, st.st_size) != (original.mtime_ns, original.size):
            raise FileChanged(path, reason)
        # Same time and size can still hide an edit (coarse timestamps): compare the bytes.
        with open(target, "rb") as handle:
            if content_hash(handle.read()) != original.digest:
                raise FileChanged(path, reason)
    except FileNotFoundError as exc:
        raise FileChanged(path, "removed since n1fix read it; not written") from exc


def remove_stale_temp(path: Path) -> bool:
    """Remove `path` if it is a temp file an earlier `write_atomic` left (killed midway):
    n1fix's own name, a regular file (not a link), untouched for a while. True if removed."""
    import time

    if not TEMP_NAME.match(path.name):
        return False
    try:
        st = os.lstat(path)
        if (
            not stat.S_ISREG(st.st_mode)
            or st.st_mtime > time.time() - STALE_TEMP_SECONDS
        ):
            return False
        os.unlink(path)
    except OSError:
        return False
    return True


def _dominant_newline(text: str) -> str:
    crlf = text.count("\r\n")
    counts = {
        "\n": text.count("\n") - crlf,
        "\r\n": crlf,
        "\r": text.count("\r") - crlf,
    }
    best = max(counts.values())
    if best == 0:
        return "\n"
    # On a tie, the ending seen first wins.
    first = _NEWLINE_RE.search(text)
    if first is not None and counts[first.group()] == best:
        return first.group()
    return max(_NEWLINES, key=lambda nl: counts[nl])


def _cookie_problem(message: str, data: bytes) -> str:
    if message.startswith("unknown encoding"):
        return f"unknown encoding in coding cookie: {message.partition(': ')[2]}"
    if message.startswith("encoding problem"):
        return "coding cookie does not match the UTF-8 BOM"
    # The first two lines are not UTF-8 and carry no cookie; say where the bad byte is.
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as exc:
        return _not_valid(data, "utf-8", exc)
    return message


def _not_valid(data: bytes, encoding: str, exc: UnicodeDecodeError) -> str:
    line = data.count(b"\n", 0, exc.start) + 1
    return f"not valid {encoding} (byte 0x{data[exc.start]:02x} on line {line})"


def _write_target(path: Path) -> Path:
    """The file that will actually be replaced: `path`, or where its symlink points."""
    if not path.is_symlink():
        return path
    try:
        return Path(os.path.realpath(path, strict=True))
    except OSError as exc:
        raise SourceError(path, os_error_reason(exc)) from exc


def _create_temp(
    path: Path, target: Path, st: os.stat_result | None
) -> tuple[Path, int]:
    # A new file gets 0o666 minus the umask, like any file the user's editor would create.
    mode = 0o600 if st is not None else 0o666
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0)
    import secrets  # (with random and hmac: only when writing)

    while True:
        tmp = target.with_name(f".{target.name}.{secrets.token_hex(4)}.n1fix-tmp")
        try:
            return tmp, os.open(tmp, flags, mode)
        except FileExistsError:
            continue
        except OSError as exc:
            reason = os_error_reason(exc)
            if exc.errno in (errno.EACCES, errno.EPERM):
                reason = "permission denied (cannot create a file in its directory)"
            raise SourceError(path, reason) from exc


def _keep_owner(fd: int, st: os.stat_result) -> None:
    current = os.fstat(fd)
    if (current.st_uid, current.st_gid) == (st.st_uid, st.st_gid):
        return
    try:
        os.fchown(fd, st.st_uid, st.st_gid)
    except PermissionError:
        # Only root may give a file away; everyone else keeps the file as its new owner.
        pass


def _unlink_quietly(path: Path) -> None:
    with contextlib.suppress(OSError):
        os.unlink(path)


def _fsync_directory(directory: Path) -> None:
    # Makes the rename itself durable; not possible everywhere, so best effort.
    try:
        fd = os.open(directory, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
