"""The `unbounded-fetch` rule: the class and its docs in `rule.py`, the paging and
fetching sites a file holds in `sites.py`, the project's paging evidence in
`evidence.py`, the findings in `analysis.py`."""

from n1fix.rules.unbounded_fetch.rule import UnboundedFetch

__all__ = ["UnboundedFetch"]
