"""Every name a rewrite reads must be bound where it is read.

`compile()` accepts a function that reads a local before assigning it (`xs = list(xs)`
where `xs` was a module global: UnboundLocalError at run time) and a name defined nowhere
(NameError). LibCST's scope analysis sees both. Code may already read names this check
cannot follow (a name bound on a loop's previous pass, a star import), so only reads that
are new in the rewrite count: the text before and after are compared, scope by scope.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator

import libcst as cst
from libcst.metadata import (
    Assignment,
    FunctionScope,
    GlobalScope,
    MetadataWrapper,
    ScopeProvider,
)

from n1fix.cst.positions import Positions

_UNDEFINED = "undefined"
_BEFORE_ASSIGNMENT = "before assignment"


def new_unbound_reads(
    before: cst.Module, after: cst.Module, defined: frozenset[str] = frozenset()
) -> str | None:
    """Why `after` reads a name that is not bound where it is read, when `before` did not;
    None when every read the rewrite added is bound. `defined`: names bound elsewhere
    (the top level of the module a synthetic excerpt stands for)."""
    if _excerpts_say_none(before, after, defined):
        return None
    return _first_new_read(_unbound_reads(before), _unbound_reads(after), defined)


def _excerpts_say_none(
    before: cst.Module, after: cst.Module, defined: frozenset[str]
) -> bool:
    """True when the modules without the bodies of the functions the rewrite left alone
    show no new unbound read, which then holds for the whole modules
    (`unchanged_bodies` says why); False when the whole modules must be asked."""
    from n1fix.cst.unchanged_bodies import excerpts

    try:
        pair = excerpts(before, after)
        if pair is None:
            return False
        old, new = ScopeReads(pair[0]), ScopeReads(pair[1])
        if not old.module_level_bindings() <= new.module_level_bindings():
            return False
        if old.star_import() and not new.star_import():
            return False
        found = _first_new_read(_counted(old), _counted(new), defined)
    except Exception:  # noqa: BLE001 - the whole modules' check answers, or raises, as it always did
        return False
    return found is None


def _first_new_read(
    old: Counter[tuple[str, str, str]],
    new: Counter[tuple[str, str, str]],
    defined: frozenset[str],
) -> str | None:
    # A name defined nowhere is undefined in every scope: a rewrite that moves its read into
    # a new function (a gather's helper) adds no NameError the code did not already have.
    old_undefined, new_undefined = _undefined_by_name(old), _undefined_by_name(new)
    for (scope, name, kind), count in sorted(new.items()):
        if kind == _UNDEFINED and name in defined:
            continue
        if kind == _UNDEFINED:
            if new_undefined[name] <= old_undefined[name]:
                continue
        elif count <= old.get((scope, name, kind), 0):
            continue
        where = f"in `{scope}`" if scope else "at module level"
        if kind == _BEFORE_ASSIGNMENT:
            return f"the rewrite reads `{name}` {where} before it is assigned there (UnboundLocalError)"
        return f"the rewrite reads `{name}` {where}, where no such name is defined (NameError)"
    return None


def _undefined_by_name(reads: Counter[tuple[str, str, str]]) -> Counter[str]:
    counts: Counter[str] = Counter()
    for (_, name, kind), count in reads.items():
        if kind == _UNDEFINED:
            counts[name] += count
    return counts


# The last modules' answers: `apply` asks about the text before a fix once per fix it
# tries there, and a verified fix's text is the next step's text before (LibCST's scope
# analysis of a large module costs a second). A module is immutable, and kept here, so
# its identity cannot be reused by another while its entry lives.
_KEPT = 4
_recent: list[tuple[cst.Module, Counter[tuple[str, str, str]]]] = []


def _unbound_reads(module: cst.Module) -> Counter[tuple[str, str, str]]:
    """(scope label, name, kind) of every read that no binding reaches."""
    for known, reads in _recent:
        if known is module:
            return reads
    reads = _unbound_reads_of(module)
    _recent.insert(0, (module, reads))
    del _recent[_KEPT:]
    return reads


class _PositionsOf:
    """`PositionProvider`'s answers (`positions.get(node)`), counted by one print of the
    module (`n1fix.cst.positions`) instead of LibCST's regular expression per token."""

    def __init__(self, module: cst.Module) -> None:
        self._positions = Positions(module)

    def get(self, node: cst.CSTNode):
        try:
            return self._positions[node]
        except KeyError:
            return None


def _unbound_reads_of(module: cst.Module) -> Counter[tuple[str, str, str]]:
    return _counted(ScopeReads(module))


def _counted(reads: ScopeReads) -> Counter[tuple[str, str, str]]:
    found: Counter[tuple[str, str, str]] = Counter()
    for label, node, kind in reads.unbound():
        found[(label, node.value, kind)] += 1
    return found


class ScopeReads:
    """LibCST's scope analysis of one module, read for names read unbound."""

    def __init__(self, module: cst.Module) -> None:
        self._module = module
        wrapper = MetadataWrapper(module, unsafe_skip_copy=True)
        self._scopes = wrapper.resolve(ScopeProvider)
        self._positions = _PositionsOf(wrapper.module)
        self._layout = _Layout()
        wrapper.module.visit(self._layout)

    def module_level_names(self) -> set[str]:
        """Every name read at module level (bound or not)."""
        scope = self._scopes.get(self._module)
        return {
            access.node.value
            for access in (scope.accesses if scope is not None else ())
            if isinstance(access.node, cst.Name)
        }

    def module_level_bindings(self) -> set[str]:
        """Every name bound at module level (dotted import names too: `os.path`)."""
        scope = self._scopes.get(self._module)
        return {
            assignment.name
            for assignment in (scope.assignments if scope is not None else ())
        }

    def star_import(self) -> bool:
        """Does the module say `from x import *` at its top level?"""
        return any(
            isinstance(node, cst.ImportFrom) and isinstance(node.names, cst.ImportStar)
            for line in self._module.body
            if isinstance(line, cst.SimpleStatementLine)
            for node in line.body
        )

    def unbound(self) -> Iterator[tuple[str, cst.Name, str]]:
        """(scope label, name node, kind) of every read that no binding reaches."""
        positions, layout = self._positions, self._layout
        star_import = self.star_import()
        for scope in {s for s in self._scopes.values() if s is not None}:
            for access in scope.accesses:
                node = access.node
                if (
                    not isinstance(node, cst.Name)
                    or access.is_annotation
                    or access.is_type_hint
                ):
                    continue
                kind = _unbound_kind(access, scope, positions, layout)
                # `from x import *` may define it
                if kind == _UNDEFINED and star_import:
                    continue
                if kind is not None:
                    yield _label(scope, layout), node, kind


def _label(scope, layout: "_Layout") -> str:
    # LibCST gives the module's scope no node: a read there is at module level.
    return "" if isinstance(scope, GlobalScope) else layout.labels.get(scope.node, "")


def _unbound_kind(access, scope, positions, layout: "_Layout") -> str | None:
    referents = access.referents
    name = access.node.value
    if isinstance(scope, FunctionScope) and name in scope.assignments:
        # A name assigned anywhere in a function is local to all of it. LibCST resolves a
        # read that comes before the assignment to the enclosing scope's binding; Python
        # raises UnboundLocalError there.
        local = [r for r in referents if isinstance(r, Assignment) and r.scope is scope]
        if len(local) < len(referents):
            return _BEFORE_ASSIGNMENT
        read_at = _start(positions, access.node)
        if read_at is not None and all(
            _bound_after(r.node, read_at, positions, layout) for r in local
        ):
            return _BEFORE_ASSIGNMENT
        return None
    if not referents:
        return _UNDEFINED
    return None


def _bound_after(
    target: cst.CSTNode, read_at: tuple[int, int], positions, layout: "_Layout"
) -> bool:
    """Does the binding of `target` happen after the read at `read_at`? An assignment
    statement binds once its whole value is evaluated (`xs = list(xs)` reads the old `xs`)."""
    statement = layout.statement_of.get(target)
    bound_at = (
        positions.get(statement).end
        if statement is not None
        else positions.get(target).start
    )
    return (bound_at.line, bound_at.column) > read_at


def _start(positions, node: cst.CSTNode) -> tuple[int, int] | None:
    position = positions.get(node)
    return (
        (position.start.line, position.start.column) if position is not None else None
    )


class _Layout(cst.CSTVisitor):
    """Each scope's dotted label (`Report.rows`), and the simple statement each assignment
    target sits in."""

    def __init__(self) -> None:
        self.labels: dict[cst.CSTNode, str] = {}
        self.statement_of: dict[cst.CSTNode, cst.CSTNode] = {}
        self._names: list[str] = []
        self._statement: cst.CSTNode | None = None

    def visit_Module(self, node: cst.Module) -> None:
        self.labels[node] = ""

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        self._names.append(node.name.value)
        self.labels[node] = ".".join(self._names)

    def leave_FunctionDef(self, original_node: cst.FunctionDef) -> None:
        self._names.pop()

    def visit_ClassDef(self, node: cst.ClassDef) -> None:
        self._names.append(node.name.value)
        self.labels[node] = ".".join(self._names)

    def leave_ClassDef(self, original_node: cst.ClassDef) -> None:
        self._names.pop()

    def visit_Lambda(self, node: cst.Lambda) -> None:
        self.labels[node] = ".".join([*self._names, "<lambda>"])

    def on_visit(self, node: cst.CSTNode) -> bool:
        if isinstance(
            node, (cst.ListComp, cst.SetComp, cst.DictComp, cst.GeneratorExp)
        ):
            self.labels[node] = ".".join([*self._names, "<comprehension>"])
        return super().on_visit(node)

    def visit_SimpleStatementLine(self, node: cst.SimpleStatementLine) -> None:
        self._statement = node

    def leave_SimpleStatementLine(self, original_node: cst.SimpleStatementLine) -> None:
        self._statement = None

    def visit_AssignTarget(self, node: cst.AssignTarget) -> None:
        self._mark(node.target)

    def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
        self._mark(node.target)

    def visit_AugAssign(self, node: cst.AugAssign) -> None:
        self._mark(node.target)

    def _mark(self, target: cst.CSTNode) -> None:
        if self._statement is None:
            return
        stack = [target]
        while stack:
            node = stack.pop()
            if isinstance(node, cst.Name):
                self.statement_of[node] = self._statement
            elif isinstance(node, (cst.Tuple, cst.List)):
                stack.extend(element.value for element in node.elements)
            elif isinstance(node, cst.StarredElement):
                stack.append(node.value)
