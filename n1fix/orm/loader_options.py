"""Read the loader options already on a query: which relationship paths they load, and how.

`.options(selectinload(Project.renders).selectinload(Render.chain), raiseload("*"))` says:
`renders` by selectin, `renders.chain` by selectin, every other relationship of `Project`
raises. A path of relationship names (`("renders", "chain")`) is looked up against these
chains; the strategy of the last step that matches decides.
"""

from __future__ import annotations

from dataclasses import dataclass

import libcst as cst

from n1fix.orm.query_shape import MethodCall, dotted_name, unwind

EAGER = frozenset(
    {
        "selectinload",
        "joinedload",
        "subqueryload",
        "immediateload",
        "contains_eager",
        "eagerload",
    }
)
RAISE = frozenset({"raiseload"})
LAZY = frozenset({"lazyload"})
NOLOAD = frozenset({"noload"})
DEFAULT = frozenset({"defaultload"})
LOADERS = EAGER | RAISE | LAZY | NOLOAD | DEFAULT
# Options that do not touch relationship loading (columns, polymorphic loading...).
_OTHER = frozenset(
    {
        "load_only",
        "defer",
        "undefer",
        "undefer_group",
        "with_expression",
        "selectin_polymorphic",
        "with_polymorphic",
    }
)


@dataclass(frozen=True)
class Step:
    loader: str  # selectinload, defaultload, raiseload, ...
    attr: str  # the relationship's name, or "*" for a wildcard


@dataclass
class OptionChain:
    arg: cst.Arg  # the argument of `.options(...)` that holds it
    steps: tuple[Step, ...]


@dataclass
class Options:
    chains: list[OptionChain]
    opaque: bool  # an option n1fix cannot read (`.options(*opts)`, a variable): it may load anything
    calls: list[MethodCall]  # the `.options(...)` calls, in order

    def strategy(self, path: tuple[str, ...]) -> str | None:
        """The loader the options give the last step of `path` (None: the mapper's own).

        A chain sets every step it names: `selectinload(A.b).selectinload(B.c)` loads
        `b` by selectin too; `defaultload` keeps the mapper's strategy."""
        found: str | None = None
        depth = len(path)
        for chain in self.chains:
            if len(chain.steps) < depth:
                continue
            steps = chain.steps[:depth]
            if any(step.attr == "*" for step in steps[:-1]):
                continue
            if all(
                step.attr == attr or (step.attr == "*" and i == depth - 1)
                for i, (step, attr) in enumerate(zip(steps, path))
            ):
                loader = steps[-1].loader
                if loader in DEFAULT:
                    continue
                if steps[-1].attr != "*" or found is None:
                    found = loader  # a named path wins over a wildcard
        return found

    def chain_for(self, path: tuple[str, ...]) -> OptionChain | None:
        """The chain that names exactly `path` (no wildcard), to extend with a deeper step."""
        for chain in self.chains:
            if tuple(step.attr for step in chain.steps) == path:
                return chain
        return None


def read_options(calls: list[MethodCall]) -> Options:
    option_calls = [mc for mc in calls if mc.name == "options"]
    chains: list[OptionChain] = []
    opaque = False
    for mc in option_calls:
        for arg in mc.call.args:
            if arg.star or arg.keyword is not None:
                opaque = True
                continue
            steps = _steps(arg.value)
            if steps is None:
                opaque = True
            elif steps:
                chains.append(OptionChain(arg, steps))
    return Options(chains, opaque, option_calls)


def _steps(expr: cst.BaseExpression) -> tuple[Step, ...] | None:
    """The steps of one option, () for an option about columns only, None when unreadable."""
    base, calls, _ = unwind(expr)
    steps: list[Step] = []
    if isinstance(base, cst.Call):
        head = dotted_name(base.func) or ""
        name = head.rsplit(".", 1)[-1]
        if name == "Load":
            pass  # `Load(Project).selectinload(...)`: the steps are the method calls
        elif name in LOADERS:
            head_steps = _call_steps(name, base)
            if head_steps is None:
                return None
            steps.extend(head_steps)
        elif name in _OTHER:
            return ()
        else:
            return None
    elif isinstance(base, cst.Name) and calls and calls[0].name in LOADERS | _OTHER:
        # `orm.selectinload(...)`: a module attribute, read by unwind as a method call
        pass
    else:
        return None
    for mc in calls:
        if mc.name in _OTHER:
            return tuple(steps) if steps else ()
        if mc.name not in LOADERS:
            return None
        more = _call_steps(mc.name, mc.call)
        if more is None:
            return None
        steps.extend(more)
    return tuple(steps)


def _call_steps(loader: str, call: cst.Call) -> list[Step] | None:
    """`selectinload(Project.renders)` -> [selectinload renders]; the 1.x forms
    `joinedload("renders.chain")` and `joinedload(Project.renders, Render.chain)` load the
    last step and keep the mapper's strategy for the ones before it."""
    attrs: list[str] = []
    for arg in call.args:
        if arg.keyword is not None:
            continue  # innerjoin=True, recursion_depth=...
        value = arg.value
        if isinstance(value, cst.SimpleString):
            attrs.extend(value.evaluated_value.split("."))
        elif isinstance(value, cst.Attribute):
            attrs.append(value.attr.value)
        elif (
            isinstance(value, cst.Call)
            and isinstance(value.func, cst.Attribute)
            and value.func.attr.value == "of_type"
        ):
            inner = value.func.value
            if not isinstance(inner, cst.Attribute):
                return None
            attrs.append(inner.attr.value)
        else:
            return None
    if not attrs:
        return None
    return [Step("defaultload", attr) for attr in attrs[:-1]] + [
        Step(loader, attrs[-1])
    ]
