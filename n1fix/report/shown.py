"""File names as n1fix writes them: on POSIX a file name is bytes, and not every one is UTF-8.

Python reads such a name as text with each undecodable byte as a lone surrogate
(surrogateescape): `bad\\xff.py` becomes 'bad\\udcff.py'. That text opens the file again,
but it cannot be encoded strictly. So n1fix hashes a path through `os.fsencode`, writes
it into URIs percent-encoded, and prints it with each such byte as `\\xff` (the stdout and
stderr of the command use the `SHOWN` error handler).
"""

from __future__ import annotations

import codecs
import os

SHOWN = "n1fix-shown"


def _shown(error: UnicodeError) -> tuple[str, int]:
    if not isinstance(error, UnicodeEncodeError):
        raise error
    part = error.object[error.start : error.end]
    text = "".join(
        f"\\x{ord(char) - 0xDC00:02x}"
        if 0xDC80 <= ord(char) <= 0xDCFF
        else char.encode("ascii", "backslashreplace").decode()
        for char in part
    )
    return text, error.end


codecs.register_error(SHOWN, _shown)


def shown(text: str) -> str:
    """`text` as it prints: an undecodable byte of a file name as `\\xff`."""
    return text.encode("utf-8", SHOWN).decode("utf-8")


def path_bytes(text: str) -> bytes:
    """The bytes of a file name (what to hash): its UTF-8 encoding when it has one."""
    return os.fsencode(text)


def uri_path(posix: str) -> str:
    """A relative POSIX path as a URI reference (RFC 3986): every other byte percent-encoded."""
    from urllib.parse import (
        quote,
    )  # only here: a run that names no such path never needs it

    return quote(path_bytes(posix), safe="/")


def show_on(stream) -> None:
    """Let `stream` print any file name (`reconfigure` is missing on captured streams)."""
    reconfigure = getattr(stream, "reconfigure", None)
    if reconfigure is not None:
        try:
            reconfigure(errors=SHOWN)
        except (ValueError, OSError):
            pass
