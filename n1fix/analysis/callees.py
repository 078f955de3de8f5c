"""Which indexed project function a call runs: read by the rules about loops that call one."""

from __future__ import annotations

import libcst as cst

from n1fix.cst.chains import dotted_name
from n1fix.orm.dialect import QueryFunction


def callee_of(ctx, call: cst.Call, ancestry: list[cst.CSTNode]) -> QueryFunction | None:
    """The indexed query function a call resolves to; never a guess."""
    functions = ctx.project.functions
    if functions is None or functions.is_empty():
        return None
    name = dotted_name(call.func)
    if name is None:
        return None
    head, _, rest = name.partition(".")
    if head in ("self", "cls"):
        owner = next(
            (n for n in reversed(ancestry) if isinstance(n, cst.ClassDef)), None
        )
        if owner is None or "." in rest:
            return None
        qualified = f"{ctx.module_name}.{owner.name.value}.{rest}"
    elif head in ctx.imports:
        qualified = ctx.imports[head] + (f".{rest}" if rest else "")
    else:
        qualified = f"{ctx.module_name}.{name}"
    return functions.resolve(qualified)
