"""Which calls send SQL built from values, and whether each value can be a parameter."""

from __future__ import annotations

import functools
from collections.abc import Iterable
from dataclasses import dataclass

import libcst as cst

from n1fix.cst.ancestry import nodes_with_ancestry
from n1fix.cst.syntax import is_pure_key
from n1fix.rules.base import Applicability, Finding
from n1fix.rules.sql_built_from_values.variables import (
    assigned_just_before,
    single_assignment,
)
from n1fix.sql.built import (
    IN_STRING,
    NAME,
    QUOTED,
    VALUE,
    BuiltSql,
    Splice,
    built_sql_call,
    splices,
)
from n1fix.sql.drivers import file_drivers

UNSAFE_NOTE = (
    "a parameter is typed by the driver where the spliced text was read by SQL (a "
    "quoted '5' against an integer column, a string spliced unquoted as SQL): check "
    "each value's type"
)


# where a spliced part stands for data: a value, a whole quoted one, or part of one
_REPORTED = (VALUE, QUOTED, IN_STRING)


@dataclass
class ParameterPlan:
    built: BuiltSql
    splices: list[Splice]


def find(ctx, rule) -> Iterable[Finding]:
    drivers = file_drivers(ctx.imports, ctx.text)
    calls = nodes_with_ancestry(ctx.module, lambda node, _: True, frozenset({cst.Call}))
    for node, ancestry in calls:
        built = built_sql_call(
            node, drivers, functools.partial(single_assignment, ancestry=ancestry)
        )
        if built is None:
            continue
        found = splices(built)
        if not found or not any(
            s.place in _REPORTED and not _chosen_in_code(s.expression) for s in found
        ):
            # only names (tables, columns, settings), or nothing n1fix can place: a
            # parameter could not stand for them, and they come from code far more
            # often than from users
            continue
        message = (
            f"SQL built from values with {_article(built.form)}: a quote in a value "
            "breaks the statement or changes it (SQL injection); pass the values as "
            "parameters"
        )
        plan, note = _plan(ctx, built, found, ancestry)
        if plan is None:
            yield rule.finding_at(ctx, built.built, message, fix_note=note)
        else:
            yield rule.finding_at(
                ctx,
                built.built,
                message,
                Applicability.UNSAFE,
                fix_note=UNSAFE_NOTE,
                plan=plan,
            )


def _chosen_in_code(expr: cst.BaseExpression) -> bool:
    """A literal, or a choice between literals (`'true' if unique else 'false'`): text
    the code picks, not data from outside."""
    if isinstance(expr, (cst.SimpleString, cst.Integer, cst.Float)):
        return True
    if isinstance(expr, cst.IfExp):
        return _chosen_in_code(expr.body) and _chosen_in_code(expr.orelse)
    return False


def _article(form: str) -> str:
    return {"f-string": "an f-string", "concatenation": "a concatenation"}.get(
        form, form
    )


def _plan(ctx, built: BuiltSql, found: list[Splice], ancestry):
    if built.has_params:
        return None, "the call already passes parameters"
    if built.through is not None and not assigned_just_before(built.built, ancestry):
        return None, (
            f"`{built.through.value}` is built before the statement just above the "
            "call: a value it splices may change in between, and a parameter reads it "
            "at the call"
        )
    if built.api is None:
        return None, (
            "the file shows neither the engine URL nor the one driver "
            "`exec_driver_sql` runs on: its placeholder style is not known"
        )
    for splice in found:
        code = ctx.code(splice.expression)
        if splice.place == NAME:
            return None, (
                f"`{code}` names something (a table or a column): a parameter "
                "cannot stand for a name; check it against the names allowed"
            )
        if splice.place == IN_STRING:
            return None, (
                f"`{code}` is part of a longer quoted string: pass the whole string, "
                "built in Python, as the parameter"
            )
        if splice.place not in (VALUE, QUOTED):
            return None, f"`{code}` is not one whole value of the statement"
        if splice.hole.why_not is not None:
            return None, f"`{code}` {splice.hole.why_not}"
        if not is_pure_key(splice.expression):
            return None, f"`{code}` is not a plain read of a value"
    return ParameterPlan(built, found), None
