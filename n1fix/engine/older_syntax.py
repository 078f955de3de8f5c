"""A file of newer Python syntax, made readable by the running Python's `ast` for the survey.

A project may require a newer Python than the one n1fix runs on: Python 3.12's type
parameters (`def first[T](items: list[T]) -> T`, `class Box[T]:`) and `type` statements
(`type Pair = tuple[int, int]`) are syntax errors for the `ast` of 3.11. Such a file
used to skip the survey, so its models, signal receivers and query functions were
missing from the project index (a `post_save` receiver beside a `type` statement was
unseen, and a bulk write that skips it was offered as safe). What those constructs add
is names of types only: with the type parameter lists blanked out and `type X = ...`
read as `X = ...`, every statement, call, class, decorator and attribute read is on the
line where it was, which is all the survey and the gates look at.

Other new syntax (Python 3.12's f-strings that nest their own quotes) is left alone:
the file stays unreadable here, and goes to LibCST whole, for every rule."""

from __future__ import annotations

import io
import tokenize

_OPENING = {"(", "[", "{"}
_CLOSING = {")", "]", "}"}
# Tokens after which a new statement starts.
_STATEMENT_START = {
    tokenize.NEWLINE,
    tokenize.NL,
    tokenize.INDENT,
    tokenize.DEDENT,
    tokenize.COMMENT,
    tokenize.ENCODING,
}


def as_older_syntax(text: str) -> str | None:
    """`text` with type parameter lists blanked and `type` statements read as plain
    assignments; None when it holds neither or cannot be tokenized."""
    try:
        tokens = list(tokenize.generate_tokens(io.StringIO(text).readline))
    except (tokenize.TokenError, SyntaxError, IndentationError, ValueError):
        return None
    blanks: list[tuple[tuple[int, int], tuple[int, int]]] = []
    deletions: list[tuple[int, int, int]] = []  # (row, from column, to column)
    for i, token in enumerate(tokens[:-2]):
        if token.type != tokenize.NAME:
            continue
        name, after = tokens[i + 1], tokens[i + 2]
        if name.type != tokenize.NAME:
            continue
        if token.string in ("def", "class") and after.string == "[":
            closing = _closing(tokens, i + 2)
            if not _parameter_list(tokens[i + 3 : closing]):
                return None  # not Python of any version: LibCST says where
            blanks.append((after.start, tokens[closing].end))
        elif token.string == "type" and _starts_statement(tokens, i):
            equals = i + 2
            if after.string == "[":
                equals = _closing(tokens, i + 2) + 1
                if not _parameter_list(tokens[i + 3 : equals - 1]):
                    return None
            if equals >= len(tokens) or tokens[equals].string != "=":
                continue
            if equals > i + 2:
                blanks.append((after.start, tokens[equals - 1].end))
            deletions.append((token.start[0], token.start[1], name.start[1]))
    if not blanks and not deletions:
        return None
    lines = text.splitlines(keepends=True)
    for start, end in blanks:
        _blank(lines, start, end)
    for row, start, end in sorted(deletions, key=lambda d: (d[0], -d[1])):
        line = lines[row - 1]
        lines[row - 1] = line[:start] + line[end:]
    return "".join(lines)


def _starts_statement(tokens: list[tokenize.TokenInfo], i: int) -> bool:
    if i == 0:
        return True
    before = tokens[i - 1]
    return before.type in _STATEMENT_START or before.string == ";"


def _parameter_list(tokens: list[tokenize.TokenInfo]) -> bool:
    """Whether the tokens between the brackets read as type parameters: items split
    by commas, each `T`, `*Ts` or `**P`, then a bound or a default (`T: int`,
    `T = int`), one at least. What is blanked out must hold no syntax error of its own:
    a file wrong for every Python must still reach LibCST, which reports it."""
    items: list[list[tokenize.TokenInfo]] = [[]]
    depth = 0
    for token in tokens:
        if token.type in (tokenize.NL, tokenize.COMMENT):
            continue
        if token.type == tokenize.OP and token.string in _OPENING:
            depth += 1
        elif token.type == tokenize.OP and token.string in _CLOSING:
            depth -= 1
        elif depth == 0 and token.string == ",":
            items.append([])
            continue
        items[-1].append(token)
    if items and not items[-1] and len(items) > 1:
        items.pop()  # a trailing comma
    return bool(items) and all(_parameter(item) for item in items)


def _parameter(item: list[tokenize.TokenInfo]) -> bool:
    if item and item[0].string in ("*", "**"):
        item = item[1:]
    if not item or item[0].type != tokenize.NAME:
        return False
    rest = item[1:]
    return not rest or (rest[0].string in (":", "=") and len(rest) > 1)


def _closing(tokens: list[tokenize.TokenInfo], opening: int) -> int:
    """The index of the bracket that closes the one at `tokens[opening]`."""
    depth = 0
    for index in range(opening, len(tokens)):
        token = tokens[index]
        if token.type == tokenize.OP and token.string in _OPENING:
            depth += 1
        elif token.type == tokenize.OP and token.string in _CLOSING:
            depth -= 1
            if depth == 0:
                return index
    return len(tokens) - 1


def _blank(lines: list[str], start: tuple[int, int], end: tuple[int, int]) -> None:
    """Spaces over the span; a span over several lines ends each of its lines but the
    last with a backslash, so that the statement still continues on the next."""
    (first_row, first_column), (last_row, last_column) = start, end
    if first_row == last_row:
        line = lines[first_row - 1]
        width = last_column - first_column
        lines[first_row - 1] = line[:first_column] + " " * width + line[last_column:]
        return
    for row in range(first_row, last_row + 1):
        line = lines[row - 1]
        content = line.rstrip("\r\n")
        ending = line[len(content) :]
        if row == first_row:
            lines[row - 1] = content[:first_column] + " \\" + ending
        elif row < last_row:
            lines[row - 1] = " \\" + ending
        else:
            lines[row - 1] = " " * last_column + content[last_column:] + ending
