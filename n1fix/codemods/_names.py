"""Names for generated code: from the domain, and never one already in use."""

from __future__ import annotations

import re

import libcst as cst

from n1fix.rules._syntax import all_names, names_assigned

_IRREGULAR = {"person": "people", "child": "children", "status": "statuses", "data": "data"}


def singular_snake(class_name: str) -> str:
    """`RenderChain` -> `render_chain`, `URLAlias` -> `url_alias`."""
    words = re.sub(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])", "_", class_name)
    return words.lower()


def plural(name: str) -> str:
    """English plural of the last word of a snake_case name: `render_chain` -> `render_chains`."""
    head, _, last = name.rpartition("_")
    prefix = f"{head}_" if head else ""
    if last in _IRREGULAR:
        return prefix + _IRREGULAR[last]
    if re.search(r"[^su]s$", last):
        return name  # already plural: `credits`, `items`
    if re.search(r"[^aeiou]y$", last):
        return prefix + last[:-1] + "ies"
    if re.search(r"(s|x|z|ch|sh)$", last):
        return prefix + last + "es"
    return prefix + last + "s"


class NamePicker:
    """Hands out names unused in a scope (and its module), `_2`, `_3`... on a clash."""

    def __init__(self, scope: cst.CSTNode, module: cst.Module) -> None:
        self.taken = all_names(scope)
        if scope is not module:
            # Globals and imports the scope could read must stay visible; names local to
            # other functions do not matter.
            self.taken |= names_assigned(module)

    def pick(self, wanted: str) -> str:
        name = wanted
        n = 2
        while name in self.taken or name in _KEYWORDS_AND_BUILTINS:
            name = f"{wanted}_{n}"
            n += 1
        self.taken.add(name)
        return name


_KEYWORDS_AND_BUILTINS = set(__import__("keyword").kwlist) | set(dir(__import__("builtins")))
