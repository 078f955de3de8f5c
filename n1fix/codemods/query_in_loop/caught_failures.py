"""Guard a batch method as its callee guarded each call (`rules.query_in_loop.caught_failures`).

The method was written from the callee read without its `try`. Here the batched query
goes back into that `try`, whose handler now gives every key the callee's default, and
each key's shaping gets a `try` of its own, whose handler gives that key alone the
default:

    try:
        async with get_async_db_context(db) as db:
            files_by_id = {...}
            results = {}
            for id in ids:
                try:
                    file = files_by_id.get(id)
                    ...
                    results[id] = FileModel.model_validate(file)
                except Exception:
                    results[id] = None
            return results
    except Exception:
        return {id: None for id in ids}
"""

from __future__ import annotations

import libcst as cst

from n1fix.cst.errors import FixFailed
from n1fix.cst.method_syntax import is_docstring
from n1fix.cst.syntax import walk
from n1fix.rules.query_in_loop.caught_failures import CaughtFailure


def guarded_method(
    function: cst.FunctionDef, caught: CaughtFailure, key: str, keys: str
) -> cst.FunctionDef:
    """`function` (docstring, the guard for no keys, then the work) with the callee's
    `try` around its work and a `try` around each key's shaping."""
    function = function.visit(_KeyGuard(caught.default, key, keys))
    body = list(function.body.body)
    head = 0
    while head < len(body) and (
        is_docstring(body[head]) or _no_keys_guard(body[head], keys)
    ):
        head += 1
    work = body[head:]
    everyone = cst.parse_statement(f"return {{{key}: x for {key} in {keys}}}\n")
    everyone = everyone.with_changes(
        body=[
            everyone.body[0].with_changes(
                value=everyone.body[0].value.with_changes(value=caught.default)
            )
        ]
    )
    if caught.inside_with:
        if len(work) != 1 or not isinstance(work[0], cst.With):
            raise FixFailed("the batch method lost the `with` its `try` sits in")
        inner = work[0]
        work = [
            inner.with_changes(
                body=inner.body.with_changes(
                    body=[_try(list(inner.body.body), [everyone])]
                )
            )
        ]
    else:
        work = [_try(work, [everyone])]
    return function.with_changes(
        body=function.body.with_changes(body=[*body[:head], *work])
    )


class _KeyGuard(cst.CSTTransformer):
    """Each key's shaping in the loop over the keys (`for id in ids:`) in a `try` whose
    handler records the default for that key; a comprehension over the keys may hold
    only lookups, which do not fail."""

    def __init__(self, default: cst.BaseExpression, key: str, keys: str) -> None:
        self.default, self.key, self.keys = default, key, keys
        self.loops = 0

    def leave_For(self, original, updated):
        if not (
            isinstance(original.target, cst.Name)
            and original.target.value == self.key
            and isinstance(original.iter, cst.Name)
            and original.iter.value == self.keys
        ):
            return updated
        results = _results_name(original, self.key)
        if results is None:
            raise FixFailed("the batch method's loop records no result per key")
        record = cst.parse_statement(f"{results}[{self.key}] = x\n")
        record = record.with_changes(
            body=[record.body[0].with_changes(value=self.default)]
        )
        self.loops += 1
        return updated.with_changes(
            body=updated.body.with_changes(
                body=[_try(list(updated.body.body), [record])]
            )
        )

    def leave_DictComp(self, original, updated):
        if (
            isinstance(original.for_in.iter, cst.Name)
            and original.for_in.iter.value == self.keys
            and not _only_lookups(original.value)
        ):
            raise FixFailed(
                "the batch method shapes each key's row in a comprehension, where one "
                "key's failure would fail every key"
            )
        return updated


def _results_name(loop: cst.For, key: str) -> str | None:
    for node in walk(loop.body):
        if (
            isinstance(node, cst.AssignTarget)
            and isinstance(node.target, cst.Subscript)
            and isinstance(node.target.value, cst.Name)
            and len(node.target.slice) == 1
            and isinstance(node.target.slice[0].slice, cst.Index)
            and isinstance(node.target.slice[0].slice.value, cst.Name)
            and node.target.slice[0].slice.value.value == key
        ):
            return node.target.value.value
    return None


def _only_lookups(value: cst.BaseExpression) -> bool:
    """Only `mapping.get(...)` calls: a lookup in the batched result, which cannot fail."""
    return all(
        isinstance(n.func, cst.Attribute) and n.func.attr.value == "get"
        for n in [value, *walk(value)]
        if isinstance(n, cst.Call)
    )


def _no_keys_guard(statement, keys: str) -> bool:
    """`if not ids: return {}`, which the method starts with."""
    return (
        isinstance(statement, cst.If)
        and cst.Module([]).code_for_node(statement.test) == f"not {keys}"
    )


def _try(body: list, handler: list) -> cst.Try:
    return cst.Try(
        body=cst.IndentedBlock(body=body),
        handlers=[
            cst.ExceptHandler(
                body=cst.IndentedBlock(body=handler),
                type=cst.Name("Exception"),
            )
        ],
    )
