"""Whether one expression runs every time another does, within a function.

`loaded_anyway` answers the question behind "the related row is read anyway": reading
`role.user.id` through the foreign key column saves nothing when `role.user.username`
(or `if role.user:`) runs as well, since that read loads the row either way. The other
read counts when it runs whenever the first one does: before it, on a path with no
branch the first one is not also in; or after it, with no `return`, `raise`, `break`,
`continue` or `yield` in between.
"""

from __future__ import annotations

import libcst as cst

from n1fix.cst.syntax import COMPREHENSIONS, SCOPES, children

_JUMPS = (cst.Return, cst.Raise, cst.Break, cst.Continue, cst.Yield)


def read_elsewhere(
    site: cst.Attribute, scope: cst.CSTNode, skip
) -> cst.Attribute | None:
    """Another read of `site` itself (the same `name.attr`, whose `name` is a plain name)
    in `scope` that runs whenever `site` does, or None. `skip(node, parent)` leaves out
    reads that do not count (the same key read elsewhere, an assignment target)."""
    owner, attr = site.value, site.attr.value
    order, parents = _index(scope)
    if site not in order:
        return None
    for node, position in order.items():
        if node is site or not (
            isinstance(node, cst.Attribute) and node.attr.value == attr
        ):
            continue
        if not (isinstance(node.value, cst.Name) and node.value.value == owner.value):
            continue
        if skip(node, parents.get(node)):
            continue
        common = _common_ancestor(node, site, parents)
        if common is None or not _always_below(node, common, parents):
            continue
        if position < order[site] or not _jump_between(site, node, order, parents):
            return node
    return None


def _index(scope: cst.CSTNode):
    """Pre-order positions (source order) and parents of the nodes of `scope`, not
    entering nested functions, lambdas or classes (their code does not run here)."""
    order: dict[cst.CSTNode, int] = {}
    parents: dict[cst.CSTNode, cst.CSTNode] = {}
    stack = [scope]
    while stack:
        node = stack.pop()
        order[node] = len(order)
        below = (
            []
            if (isinstance(node, SCOPES) and node is not scope)
            else list(children(node))
        )
        for child in below:
            parents[child] = node
        stack.extend(reversed(below))
    return order, parents


def _ancestors(node, parents) -> list[cst.CSTNode]:
    chain = [node]
    while chain[-1] in parents:
        chain.append(parents[chain[-1]])
    return chain


def _common_ancestor(a, b, parents):
    above_b = set(map(id, _ancestors(b, parents)))
    return next((n for n in _ancestors(a, parents) if id(n) in above_b), None)


def _always_below(node, common, parents) -> bool:
    """Whether `node` runs whenever the code of `common` around it runs: no branch, loop
    body, handler or short-circuit operand on the way up."""
    child = node
    while child is not common:
        parent = parents[child]
        if _conditional(child, parent):
            return False
        child = parent
    return True


def _conditional(child, parent) -> bool:
    if isinstance(parent, (cst.If, cst.While)):
        return child is not parent.test
    if isinstance(parent, cst.IfExp):
        return child is not parent.test
    if isinstance(parent, cst.BooleanOperation):
        return child is parent.right
    if isinstance(parent, cst.For):
        return child is not parent.iter and child is not parent.target
    if isinstance(parent, (cst.Try, cst.TryStar)):
        return child is not parent.body and child is not parent.finalbody
    if isinstance(parent, COMPREHENSIONS):
        return child is not parent.for_in
    if isinstance(parent, cst.CompFor):
        # the outermost clause's iterable runs once; everything else per item, maybe never
        return child is not parent.iter
    if isinstance(parent, cst.Assert):
        return child is parent.msg
    if isinstance(parent, cst.Match):
        return child is not parent.subject
    return isinstance(parent, (cst.MatchCase, cst.ExceptHandler, cst.ExceptStarHandler))


def _jump_between(site, later, order, parents) -> bool:
    """A jump from the statement holding `site` up to `later` (which then may not run)."""
    statement = site
    while statement in parents and not isinstance(
        statement, (cst.SimpleStatementLine, cst.BaseCompoundStatement)
    ):
        statement = parents[statement]
    start, end = order[statement], order[later]
    around = set(
        map(id, _ancestors(later, parents))
    )  # `return a.b.id, a.b.name`: both run first
    return any(
        isinstance(node, _JUMPS) and start <= position < end and id(node) not in around
        for node, position in order.items()
    )
