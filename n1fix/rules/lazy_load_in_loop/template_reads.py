"""What a Django template reads once per row: the nodes Django renders for a template
name (`render_tree`: its parents with the blocks it overrides put in, each node knowing
its template), and the relation paths a walk of them records (`TemplateReads`) from the
variables a view puts in the context (`Bound`).

A row's loop is a `{% for %}` over rows (a view's queryset, a row's related manager's
`.all`): what its body reads on the row, through foreign keys, `{% with %}`, an
`{% include %}` given the row, and a nested loop's rows, is recorded with whether it is
read for every row (`conditional`: under an `{% if %}`, after an `and` / `or`, in an
`{% ifchanged %}`, a nested loop's `{% empty %}`).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from pathlib import Path

from n1fix.orm.dialect import ManagerRead
from n1fix.orm.django_template_places import find_template
from n1fix.rules.lazy_load_in_loop import template_syntax as ts

# Filters after which the value a template prints is the rows themselves, evaluated.
_ROW_FILTERS = {
    "length",
    "join",
    "first",
    "last",
    "slice",
    "dictsort",
    "dictsortreversed",
    "unordered_list",
    "length_is",
    "default",
    "yesno",
}
# Tags whose meaning n1fix knows though they read nothing it follows.
_KNOWN_OPAQUE = {"comment", "cache"}

_MAX_DEPTH = 8  # extends and includes followed, one inside the other
_ANY = object()  # every variable (what an unknown tag in a row's loop may set)


@dataclass(frozen=True)
class Bound:
    """What a template variable holds: the rows (`rows`), or an object reached from the
    view's root by `path` through `rels`; `per_row` when that happens once per row."""

    path: tuple[str, ...]
    model: object
    models: tuple = ()
    rels: tuple = ()
    per_row: bool = False
    rows: bool = False
    page: bool = False  # a paginated ListView's `page_obj`: its `object_list` the rows


@dataclass
class TemplateRead:
    path: tuple[str, ...]
    models: tuple
    relationships: tuple
    kind: ManagerRead | None  # None: an attribute (a foreign key's object)
    conditional: bool
    where: str  # "books/list.html:4"
    text: str  # the expression as written
    method: str | None = None


@dataclass
class TemplateReads:
    """Walks a rendered template, recording the relation paths read once per row."""

    ctx: object
    root: Path
    reads: dict = field(default_factory=dict)
    seen: set = field(default_factory=set)

    def nodes(self, nodes, env: dict, conditional: bool) -> set:
        """Walk `nodes` with their own copy of `env`; the variables tags n1fix does not
        know may have set there (`_ANY`: any), which outlive these nodes unless a tag
        that pushes a context of its own holds them."""
        env = dict(env)
        changed: set = set()
        for node in nodes:
            names = self.node(node, env, conditional)
            if _ANY in names:
                env.clear()
            for name in names:
                env.pop(name, None)
            changed |= names
        return changed

    def node(self, node, env: dict, conditional: bool) -> set:
        at = f"{getattr(node, 'template', '?')}:{node.line}"
        if isinstance(node, ts.VarNode):
            self.expr(node.expr, env, conditional, at)
        elif isinstance(node, ts.ForNode):
            self._for(node, env, conditional, at)
        elif isinstance(node, ts.IfNode):
            changed: set = set()
            for operands, body in node.branches:
                for expr, later in operands:
                    self.expr(expr, env, conditional or later, at, evaluates=True)
                changed |= self.nodes(body, env, True)
            return changed
        elif isinstance(node, ts.WithNode):
            inner = dict(env)
            for name, expr in node.bindings.items():
                inner.pop(name, None)
                bound = self.expr(expr, env, conditional, at)
                if bound is not None:
                    inner[name] = bound
            self.nodes(node.body, inner, conditional)
        elif isinstance(node, ts.BlockNode):
            self.nodes(node.body, env, conditional)
        elif isinstance(node, ts.IncludeNode):
            self._include(node, env, conditional, at)
        elif isinstance(node, ts.ReadsNode):
            for i, expr in enumerate(node.reads):
                later = (
                    node.conditional_after is not None and i >= node.conditional_after
                )
                self.expr(expr, env, conditional or later, at)
            return self.nodes(node.body, env, conditional or node.conditional_body)
        elif isinstance(node, ts.OpaqueNode) and node.tag not in _KNOWN_OPAQUE:
            if any(bound.per_row for bound in env.values()):
                return {_ANY}  # in a row's loop: it may have set any variable
            bits = node.bits  # before the loop: what it names after `as`
            return {bits[i + 1] for i in range(len(bits) - 1) if bits[i] == "as"}
        return set()

    def _for(self, node: ts.ForNode, env, conditional, at) -> None:
        bound = self.expr(node.sequence, env, conditional, at, evaluates=True)
        inner = {k: v for k, v in env.items() if k not in node.targets}
        body_conditional = conditional
        if bound is not None and bound.rows and len(node.targets) == 1:
            inner[node.targets[0]] = dataclasses.replace(
                bound, per_row=True, rows=False
            )
            if not bound.path:
                # the view's rows: when this loop does not render, they are not read
                # either, and a loader on them costs nothing
                body_conditional = False
        self.nodes(node.body, inner, body_conditional)
        # `{% empty %}` renders when there are no rows: for a row's related rows, only
        # for some rows
        per_row = any(b.per_row for b in env.values())
        self.nodes(node.empty, env, conditional or per_row)

    def _include(self, node: ts.IncludeNode, env, conditional, at) -> None:
        inner = {} if node.only else dict(env)
        for name, expr in node.bindings.items():
            inner.pop(name, None)
            bound = self.expr(expr, env, conditional, at)
            if bound is not None:
                inner[name] = bound
        if node.name is None or not inner:
            return
        rendered = render_tree(self.root, node.name, len(self.seen))
        if rendered is None or node.name in self.seen:
            return
        self.seen.add(node.name)
        self.nodes(rendered, inner, conditional)
        self.seen.discard(node.name)

    def expr(
        self, expr: ts.FilterExpr, env, conditional, at, evaluates: bool = False
    ) -> Bound | None:
        """Record what `expr` reads; what its value holds when it is rows or an object
        n1fix follows (a value put through a filter is not followed)."""
        for _, arg in expr.filters:
            if arg is not None and arg.lookup is not None:
                self.lookup(arg.lookup, env, conditional, at, expr.text, True)
        if expr.value.lookup is None:
            return None
        first = expr.filters[0][0] if expr.filters else None
        evaluated = evaluates or first is None or first in _ROW_FILTERS
        bound = self.lookup(
            expr.value.lookup, env, conditional, at, expr.text, evaluated
        )
        if bound is None or expr.filters:
            if bound is not None and bound.rows and first in ("slice", "dictsort"):
                return bound  # `books|slice:":5"`: the rows still
            return None
        return bound

    def lookup(self, parts, env, conditional, at, text, evaluated) -> Bound | None:
        bound = env.get(parts[0])
        if bound is None:
            return None
        orm = self.ctx.orm
        models = self.ctx.project.models
        steps = list(parts[1:])
        if bound.page and steps[:1] == ["object_list"]:
            steps = steps[1:]
            bound = dataclasses.replace(bound, page=False)
        i = 0
        while i < len(steps):
            step = steps[i]
            if bound.rows or bound.model is None:
                return None  # `books.count`: on the rows themselves, not per row
            rel = bound.model.relationship(step)
            if rel is None:  # a column, a property, a method: not a relation
                return None
            target = models.get(rel.target) if rel.target else None
            path, path_models = bound.path + (step,), bound.models + (bound.model,)
            rels = bound.rels + (rel,)
            if orm.manager_read(rel, None) is not None:  # a related manager
                method = steps[i + 1] if i + 1 < len(steps) else None
                rest = steps[i + 2 :]
                kind = orm.manager_read(rel, method) if method is not None else None
                if kind is None or kind is ManagerRead.OTHER:
                    return None
                if kind is ManagerRead.ROWS and rest:
                    if rest[0] in ("count", "exists") and len(rest) == 1:
                        kind, method = ManagerRead.COUNT, rest[0]
                    else:
                        return None
                elif kind is ManagerRead.ROWS and not evaluated:
                    return None  # handed to a filter n1fix does not know
                if bound.per_row:
                    self._record(
                        path, path_models, rels, kind, conditional, at, text, method
                    )
                if kind is not ManagerRead.ROWS or target is None:
                    return None
                return Bound(path, target, path_models, rels, bound.per_row, True)
            if bound.per_row:
                self._record(path, path_models, rels, None, conditional, at, text)
            if rel.uselist is not False or target is None:
                return None
            bound = Bound(path, target, path_models, rels, bound.per_row)
            i += 1
        return bound

    def _record(self, path, models, rels, kind, conditional, at, text, method=None):
        key = (path, kind is ManagerRead.FILTERED)
        known = self.reads.get(key)
        if known is None:
            self.reads[key] = TemplateRead(
                path, models, rels, kind, conditional, at, text, method
            )
            return
        if known.conditional and not conditional:
            known.conditional, known.where, known.text = False, at, text
        if known.kind is ManagerRead.COUNT and kind is ManagerRead.ROWS:
            # the rows loaded with the query serve the count too
            known.kind, known.method = kind, method


def render_tree(root: Path, name: str, depth: int = 0):
    """The nodes Django renders for the template `name` (its parents' nodes with the
    blocks it overrides put in), each knowing its template (`template`, for messages);
    None when a template on the way is not found or cannot be read."""
    return _resolved(root, name, {}, depth)


def _resolved(root: Path, name: str, overrides: dict, depth: int):
    if depth > _MAX_DEPTH:
        return None
    path = find_template(root, name)
    if path is None:
        return None
    try:
        template = ts.parse(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ts.TemplateSyntaxError):
        return None
    try:
        shown = path.relative_to(root).as_posix()
    except ValueError:
        shown = name
    _tag_template(template.nodes, shown)
    blocks = {**_blocks(template.nodes), **overrides}
    if template.extends is not None:
        if template.extends.parent is None:
            return None
        return _resolved(root, template.extends.parent, blocks, depth + 1)
    return _put_blocks(template.nodes, blocks)


def _tag_template(nodes, shown: str) -> None:
    for node in nodes:
        node.template = shown
        for child in _children(node):
            _tag_template(child, shown)


def _blocks(nodes) -> dict:
    found = {}
    for node in nodes:
        if isinstance(node, ts.BlockNode):
            found[node.name] = node
        for child in _children(node):
            found.update({k: v for k, v in _blocks(child).items() if k not in found})
    return found


def _children(node):
    if isinstance(node, ts.ForNode):
        return [node.body, node.empty]
    if isinstance(node, ts.IfNode):
        return [body for _, body in node.branches]
    if isinstance(node, (ts.WithNode, ts.BlockNode, ts.ReadsNode)):
        return [node.body]
    return []


def _put_blocks(nodes, blocks: dict):
    """`nodes` with each block's body the most derived template's."""
    out = []
    for node in nodes:
        original = node
        if isinstance(node, ts.BlockNode):
            chosen = blocks.get(node.name, node)
            block = ts.BlockNode(node.line, node.name, _put_blocks(chosen.body, blocks))
            block.template = getattr(chosen, "template", "?")
            out.append(block)
            continue
        if isinstance(node, ts.ForNode):
            node = dataclasses.replace(
                node,
                body=_put_blocks(node.body, blocks),
                empty=_put_blocks(node.empty, blocks),
            )
        elif isinstance(node, ts.IfNode):
            node = dataclasses.replace(
                node,
                branches=[(c, _put_blocks(b, blocks)) for c, b in node.branches],
            )
        elif isinstance(node, (ts.WithNode, ts.ReadsNode)):
            node = dataclasses.replace(node, body=_put_blocks(node.body, blocks))
        if node is not original:
            node.template = original.template
        out.append(node)
    return out


__all__ = ["Bound", "TemplateRead", "TemplateReads", "render_tree"]
