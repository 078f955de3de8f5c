"""The rule registry: the `Rule` subclass each sub-package of this package exports.

A new rule is a new package here, `n1fix/rules/<rule_name>/` (its class in `rule.py`,
re-exported by its `__init__.py`), and its codemod a package of the same name in
`n1fix.codemods` exposing `fix`; nothing else is edited by hand
(`python scripts/new_rule.py NAME` writes the stubs of all of them). The plain modules here
(`base`, `context`, `project`, ...) are what rules share, not rules.
"""

from __future__ import annotations

import importlib
import pkgutil
from functools import cache

from n1fix.rules.base import Rule


@cache
def all_rules() -> tuple[type[Rule], ...]:
    found: list[type[Rule]] = []
    for info in pkgutil.iter_modules(__path__):
        if info.name.startswith("_") or not info.ispkg:
            continue
        module = importlib.import_module(f"{__name__}.{info.name}")
        for value in vars(module).values():
            if (
                isinstance(value, type)
                and issubclass(value, Rule)
                and value is not Rule
                and value.__module__.startswith(f"{module.__name__}.")
            ):
                found.append(value)
    return tuple(sorted(found, key=lambda rule: rule.NAME))


def rule_by_name(name: str) -> type[Rule] | None:
    return next((rule for rule in all_rules() if rule.NAME == name), None)


def unknown_rules(names: list[str], where: str = "") -> str | None:
    """The error for the names that are not rules, offering the closest rule names, or
    None when every name is a rule. One wording for every place a rule is named:

        --select: unknown rule `query-in-lop` (did you mean `query-in-loop`?); `n1fix rules` lists the rules
    """
    known = [rule.NAME for rule in all_rules()]
    unknown = list(dict.fromkeys(name for name in names if name not in known))
    if not unknown:
        return None
    described = []
    for name in unknown:
        close = [f"`{match}`" for match in _closest(name, known)]
        hint = " or ".join(
            [", ".join(close[:-1]), close[-1]] if len(close) > 1 else close
        )
        described.append(f"`{name}`" + (f" (did you mean {hint}?)" if hint else ""))
    head = "unknown rule" if len(unknown) == 1 else "unknown rules"
    return f"{where + ': ' if where else ''}{head} {', '.join(described)}; `n1fix rules` lists the rules"


def _closest(name: str, known: list[str]) -> list[str]:
    """The rule names a typo most likely meant: the nearest by spelling (difflib), else
    the names that contain it (`query` -> `query-in-loop`)."""
    import difflib

    scored = sorted(
        ((difflib.SequenceMatcher(None, name, k).ratio(), k) for k in known),
        reverse=True,
    )
    best = scored[0][0] if scored else 0
    if best >= 0.6:
        return [k for ratio, k in scored if ratio >= best - 0.1][:3]
    return [k for k in known if name and name.lower() in k][:3]


def names_covering(rule: str) -> frozenset[str]:
    """The names that cover a rule's findings in a suppression, `select` or `ignore`: its
    own, and the name of the rule it was split from (`sequential-awaits` still covers
    `awaits-in-loop`, whose findings it reported before)."""
    found = rule_by_name(rule)
    return frozenset(
        name for name in (rule, found.SPLIT_FROM if found else None) if name
    )


def rules_covered_by(name: str) -> list[type[Rule]]:
    """The rules a name covers: the rule of that name and the rules split from it."""
    return [rule for rule in all_rules() if name in names_covering(rule.NAME)]


def select_rules(select: list[str] | None, ignore: list[str]) -> list[type[Rule]]:
    """The rules to run; unknown names raise ValueError naming them."""
    error = unknown_rules([*(select or []), *ignore])
    if error:
        raise ValueError(error)
    chosen = [
        rule
        for rule in all_rules()
        if (rule.DEFAULT if select is None else names_covering(rule.NAME) & set(select))
    ]
    return [rule for rule in chosen if not names_covering(rule.NAME) & set(ignore)]


def default_rule_names() -> list[str]:
    """The rules that run when `select` is not set."""
    return [rule.NAME for rule in all_rules() if rule.DEFAULT]


def codemod_for(rule: type[Rule], name: str = "fix"):
    """The `fix(ctx, finding) -> Module` function of the rule's codemod (or the codemod's
    function `name`), or None."""
    try:
        module = importlib.import_module(f"n1fix.codemods.{rule.module_name()}")
    except ModuleNotFoundError:
        return None
    return getattr(module, name, None)
