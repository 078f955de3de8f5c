"""The same code under a sync Session, for golden cases whose async before.py raises.

An async lazy load raises `MissingGreenlet`, so such a before gives no result to compare
the after with. What it *means* is what the same code does where lazy loads work: its
before.py and scenario.py with `async`/`await` taken out (`async def` -> `def`,
`await x` -> `x`, `async for`/`async with` -> `for`/`with`), run on a sync Session
against the same seeded database. The after must return that, in fewer round trips.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import libcst as cst

from golden_support import (
    DEFAULT_SEED,
    GoldenCase,
    forget_module,
    load_module,
    _sync_run,
)


class _WithoutAsync(cst.CSTTransformer):
    def leave_FunctionDef(self, original, updated):
        return updated.with_changes(asynchronous=None)

    def leave_Await(self, original, updated):
        return updated.expression.with_changes(lpar=updated.lpar, rpar=updated.rpar)

    def leave_For(self, original, updated):
        return updated.with_changes(asynchronous=None)

    def leave_With(self, original, updated):
        return updated.with_changes(asynchronous=None)

    def leave_CompFor(self, original, updated):
        return updated.with_changes(asynchronous=None)


def sync_source(text: str) -> str:
    return cst.parse_module(text).visit(_WithoutAsync()).code


def run_sync_twin(case: GoldenCase, backend):
    """(outcome, counter) of before.py and scenario.py without async, on a sync Session."""
    with tempfile.TemporaryDirectory(prefix="n1fix-sync-twin-") as tmp:
        paths = {}
        for name in ("before.py", "scenario.py"):
            paths[name] = Path(tmp) / name
            paths[name].write_text(
                sync_source((case.path / name).read_text(encoding="utf-8")),
                encoding="utf-8",
            )
        label = f"{case.rule_dir}_{case.name}_sync"
        scenario = load_module(paths["scenario.py"], f"{label}_scenario")
        module = load_module(paths["before.py"], f"{label}_before")
        try:
            seed_name = getattr(scenario, "SEED", DEFAULT_SEED)
            with backend.seeded(seed_name) as target:
                return _sync_run(scenario, module, seed_name, target)
        finally:
            forget_module(module)
            forget_module(scenario)
