"""Queries one call away: a loop calls a project function whose body runs a keyed query.

`for p in projects: RendersDAL.get_by_project_id(session, p.id)` shows no query in the
loop, yet runs one per item. The function index says which project functions run a query
keyed by which parameter; here a call in a loop is matched to one, and the argument given
for that parameter is checked to change per item. These findings carry no fix yet: the
rewrite (a batch variant next to the function, called once) is still to come.
"""

from __future__ import annotations

import os

import libcst as cst

from n1fix.codemods._names import plural
from n1fix.orm.functions import QueryFunction
from n1fix.orm.query_shape import dotted_name
from n1fix.rules._base import Applicability, Finding
from n1fix.rules._loop_frames import frames_of, loop_words
from n1fix.rules._loop_safety import runs_once
from n1fix.rules._syntax import names_read
from n1fix.rules.query_in_loop import QueryInLoop


def callee_of(ctx, call: cst.Call, ancestry: list[cst.CSTNode]) -> QueryFunction | None:
    """The indexed query function a call resolves to; never a guess."""
    functions = ctx.project.functions
    if functions is None or not functions.functions:
        return None
    name = dotted_name(call.func)
    if name is None:
        return None
    head, _, rest = name.partition(".")
    if head in ("self", "cls"):
        owner = next((n for n in reversed(ancestry) if isinstance(n, cst.ClassDef)), None)
        if owner is None or "." in rest:
            return None
        qualified = f"{ctx.module_name}.{owner.name.value}.{rest}"
    elif head in ctx.imports:
        qualified = ctx.imports[head] + (f".{rest}" if rest else "")
    else:
        qualified = f"{ctx.module_name}.{name}"
    return functions.resolve(qualified)


def analyze_call(ctx, call: cst.Call, site: cst.BaseExpression, ancestry: list[cst.CSTNode], callee: QueryFunction) -> Finding | None:
    frames = frames_of(ancestry)
    if not frames:
        return None
    varying = set().union(*(f.varying for f in frames))
    keyed: list[tuple[str, cst.BaseExpression]] = []
    for param in callee.key_params:
        arg = _argument_for(call, callee, param)
        if arg is not None and names_read(arg) & varying:
            keyed.append((param, arg))
    if not keyed:
        return None
    names = set().union(*(names_read(arg) for _, arg in keyed)) & varying
    frame = [f for f in frames if f.varying & names][-1]
    if frame.is_for and runs_once(frame.node.body, ancestry[frame.index + 2]):
        return None  # the body always leaves after its first item
    loop = loop_words(ctx, frame)
    where = f"{_display(callee.path)}:{callee.line}"
    what = f"`{callee.model}`" if callee.model else "the database"
    verb = "writes" if callee.writes else "queries"
    message = f"`{ctx.code(call.func)}()` {verb} {what} ({where}) once per item of {loop} (1 + N round trips)"
    batch = _batch_name(callee.name, keyed[0][0])
    existing = ctx.project.functions.sibling(callee, batch)
    if existing is not None:
        owner = callee.owner.rpartition(".")[2] + "." if callee.owner else ""
        note = f"not automated yet: call the existing `{owner}{batch}` once with every key, before the loop"
    elif callee.writes:
        note = f"not automated yet: a bulk variant (`{batch}`) taking every key would replace the per-item calls"
    else:
        note = f"not automated yet: add a batch variant (`{batch}`) that takes every key, call it once before the loop and group"
    return QueryInLoop.finding_at(ctx, site, f"{message}; no fix: {note}", Applicability.NONE, note, loop=frame.node)


def _argument_for(call: cst.Call, callee: QueryFunction, param: str) -> cst.BaseExpression | None:
    if any(arg.star for arg in call.args):
        return None
    for arg in call.args:
        if arg.keyword is not None and arg.keyword.value == param:
            return arg.value
    positional = [arg.value for arg in call.args if arg.keyword is None]
    index = callee.params.index(param)
    return positional[index] if index < len(positional) else None


def _batch_name(name: str, key: str) -> str:
    """`get_by_project_id` -> `get_by_project_ids`, `latest_for_project` -> `latest_for_projects`."""
    noun = key[:-3] if key.endswith("_id") else key
    if name.endswith(key):
        return name[: -len(key)] + plural(key)
    if name.endswith(noun):
        return name[: -len(noun)] + plural(noun)
    if name.endswith(("_of", "_for", "_by", "_in")):
        return f"{name}_{plural(noun)}"
    return f"{name}_for_{plural(key)}"


def _display(path: str) -> str:
    try:
        return os.path.relpath(path)
    except ValueError:
        return path
