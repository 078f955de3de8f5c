"""Reading and writing user files: encodings, BOM, line endings, bad files, atomic writes."""

from __future__ import annotations

import codecs
import os
import pickle
import stat
from pathlib import Path

import pytest

from n1fix.engine.fileio import (
    FileChanged,
    SourceError,
    encode,
    normalize_newlines,
    read_source,
    remove_stale_temp,
    write_atomic,
)


def _write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def _reason(path: Path) -> str:
    with pytest.raises(SourceError) as info:
        read_source(path)
    assert info.value.path == str(path)
    assert str(info.value) == f"{path}: {info.value.reason}"
    assert "\n" not in str(info.value)
    return info.value.reason


# --- reading -------------------------------------------------------------------------------


def test_plain_utf8(tmp_path: Path) -> None:
    src = read_source(_write(tmp_path / "a.py", "name = 'café'\n".encode()))
    assert (src.text, src.encoding, src.bom, src.newline) == (
        "name = 'café'\n",
        "utf-8",
        False,
        "\n",
    )


def test_bom_round_trip(tmp_path: Path) -> None:
    original = codecs.BOM_UTF8 + "x = 'é'\r\n".encode()
    src = read_source(_write(tmp_path / "a.py", original))
    assert src.bom and src.encoding == "utf-8"
    assert not src.text.startswith("\ufeff")
    assert encode(src, src.text) == original
    assert encode(src, src.text + "y = 2\r\n") == original + b"y = 2\r\n"


def test_latin1_cookie_round_trip(tmp_path: Path) -> None:
    original = b"# -*- coding: latin-1 -*-\nname = '\xe9t\xe9'\n"
    src = read_source(_write(tmp_path / "a.py", original))
    assert src.encoding == "iso-8859-1" and not src.bom
    assert "été" in src.text
    assert encode(src, src.text) == original


def test_crlf_kept_and_reported(tmp_path: Path) -> None:
    original = b"a = 1\r\nb = 2\r\n"
    src = read_source(_write(tmp_path / "a.py", original))
    assert src.text == "a = 1\r\nb = 2\r\n"
    assert src.newline == "\r\n"
    assert encode(src, src.text) == original


@pytest.mark.parametrize(
    ("text", "newline"),
    [
        ("a\nb\n", "\n"),
        ("a\rb\r", "\r"),
        ("a\r\nb\r\nc\n", "\r\n"),  # dominant, not first
        ("a\nb\r\n", "\n"),  # tie: the first one seen
        ("no newline at all", "\n"),
    ],
)
def test_dominant_newline(tmp_path: Path, text: str, newline: str) -> None:
    assert read_source(_write(tmp_path / "a.py", text.encode())).newline == newline


def test_normalize_newlines() -> None:
    mixed = "a\r\nb\nc\rd"
    assert normalize_newlines(mixed, "\r\n") == "a\r\nb\r\nc\r\nd"
    assert normalize_newlines(mixed, "\n") == "a\nb\nc\nd"
    assert normalize_newlines(mixed, "\r") == "a\rb\rc\rd"
    with pytest.raises(ValueError):
        normalize_newlines(mixed, "\n\n")


def test_missing_file(tmp_path: Path) -> None:
    assert _reason(tmp_path / "nope.py") == "no such file or directory"


def test_directory(tmp_path: Path) -> None:
    (tmp_path / "pkg.py").mkdir()
    assert _reason(tmp_path / "pkg.py") == "is a directory"


def test_fifo_is_not_read(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.py"
    os.mkfifo(fifo)
    assert _reason(fifo) == "not a regular file"


def test_invalid_utf8(tmp_path: Path) -> None:
    path = _write(tmp_path / "a.py", b"x = 1\ny = 2\nz = '\xff'\n")
    assert _reason(path) == "not valid utf-8 (byte 0xff on line 3)"


def test_invalid_utf8_in_first_line(tmp_path: Path) -> None:
    path = _write(tmp_path / "a.py", b"x = '\xe9'\n")
    assert _reason(path).startswith("not valid utf-8")


def test_invalid_bytes_for_declared_encoding(tmp_path: Path) -> None:
    path = _write(tmp_path / "a.py", b"# coding: ascii\nx = '\xe9'\n")
    assert _reason(path) == "not valid ascii (byte 0xe9 on line 2)"


def test_unknown_cookie(tmp_path: Path) -> None:
    path = _write(tmp_path / "a.py", b"# coding: klingon\n")
    assert _reason(path) == "unknown encoding in coding cookie: klingon"


def test_cookie_contradicting_bom(tmp_path: Path) -> None:
    path = _write(tmp_path / "a.py", codecs.BOM_UTF8 + b"# coding: latin-1\n")
    assert _reason(path) == "coding cookie does not match the UTF-8 BOM"


def test_binary_file(tmp_path: Path) -> None:
    path = _write(tmp_path / "a.py", b"\x7fELF\x00\x00")
    assert _reason(path).startswith("binary file")


def test_symlink_loop(tmp_path: Path) -> None:
    loop = tmp_path / "loop.py"
    loop.symlink_to(loop)
    assert _reason(loop) == "symlink loop"


def test_permission_denied(tmp_path: Path) -> None:
    if os.geteuid() == 0:
        pytest.skip("root reads any file")
    path = _write(tmp_path / "a.py", b"x = 1\n")
    path.chmod(0)
    assert _reason(path) == "permission denied"


def test_source_error_pickles() -> None:
    err = pickle.loads(pickle.dumps(SourceError("a.py", "symlink loop")))
    assert (err.path, err.reason, str(err)) == (
        "a.py",
        "symlink loop",
        "a.py: symlink loop",
    )


def test_source_error_is_one_line() -> None:
    assert str(SourceError("a.py", "two\nlines")) == "a.py: two lines"


def test_encode_reports_unencodable_text(tmp_path: Path) -> None:
    src = read_source(_write(tmp_path / "a.py", b"# coding: latin-1\nx = 1\n"))
    with pytest.raises(
        SourceError, match=r"cannot encode '€' \(U\+20AC\) as iso-8859-1"
    ):
        encode(src, src.text + "y = '€'\n")


# --- writing -------------------------------------------------------------------------------


def _leftovers(directory: Path) -> list[str]:
    return sorted(p.name for p in directory.iterdir() if "n1fix-tmp" in p.name)


def test_write_atomic_replaces_and_keeps_mode(tmp_path: Path) -> None:
    path = _write(tmp_path / "a.py", b"old\n")
    path.chmod(0o751)
    write_atomic(path, b"new\n")
    assert path.read_bytes() == b"new\n"
    assert stat.S_IMODE(path.stat().st_mode) == 0o751
    assert _leftovers(tmp_path) == []


def test_write_atomic_creates_new_file(tmp_path: Path) -> None:
    path = tmp_path / "new.py"
    write_atomic(path, b"x = 1\n")
    assert path.read_bytes() == b"x = 1\n"
    umask = os.umask(0)
    os.umask(umask)
    assert stat.S_IMODE(path.stat().st_mode) == 0o666 & ~umask


def test_write_atomic_refuses_read_only_even_as_root(tmp_path: Path) -> None:
    path = _write(tmp_path / "a.py", b"old\n")
    path.chmod(0o444)
    with pytest.raises(SourceError) as info:
        write_atomic(path, b"new\n")
    assert info.value.reason == "read-only file"
    assert path.read_bytes() == b"old\n"
    assert stat.S_IMODE(path.stat().st_mode) == 0o444
    assert _leftovers(tmp_path) == []


def test_write_atomic_through_symlink_keeps_link(tmp_path: Path) -> None:
    real = _write(tmp_path / "real.py", b"old\n")
    link = tmp_path / "link.py"
    link.symlink_to(real.name)
    write_atomic(link, b"new\n")
    assert link.is_symlink()
    assert real.read_bytes() == b"new\n"


def test_write_atomic_symlink_loop(tmp_path: Path) -> None:
    loop = tmp_path / "loop.py"
    loop.symlink_to(loop)
    with pytest.raises(SourceError, match="symlink loop"):
        write_atomic(loop, b"x\n")


def test_write_atomic_into_missing_directory(tmp_path: Path) -> None:
    with pytest.raises(SourceError, match="no such file or directory"):
        write_atomic(tmp_path / "missing" / "a.py", b"x\n")


def test_write_atomic_failure_leaves_original_and_no_temp(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = _write(tmp_path / "a.py", b"old\n")

    def broken_fsync(fd: int) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", broken_fsync)
    with pytest.raises(SourceError) as info:
        write_atomic(path, b"new\n" * 1000)
    assert info.value.reason == "no space left on device"
    assert path.read_bytes() == b"old\n"
    assert _leftovers(tmp_path) == []


def test_write_atomic_interrupted_leaves_no_temp(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = _write(tmp_path / "a.py", b"old\n")

    def interrupted(src: object, dst: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(os, "replace", interrupted)
    with pytest.raises(KeyboardInterrupt):
        write_atomic(path, b"new\n")
    assert path.read_bytes() == b"old\n"
    assert _leftovers(tmp_path) == []


def test_full_round_trip_preserves_bytes(tmp_path: Path) -> None:
    original = codecs.BOM_UTF8 + "a = 'ü'\r\nb = 2\r\n".encode()
    path = _write(tmp_path / "a.py", original)
    src = read_source(path)
    new_text = normalize_newlines(
        src.text.replace("b = 2", "b = 3\nc = 4"), src.newline
    )
    write_atomic(path, encode(src, new_text))
    assert (
        path.read_bytes() == codecs.BOM_UTF8 + "a = 'ü'\r\nb = 3\r\nc = 4\r\n".encode()
    )


def test_write_atomic_unwritable_directory(tmp_path: Path) -> None:
    if os.geteuid() == 0:
        pytest.skip("root can write into any directory")
    path = _write(tmp_path / "a.py", b"old\n")
    tmp_path.chmod(0o555)
    try:
        with pytest.raises(SourceError, match="permission denied"):
            write_atomic(path, b"new\n")
    finally:
        tmp_path.chmod(0o755)
    assert path.read_bytes() == b"old\n"


# --- an edit made between the read and the write ------------------------------------------


def test_write_atomic_with_the_original_replaces_an_unchanged_file(
    tmp_path: Path,
) -> None:
    path = _write(tmp_path / "a.py", b"old\n")
    write_atomic(path, b"new\n", original=read_source(path))
    assert path.read_bytes() == b"new\n"


@pytest.mark.parametrize("edit", [b"old\n# more\n", b"ol2\n"])
def test_write_atomic_refuses_a_file_edited_since_it_was_read(
    tmp_path: Path, edit: bytes
) -> None:
    path = _write(tmp_path / "a.py", b"old\n")
    original = read_source(path)
    mtime = path.stat().st_mtime_ns
    path.write_bytes(edit)
    os.utime(path, ns=(mtime, mtime))  # same time (and, for the second, same size)
    with pytest.raises(FileChanged) as info:
        write_atomic(path, b"new\n", original=original)
    assert "changed on disk since n1fix read it" in info.value.reason
    assert path.read_bytes() == edit
    assert _leftovers(tmp_path) == []


def test_write_atomic_refuses_a_file_removed_since_it_was_read(tmp_path: Path) -> None:
    path = _write(tmp_path / "a.py", b"old\n")
    original = read_source(path)
    path.unlink()
    with pytest.raises(FileChanged, match="removed since n1fix read it"):
        write_atomic(path, b"new\n", original=original)
    assert not path.exists() and _leftovers(tmp_path) == []


def test_stale_temp_removal_takes_only_old_regular_files_of_n1fix(
    tmp_path: Path,
) -> None:
    import time

    old = time.time() - 3600
    stale = _write(tmp_path / ".a.py.0123abcd.n1fix-tmp", b"x")
    fresh = _write(tmp_path / ".b.py.0123abcd.n1fix-tmp", b"x")
    foreign = _write(tmp_path / ".a.py.notours.n1fix-tmp", b"x")
    for path in (stale, foreign):
        os.utime(path, (old, old))
    assert remove_stale_temp(stale) and not stale.exists()
    assert not remove_stale_temp(fresh) and fresh.exists()
    assert not remove_stale_temp(foreign) and foreign.exists()
