"""The gates' quick looks at a file's text find what the regular expressions found."""

from __future__ import annotations

import re

import pytest

from n1fix.cst.text_scan import calls_word, mentions_any
from n1fix.rules.raw_sql_in_loop.rule import mentions_sql

TEXTS = [
    "",
    "len(x)",
    "n = len (rows)",
    "lengths = blen(x) + my_len(y)",
    "x.len(y)",
    "élen(x)",
    "context(x); textual(y)",
    "conn.execute(text ('select 1'))",
    "q = select(User)",
    "sa.select\n(User)",
    "reselect(x); _select(y); select_from(z)",
    "import psycopg",
    "from sqlite3 import connect",
    "SessionLocal()",
    "ENGINE = create_engine(url)",
    "nothing here at all",
    "ſeſſion = make()",  # a long s: the same identifier as `session`
]


@pytest.mark.parametrize("text", TEXTS)
def test_calls_word_finds_what_the_regex_found(text):
    for name in ("len", "select", "text"):
        expected = re.search(rf"\b{name}\s*\(", text) is not None
        assert calls_word(text, name) == expected, (name, text)


@pytest.mark.parametrize("text", TEXTS)
def test_mentions_find_what_the_regexes_found(text):
    sql = re.compile(r"\btext\s*\(|exec_driver_sql|sqlite3|psycopg|asyncpg")
    assert mentions_sql(text) == (sql.search(text) is not None)
    opener = re.compile(r"(?i)session|maker|connect|begin|acquire|engine")
    words = ("session", "maker", "connect", "begin", "acquire", "engine")
    assert mentions_any(text, words, ignore_case=True) == (
        opener.search(text) is not None
    )
