"""Quick looks at a file's text for the survey's gates, before its tree is read.

The gates turn a file away when its text lacks a word their checks need. A regular
expression such as `\\bname\\s*\\(` or `(?i)a|b|c` is tried at every position of the
text, which cost as much as a gate's whole walk of the tree on a large project; these
find the same thing with `str` searches.
"""

from __future__ import annotations

import re

_CALL_OPENINGS: dict[str, re.Pattern[str]] = {}


def calls_word(text: str, name: str) -> bool:
    """Does `text` hold `name(` (spaces allowed before the parenthesis) with `name` a
    whole word, as `re.search(rf"\\b{name}\\s*\\(", text)` finds it? (`name` is a
    word: letters, digits, underscores.)"""
    if name not in text:
        return False
    opening = _CALL_OPENINGS.get(name)
    if opening is None:
        opening = _CALL_OPENINGS[name] = re.compile(re.escape(name) + r"\s*\(")
    for match in opening.finditer(text):
        start = match.start()
        if start == 0:
            return True
        before = text[start - 1]
        if not (before.isalnum() or before == "_"):
            return True
    return False


def has_word(text: str, word: str) -> bool:
    """Does `text` hold `word` as a whole word, as `re.search(rf"\\b{word}\\b", text)`
    finds it? (`word` is letters, digits and underscores; `re`'s word characters are
    those `str.isalnum` accepts, and `_`.)"""
    find, size = text.find, len(word)
    at = find(word)
    while at != -1:
        before = text[at - 1] if at else " "
        after = text[at + size] if at + size < len(text) else " "
        if not (before.isalnum() or before == "_") and not (
            after.isalnum() or after == "_"
        ):
            return True
        at = find(word, at + 1)
    return False


def mentions_any(text: str, words: tuple[str, ...], ignore_case: bool = False) -> bool:
    """Does `text` hold one of `words` (lower-case words when `ignore_case`)?"""
    if ignore_case:
        if not text.isascii():  # `re`'s case folding (`ſ` is an `s`), not `str.lower`'s
            pattern = "|".join(re.escape(word) for word in words)
            return re.search(pattern, text, re.IGNORECASE) is not None
        text = text.lower()
    return any(word in text for word in words)


# The literal digit first: a search for "1" is fast, one starting with a letter in any
# case is tried at every position (0.004 against 0.07 CPU s over pretix's files).
_ONE_FIX = re.compile(r"1(?i:fix)")


def may_name_n1fix(text: str) -> bool:
    """Might `text` hold "n1fix" in any case? True whenever it does (a suppression
    comment may be written `# N1FIX: ignore`), and for "1fix" after any other letter."""
    return _ONE_FIX.search(text) is not None
