"""Placeholders in a SQL string, found by us and not by sqlglot.

sqlglot reads `:name` and `?` in most dialects but writes them back in its own style
(`:name` becomes `%(name)s` in PostgreSQL), does not read `%s` everywhere, and takes
PostgreSQL's `?` for the jsonb operator. A rewrite must keep the style the code uses, so
placeholders are tokenised here, from the styles the calling API accepts, and replaced
by neutral `:n1fix_p<i>` markers that every dialect of sqlglot reads; the rewrite edits
the original string at the spans recorded here.

Skipped while scanning: string literals ('...', with '' inside), quoted identifiers
("..." and MySQL's backquotes), PostgreSQL's dollar-quoted strings ($$...$$, $tag$...$tag$),
comments (-- to the end of the line, /* ... */), and the cast operator `::`.
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass


class Style(str, enum.Enum):
    """DB-API's paramstyle names, as `sqlite3.paramstyle` and PEP 249 spell them."""

    NAMED = "named"  # :name (SQLAlchemy's text(), sqlite3)
    PYFORMAT = "pyformat"  # %(name)s (psycopg 2 and 3)
    FORMAT = "format"  # %s (psycopg 2 and 3)
    QMARK = "qmark"  # ? (sqlite3)
    NUMERIC = "numeric"  # $1 (asyncpg)


@dataclass(frozen=True)
class Placeholder:
    style: Style
    # The name (`:user_id`, `%(user_id)s`), or the 1-based position: `$1`'s number, or
    # the count of positional marks up to this one for `%s` and `?`.
    key: str | int
    start: int  # offset of its first character in the SQL string
    end: int  # offset just past it

    @property
    def marker(self) -> str:
        """The neutral marker that stands for it in the text sqlglot reads."""
        return f":n1fix_p{self.start}"


@dataclass(frozen=True)
class Tokenized:
    sql: str  # the original
    placeholders: tuple[Placeholder, ...]
    neutral: str  # the SQL with every placeholder replaced by its marker

    def by_marker(self, marker: str) -> Placeholder | None:
        return next((p for p in self.placeholders if p.marker[1:] == marker), None)


class PlaceholderError(ValueError):
    """The string mixes styles, or holds an unterminated quote or comment."""


_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_PYFORMAT = re.compile(r"%\(([^)]+)\)s")
_NUMBER = re.compile(r"\$([1-9][0-9]*)")
_DOLLAR_TAG = re.compile(r"\$([A-Za-z_][A-Za-z0-9_]*)?\$")


def tokenize(sql: str, styles: frozenset[Style] | set[Style]) -> Tokenized:
    """The placeholders of `sql` in the given styles (the ones its API accepts).

    Raises PlaceholderError for a string whose placeholders mix named and positional
    marks, or whose quotes or comments do not end: such a string is not guessed at.
    """
    found: list[Placeholder] = []
    out: list[str] = []
    i, n, positional = 0, len(sql), 0
    percent = Style.PYFORMAT in styles or Style.FORMAT in styles
    while i < n:
        ch = sql[i]
        if ch in "'\"`":
            end = _closing_quote(sql, i, ch)
            quoted = sql[i:end]
            # psycopg formats the whole string, quotes included: `%%` is `%` there too
            out.append(_unescape_percent(quoted) if percent else quoted)
            i = end
            continue
        if ch == "-" and sql.startswith("--", i):
            end = sql.find("\n", i)
            end = n if end < 0 else end
            out.append(sql[i:end])
            i = end
            continue
        if ch == "/" and sql.startswith("/*", i):
            end = sql.find("*/", i + 2)
            if end < 0:
                raise PlaceholderError("a /* comment does not end")
            out.append(sql[i : end + 2])
            i = end + 2
            continue
        if ch == "$":
            tag = _DOLLAR_TAG.match(sql, i)
            if tag:
                end = sql.find(tag.group(0), tag.end())
                if end < 0:
                    raise PlaceholderError("a dollar-quoted string does not end")
                end += len(tag.group(0))
                out.append(sql[i:end])
                i = end
                continue
            number = _NUMBER.match(sql, i)
            if number and Style.NUMERIC in styles:
                found.append(
                    Placeholder(Style.NUMERIC, int(number.group(1)), i, number.end())
                )
                out.append(found[-1].marker)
                i = number.end()
                continue
        if ch == ":":
            if sql.startswith("::", i):  # a cast, `x::int`
                out.append("::")
                i += 2
                continue
            name = _NAME.match(sql, i + 1)
            # `:name` after a word character is a slice or a typo, not a bind (`a:b`)
            preceded = i > 0 and (sql[i - 1].isalnum() or sql[i - 1] in "_:")
            if name and Style.NAMED in styles and not preceded:
                found.append(Placeholder(Style.NAMED, name.group(0), i, name.end()))
                out.append(found[-1].marker)
                i = name.end()
                continue
        if ch == "\\" and Style.NAMED in styles and sql.startswith("\\:", i):
            out.append(":")  # SQLAlchemy's text() escape for a literal colon
            i += 2
            continue
        if ch == "%" and percent:
            if sql.startswith("%%", i):
                out.append("%")
                i += 2
                continue
            mark = _PYFORMAT.match(sql, i)
            if mark and Style.PYFORMAT in styles:
                found.append(Placeholder(Style.PYFORMAT, mark.group(1), i, mark.end()))
                out.append(found[-1].marker)
                i = mark.end()
                continue
            if sql.startswith("%s", i) and Style.FORMAT in styles:
                positional += 1
                found.append(Placeholder(Style.FORMAT, positional, i, i + 2))
                out.append(found[-1].marker)
                i += 2
                continue
            raise PlaceholderError(f"a `%` that is no placeholder at offset {i}")
        if ch == "?" and Style.QMARK in styles:
            positional += 1
            found.append(Placeholder(Style.QMARK, positional, i, i + 1))
            out.append(found[-1].marker)
            i += 1
            continue
        out.append(ch)
        i += 1
    kinds = {p.style for p in found}
    if len(kinds) > 1:
        raise PlaceholderError(
            "placeholders in more than one style: "
            + ", ".join(sorted(kind.value for kind in kinds))
        )
    return Tokenized(sql, tuple(found), "".join(out))


def _unescape_percent(quoted: str) -> str:
    if "%" not in quoted.replace("%%", ""):
        return quoted.replace("%%", "%")
    raise PlaceholderError("a `%` inside a quoted string that psycopg would format")


def _closing_quote(sql: str, start: int, quote: str) -> int:
    """The offset just past the quote that closes the one at `start` (a doubled quote
    inside is part of the string)."""
    i = start + 1
    while True:
        end = sql.find(quote, i)
        if end < 0:
            raise PlaceholderError(f"a {quote} quote does not end")
        if sql.startswith(quote * 2, end):
            i = end + 2
            continue
        return end + 1
