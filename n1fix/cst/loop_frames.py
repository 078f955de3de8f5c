"""The loops around an expression: which ones run it once per item, and where to hoist.

A *frame* is a loop (a `for` statement or a comprehension) inside whose per-item part an
expression sits. Frames are read off the ancestry of the expression (Module first), and
stop at the nearest function, lambda or class: code in a nested function does not run
per item of a loop around its definition.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import libcst as cst

from n1fix.cst.syntax import COMPREHENSIONS, SCOPES, names_assigned, target_names

# A loop over at most this many items written out in the code (`for key in ("a", "b")`)
# runs a fixed number of times, whatever the data: a batch saves a round trip or two and
# makes the code longer, so no fix is offered (the finding stays: the reads still add up).
FEW_ITEMS = 4
FEW_ITEMS_NOTE = (
    "the loop runs over a few items written out in the code, not over data: a batch would "
    "save a round trip or two and make the code longer (one query for all of them, by hand, "
    "if it matters)"
)
_DISPLAYS = (cst.Tuple, cst.List, cst.Set)

# The statement kinds whose header runs once, so a comprehension in it can be hoisted above.
_HOISTABLE_HEADERS = (cst.SimpleStatementLine, cst.For, cst.If, cst.With)


@dataclass
class Frame:
    node: cst.CSTNode  # cst.For or a comprehension
    index: int  # position of `node` in the ancestry
    targets: set[str]  # names the loop binds per item
    varying: set[str]  # names whose value may change per item
    clauses: list[cst.CompFor] = field(
        default_factory=list
    )  # comprehensions: clauses that run per item

    @property
    def is_for(self) -> bool:
        return isinstance(self.node, cst.For)

    @property
    def first_iter(self) -> cst.BaseExpression:
        return self.node.iter if self.is_for else self.clauses[0].iter

    @property
    def is_async(self) -> bool:
        if self.is_for:
            return self.node.asynchronous is not None
        return any(c.asynchronous is not None for c in self.clauses)


def frames_of(ancestry: list[cst.CSTNode]) -> list[Frame]:
    """The frames around the last node of `ancestry`, outermost first."""
    frames: list[Frame] = []
    for i, node in enumerate(ancestry[:-1]):
        child = ancestry[i + 1]
        if isinstance(node, SCOPES):
            frames = []
        elif isinstance(node, cst.For) and child is node.body:
            targets = target_names(node.target)
            frames.append(Frame(node, i, targets, targets | names_assigned(node.body)))
        elif isinstance(node, COMPREHENSIONS):
            clauses = _clauses_covering(node, ancestry[i + 1 :])
            if clauses:
                targets: set[str] = set()
                for clause in clauses:
                    targets |= target_names(clause.target)
                frames.append(Frame(node, i, targets, set(targets), clauses))
    return frames


def few_fixed_items(frames: list[Frame]) -> bool:
    """Whether every frame iterates a literal display of at most FEW_ITEMS items, none
    starred: the code runs a fixed, small number of times, not once per row of data."""
    for frame in frames:
        iterables = (
            [frame.node.iter]
            if frame.is_for
            else [clause.iter for clause in frame.clauses]
        )
        for iterable in iterables:
            if (
                not isinstance(iterable, _DISPLAYS)
                or len(iterable.elements) > FEW_ITEMS
            ):
                return False
            if any(
                isinstance(element, cst.StarredElement) for element in iterable.elements
            ):
                return False
    return bool(frames)


def _clauses_covering(comp: cst.CSTNode, below: list[cst.CSTNode]) -> list[cst.CompFor]:
    """The `for` clauses of `comp` whose every item evaluates the node at the end of `below`."""
    chain: list[cst.CompFor] = []
    clause: cst.CompFor | None = comp.for_in
    while clause is not None:
        chain.append(clause)
        clause = clause.inner_for_in
    first = below[0]
    if first is not comp.for_in:
        return (
            chain  # in the element (or key/value): runs for every item of every clause
        )
    for depth, node in enumerate(below):
        if not isinstance(node, cst.CompFor):
            break
        nxt = below[depth + 1] if depth + 1 < len(below) else None
        position = chain.index(node)
        if nxt is node.iter:
            return chain[
                :position
            ]  # the iterable of clause k runs per item of clauses < k
        if any(nxt is if_ for if_ in node.ifs):
            return chain[: position + 1]
    return chain


def statement_index(ancestry: list[cst.CSTNode], below: int) -> int | None:
    """Index of the innermost statement above position `below` in the ancestry."""
    for i in range(below - 1, -1, -1):
        if isinstance(
            ancestry[i], (cst.SimpleStatementLine, cst.BaseCompoundStatement)
        ):
            return i
    return None


def hoist_anchor(
    ancestry: list[cst.CSTNode], frame: Frame
) -> tuple[int | None, str | None]:
    """Where batched code can go for this frame: (ancestry index of the statement, or a reason).

    A `for` frame hoists above the loop itself. A comprehension hoists above the statement
    that holds it, when that statement evaluates it exactly once at its start.
    """
    if frame.is_for:
        return frame.index, None
    at = statement_index(ancestry, frame.index)
    if at is None:
        return None, "the comprehension is not inside a statement"
    statement = ancestry[at]
    if not isinstance(statement, _HOISTABLE_HEADERS):
        return (
            None,
            f"the comprehension sits in a `{type(statement).__name__.lower()}` header",
        )
    if (
        isinstance(statement, cst.If)
        and at > 0
        and isinstance(ancestry[at - 1], cst.If)
    ):
        return None, "the comprehension sits in an `elif` test"
    if isinstance(statement, cst.For) and not any(
        n is statement.iter for n in ancestry[at + 1 : frame.index + 1]
    ):
        return None, "the comprehension is not the loop's iterable"
    for node in ancestry[at + 1 : frame.index]:
        if isinstance(node, (cst.Lambda, *COMPREHENSIONS)):
            return (
                None,
                "the comprehension is nested in another expression that runs it repeatedly",
            )
    return at, None


def is_conditional_in(ancestry: list[cst.CSTNode], start: int, end: int) -> bool:
    """Whether a node between ancestry[start] and ancestry[end] makes running `end` conditional."""
    for i in range(start + 1, end):
        if makes_conditional(ancestry[i], ancestry[i + 1]):
            return True
    return False


def makes_conditional(node: cst.CSTNode, child: cst.CSTNode) -> bool:
    """Does `node` run its part `child` only sometimes? The left operand of `or`/`and` and
    the test of a conditional expression always run; what follows them may not."""
    if isinstance(node, cst.BooleanOperation):
        return child is not node.left
    if isinstance(node, cst.IfExp):
        return child is not node.test
    return isinstance(node, (cst.While, cst.Try, cst.TryStar, cst.Match))


def loop_words(ctx, frame: Frame) -> str:
    """How a message names the loop: its iterable when short, else "its loop"."""
    iterable = ctx.code(frame.first_iter)
    return (
        f"`{iterable}`" if len(iterable) <= 40 and "\n" not in iterable else "its loop"
    )
