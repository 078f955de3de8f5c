"""The analysis behind `lazy-load-in-loop`: loops (and comprehensions) over query rows that
read relationships the query did not load, and the loader option that fixes each.

A read is a *path* of relationship names from the rows' model: `project.renders` is
`("renders",)`, `render.chain` inside `for render in project.renders` is
`("renders", "chain")`. Each path is reported once per loop, at its first read, with the
option that loads it (`selectinload(Project.renders).selectinload(Render.chain)`) and
where it goes: merged into the query's `.options(...)`, or a new `.options(...)` right
after `select(...)`/`session.query(...)`.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Iterable

import libcst as cst

from n1fix.analysis.row_sources import Source, defined_in, row_source
from n1fix.cst.ancestry import nodes_with_ancestry
from n1fix.cst.loop_frames import frames_of
from n1fix.cst.syntax import (
    COMPREHENSIONS,
    SCOPES,
    all_names,
    children,
    names_assigned,
    target_names,
    walk,
)
from n1fix.orm.dialect import Loading, ManagerRead, OptionChain, RowLoader, Style
from n1fix.rules.base import Applicability, Finding
from n1fix.rules.lazy_load_in_loop.filtered_reads import (
    filtered_prefetch,
    prefetch_attrs,
)
from n1fix.rules.lazy_load_in_loop.identity_map import (
    one_target_through_join,
    points_back,
    targets_already_loaded,
    targets_passed_in,
)

_EXPIRE_ALL = {"commit", "rollback", "expire_all"}
_MAY_COMMIT = {"save"}


@dataclass
class Read:
    path: tuple[str, ...]
    node: cst.Attribute  # the first attribute that reads the path's last step
    models: tuple  # the model owning each step
    relationships: tuple  # the relationship of each step
    conditional: bool
    # A related manager's call (`book.tags.all()`): what it does; None for an attribute
    manager: ManagerRead | None = None
    method: str | None = None  # the manager's method called (`all`)
    calls: list = field(default_factory=list)  # every such call on the path (`count`s)
    # For each of `calls`: the whole chain it starts on the manager
    # (`row.rel.filter(...).order_by(...)`), and whether its rows are only iterated
    chains: list = field(default_factory=list)


@dataclass
class LazyLoadPlan:
    site: cst.Attribute  # the read (what the fixer follows between passes)
    source: Source
    path: tuple[str, ...]
    steps: list[
        tuple[str, str, str]
    ]  # (class as spelled here, attribute, loader), from the root
    extend: (
        OptionChain | None
    )  # an option naming a prefix of the path: the new steps go after it
    extend_from: int = 0  # the steps `extend` already names
    imports: list[tuple[str, str]] = field(default_factory=list)
    # A loader written as a call on the query (Django's select_related); then no steps
    row_loader: RowLoader | None = None
    reads: list = field(default_factory=list)  # calls that become `row.<reads_as>`
    # (chain on a related manager, attribute): each becomes `row.<attribute>`
    replaced: list = field(default_factory=list)


def find(ctx, rule) -> Iterable[Finding]:
    for loop, ancestry in _loops(ctx.module):
        yield from _check_loop(rule, ctx, loop, ancestry)


def find_serialized(ctx, rule) -> Iterable[Finding]:
    """Relations a DRF list view's serializer reads per row of its `queryset`."""
    from n1fix.rules.lazy_load_in_loop.drf import find_drf

    yield from find_drf(ctx, rule, _read_elsewhere(ctx, rule))


def find_templated(ctx, rule) -> Iterable[Finding]:
    """Relations a template reads per row of the queryset a view renders into it."""
    from n1fix.rules.lazy_load_in_loop.templates import find_templated as find

    yield from find(ctx, rule, _read_elsewhere(ctx, rule))


def _read_elsewhere(ctx, rule):
    """The finding for a relation read per row outside this module's code (by a
    serializer, a template): `finding(source, path, relationships, loadings, node,
    message, unsafe)`, at `node`, with the loader the dialect writes on the rows'
    queryset; `unsafe` says why that fix is not safe, or None."""

    def finding(source, path, relationships, loadings, node, message, unsafe):
        models = [source.model]
        for rel in relationships[:-1]:
            models.append(ctx.project.models.get(rel.target) if rel.target else None)
        read = Read(path, node, tuple(models), relationships, False)
        loader = ctx.orm.row_loader(
            source.shape.statement_calls, source.options, path, relationships, loadings
        )
        if loader is None:
            return
        if unsafe is not None and loader.missing is None and loader.unsafe is None:
            loader = dataclasses.replace(loader, unsafe=unsafe)
        yield from _row_loader_finding(rule, ctx, None, source, read, loader, message)

    return finding


def _loops(module: cst.Module):
    """Every `for` statement and comprehension, with its ancestry (module first)."""
    return nodes_with_ancestry(
        module, lambda node, ancestry: _is_sync_loop(node), _LOOPS
    )


_LOOPS = frozenset({cst.For, *COMPREHENSIONS})


def _is_sync_loop(node: cst.CSTNode) -> bool:
    return (isinstance(node, cst.For) and node.asynchronous is None) or (
        isinstance(node, COMPREHENSIONS) and node.for_in.asynchronous is None
    )


def _check_loop(rule, ctx, loop, ancestry: list[cst.CSTNode]) -> Iterable[Finding]:
    clause = loop if isinstance(loop, cst.For) else loop.for_in
    rows = _rows_of(clause.target, clause.iter)
    if rows is None:
        return
    name, iterable = rows
    if _iterates_outer_item(iterable, ancestry):
        return  # `for render in project.renders` inside a loop over projects: the outer loop reports it
    source = row_source(ctx, iterable, ancestry)
    if source is None:
        return
    if isinstance(loop, cst.For) and name in names_assigned(loop.body):
        return  # the loop variable is rebound: its reads are not the rows
    collector = _Reads(ctx)
    env = {name: _Bound((), source.model)}
    if isinstance(loop, cst.For):
        collector.visit(loop.body, env, may_stop_early(loop.body))
    else:
        collector.visit_comprehension(loop, env, False, skip_first_iter=True)
    identity_map = ctx.orm.identity_map
    for read in collector.reads.values():
        if points_back(read):
            continue  # `render.project` inside `project.renders`: the outer row itself
        if not identity_map:
            yield from _finding(rule, ctx, loop, source, read, None, ancestry=ancestry)
            continue
        if len(read.path) == 1 and targets_already_loaded(
            ctx, source, read.relationships[0], ancestry
        ):
            continue  # the identity map answers each row's parent: no query per row
        if one_target_through_join(ctx, source, read, ancestry):
            continue  # `task.member.team`, the query joined to members of one team: one Team
        passed_in = (
            targets_passed_in(ctx, source, read.relationships[0], ancestry)
            if len(read.path) == 1
            else None
        )
        yield from _finding(
            rule,
            ctx,
            loop,
            source,
            read,
            _commits(ctx, loop, ancestry, {name: source.model}),
            passed_in,
        )


_SAME_ROWS = {"list", "tuple", "sorted", "reversed"}


def _rows_of(target, iterable) -> tuple[str, cst.BaseExpression] | None:
    """The name bound to each row and the expression giving the rows: `for p in rows`,
    `for i, p in enumerate(rows)`, `for p in sorted(rows, key=...)`."""
    while (
        isinstance(iterable, cst.Call)
        and isinstance(iterable.func, cst.Name)
        and iterable.args
    ):
        func, first = iterable.func.value, iterable.args[0]
        if first.keyword is not None or first.star:
            return None
        if (
            func == "enumerate"
            and isinstance(target, cst.Tuple)
            and len(target.elements) == 2
        ):
            target, iterable = target.elements[1].value, first.value
        elif func in _SAME_ROWS:
            iterable = first.value
        else:
            break
    if not isinstance(target, cst.Name):
        return None
    return target.value, iterable


def may_stop_early(body: cst.CSTNode) -> bool:
    """Whether some items may skip the rest of a loop body, or the loop end before the
    last item: a `break` or `continue` of this loop, or a `return`. (A `raise` ends the
    whole run with an error; loading up front does not change that.)"""
    stack = list(children(body))
    while stack:
        node = stack.pop()
        if isinstance(node, (cst.Break, cst.Continue, cst.Return)):
            return True
        if isinstance(node, SCOPES):
            continue
        if isinstance(node, (cst.For, cst.While)):
            stack.extend(n for n in walk(node) if isinstance(n, cst.Return))
            continue
        stack.extend(children(node))
    return False


def _iterates_outer_item(iterable, ancestry) -> bool:
    base = iterable
    while isinstance(base, cst.Attribute):
        base = base.value
    if base is iterable or not isinstance(base, cst.Name):
        return False
    return any(
        base.value in frame.targets for frame in frames_of(ancestry + [iterable])
    )


# -- what the loop reads ------------------------------------------------------------------


@dataclass(frozen=True)
class _Bound:
    """A name holding rows: the path from the loop's rows, their model, and the models and
    relationships along the path."""

    path: tuple[str, ...]
    model: object
    models: tuple = ()
    rels: tuple = ()


class _Reads:
    """Walks a loop's per-item code, following names bound to rows (and to rows reached
    through relationships), and records each relationship path read."""

    def __init__(self, ctx) -> None:
        self.ctx = ctx
        self.reads: dict[tuple[str, ...], Read] = {}
        # Expressions whose rows are read where they stand: iterated, or handed to a
        # builtin that iterates them (`list(...)`, `len(...)`)
        self.evaluated: set[int] = set()
        # Each call of a method chain -> the chain's outermost call (seen first)
        self.outermost: dict[int, cst.Call] = {}

    def visit(self, node: cst.CSTNode, env: dict, conditional: bool) -> None:
        if isinstance(node, SCOPES):
            return
        if isinstance(node, cst.Attribute):
            self._attribute(node, env, conditional)
            return
        if isinstance(node, cst.Call):
            if isinstance(node.func, cst.Name) and node.func.value in _ITERATING:
                self.evaluated.update(id(arg.value) for arg in node.args)
            inner = node
            while isinstance(inner, cst.Call) and isinstance(inner.func, cst.Attribute):
                self.outermost.setdefault(id(inner), node)
                inner = inner.func.value
            self._manager_call(node, env, conditional)
        if isinstance(node, cst.For):
            self.evaluated.add(id(node.iter))
            self.visit(node.iter, env, conditional)
            inner = self._bind(node.target, node.iter, env)
            self.visit(node.body, inner, conditional or may_stop_early(node.body))
            if node.orelse is not None:
                self.visit(node.orelse, env, True)
            return
        if isinstance(node, COMPREHENSIONS):
            self.visit_comprehension(node, env, conditional)
            return
        if isinstance(node, cst.If):
            self.visit(node.test, env, conditional)
            self.visit(node.body, env, True)
            if node.orelse is not None:
                self.visit(node.orelse, env, True)
            return
        if isinstance(node, cst.IfExp):
            self.visit(node.test, env, conditional)
            self.visit(node.body, env, True)
            self.visit(node.orelse, env, True)
            return
        if isinstance(node, cst.BooleanOperation):
            self.visit(node.left, env, conditional)
            self.visit(node.right, env, True)
            return
        if isinstance(
            node, (cst.While, cst.Match, cst.ExceptHandler, cst.ExceptStarHandler)
        ):
            for child in children(node):
                self.visit(child, env, True)
            return
        if isinstance(node, cst.Assign):
            self.visit(node.value, env, conditional)
            names = set().union(*(target_names(t.target) for t in node.targets))
            for bound in names & set(env):
                env.pop(bound)
            if len(node.targets) == 1 and isinstance(node.targets[0].target, cst.Name):
                resolved = self._resolve(node.value, env)
                if (
                    resolved is not None and resolved[1] is False
                ):  # `user = order.user`: a row too
                    env[node.targets[0].target.value] = resolved[0]
            return
        for bound in _bound_by(node):
            env.pop(bound, None)
        for child in children(node):
            self.visit(child, env, conditional)

    def visit_comprehension(
        self, comp, env: dict, conditional: bool, skip_first_iter: bool = False
    ) -> None:
        inner = dict(env)
        clause = comp.for_in
        first = True
        while clause is not None:
            if not (first and skip_first_iter):  # the loop's own rows: already bound
                self.evaluated.add(id(clause.iter))
                self.visit(clause.iter, inner, conditional)
                inner = self._bind(clause.target, clause.iter, inner)
            for test in clause.ifs:
                self.visit(test, inner, conditional)
            conditional = conditional or bool(clause.ifs)
            clause = clause.inner_for_in
            first = False
        if isinstance(comp, cst.DictComp):
            self.visit(comp.key, inner, conditional)
            self.visit(comp.value, inner, conditional)
        else:
            self.visit(comp.elt, inner, conditional)

    def _bind(self, target, iterable, env: dict) -> dict:
        inner = {k: v for k, v in env.items() if k not in target_names(target)}
        if isinstance(target, cst.Name):
            resolved = self._resolve(iterable, env)
            if (
                resolved is not None and resolved[1] is not False
            ):  # a collection's items
                inner[target.value] = resolved[0]
        return inner

    def _resolve(self, expr, env) -> tuple[_Bound, bool | None] | None:
        """What `row.rel1.rel2` holds (and the last relationship's uselist), or None;
        `row.rel.all()` on a related manager: its rows."""
        if isinstance(expr, cst.Call) and isinstance(expr.func, cst.Attribute):
            manager = self._resolve(expr.func.value, env)
            if (
                manager is not None
                and manager[0].rels
                and self.ctx.orm.manager_read(manager[0].rels[-1], expr.func.attr.value)
                is ManagerRead.ROWS
            ):
                return manager[0], True
            return None
        chain = []
        base = expr
        while isinstance(base, cst.Attribute):
            chain.append(base.attr.value)
            base = base.value
        if not chain or not isinstance(base, cst.Name) or base.value not in env:
            return None
        bound = env[base.value]
        uselist: bool | None = False
        for i, attr in enumerate(reversed(chain)):
            rel = bound.model.relationship(attr)
            if rel is None or (i > 0 and uselist is not False):
                return None
            target = self.ctx.project.models.get(rel.target) if rel.target else None
            if target is None:
                return None
            bound = _Bound(
                bound.path + (attr,),
                target,
                bound.models + (bound.model,),
                bound.rels + (rel,),
            )
            uselist = rel.uselist
        return bound, uselist

    def _attribute(self, node: cst.Attribute, env: dict, conditional: bool) -> None:
        nodes = []
        base: cst.BaseExpression = node
        while isinstance(base, cst.Attribute):
            nodes.append(base)
            base = base.value
        nodes.reverse()  # innermost first: row.a, row.a.b, ...
        if not isinstance(base, cst.Name):
            self.visit(base, env, conditional)
            return
        if base.value not in env:
            return
        bound = env[base.value]
        for i, attr_node in enumerate(nodes):
            attr = attr_node.attr.value
            rel = bound.model.relationship(attr)
            if rel is None:
                return
            if self.ctx.orm.manager_read(rel, None) is not None:
                return  # a related manager: what runs is the call on it (`_manager_call`)
            target = self.ctx.project.models.get(rel.target) if rel.target else None
            following = nodes[i + 1].attr.value if i + 1 < len(nodes) else None
            if (
                following is not None
                and i + 2 == len(nodes)
                and _key_via_relationship(bound.model, rel, target, following)
            ):
                return  # `row.rel.id`: related-key-via-relationship reads the foreign key instead
            self._record(
                bound.path + (attr,),
                attr_node,
                bound.models + (bound.model,),
                bound.rels + (rel,),
                conditional,
            )
            if rel.uselist is not False or target is None:
                return
            bound = _Bound(
                bound.path + (attr,),
                target,
                bound.models + (bound.model,),
                bound.rels + (rel,),
            )

    def _manager_call(self, call: cst.Call, env: dict, conditional: bool) -> None:
        """`row.tags.all()`, `row.reviews.count()`: a call on a related manager read per
        row, recorded with what it does."""
        func = call.func
        if not isinstance(func, cst.Attribute):
            return
        resolved = self._resolve(func.value, env)
        if resolved is None or not resolved[0].rels:
            return
        bound = resolved[0]
        kind = self.ctx.orm.manager_read(bound.rels[-1], func.attr.value)
        if kind is None or kind is ManagerRead.OTHER:
            return
        if kind is ManagerRead.ROWS and id(call) not in self.evaluated:
            return  # `f(book.tags.all())`: a QuerySet handed on; what runs is unknown
        self._record(
            bound.path,
            func.value,
            bound.models,
            bound.rels,
            conditional,
            kind,
            call,
        )

    def _record(
        self, path, node, models, rels, conditional, manager=None, call=None
    ) -> None:
        # a filtered manager call runs its query whatever loads the path: kept apart
        key = (path, manager is ManagerRead.FILTERED)
        known = self.reads.get(key)
        method = call.func.attr.value if call is not None else None
        if known is None:
            known = self.reads[key] = Read(
                path, node, models, rels, conditional, manager, method
            )
        elif known.conditional and not conditional:
            known.conditional = False
        if known.manager is ManagerRead.COUNT and manager is ManagerRead.ROWS:
            # the rows loaded with the query serve the count too
            known.manager, known.method, known.node = manager, method, node
        if call is not None:
            known.calls.append(call)
            chain = self.outermost.get(id(call), call)
            known.chains.append((chain, id(chain) in self.evaluated))


# Builtins that read every row of what they are given.
_ITERATING = {
    "list",
    "tuple",
    "set",
    "frozenset",
    "sorted",
    "len",
    "sum",
    "min",
    "max",
    "any",
    "all",
    "enumerate",
    "zip",
    "dict",
}


def _bound_by(node) -> set[str]:
    if isinstance(node, (cst.AnnAssign, cst.AugAssign, cst.NamedExpr)):
        return target_names(node.target)
    if isinstance(node, cst.With):
        return set().union(
            *(
                target_names(item.asname.name)
                for item in node.items
                if item.asname is not None
            )
        )
    return set()


def _key_via_relationship(model, rel, target, attr: str) -> bool:
    """`row.rel.<target's primary key>` where the row has the foreign key column."""
    from n1fix.analysis.foreign_keys import foreign_key_for

    return foreign_key_for(model, rel, target, attr) is not None


# -- findings -----------------------------------------------------------------------------


def _finding(
    rule,
    ctx,
    loop,
    source: Source,
    read: Read,
    commit: Commit | None,
    passed_in: str | None = None,
    ancestry=None,
) -> Iterable[Finding]:
    options = source.options
    filtered = read.manager is ManagerRead.FILTERED
    if options.opaque and not filtered:
        return  # an option n1fix cannot read may load it
    strategies = []
    for k, rel in enumerate(read.relationships, start=1):
        strategies.append(ctx.orm.loading(options, read.path[:k], rel))
    last = strategies[-1]
    if last is not Loading.LAZY and not filtered:
        return  # loaded with the rows, never, or raising: no query per item either way
    rel = read.relationships[-1]
    target = (rel.target or "").rsplit(".", 1)[-1] or "the related rows"
    where = "its loop" if isinstance(loop, cst.For) else "a comprehension"
    iterable = ctx.code(loop.iter if isinstance(loop, cst.For) else loop.for_in.iter)
    if len(iterable) <= 40 and "\n" not in iterable:
        where = f"`{iterable}`"
    reading = ctx.code(read.node)
    loader = ctx.orm.row_loader(
        source.shape.statement_calls,
        options,
        read.path,
        read.relationships,
        strategies,
    )
    if loader is None and source.shape.style is Style.DJANGO:
        return  # a QuerySet read by a dialect that writes no loader for it
    if read.manager is not None:
        reading = f"{reading}.{read.method}()"
        message = (
            f"`{reading}` runs a query once per item of {where} (1 + N round trips)"
        )
        yield from _manager_finding(
            rule, ctx, loop, source, read, loader, message, ancestry
        )
        return
    message = f"`{reading}` lazy-loads `{target}` once per item of {where} (1 + N round trips)"
    if loader is not None:
        yield from _row_loader_finding(rule, ctx, loop, source, read, loader, message)
        return
    plan, missing = _plan(ctx, source, read, strategies)
    option = _option_text(plan) if plan is not None else None
    if source.shape.is_async:
        message += "; under AsyncSession it raises MissingGreenlet"
    if commit is not None and commit.certain:
        expiring = (
            f"the loop calls {commit.reason}: each commit"
            if commit.reason
            else f"`{commit.code}` in the loop"
        )
        missing = (
            f"no fix: {expiring} expires every loaded object (expire_on_commit), so a loader option "
            "would load it again per item; commit once after the loop"
        )
        yield rule.finding_at(
            ctx,
            read.node,
            message + f"; {missing}",
            Applicability.NONE,
            missing,
            loop=loop,
        )
        return
    if plan is None:
        yield rule.finding_at(
            ctx,
            read.node,
            message + f": {missing}",
            Applicability.NONE,
            missing,
            loop=loop,
        )
        return
    if passed_in is not None:
        missing = (
            f"no fix: the query is filtered on the ids of objects the caller passed in (`{passed_in}`); if the "
            f"session holds them, each `{reading}` is answered by the identity map and `{option}` would add a query"
        )
        yield rule.finding_at(
            ctx,
            read.node,
            message + f"; {missing}",
            Applicability.NONE,
            missing,
            loop=loop,
        )
        return
    message += f"; load it with the rows: `{option}`"
    if source.helper is not None:
        message += f" in `{source.helper}()`"
    applicability, note = Applicability.SAFE, None
    if read.conditional:
        applicability = Applicability.UNSAFE
        note = (
            f"`{reading}` is read only in some iterations (a branch, or a loop that may stop early): "
            f"`{option}` loads it for every row, one more query even when no row needs it"
        )
    elif commit is not None:
        applicability = Applicability.UNSAFE
        calls = commit.reason or f"`{commit.code}`, which may commit"
        note = (
            f"the loop calls {calls}: each commit expires every loaded object "
            "(expire_on_commit), and the option's rows would load again per item"
        )
    elif source.helper is not None:
        applicability = Applicability.UNSAFE
        note = f"the option goes into `{source.helper}()`, which returns the rows: every caller of it loads `{reading.split('.')[-1]}` from then on"
    yield rule.finding_at(
        ctx, read.node, message, applicability, note, plan=plan, loop=loop
    )


def _manager_finding(
    rule,
    ctx,
    loop,
    source: Source,
    read: Read,
    loader: RowLoader | None,
    message: str,
    ancestry=None,
) -> Iterable[Finding]:
    """A call on a related manager per row: `.all()` -> the rows loaded with the query's;
    a filtered one -> a `Prefetch(..., to_attr=...)` when it can be shown to load the
    same rows; `.count()` / `.exists()` -> an annotation; else reported without a fix."""
    if read.manager is ManagerRead.FILTERED:
        prefetch = filtered_prefetch(
            ctx,
            loop,
            ancestry or [],
            source,
            read,
            _loop_write(ctx, loop, source, read),
            lambda model: _spell_model(ctx, model, source),
        )
        if prefetch is not None and prefetch.missing is None:
            replaced = [
                (chain, attr)
                for (chain, _), attr in zip(read.chains, prefetch_attrs(read, prefetch))
            ]
            yield from _row_loader_finding(
                rule, ctx, loop, source, read, prefetch, message, replaced
            )
            return
        missing = (
            prefetch.missing
            if prefetch is not None
            else (
                f"no fix: `.{read.method}()` on the related manager queries whatever"
                " the rows loaded; a `Prefetch(..., queryset=..., to_attr=...)` would"
                " load it with the rows, but into another attribute the loop must then"
                " read"
            )
        )
        yield rule.finding_at(
            ctx,
            read.node,
            f"{message}; {missing}",
            Applicability.NONE,
            missing,
            loop=loop,
        )
        return
    if read.manager is ManagerRead.COUNT and loader is not None:
        counted = _row_count(ctx, loop, source, read) or _row_exists(
            ctx, loop, source, read
        )
        if counted is not None:
            yield from _row_loader_finding(
                rule, ctx, loop, source, read, counted, message
            )
            return
    if read.manager is ManagerRead.COUNT:
        missing = (
            "no fix: counting with the rows (`annotate(Count(..., distinct=True))` of"
            " the relation) changes what the loop reads; n1fix does not write it yet"
        )
        yield rule.finding_at(
            ctx,
            read.node,
            f"{message}; {missing}",
            Applicability.NONE,
            missing,
            loop=loop,
        )
        return
    yield from _row_loader_finding(rule, ctx, loop, source, read, loader, message)


# Calls that write rows, by method name, whatever they are called on...
_WRITES = {"create", "bulk_create", "bulk_update", "get_or_create", "update_or_create"}
# ...and those that write only when called on a row or a query (`dict.update` does not).
_ROW_WRITES = {"save", "delete", "update"}


def _loop_write(ctx, loop, source: Source, read: Read) -> str | None:
    """A call in a `for` loop's body that may write rows a per-row read would see: a
    create or bulk write; `save()` / `delete()` / `update()` on a query or an object
    other than the loop's row; the row's own `save()` / `delete()` when a relation on
    the path leads back to the rows' model (a self reference)."""
    if not isinstance(loop, cst.For):
        return None
    row = loop.target.value if isinstance(loop.target, cst.Name) else None
    back_to_rows = any(
        rel.target == source.model.qualname for rel in read.relationships
    )
    for node in walk(loop.body):
        if not isinstance(node, cst.Call) or not isinstance(node.func, cst.Attribute):
            continue
        method = node.func.attr.value
        receiver = node.func.value
        if method in _WRITES:
            return ctx.code(node.func) + "(...)"
        if method not in _ROW_WRITES:
            continue
        if isinstance(receiver, cst.Name) and receiver.value == row:
            if back_to_rows and method != "update":
                return ctx.code(node.func) + "()"
            continue
        if method == "update" and not isinstance(receiver, cst.Call):
            continue  # `counts.update(...)`: a dict or a set
        return ctx.code(node.func) + "(...)"
    return None


def _row_count(ctx, loop, source: Source, read: Read) -> RowLoader | None:
    """The count computed with the rows, for `row.rel.count()` read on the rows
    themselves (not `.exists()`, not deeper)."""
    if len(read.path) != 1 or any(c.func.attr.value != "count" for c in read.calls):
        return None
    if any(c.args for c in read.calls):
        return None
    names = {n.attr.value for n in walk(loop) if isinstance(n, cst.Attribute)}
    return ctx.orm.row_count(source.shape, source.model, read.relationships[-1], names)


def _row_exists(ctx, loop, source: Source, read: Read) -> RowLoader | None:
    """Whether each row's relation has rows, computed with the rows, for
    `row.rel.exists()` read on the rows themselves (not deeper)."""
    if len(read.path) != 1 or any(c.func.attr.value != "exists" for c in read.calls):
        return None
    if any(c.args for c in read.calls):
        return None
    rel = read.relationships[-1]
    related = ctx.project.models.get(rel.target) if rel.target else None
    spelled = None
    if related is not None:
        spelled, needed = _spell_model(ctx, related, source)
        if needed is not None:
            spelled = None  # only a model the module already names
    names = {n.attr.value for n in walk(loop) if isinstance(n, cst.Attribute)}
    return ctx.orm.row_exists(source.shape, source.model, rel, names, spelled)


def _row_loader_finding(
    rule,
    ctx,
    loop,
    source: Source,
    read: Read,
    loader: RowLoader | None,
    message: str,
    replaced: list | None = None,
) -> Iterable[Finding]:
    """The finding whose fix is a loader written as a call on the rows' query."""
    if loader is None or loader.missing is not None:
        missing = loader.missing if loader is not None else "no fix"
        yield rule.finding_at(
            ctx,
            read.node,
            f"{message}: {missing}",
            Applicability.NONE,
            missing,
            loop=loop,
        )
        return
    message += f"; load it with the rows: `{loader.text}`"
    if source.helper is not None:
        message += f" in `{source.helper}()`"
    applicability, note = Applicability.SAFE, None
    write = _loop_write(ctx, loop, source, read)
    if loader.unsafe is not None:
        applicability, note = Applicability.UNSAFE, loader.unsafe
    elif write is not None:
        applicability = Applicability.UNSAFE
        note = (
            f"the loop writes (`{write}`): what `{loader.text}` loads with the rows is"
            " read as it was before the loop, where a query per row saw the earlier"
            " rows' writes"
        )
    elif read.conditional:
        applicability = Applicability.UNSAFE
        note = (
            f"`{ctx.code(read.node)}` is read only in some iterations (a branch, or a loop"
            f" that may stop early): `{loader.text}` loads it for every row"
        )
    elif source.helper is not None:
        applicability = Applicability.UNSAFE
        note = (
            f"`{loader.text}` goes into `{source.helper}()`, which returns the rows:"
            " every caller of it loads them from then on"
        )
    plan = LazyLoadPlan(
        read.node,
        source,
        read.path,
        [],
        None,
        row_loader=loader,
        reads=list(read.calls) if loader.reads_as else [],
        replaced=replaced or [],
    )
    yield rule.finding_at(
        ctx, read.node, message, applicability, note, plan=plan, loop=loop
    )


def _commits(ctx, loop, ancestry, rows: dict) -> Commit | None:
    """The first call in a `for` loop's body that expires every object of the session
    (`session.commit()`, `.rollback()`, `.expire_all()`, a model method that commits, a
    function of this module whose body commits), or else one that may (a `save()` n1fix
    cannot place, which commits in many Flask-SQLAlchemy projects); None if there is none.
    `rows` maps the loop's row variable to the rows' model."""
    if not isinstance(loop, cst.For):
        return None
    maybe = None
    for node in walk(loop.body):
        if isinstance(node, cst.Call):
            found = _commit_of(ctx, node, [*ancestry, loop], rows)
            if found is not None and found.certain:
                return found
            maybe = maybe or found
    return maybe


def _commit_of(ctx, call: cst.Call, ancestry, rows: dict | None) -> Commit | None:
    """Whether `call` commits; `rows` (None: do not follow functions) as for `_commits`."""
    from n1fix.analysis.model_writes import model_method_write

    code = cst.Module([]).code_for_node(call)
    func = call.func
    if isinstance(func, cst.Name) and rows is not None:
        # A function of this module: what its body does, one call deep.
        helper = defined_in(ctx.module.body, func.value)
        if helper is None:
            return None
        inner = [
            _commit_of(ctx, n, [ctx.module, helper], None)
            for n in walk(helper.body)
            if isinstance(n, cst.Call)
        ]
        found = next((c for c in inner if c is not None and c.certain), None) or next(
            (c for c in inner if c), None
        )
        if found is None:
            return None
        verb = "commits" if found.certain else "may commit"
        inner_call = found.code.split("(", 1)[0] + (
            "()" if found.code.endswith("()") else "(...)"
        )
        return Commit(
            code,
            found.certain,
            f"`{func.value}(...)`, which {verb} (it calls `{inner_call}`)",
        )
    if not isinstance(func, cst.Attribute):
        return None
    method = func.attr.value
    if method in _EXPIRE_ALL and not call.args:
        return Commit(code, certain=True)
    # `Setting.create(...)`, a classmethod of the model; or a method of the loop's row
    model = ctx.model_for(func.value)
    if model is None and isinstance(func.value, cst.Name) and rows:
        model = rows.get(func.value.value)
    written = model.writing_method(method) if model is not None else None
    if written is not None:
        what, owner = written
        return (
            Commit(
                code, True, f"`{ctx.code(func)}()`, which commits (`{owner}.{method}`)"
            )
            if what == "commits"
            else None
        )
    hidden = model_method_write(ctx, call, ancestry)
    if hidden is not None and hidden.effect == "commits":
        return Commit(code, hidden.certain, hidden.reason)
    if method in _MAY_COMMIT and not call.args:
        return Commit(code, certain=False)
    return None


@dataclass(frozen=True)
class Commit:
    code: str  # the call as written
    certain: bool  # it commits (else: it may, n1fix cannot see)
    reason: str | None = (
        None  # "`group.save()`, which commits (`CRUDMixin.save`)", when not the call itself
    )


def _plan(
    ctx, source: Source, read: Read, strategies: list[Loading]
) -> tuple[LazyLoadPlan | None, str]:
    """The option to add, or (None, why there is none)."""
    extend_from = 0
    extend = None
    for k in range(len(read.path) - 1, 0, -1):
        chain = source.options.chain_for(read.path[:k])
        if chain is not None and strategies[k - 1] is Loading.EAGER:
            extend, extend_from = chain, k
            break
    steps: list[tuple[str, str, str]] = []
    imports: list[tuple[str, str]] = []
    for k, (model, attr) in enumerate(zip(read.models, read.path)):
        if k < extend_from:
            continue
        if k == 0:
            spelled = source.entity_code
        else:
            spelled, needed = _spell_model(ctx, model, source)
            if spelled is None:
                return (
                    None,
                    f"no fix: `{model.name}` is not imported here, and n1fix cannot tell from where to import it",
                )
            if needed is not None:
                imports.append(needed)
        loader = (
            "selectinload"
            if strategies[k] in (Loading.LAZY, Loading.RAISE)
            else "defaultload"
        )
        steps.append((spelled, attr, loader))
    return LazyLoadPlan(
        read.node, source, read.path, steps, extend, extend_from, imports
    ), ""


def option_calls(plan: LazyLoadPlan) -> list[str]:
    """`selectinload(Project.renders)`, ... one per step the option adds."""
    return [f"{loader}({spelled}.{attr})" for spelled, attr, loader in plan.steps]


def _option_text(plan: LazyLoadPlan) -> str:
    calls = option_calls(plan)
    if plan.extend is not None:
        calls.insert(0, cst.Module([]).code_for_node(plan.extend.arg.value))
    return ".".join(calls)


def _spell_model(
    ctx, model, source: Source
) -> tuple[str | None, tuple[str, str] | None]:
    """How this module names `model` (`Render`, `models.Render`), and the import it needs."""
    index = ctx.project.models
    candidates = [model.name]
    if "." in source.entity_code:
        candidates.append(source.entity_code.rsplit(".", 1)[0] + "." + model.name)
    candidates.extend(
        local
        for local, target in ctx.imports.items()
        if target.rsplit(".", 1)[-1] == model.name
    )
    for candidate in candidates:
        found = index.resolve(candidate, ctx.imports, ctx.module_name)
        if found is not None and found.qualname == model.qualname:
            return candidate, None
    root = source.model
    root_import = ctx.imports.get(source.entity_code)
    if (
        root_import
        and model.module == root.module
        and model.name not in all_names(ctx.module)
    ):
        return model.name, (root_import.rsplit(".", 1)[0], model.name)
    return None, None


__all__ = ["LazyLoadPlan", "Source", "find", "option_calls"]
