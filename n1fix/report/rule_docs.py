"""`n1fix rules`: every rule with its documentation (the rule's docstring)."""

from __future__ import annotations

import inspect
from typing import TextIO

from n1fix.rules import all_rules, rule_by_name


def write_index(out: TextIO) -> None:
    width = max(len(rule.NAME) for rule in all_rules())
    for rule in all_rules():
        opt_in = "" if rule.DEFAULT else " (opt-in: select it by name)"
        out.write(
            f"{rule.NAME:<{width}}  {rule.SEVERITY.value:<7} fix: {rule.FIX.value:<10} {rule.MESSAGE}{opt_in}\n"
        )


def write_rule(name: str, out: TextIO) -> bool:
    rule = rule_by_name(name)
    if rule is None:
        return False
    out.write(
        f"# {rule.NAME}\n\n{rule.MESSAGE}. Severity: {rule.SEVERITY.value}. Fix: {rule.FIX.value}.\n\n"
    )
    out.write(inspect.cleandoc(rule.__doc__ or "") + "\n")
    return True


def documentation(rule) -> str:
    """The rule's documentation as Markdown (its docstring)."""
    return inspect.cleandoc(rule.__doc__ or "")


def section(rule, title: str) -> str:
    """The body of one `## title` section of the rule's documentation, or ''."""
    import re

    doc = documentation(rule)
    match = re.search(
        rf"^#+ {re.escape(title)}\s*$(?P<body>.*?)(?=^#+ |\Z)",
        doc,
        re.MULTILINE | re.DOTALL,
    )
    return match.group("body").strip() if match else ""
