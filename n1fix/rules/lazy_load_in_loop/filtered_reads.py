"""A filtered related manager read per row (`author.books.filter(is_published=True)`):
what the rule proves before the dialect writes it as a `Prefetch(..., to_attr=...)`.

The Prefetch queryset is built once, where the rows' queryset is built; each row's chain
was built where the loop read it. So the rewrite keeps what each row reads only if:

- each chain's rows are only iterated (`for`, a comprehension, `list(...)`, `len(...)`
  and the other builtins that read every row): a list gives the same rows in the same
  order; anything else (`.first()`, a slice, a QuerySet handed on) needs a QuerySet;
- every argument of the chain has the same value in both places: a literal, or a name
  that nothing between the queryset and the loop rebinds, mutates or hands on (a
  parameter or local bound before the queryset is built, a module-level name), read
  nowhere else in that stretch but in the queryset itself and these chains; never the
  row, a name the loop binds, an attribute or a call;
- the loop writes nothing (each row's query saw the earlier rows' writes, the prefetch
  reads everything before the first);
- the queryset is built in this function (not by a helper other callers share).
"""

from __future__ import annotations

import libcst as cst

from n1fix.cst.chains import MethodCall, unwind
from n1fix.cst.syntax import names_assigned, walk
from n1fix.orm.dialect import RowLoader

_LITERAL_NAMES = {"True", "False", "None"}


def distinct_chains(read) -> list[tuple[str, list[MethodCall]]]:
    """(code, calls after the manager) of each distinct chain of `read`, first seen first."""
    found: dict[str, list[MethodCall]] = {}
    for chain, _ in read.chains:
        found.setdefault(_chain_text(chain), unwind(chain)[1])
    return list(found.items())


def prefetch_attrs(read, loader: RowLoader) -> list[str]:
    """The attribute each of `read.chains` becomes, in their order."""
    order = [text for text, _ in distinct_chains(read)]
    return [loader.to_attrs[order.index(_chain_text(c))] for c, _ in read.chains]


def _chain_text(chain: cst.BaseExpression) -> str:
    """`filter(a=1).order_by("x")`: the calls after the manager, as written."""
    module = cst.Module([])
    return ".".join(
        mc.name + module.code_for_node(cst.Call(cst.Name("f"), mc.call.args))[1:]
        for mc in unwind(chain)[1]
    )


def filtered_prefetch(
    ctx, loop, ancestry, source, read, write: str | None, spell
) -> RowLoader | None:
    """The dialect's Prefetch for `read` (a filtered related manager per row), or a
    RowLoader whose `missing` says why there is none; None when the dialect writes none.
    `write`: a write the loop makes, or None; `spell(model)`: how the module names a
    model, and the import it needs (`(module, name)` or None)."""

    def missing(why: str) -> RowLoader:
        return RowLoader("prefetch_related", read.path[-1], missing=f"no fix: {why}")

    if len(read.path) != 1:
        return missing(
            "the related manager is read below the rows (a Prefetch would go on a"
            " relation of theirs), which n1fix does not write"
        )
    for chain, iterated in read.chains:
        base = unwind(chain)[0]
        if not iterated:
            return missing(
                f"`{ctx.code(chain)}` does more than iterate the rows: the list a"
                " `Prefetch(..., queryset=..., to_attr=...)` would fill stands in"
                " only for rows iterated"
            )
        if not (isinstance(base, cst.Attribute) and isinstance(base.value, cst.Name)):
            return missing("the related manager is reached through more than the row")
    if source.helper is not None:
        return missing(
            f"the rows' queryset is built in `{source.helper}()`, which other callers"
            " share"
        )
    if write is not None:
        return missing(
            f"the loop writes (`{write}`): each row's query saw the earlier rows'"
            " writes, a Prefetch reads every row's before the first"
        )
    chains = distinct_chains(read)
    rel = read.relationships[-1]
    related = ctx.project.models.get(rel.target) if rel.target else None
    target, symbol = None, None
    if related is not None:
        target, needed = spell(related)
        if needed is not None:
            target, symbol = "{" + needed[1] + "}", f"{needed[0]}.{needed[1]}"
    names = {n.attr.value for n in walk(loop) if isinstance(n, cst.Attribute)}
    loader = ctx.orm.row_prefetch(
        source.shape,
        source.model,
        rel,
        [calls for _, calls in chains],
        names,
        target,
        symbol,
    )
    if loader is None or loader.missing is not None:
        return loader
    why = _unstable_arguments(ctx, loop, ancestry, source, read, chains)
    return missing(why) if why is not None else loader


def _unstable_arguments(ctx, loop, ancestry, source, read, chains) -> str | None:
    """Why some argument of the chains may differ between the queryset and the loop."""
    values = [arg.value for _, calls in chains for mc in calls for arg in mc.call.args]
    names = []
    for value in values:
        if _is_literal(value):
            continue
        if not isinstance(value, cst.Name):
            return (
                f"`{ctx.code(value)}` is evaluated for each row: one Prefetch"
                " queryset, built once with the rows, may see another value"
            )
        names.append(value.value)
    if not names:
        return None
    function = next(
        (n for n in reversed(ancestry) if isinstance(n, cst.FunctionDef)), None
    )
    if function is None:
        return "the chain reads names outside a function, which n1fix does not follow"
    built = _top_statement(function, source.layout)
    if built is None:
        return "n1fix cannot place where the rows' queryset is built"
    allowed = {
        id(node)
        for chain, _ in read.chains
        for call in unwind(chain)[1]
        for arg in call.call.args
        for node in walk(arg, into_scopes=True)
    }
    allowed |= {id(node) for node in walk(source.layout, into_scopes=True)}
    before = function.body.body[: function.body.body.index(built)]
    allowed |= {id(node) for stmt in before for node in walk(stmt, into_scopes=True)}
    params = {p.name.value for p in _params(function)}
    allowed |= {id(p.name) for p in _params(function)}
    for name in dict.fromkeys(names):
        if name in _bound_in_loop(loop, name):
            return f"`{name}` is bound in the loop: each row may read another value"
        for node in walk(function, into_scopes=True):
            if (
                isinstance(node, cst.Name)
                and node.value == name
                and id(node) not in allowed
            ):
                return (
                    f"`{name}` is used between the rows' queryset and the loop or in"
                    " the loop itself, which may rebind or change it"
                )
        if name in params:
            continue
        if _assigned_before(before, name):
            continue
        if any(
            isinstance(n, cst.Name) and n.value == name and id(n) in allowed
            for stmt in before
            for n in walk(stmt, into_scopes=True)
        ):
            return f"n1fix cannot show `{name}` bound where the rows' queryset is built"
        if not _module_name(ctx.module, name):
            return f"n1fix cannot tell where `{name}` is bound"
    return None


def _bound_in_loop(loop, name: str) -> set[str]:
    return names_assigned(loop) & {name}


def _params(function: cst.FunctionDef) -> list[cst.Param]:
    p = function.params
    return [
        *p.posonly_params,
        *p.params,
        *p.kwonly_params,
        *[x for x in (p.star_arg, p.star_kwarg) if isinstance(x, cst.Param)],
    ]


def _top_statement(function: cst.FunctionDef, node) -> cst.CSTNode | None:
    """The statement of the function's body holding `node`."""
    for stmt in function.body.body:
        if any(n is node for n in walk(stmt, into_scopes=True)):
            return stmt
    return None


def _assigned_before(before: list, name: str) -> bool:
    """`name = ...` as a statement of the function's own body, before the queryset."""
    for stmt in before:
        if not isinstance(stmt, cst.SimpleStatementLine):
            continue
        if any(_assigns(small, name) for small in stmt.body):
            return True
    return False


def _assigns(small: cst.BaseSmallStatement, name: str) -> bool:
    """`name = ...` or `name: T = ...` (an annotation alone binds nothing)."""
    if isinstance(small, cst.Assign):
        return any(
            isinstance(t.target, cst.Name) and t.target.value == name
            for t in small.targets
        )
    return (
        isinstance(small, cst.AnnAssign)
        and small.value is not None
        and isinstance(small.target, cst.Name)
        and small.target.value == name
    )


def _module_name(module: cst.Module, name: str) -> bool:
    """`name` is bound at the module's top level and declared `global` nowhere."""
    for node in walk(module, into_scopes=True):
        if isinstance(node, cst.Global) and any(
            item.name.value == name for item in node.names
        ):
            return False
    for stmt in module.body:
        if (
            isinstance(stmt, (cst.FunctionDef, cst.ClassDef))
            and stmt.name.value == name
        ):
            return True
        if not isinstance(stmt, cst.SimpleStatementLine):
            continue
        for small in stmt.body:
            if _assigns(small, name):
                return True
            if isinstance(small, (cst.Import, cst.ImportFrom)) and not isinstance(
                small.names, cst.ImportStar
            ):
                for alias in small.names:
                    bound = (
                        alias.asname.name if alias.asname is not None else alias.name
                    )
                    if isinstance(bound, cst.Name) and bound.value == name:
                        return True
    return False


def _is_literal(value: cst.BaseExpression) -> bool:
    if isinstance(value, (cst.SimpleString, cst.Integer, cst.Float, cst.Imaginary)):
        return True
    if isinstance(value, cst.ConcatenatedString):
        return _is_literal(value.left) and _is_literal(value.right)
    if isinstance(value, cst.Name):
        return value.value in _LITERAL_NAMES
    if isinstance(value, cst.UnaryOperation) and isinstance(value.operator, cst.Minus):
        return isinstance(value.expression, (cst.Integer, cst.Float))
    if isinstance(value, (cst.Tuple, cst.List)):
        return all(
            isinstance(e, cst.Element) and _is_literal(e.value) for e in value.elements
        )
    return False
