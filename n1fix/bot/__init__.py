"""`n1fix bot`: opens, and keeps up to date, pull requests with n1fix's fixes.

fixes (run the engine on a clean checkout of the base) -> edits (the adapter from the
engine's result) -> grouping (one branch per rule, file or all) -> git (commit, test,
push) and github (open, update, label, comment, close) -> body (what the reviewer reads),
driven by orchestrate.
"""
