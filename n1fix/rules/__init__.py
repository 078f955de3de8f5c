"""The rule registry: every `Rule` subclass in a public module of this package.

A new rule is a new module here (and its codemod, same name, in `n1fix.codemods`);
nothing else is edited by hand.
"""

from __future__ import annotations

import importlib
import pkgutil
from functools import cache

from n1fix.rules._base import Rule


@cache
def all_rules() -> tuple[type[Rule], ...]:
    found: list[type[Rule]] = []
    for info in pkgutil.iter_modules(__path__):
        if info.name.startswith("_"):
            continue
        module = importlib.import_module(f"{__name__}.{info.name}")
        for value in vars(module).values():
            if isinstance(value, type) and issubclass(value, Rule) and value is not Rule and value.__module__ == module.__name__:
                found.append(value)
    return tuple(sorted(found, key=lambda rule: rule.NAME))


def rule_by_name(name: str) -> type[Rule] | None:
    return next((rule for rule in all_rules() if rule.NAME == name), None)


def select_rules(select: list[str] | None, ignore: list[str]) -> list[type[Rule]]:
    """The rules to run; unknown names raise ValueError naming them."""
    known = {rule.NAME for rule in all_rules()}
    unknown = [name for name in [*(select or []), *ignore] if name not in known]
    if unknown:
        raise ValueError(f"unknown rule {', '.join(unknown)} (see `n1fix rules`)")
    chosen = [rule for rule in all_rules() if (rule.DEFAULT if select is None else rule.NAME in select)]
    return [rule for rule in chosen if rule.NAME not in ignore]


def default_rule_names() -> list[str]:
    """The rules that run when `select` is not set."""
    return [rule.NAME for rule in all_rules() if rule.DEFAULT]


def codemod_for(rule: type[Rule]):
    """The `fix(ctx, finding) -> Module` function of the rule's codemod, or None."""
    try:
        module = importlib.import_module(f"n1fix.codemods.{rule.module_name()}")
    except ModuleNotFoundError:
        return None
    return getattr(module, "fix", None)
