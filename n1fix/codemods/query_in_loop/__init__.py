"""The `query-in-loop` rewrite: `fix(ctx, finding)` in `rewrite.py`; `batch_method_problem`
tells detection whether the batch method a call's fix needs can be written."""

from n1fix.codemods.query_in_loop.rewrite import batch_method_problem, fix

__all__ = ["batch_method_problem", "fix"]
