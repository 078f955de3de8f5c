"""Queries one call away: a loop calls a project function whose body runs a keyed query.

`for p in projects: RendersDAL.get_by_project_id(session, p.id)` shows no query in the
loop, yet runs one per item. The function index says which project functions run a query
keyed by which parameter; here a call in a loop is matched to one, and the argument given
for that parameter is checked to change per item. The fix calls a batch variant of the
function once, before the loop: the project's own, or one n1fix adds next to the original
(see `batch_variant`; `codemods.query_in_loop.batch_variant` writes it).
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass

import libcst as cst

from n1fix.analysis.callees import callee_of
from n1fix.analysis.declared_none import keys_declared_none
from n1fix.analysis.item_facts import key_gaps, key_type_evidence
from n1fix.analysis.loop_placement import NoFix, Placement, place_body, place_key
from n1fix.analysis.loop_safety import runs_once
from n1fix.analysis.normalised_keys import normalised_column_miss
from n1fix.analysis.untyped_sources import certain_key_miss
from n1fix.cst.loop_frames import Frame, frames_of, loop_words
from n1fix.cst.syntax import names_read, walk
from n1fix.orm.dialect import QueryFunction
from n1fix.rules.base import Applicability, Finding
from n1fix.rules.query_in_loop.batch_variant import BatchVariant, plan_variant
from n1fix.rules.query_in_loop.commits_beside import commits_expire_rows
from n1fix.rules.query_in_loop.distinct_keys import distinct_keys_proof
from n1fix.rules.query_in_loop.injected_params import call_params
from n1fix.rules.query_in_loop.shared_session import project_writes_beside

_CACHE_WORDS = re.compile(r"cache|memo", re.IGNORECASE)


@dataclass
class CallPlan:
    """Everything the codemod needs to call the batch variant once, before the loop."""

    call: cst.Call
    site: cst.BaseExpression  # the call, or the `await` of it: what the lookup replaces
    placement: Placement
    anchor: cst.CSTNode
    key_param: str
    variant: BatchVariant
    scope: cst.CSTNode
    result_name: str | None = (
        None  # `latest` in `latest = RendersDAL.latest_for_project(...)`
    )

    # What the shared keys code (`codemods.query_in_loop._keys`) reads of a plan.
    @property
    def frame(self) -> Frame:
        return self.placement.frame

    @property
    def items(self) -> cst.BaseExpression:
        return self.placement.items

    @property
    def item_target(self) -> cst.BaseExpression:
        return self.placement.item_target

    @property
    def keys_key(self) -> cst.BaseExpression:
        return self.placement.keys_key

    @property
    def keys_filter(self) -> list[cst.BaseExpression]:
        return self.placement.keys_filter

    @property
    def iter_reiterable(self) -> bool:
        # A bulk write replaces the loop: the items are read once, for their keys.
        return self.variant.callee.writes or self.placement.iter_reiterable


def reads_only(ctx, call: cst.Call, ancestry: list[cst.CSTNode]) -> bool:
    """Is `call` a project query function that does not write?"""
    callee = callee_of(ctx, call, ancestry)
    return callee is not None and not callee.writes


def returns_of(ctx, call: cst.Call, ancestry: list[cst.CSTNode]) -> str | None:
    """The head of the return annotation of the project query function `call` calls."""
    callee = callee_of(ctx, call, ancestry)
    return callee.returns if callee is not None else None


def analyze_call(
    rule,
    ctx,
    call: cst.Call,
    site: cst.BaseExpression,
    ancestry: list[cst.CSTNode],
    callee: QueryFunction,
) -> Finding | None:
    frames = frames_of(ancestry)
    if not frames:
        return None
    varying = set().union(*(f.varying for f in frames))
    keyed: list[tuple[str, cst.BaseExpression]] = []
    # What the arguments bind: read once (a decorator's injection is worked out from
    # the callee's module, parsed again on each ask).
    params = call_params(ctx, callee) if callee.key_params else ()
    for param in callee.key_params:
        arg = _argument_for(call, params, param)
        if arg is not None and names_read(arg) & varying:
            keyed.append((param, arg))
    if not keyed:
        return None
    names = set().union(*(names_read(arg) for _, arg in keyed)) & varying
    frame = [f for f in frames if f.varying & names][-1]
    if frame.is_for and runs_once(ancestry[frame.index + 1 :]):
        return None  # the body always leaves after its first item
    where = f"{_display(callee.path)}:{callee.line}"
    what = f"`{callee.model}`" if callee.model else "the database"
    verb = "writes" if callee.writes else "queries"
    trips = "N statements" if callee.writes else "1 + N round trips"
    cache = next((d for d in callee.decorators if _CACHE_WORDS.search(d)), None)
    if cache:
        trips = f"up to {trips}: `@{cache}` may answer repeated keys from its cache"
    message = f"`{ctx.code(call.func)}()` {verb} {what} ({where}) once per item of {loop_words(ctx, frame)} ({trips})"
    owner = callee.owner.rpartition(".")[2] + "." if callee.owner else ""

    def no_fix(note: str, at: Frame = frame) -> Finding:
        return rule.finding_at(
            ctx,
            site,
            f"{message}; no fix: {note}",
            Applicability.NONE,
            note,
            loop=at.node,
        )

    if len(keyed) > 1:
        return no_fix(
            "the call is keyed by several arguments at once; n1fix batches one key"
        )
    param, key_arg = keyed[0]
    try:
        placement = place_key(ctx, frames, key_arg, ancestry)
    except NoFix as reason:
        return no_fix(str(reason), reason.frame or frame)
    frame = placement.frame
    blocker = _varying_part(ctx, call, key_arg, placement)
    if blocker:
        return no_fix(blocker)
    try:
        variant = plan_variant(ctx, callee, param)
    except NoFix as reason:
        return no_fix(f"`{owner}{callee.name}` cannot get a batch method: {reason}")
    if callee.writes:
        alone = _sole_statement_of_loop(frame, site)
        if alone:
            return no_fix(alone)
    session_arg = (
        _argument_for(call, params, variant.session_param)
        if variant.session_param
        else None
    )
    try:
        place_body(
            ctx,
            placement,
            ancestry,
            site=site,
            session_code=ctx.code(session_arg) if session_arg is not None else "",
            columns=variant.columns,
            reads_only=lambda other: reads_only(ctx, other, ancestry),
            returns_of=lambda other: returns_of(ctx, other, ancestry),
            hoisted=[call],
        )
    except NoFix as reason:
        return no_fix(str(reason))
    expired = commits_expire_rows(
        ctx,
        frame,
        ancestry[-1],
        ancestry,
        ctx.code(session_arg) if session_arg is not None else None,
    )
    if expired:
        return no_fix(expired)
    unsafe = [*placement.unsafe, *variant.unsafe, *_evaluated_once(ctx, call, key_arg)]
    if variant.session_param is None and not callee.writes:
        # The batch method reads the application's session, which the caller does not
        # pass: the body check cannot see project code writing through it.
        writes, may_write = project_writes_beside(
            ctx,
            frame,
            call,
            ancestry,
            lambda other: reads_only(ctx, other, ancestry),
            (callee.model or "").rpartition(".")[2] or None,
        )
        distinct = (
            distinct_keys_proof(
                ctx,
                frame,
                placement.keys_key,
                ancestry,
                variant.model.column(variant.key_column)
                if variant.model is not None
                else None,
            )
            if writes
            else None
        )
        if writes and distinct is None:
            return no_fix(writes)
        if writes:
            writes = f"{writes}; {distinct}"
        if writes or may_write:
            unsafe.append(writes or may_write)
    column = (
        variant.model.column(variant.key_column) if variant.model is not None else None
    )
    if column is not None:
        miss = certain_key_miss(
            ctx, variant.model, column, placement.keys_key, frame, ancestry
        )
        if miss:
            return no_fix(miss)
        likely = key_type_evidence(
            ctx, variant.model, column, placement.keys_key, frame, ancestry
        )
        if likely:
            return no_fix(likely)
        normalised = (
            None
            if callee.writes
            else normalised_column_miss(ctx, variant.model, column, placement.keys_key)
        )
        if normalised:
            return no_fix(normalised)
        if (
            callee.writes
            and column.nullable
            and keys_declared_none(placement.keys_key, frame, ancestry)
        ):
            return no_fix(
                f"`{variant.model.name}.{column.attr}` is nullable and the keys are declared to hold None (`== None` matches NULL rows, `in_()` never does)"
            )
        unsafe.extend(
            key_gaps(
                ctx,
                variant.model,
                column,
                placement.keys_key,
                frame,
                ancestry,
                matched_in_python=not callee.writes,
            )
        )
    elif variant.model is None:
        unsafe.append(
            f"`{callee.model or 'its model'}` is not in the model index, so the key's nullability and type are unknown"
        )
    plan = CallPlan(
        call=call,
        site=site,
        placement=placement,
        anchor=ancestry[placement.anchor_index],
        key_param=param,
        variant=variant,
        scope=next(
            (n for n in reversed(ancestry) if isinstance(n, cst.FunctionDef)),
            ctx.module,
        ),
        result_name=_result_name(site, ancestry),
    )
    target = f"`{owner}{variant.name}()`"
    how = (
        f"add {target} next to it and call it once for all keys"
        if not variant.exists
        else f"call the existing {target} once for all keys"
    )
    if callee.writes:
        how += ", in place of the loop"
    if unsafe:
        note = "; ".join(unsafe)
        return rule.finding_at(
            ctx,
            site,
            f"{message}; unsafe fix ({how}): {note}",
            Applicability.UNSAFE,
            note,
            plan,
            loop=frame.node,
        )
    return rule.finding_at(
        ctx,
        site,
        f"{message}; fix: {how}",
        Applicability.SAFE,
        None,
        plan,
        loop=frame.node,
    )


def _sole_statement_of_loop(frame: Frame, site: cst.BaseExpression) -> str | None:
    """Why a per-item write call cannot replace its loop (None: it can): the loop must do
    nothing else, or the writes would move relative to what else it does."""
    if not frame.is_for:
        return "the write runs in a comprehension"
    body = frame.node.body.body
    statement = body[0] if len(body) == 1 else None
    small = (
        statement.body[0]
        if isinstance(statement, cst.SimpleStatementLine) and len(statement.body) == 1
        else None
    )
    if (
        not (isinstance(small, cst.Expr) and small.value is site)
        or frame.node.orelse is not None
    ):
        return "the loop does more than this call; the bulk call would move the writes relative to the rest"
    return None


def _result_name(site: cst.BaseExpression, ancestry: list[cst.CSTNode]) -> str | None:
    """The name the call's result is assigned to, when it is a plain `name = call(...)`."""
    position = next(
        (i for i in range(len(ancestry) - 1, -1, -1) if ancestry[i] is site), None
    )
    parent = ancestry[position - 1] if position else None
    if (
        isinstance(parent, cst.Assign)
        and len(parent.targets) == 1
        and isinstance(parent.targets[0].target, cst.Name)
    ):
        return parent.targets[0].target.value
    if isinstance(parent, cst.AnnAssign) and isinstance(parent.target, cst.Name):
        return parent.target.value
    return None


def _varying_part(
    ctx, call: cst.Call, key_arg: cst.BaseExpression, placement: Placement
) -> str | None:
    """An argument or receiver, besides the key, that changes per item."""
    if names_read(call.func) & placement.varying:
        return f"`{ctx.code(call.func)}` changes per item"
    for arg in call.args:
        if arg.value is not key_arg and names_read(arg.value) & placement.varying:
            return f"the argument `{ctx.code(arg.value)}` also changes per item"
    return None


def _evaluated_once(ctx, call: cst.Call, key_arg: cst.BaseExpression) -> list[str]:
    """Arguments that call code: evaluated once for the batch instead of once per item."""
    for arg in call.args:
        if arg.value is key_arg:
            continue
        if any(
            isinstance(n, (cst.Call, cst.Await, cst.Yield, cst.NamedExpr))
            for n in [arg.value, *walk(arg.value)]
        ):
            return [
                f"the argument `{ctx.code(arg.value)}` would be evaluated once instead of once per item"
            ]
    return []


def _argument_for(
    call: cst.Call, params: tuple[str, ...], param: str
) -> cst.BaseExpression | None:
    """The argument of `call` bound to `param`; `params`: what its arguments bind, in
    order (`injected_params.call_params`)."""
    if any(arg.star for arg in call.args):
        return None
    for arg in call.args:
        if arg.keyword is not None and arg.keyword.value == param:
            return arg.value
    positional = [arg.value for arg in call.args if arg.keyword is None]
    if param not in params:
        return None  # supplied by a decorator
    index = params.index(param)
    return positional[index] if index < len(positional) else None


def _display(path: str) -> str:
    try:
        return os.path.relpath(path)
    except ValueError:
        return path
