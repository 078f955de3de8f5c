"""Which fetches of every row of a table the project pages elsewhere: the findings."""

from __future__ import annotations

import ast
from collections.abc import Iterable
from dataclasses import dataclass

from n1fix.rules.base import Finding
from n1fix.rules.unbounded_fetch.evidence import PagingSite, paged_models
from n1fix.rules.unbounded_fetch.sites import fetch_sites

MAX_NAMED = 3  # paging sites named in the message; the plan keeps them all


@dataclass
class UnboundedPlan:
    """No rewrite: the sites that page the table, the finding's evidence."""

    table: str
    paging: list[PagingSite]


# Folders and files of command-line tools (Django's `management/commands` too),
# maintenance scripts and migrations: they run once, by hand, and a job that must see
# every row has no page to read.
TOOL_FOLDERS = {"cli", "commands", "scripts", "bin", "migrations", "alembic"}
TOOL_FILES = {"cli.py", "manage.py", "commands.py"}


def find(ctx, rule) -> Iterable[Finding]:
    if runs_by_hand(ctx.display_path):
        return
    try:
        tree = ast.parse(ctx.text)
    except SyntaxError:
        return  # newer syntax than this Python reads: no finding rather than a guess
    paged = paged_models(ctx.project)
    if not paged:
        return
    models = ctx.project.models
    lines = ctx.text.splitlines()
    for fetch in fetch_sites(tree):
        model = models.resolve(fetch.head.ref, ctx.imports, ctx.module_name)
        if model is None or model.qualname not in paged:
            continue
        sites = paged[model.qualname]
        yield _finding(ctx, rule, fetch.node, lines, model.table, sites)


def _finding(ctx, rule, node: ast.expr, lines, table, sites) -> Finding:
    named = ", ".join(str(site) for site in sites[:MAX_NAMED])
    more = len(sites) - MAX_NAMED
    if more > 0:
        named += f" and {more} more"
    message = (
        f"every row of `{table}` is loaded (no WHERE, no LIMIT), yet the project pages "
        f"this table at {named}"
    )
    return Finding(
        rule=rule.NAME,
        path=ctx.display_path,
        line=node.lineno,
        column=_column(lines, node.lineno, node.col_offset),
        end_line=node.end_lineno or node.lineno,
        end_column=_column(
            lines, node.end_lineno or node.lineno, node.end_col_offset or 0
        ),
        message=message,
        severity=rule.SEVERITY,
        fix_note=(
            "how many rows to show, or which, is the product's choice: n1fix does not "
            "pick a bound"
        ),
        plan=UnboundedPlan(table, sites),
    )


def _column(lines: list[str], line: int, byte_offset: int) -> int:
    """A 1-based column in characters from `ast`'s offset in UTF-8 bytes."""
    text = lines[line - 1] if 0 < line <= len(lines) else ""
    return len(text.encode("utf-8")[:byte_offset].decode("utf-8", "replace")) + 1


def runs_by_hand(path: str) -> bool:
    """A command-line tool, a script or a migration (by its folder or file name)."""
    parts = path.replace("\\", "/").split("/")
    return parts[-1] in TOOL_FILES or bool(TOOL_FOLDERS & set(parts[:-1]))
