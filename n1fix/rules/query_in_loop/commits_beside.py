"""Project code the loop calls that commits in every item, which makes a batch save
nothing when the loop reads the rows it looked up.

A commit expires every object the session holds (`expire_on_commit`, SQLAlchemy's
default). A batch loads the looked-up rows before the loop; once the first item commits
(`database.update(cert)` -> `db.session.commit()`), each later item's row is expired, and
reading an attribute of it (`authority.name`) loads it again: one SELECT per item, as
before, plus the batch's own (lemur's `certificates/cli.py` autorotate commands). The
loop keeps its finding with that reason and no fix: commit once after the loop, then
batch.

Only calls that run in every item are counted (a statement of the loop body, or of a
`try` / `with` block in it, or one on each side of an `if` / `else` chain), and only
project code whose body, a few calls deep, calls `.commit()`.
"""

from __future__ import annotations

import libcst as cst

from n1fix.cst.loop_frames import Frame
from n1fix.cst.syntax import walk
from n1fix.rules.query_in_loop.shared_session import (
    _project_callee,
    _resolve,
    calls_reached,
)
from n1fix.rules.query_in_loop.wrapper_calls import _project_module

_COMMIT_DEPTH = 3  # project calls followed below the one the loop makes


def commits_expire_rows(
    ctx,
    frame: Frame,
    site: cst.CSTNode,
    ancestry: list[cst.CSTNode],
    session_code: str | None,
) -> str | None:
    """Why a batch of `site`'s rows would save nothing: the loop reads an attribute of
    the row it looks up and calls, in every item, project code that commits the session
    the lookup reads (`session_code` passed to it; None: the lookup reads the
    application's session, which project code reaches on its own); else None."""
    if not frame.is_for or not _attribute_read(site, ancestry, frame):
        return None
    module = _project_module(ctx, ctx.module_name)
    if module is None:
        return None
    function = next(
        (n for n in reversed(ancestry) if isinstance(n, cst.FunctionDef)), None
    )
    own = {
        s.name.value
        for s in ctx.module.body
        if isinstance(s, (cst.FunctionDef, cst.ClassDef))
    }
    inside = {id(n) for n in [site, *walk(site)]}

    def committing(call: cst.Call) -> str | None:
        if id(call) in inside:
            return None
        name = _project_callee(ctx, call.func, own, function)
        if name is None:
            return None
        if session_code is not None and not any(
            ctx.code(arg.value) == session_code for arg in call.args
        ):
            return None
        found = _resolve(ctx, module, call.func)
        return name if found is not None and _commits(ctx, found) else None

    name = _block_commits(frame.node.body, committing)
    if name is not None:
        return (
            f"the loop calls `{name}()` in every item, which commits: each commit "
            "expires every loaded object (expire_on_commit), so the rows a batch "
            "loaded before the loop would load again, one per item, when read; "
            "commit once after the loop"
        )
    return None


def _block_commits(block: cst.BaseSuite, committing) -> str | None:
    """The committing call the block makes in every item that gets past its skips: one
    of its own statements', a `try` / `with` body's, or one on each side of an `if` /
    `else` (lemur's `if real_cert: create_certificate(...) else: update(...)`)."""
    for call in _every_item_calls(block):
        name = committing(call)
        if name is not None:
            return name
    for statement in getattr(block, "body", ()):
        if isinstance(statement, cst.If):
            name = _branches_commit(statement, committing)
            if name is not None:
                return name
    return None


def _branches_commit(statement: cst.If, committing) -> str | None:
    """Every branch of an `if` / `elif` / `else` chain commits (an `if` with no `else`
    does not: the items it skips run no commit)."""
    first = _block_commits(statement.body, committing)
    orelse = statement.orelse
    if first is None or orelse is None:
        return None
    if isinstance(orelse, cst.If):
        rest = _branches_commit(orelse, committing)
    else:
        rest = _block_commits(orelse.body, committing)
    return first if rest is not None else None


def _attribute_read(site: cst.CSTNode, ancestry, frame: Frame) -> bool:
    """The looked-up row has an attribute read: `lookup(...).name`, or `row = lookup(...)`
    and `row.name` in the loop body."""
    parent = ancestry[-2] if len(ancestry) > 1 else None
    if isinstance(parent, cst.Attribute) and parent.value is site:
        return True
    if not (
        isinstance(parent, cst.Assign)
        and len(parent.targets) == 1
        and isinstance(parent.targets[0].target, cst.Name)
    ):
        return False
    name = parent.targets[0].target.value
    return any(
        isinstance(node, cst.Attribute)
        and isinstance(node.value, cst.Name)
        and node.value.value == name
        for node in walk(frame.node.body)
    )


def _every_item_calls(block: cst.BaseSuite):
    """The calls of the statements that run in every item that gets past them: the
    block's own statements, and those of a `try` / `with` body among them."""
    for statement in getattr(block, "body", ()):
        if isinstance(statement, cst.SimpleStatementLine):
            yield from _unconditional_calls(statement)
        elif isinstance(statement, (cst.Try, cst.With)):
            yield from _every_item_calls(statement.body)


def _unconditional_calls(node: cst.CSTNode):
    """Calls in `node` outside a conditional expression, `and` / `or` or lambda."""
    for child in node.children:
        if isinstance(child, (cst.IfExp, cst.BooleanOperation, cst.Lambda)):
            continue
        if isinstance(child, cst.Call):
            yield child
        yield from _unconditional_calls(child)


def _commits(ctx, found) -> bool:
    """The function's body, or a project function it calls (a few calls deep), calls
    `.commit()` or `commit()`."""
    return any(
        isinstance(node.func, cst.Attribute)
        and node.func.attr.value == "commit"
        and not node.args
        for node in calls_reached(ctx, found, _COMMIT_DEPTH)
    )
