"""SQL written as strings: the placeholders in them (our own tokeniser), what a statement
does (read with sqlglot, imported only when a file holds such a string), and the calls
that send one to the database (SQLAlchemy's text(), exec_driver_sql, DB-API cursors,
asyncpg). Neutral about rules: it says what a string means, not whether it is a problem."""
