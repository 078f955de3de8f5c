"""A query method that catches its own failure and returns a default instead.

Table methods often guard the whole lookup (open-webui's `FilesTable.get_file_by_id`):

    try:
        async with get_async_db_context(db) as db:
            file = await db.get(File, id)
            if not file:
                return None
            return FileModel.model_validate(file)
    except Exception:
        return None

Read without its `try`, the body is a query and its shaping, which the batch method
repeats per key (`post_process`). The batch method keeps both guards apart: the batched
query in the same `try`, whose handler gives every key the default (one query fails for
all keys at once), and each key's shaping in a `try` of its own, whose handler gives that
key alone the default, as each call did when the shaping of its row failed. Equal to the
calls when the query's failure does not depend on a key (the connection, the session); a
key the database cannot compare failed its own call only, and fails the batch for every
key: so such a fix is unsafe.

Only a handler of `Exception` (bound to an unused name, or not bound) whose body is
`return <literal>` is read: a handler that logs or re-raises does something per key that
the batch method would do once.
"""

from __future__ import annotations

from dataclasses import dataclass

import libcst as cst

from n1fix.cst.method_syntax import is_docstring
from n1fix.cst.statements import sole_small_statement
from n1fix.cst.syntax import walk

_DEFAULTS = (cst.Integer, cst.Float, cst.SimpleString)


@dataclass
class CaughtFailure:
    """The callee as its body reads without the `try`, and what its handler returns."""

    inner: cst.FunctionDef  # the callee with the `try` replaced by its body
    default: cst.BaseExpression  # the handler's value: each failed key's result
    inside_with: (
        bool  # the `try` sits in a `with` that wraps the body (else: around it)
    )

    def note(self, name: str) -> str:
        default = cst.Module([]).code_for_node(self.default)
        return (
            f"`{name}` catches every failure and returns {default}: its batch method "
            f"gives {default} for every key when the one query fails, where a key the "
            "database cannot compare failed only its own call"
        )


def caught_failure(function: cst.FunctionDef) -> CaughtFailure | None:
    """The callee read without the `try` that guards its whole body, or None when its
    body is not one such `try` (or a `with` around one)."""
    body = list(function.body.body)
    docstring = body[:1] if body and is_docstring(body[0]) else []
    work = body[len(docstring) :]
    if len(work) != 1:
        return None
    statement = work[0]
    if isinstance(statement, cst.Try):
        default = _default(statement)
        if default is None:
            return None
        inner = function.with_changes(
            body=function.body.with_changes(
                body=[*docstring, *statement.body.body],
            )
        )
        return CaughtFailure(inner, default, inside_with=False)
    if (
        isinstance(statement, cst.With)
        and isinstance(statement.body, cst.IndentedBlock)
        and len(statement.body.body) == 1
        and isinstance(statement.body.body[0], cst.Try)
    ):
        caught = statement.body.body[0]
        default = _default(caught)
        if default is None:
            return None
        unwrapped = statement.with_changes(
            body=statement.body.with_changes(body=list(caught.body.body))
        )
        inner = function.with_changes(
            body=function.body.with_changes(body=[*docstring, unwrapped])
        )
        return CaughtFailure(inner, default, inside_with=True)
    return None


def _default(statement: cst.Try) -> cst.BaseExpression | None:
    """What `try: ... except Exception: return <literal>` returns on failure."""
    if (
        statement.orelse is not None
        or statement.finalbody is not None
        or len(statement.handlers) != 1
        or not isinstance(statement.body, cst.IndentedBlock)
    ):
        return None
    handler = statement.handlers[0]
    if not (isinstance(handler.type, cst.Name) and handler.type.value == "Exception"):
        return None
    if handler.name is not None:
        bound = handler.name.name
        if not isinstance(bound, cst.Name) or any(
            isinstance(n, cst.Name) and n.value == bound.value
            for n in walk(handler.body)
        ):
            return None
    body = handler.body
    if not isinstance(body, cst.IndentedBlock) or len(body.body) != 1:
        return None
    returned = sole_small_statement(body.body[0])
    if not isinstance(returned, cst.Return) or returned.value is None:
        return None
    value = returned.value
    if _literal(value):
        return value
    return None


def _literal(value: cst.BaseExpression) -> bool:
    if isinstance(value, _DEFAULTS):
        return True
    if isinstance(value, cst.Name):
        return value.value in ("None", "True", "False")
    if isinstance(value, (cst.List, cst.Dict, cst.Tuple)):
        return not value.elements
    return False
