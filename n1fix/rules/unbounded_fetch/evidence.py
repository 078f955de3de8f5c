"""The project's paging evidence: for each model, the sites that read its table page by
page (what every file's survey found, resolved against the model index)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from n1fix.rules.project import ProjectContext

RULE = "unbounded-fetch"


@dataclass(frozen=True)
class PagingSite:
    path: str  # as the user sees it
    line: int
    how: str  # `.limit()`, `paginate()`, `a slice`, `a paginated view`

    def __str__(self) -> str:
        return f"`{self.path}:{self.line}` ({self.how})"


_PAGED: dict[int, tuple[object, dict[str, list[PagingSite]]]] = {}


def paged_models(project: "ProjectContext") -> dict[str, list[PagingSite]]:
    """model qualname -> the sites that page its table, worked out once per project."""
    cached = _PAGED.get(id(project))
    if cached is None or cached[0] is not project:
        _PAGED.clear()
        cached = (project, _paged(project))
        _PAGED[id(project)] = cached
    return cached[1]


def _paged(project: "ProjectContext") -> dict[str, list[PagingSite]]:
    # model qualname -> (path, line) -> how it pages there
    found: dict[str, dict[tuple[str, int], list[str]]] = defaultdict(dict)
    models = project.models
    files = list(project.shared_facts.get(RULE, {}).values())
    pagers = {
        (pager["name"], pager["param"])
        for facts in files
        for pager in facts.facts.get("pagers", ())
    }
    for facts in files:
        handed = [
            {**h, "how": f"{h['callee']}()"}
            for h in facts.facts.get("handed", ())
            if h["arg"] == -1 or (h["callee"], h["arg"]) in pagers
        ]
        for site in [*facts.facts.get("pages", ()), *handed]:
            model = models.resolve(site["ref"], facts.imports, facts.module_name)
            if model is not None and model.table:
                ways = found[model.qualname].setdefault(
                    (facts.display, site["line"]), []
                )
                if site["how"] not in ways:
                    ways.append(site["how"])
    return {
        qualname: [
            PagingSite(path, line, ", ".join(sorted(ways)))
            for (path, line), ways in sorted(sites.items())
        ]
        for qualname, sites in found.items()
    }


def paged_names(project: "ProjectContext") -> set[str]:
    """The class names of the paged models (what a file's fetches are compared with
    before the file is read again)."""
    return {name.rsplit(".", 1)[-1] for name in paged_models(project)}


def paging_by_table(project: "ProjectContext") -> dict[str, list[PagingSite]]:
    """table -> the sites that page it (for the audit, which has the findings' tables
    but not their plans)."""
    by_table: dict[str, list[PagingSite]] = {}
    for qualname, sites in paged_models(project).items():
        model = project.models.get(qualname)
        if model is not None and model.table:
            by_table.setdefault(model.table, []).extend(sites)
    return by_table


def table_in(message: str) -> str | None:
    """The table an `unbounded-fetch` message names (its first `code` span)."""
    _, tick, rest = message.partition("`")
    table, end, _ = rest.partition("`")
    return table if tick and end else None
