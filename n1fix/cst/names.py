"""Names for generated code: from the domain, and never one already in use."""

from __future__ import annotations

import re

import libcst as cst

from n1fix.cst.method_syntax import named_params
from n1fix.cst.syntax import all_names, children, names_assigned, walk

_IRREGULAR = {
    "person": "people",
    "child": "children",
    "status": "statuses",
    "data": "data",
}


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


def keys_name(key: cst.BaseExpression, otherwise: str) -> str:
    """What to call the list of a loop's keys: `render.id` (or `.pk`) -> `render_ids`,
    `render.project_id` -> `project_ids`, `render.slug` -> `render_slugs`, `uid` -> `uids`;
    `otherwise` for any other key (`row[0]`)."""
    if isinstance(key, cst.Attribute):
        attr = key.attr.value
        owner = key.value.value if isinstance(key.value, cst.Name) else None
        if attr in ("id", "pk") and owner:  # Django's `pk` is the primary key too
            return f"{owner}_ids"
        if attr.endswith("_id"):
            return f"{attr}s"
        return f"{owner}_{plural(attr)}" if owner else plural(attr)
    if isinstance(key, cst.Name):
        return plural(key.value)
    if (  # `row["sport_id"]` -> `sport_ids`, as for `row.sport_id`
        isinstance(key, cst.Subscript)
        and len(key.slice) == 1
        and isinstance(key.slice[0].slice, cst.Index)
        and isinstance(key.slice[0].slice.value, cst.SimpleString)
    ):
        field = key.slice[0].slice.value.evaluated_value
        if isinstance(field, str) and field.isidentifier():
            return keys_name(
                cst.Attribute(value=key.value, attr=cst.Name(field)), otherwise
            )
    if (  # `str(group_id)` -> `group_ids`
        isinstance(key, cst.Call)
        and isinstance(key.func, cst.Name)
        and key.func.value in {"str", "int", "float"}
        and len(key.args) == 1
    ):
        return keys_name(key.args[0].value, otherwise)
    return otherwise


def qualified(base: str, target: str | None, items: str | None = None) -> list[str]:
    """Domain names for `base` when it is taken, before any number: qualified by the loop
    target (`user_ids` -> `link_user_ids`) or by the words its collection adds
    (`for user in active_users`: `user_ids` -> `active_user_ids`)."""
    names: list[str] = []
    if (
        items
        and target
        and items != plural(target)
        and items.endswith(f"_{plural(target)}")
    ):
        prefix = items[: -len(plural(target))]
        if not base.startswith(prefix):
            names.append(prefix + base)
    if target and base != target and not base.startswith(f"{target}_"):
        names.append(f"{target}_{base}")
    return names


def binds_locally(scope: cst.CSTNode | None, name: str) -> bool:
    """Is `name` a variable of `scope` itself (a parameter, or assigned in it and not
    declared `global`/`nonlocal`)? Assigning a name that is not would make every read of
    it in the function local, and the first one fail (UnboundLocalError)."""
    if not isinstance(scope, (cst.FunctionDef, cst.Lambda)):
        return True  # module level: rebinding a global is what the code there does
    params = scope.params
    every = named_params(params)
    every += [
        p for p in (params.star_arg, params.star_kwarg) if isinstance(p, cst.Param)
    ]
    if any(param.name.value == name for param in every):
        return True
    declared = {
        alias.name.value
        for node in walk(scope.body)
        if isinstance(node, (cst.Global, cst.Nonlocal))
        for alias in node.names
    }
    return name in names_assigned(scope.body) and name not in declared


class NamePicker:
    """Hands out names unused in a scope and everything it can see (its module's globals,
    the enclosing functions and classes, builtins); the first free one of the wanted
    names, a number only when every one of them is taken."""

    def __init__(self, scope: cst.CSTNode, module: cst.Module) -> None:
        self.taken = all_names(scope)
        if scope is not module:
            # Globals and imports the scope could read must stay visible; names local to
            # other functions do not matter.
            self.taken |= names_assigned(module)
            for outer in _enclosing(scope, module):
                self.taken |= all_names(outer)

    def pick(self, wanted: str, *alternatives: str) -> str:
        for name in (wanted, *alternatives):
            if self.free(name):
                self.taken.add(name)
                return name
        name = wanted
        n = 2
        while not self.free(name):
            name = f"{wanted}_{n}"
            n += 1
        self.taken.add(name)
        return name

    def comprehension_variable_ok(self, name: str) -> bool:
        """A comprehension's own variable may share a name the function uses (it lives in
        the comprehension's scope), but not a keyword's or builtin's."""
        return name.isidentifier() and name not in _KEYWORDS_AND_BUILTINS

    def free(self, name: str) -> bool:
        return (
            name.isidentifier()
            and name not in self.taken
            and name not in _KEYWORDS_AND_BUILTINS
        )


def _enclosing(scope: cst.CSTNode, module: cst.Module) -> list[cst.CSTNode]:
    """The functions and classes `scope` is nested in, outermost first."""
    return [
        node
        for node in _ancestors(scope, module)
        if isinstance(node, (cst.FunctionDef, cst.ClassDef))
    ]


def _ancestors(target: cst.CSTNode, root: cst.CSTNode) -> list[cst.CSTNode]:
    """The nodes between `root` and `target` (both left out), outermost first; none when
    `target` is not below `root`. One walk of `root`: asking each function whether it holds
    `target` walked the module once per function, for each fix of a file with many."""
    stack: list[tuple[cst.CSTNode, tuple[cst.CSTNode, ...]]] = [
        (child, ()) for child in children(root)
    ]
    while stack:
        node, above = stack.pop()
        if node is target:
            return list(above)
        below = (*above, node)
        stack.extend((child, below) for child in children(node))
    return []


_KEYWORDS_AND_BUILTINS = set(__import__("keyword").kwlist) | set(
    dir(__import__("builtins"))
)
