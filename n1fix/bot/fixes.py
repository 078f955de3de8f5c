"""Compute the fixes with the engine on a clean checkout, grouped as asked.

Grouped by rule, each rule's fixes are computed on their own (a run that selects only
that rule), so each branch holds its rule's rewrites applied to the base and nothing
else, even where two rules rewrote the same file.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from pathlib import Path

from n1fix.bot.edits import Edit, edits_from
from n1fix.bot.grouping import Group, GroupBy, group_all, group_by_file, group_by_rule


@dataclass
class ComputedFixes:
    groups: list[Group]
    errors: list[str]  # files n1fix could not read or parse, one line each
    failures: list[str]  # fixes the engine dropped because they failed verification


def compute(
    checkout: Path, cwd: Path, paths: list[Path], by: GroupBy, *, unsafe_fixes: bool
) -> ComputedFixes:
    """`paths` are relative to `checkout` (a clean worktree of the base); `cwd`, where the
    user ran the bot, too: the engine runs there so that messages name files as the user
    sees them."""
    with contextlib.chdir(checkout / cwd):
        return _compute(checkout, paths, by, unsafe_fixes)


def _compute(
    checkout: Path, paths: list[Path], by: GroupBy, unsafe_fixes: bool
) -> ComputedFixes:
    from n1fix.config import load_config
    from n1fix.engine.discovery import find_project_root
    from n1fix.engine.runner import run

    targets = [checkout / p for p in paths]
    root = find_project_root(targets, cwd=checkout)
    config = load_config(root).merged(unsafe_fixes=unsafe_fixes or None)
    result = run(targets, root, config, fix=True)
    computed = ComputedFixes([], list(result.errors), list(result.failures))
    edits = edits_from(result, checkout)
    if by is GroupBy.file:
        computed.groups = group_by_file(edits)
    elif by is GroupBy.all:
        computed.groups = group_all(edits)
    else:
        from n1fix.rules import rules_covered_by

        rules = sorted({rule for edit in edits for rule in edit.rules})
        by_rule: dict[str, list[Edit]] = {}
        for rule in rules:
            if len(rules) == 1:
                by_rule[rule] = edits
            else:
                # The rule alone: its name also selects the rules split out of it.
                split_off = [r.NAME for r in rules_covered_by(rule) if r.NAME != rule]
                alone = config.merged(
                    select=[rule], ignore=[*config.ignore, *split_off]
                )
                by_rule[rule] = edits_from(
                    run(targets, root, alone, fix=True), checkout
                )
        computed.groups = group_by_rule(by_rule)
    return computed
