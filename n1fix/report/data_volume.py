"""The audit's "Data volume review": the queries that load more rows, or more of each
row, than the code uses (`count-via-len`, `first-row-via-all`,
`whole-rows-for-one-column`), and the tables loaded whole though the project pages them
elsewhere (`unbounded-fetch`), each with the paging sites that are its evidence.

Everything is read from the code: which tables are large is not known, only which ones
the project itself reads a page at a time.
"""

from __future__ import annotations

from collections import defaultdict
from typing import TextIO

from n1fix.report.wording import joined
from n1fix.rules.base import Finding
from n1fix.rules.unbounded_fetch.evidence import RULE, paging_by_table, table_in

FETCHING_TOO_MUCH = {
    "count-via-len": "rows loaded only to be counted",
    "first-row-via-all": "every row loaded to read the first",
    "whole-rows-for-one-column": "whole rows loaded for one column",
}
MAX_SITES = 5


def write(out: TextIO, findings: list[Finding], project) -> None:
    extra = [f for f in findings if f.rule in FETCHING_TOO_MUCH]
    unbounded = [f for f in findings if f.rule == RULE]
    if not extra and not unbounded:
        return
    out.write("## Data volume review\n\n")
    out.write(
        "Queries that load more than the code uses, read from the code. Which tables "
        "are large is not known here; a table the project reads a page at a time "
        "somewhere is one it expects to grow.\n\n"
    )
    if unbounded:
        _unbounded(out, unbounded, project)
    if extra:
        out.write("### More rows or columns than used\n\n")
        for finding in extra:
            what = FETCHING_TOO_MUCH[finding.rule]
            out.write(f"- `{finding.path}:{finding.line}`: {what} (`{finding.rule}`)\n")
        out.write("\n")


def _unbounded(out: TextIO, findings: list[Finding], project) -> None:
    out.write("### Tables loaded whole that the project pages elsewhere\n\n")
    paging = paging_by_table(project) if project is not None else {}
    by_table: dict[str, list[Finding]] = defaultdict(list)
    for finding in findings:
        by_table[table_in(finding.message) or "?"].append(finding)
    for table in sorted(by_table):
        loads = [f"`{f.path}:{f.line}`" for f in by_table[table]]
        sites = paging.get(table, [])
        paged = joined([str(site) for site in sites[:MAX_SITES]])
        if len(sites) > MAX_SITES:
            paged += f" and {len(sites) - MAX_SITES} more"
        out.write(
            f"- `{table}`: loaded whole at {joined(loads)}"
            + (f"; paged at {paged}" if paged else "")
            + "\n"
        )
    out.write(
        "\nFor each: read a page, narrow the query to "
        "the rows needed, or stream the rows of a job that must see them all "
        "(`yield_per`, Django's `iterator()`). The bound is the product's choice, so "
        "no fix is proposed.\n\n"
    )
