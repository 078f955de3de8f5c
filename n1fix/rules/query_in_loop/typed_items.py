"""Loops over values a person types on the command line, where a batch saves nothing
worth its code.

A click command that takes a repeatable option (`@click.option("-r", "--roles",
multiple=True)`) or a variadic argument (`nargs=-1`) and looks each value up runs one
query per value typed: a handful, once per run of the command (lemur's `create_user
--roles`, `create_role --users`). The finding stays, without a fix, as for a loop over a
few items written out in the code.
"""

from __future__ import annotations

import libcst as cst

from n1fix.analysis.item_facts import bindings
from n1fix.cst.chains import dotted_name
from n1fix.cst.loop_frames import Frame


def typed_items(ctx, frames: list[Frame], ancestry) -> str | None:
    """Why a batch is not worth it when every loop iterates a parameter of the
    enclosing click command filled by a repeatable option or a variadic argument;
    else None."""
    function = next(
        (n for n in reversed(ancestry) if isinstance(n, cst.FunctionDef)), None
    )
    if function is None or not frames:
        return None
    flags = []
    for frame in frames:
        iterables = (
            [frame.node.iter] if frame.is_for else [c.iter for c in frame.clauses]
        )
        for iterable in iterables:
            if not isinstance(iterable, cst.Name):
                return None
            if len(bindings(iterable.value, ancestry)) != 1:
                return None  # rebound in the function: no longer what was typed
            flag = _repeatable_option(ctx, function, iterable.value)
            if flag is None:
                return None
            flags.append(flag)
    return (
        f"the loop runs over the values of the command-line {flags[0]}, typed by hand "
        "when the command runs: a few, so a batch would save a round trip or two and "
        "make the command longer (one query for all of them, by hand, if it matters)"
    )


def _repeatable_option(ctx, function: cst.FunctionDef, param: str) -> str | None:
    """`option `--roles`` when a click decorator of `function` fills `param` with
    several values (`multiple=True`, `nargs=-1`), else None."""
    if param not in {p.name.value for p in function.params.params}:
        return None
    for decorator in function.decorators:
        call = decorator.decorator
        if not isinstance(call, cst.Call):
            continue
        name = dotted_name(call.func) or ""
        head, _, kind = name.rpartition(".")
        qualified = ctx.imports.get(head or kind, "")
        if kind not in ("option", "argument") or not qualified.startswith("click"):
            continue
        names = [
            arg.value.evaluated_value
            for arg in call.args
            if arg.keyword is None
            and isinstance(arg.value, cst.SimpleString)
            and isinstance(arg.value.evaluated_value, str)
        ]
        if param not in {_param_name(n) for n in names}:
            continue
        if _repeats(call):
            flag = max(names, key=len)
            return f"{kind} `{flag}`"
    return None


def _param_name(declared: str) -> str:
    """click's parameter name for a declaration: `--dry-run` -> `dry_run`."""
    return declared.lstrip("-").replace("-", "_")


def _repeats(call: cst.Call) -> bool:
    for arg in call.args:
        if arg.keyword is None:
            continue
        value = arg.value
        if arg.keyword.value == "multiple" and (
            isinstance(value, cst.Name) and value.value == "True"
        ):
            return True
        if arg.keyword.value == "nargs" and (
            isinstance(value, cst.UnaryOperation)
            and isinstance(value.operator, cst.Minus)
            and isinstance(value.expression, cst.Integer)
            and value.expression.value == "1"
        ):
            return True
    return False
