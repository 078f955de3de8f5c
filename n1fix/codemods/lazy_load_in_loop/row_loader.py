"""Write a loader that is a call on the rows' query (Django's `select_related("author")`).

    Book.objects.filter(stock__gt=0)          -> Book.objects.filter(stock__gt=0).select_related("author")
    Book.objects.all()                        -> Book.objects.prefetch_related("tags")
    Book.objects.select_related("author")     -> Book.objects.select_related("author", "shelf")
    Book.objects.select_related("author")     -> Book.objects.select_related("author__publisher")
    Book.objects.iterator()                   -> Book.objects.prefetch_related("tags").iterator(chunk_size=2000)

The dialect says where (`RowLoader`); this module edits the query and re-breaks it the way
black would when it no longer fits its line.
"""

from __future__ import annotations

import libcst as cst

from n1fix.codemods.lazy_load_in_loop.rewrite import (
    block_indent,
    edited_query,
    with_argument,
)
from n1fix.cst.chains import unwind
from n1fix.cst.imports import add_from_import, spelling
from n1fix.cst.layout import render, with_long_calls_exploded
from n1fix.orm.dialect import RowLoader


def fix_with_row_loader(ctx, plan) -> cst.Module:
    loader: RowLoader = plan.row_loader
    spelled: dict[str, str] = {}
    needed = []
    for symbol in (*filter(None, [loader.symbol]), *loader.symbols):
        found = spelling(ctx.imports, symbol)
        if found is None:
            module_name, _, found = symbol.rpartition(".")
            needed.append((module_name, found))
        placeholder = "symbol" if symbol == loader.symbol else symbol.rsplit(".", 1)[-1]
        spelled[placeholder] = found
    edit = _Edit(loader, ctx.module.config_for_parsing, spelled)
    query, new_query = edited_query(ctx, plan.source, edit)
    if loader.to_attrs:
        new_query = _arguments_broken(ctx, query, new_query)
    module = ctx.module.visit(
        _Replace({query: new_query}, plan.reads, loader.reads_as, plan.replaced)
    )
    for module_name, name in needed:
        module = add_from_import(module, module_name, name, ctx.first_party)
    return module


def _arguments_broken(ctx, query, new_query):
    """The query with each added call still past the line length broken one argument a
    line, as black writes it (a `Prefetch(...)` with its queryset is long)."""
    indent = block_indent(ctx.module, query)
    code = render(new_query)
    if indent is None or "\n" not in code:
        return new_query
    # A query on a continuation line (a comprehension's `for` in a `return {...}`): its
    # lines go deeper than the block by as much as that line does
    line = ctx.text.splitlines()[ctx.range_of(query).start.line - 1]
    deeper = len(line) - len(line.lstrip(" ")) - indent
    if deeper > 0 and "\n" not in ctx.code(query):
        first, *rest = code.split("\n")
        code = "\n".join([first, *(" " * deeper + r for r in rest)])
    broken = with_long_calls_exploded(code, indent, ctx.project.line_length)
    return cst.parse_expression(broken, config=ctx.module.config_for_parsing)


class _Replace(cst.CSTTransformer):
    """The query replaced, each per-row call a count read as `row.<reads_as>`, and each
    chain on a related manager a Prefetch loads read as `row.<its to_attr>`."""

    def __init__(
        self, replaced: dict, reads: list, reads_as: str | None, chains: list
    ) -> None:
        self.replaced = replaced
        self.reads = reads
        self.reads_as = reads_as
        self.chains = chains

    def on_leave(self, original, updated):
        if original in self.replaced:
            return self.replaced[original]
        if any(original is read for read in self.reads):
            row = updated.func.value.value  # `row.rel.count()` -> `row`
            return cst.Attribute(row, cst.Name(self.reads_as))
        for chain, attr in self.chains:
            if original is chain:
                row = unwind(updated)[0].value  # `row.rel.filter(...)` -> `row`
                return cst.Attribute(
                    row, cst.Name(attr), lpar=updated.lpar, rpar=updated.rpar
                )
        return updated


def _with_dots(chain: cst.BaseExpression, base: cst.BaseExpression, dot: cst.Dot):
    """`chain` with `dot` before each call it adds on `base` (not in their arguments)."""
    if chain is base or not isinstance(chain, cst.Call):
        return chain
    func = chain.func
    if not isinstance(func, cst.Attribute):
        return chain
    func = func.with_changes(value=_with_dots(func.value, base, dot), dot=dot)
    return chain.with_changes(func=func)


def _lookup(loader: RowLoader, quote: str = '"') -> cst.SimpleString:
    return cst.SimpleString(f"{quote}{loader.lookup}{quote}")


class _Edit(cst.CSTTransformer):
    """The query with the loader written into it (one pass over its chain)."""

    def __init__(self, loader: RowLoader, config, spelled: dict[str, str]) -> None:
        self.loader = loader
        self.config = config
        self.spelled = spelled

    def on_leave(self, original, updated):
        loader = self.loader
        if loader.replaces is not None and original is loader.replaces.value:
            quote = original.quote if isinstance(original, cst.SimpleString) else '"'
            return _lookup(loader, quote)
        if loader.into is not None and original is loader.into:
            return _with_lookup(updated, _lookup(loader))
        if loader.argument is not None and original is loader.argument[0]:
            # the dialect adds an argument only to a call without any (`iterator()`)
            extra = cst.parse_expression(f"f({loader.argument[1]})").args[0]
            return updated.with_changes(args=[extra])
        if loader.target is not None and original is loader.target:
            base = updated if loader.base is loader.target else _base_of(updated)
            inner = base.with_changes(lpar=[], rpar=[]) if _bracketed(base) else base
            if loader.calls:
                text = ".".join(loader.calls)
                for placeholder, name in self.spelled.items():
                    text = text.replace(f"{{{placeholder}}}", name)
                added = cst.parse_expression(f"_row_query_.{text}", config=self.config)
                added = added.visit(_PutBase(inner))
            else:
                added = cst.Call(
                    cst.Attribute(inner, cst.Name(loader.method)),
                    [cst.Arg(_lookup(loader))],
                )
            return _in_brackets_of(base, inner, added) if inner is not base else added
        return updated


def _bracketed(node: cst.BaseExpression) -> bool:
    return bool(getattr(node, "lpar", None))


def _in_brackets_of(
    base: cst.BaseExpression, inner: cst.BaseExpression, added: cst.BaseExpression
) -> cst.BaseExpression:
    """The calls added after a bracketed chain go inside its brackets, not after them
    (`(...).prefetch_related(...)`); when the chain is broken one call a line (as black
    leaves it), each on a line of its own:

        queryset = (
            Book.objects.filter(is_published=True)
            .select_related("author")
            .prefetch_related("tags")           # added
        )
    """
    dot = None
    if (
        isinstance(inner, cst.Call)
        and isinstance(inner.func, cst.Attribute)
        and isinstance(inner.func.dot.whitespace_before, cst.ParenthesizedWhitespace)
    ):
        dot = inner.func.dot
    if dot is not None:
        added = _with_dots(added, inner, dot)
    return added.with_changes(lpar=base.lpar, rpar=base.rpar)


def _with_lookup(call: cst.Call, lookup: cst.SimpleString) -> cst.Call:
    """`f("a")` -> `f("a", "b")`; when the arguments end with a line break before the
    closing bracket (`f(\n    "a"\n)`), the new one goes before that break."""
    last = call.args[-1]
    if isinstance(last.comma, cst.Comma) or not isinstance(
        last.whitespace_after_arg, cst.ParenthesizedWhitespace
    ):
        return with_argument(call, lookup)
    args = list(call.args[:-1])
    args.append(
        last.with_changes(
            comma=cst.Comma(whitespace_after=cst.SimpleWhitespace(" ")),
            whitespace_after_arg=cst.SimpleWhitespace(""),
        )
    )
    args.append(cst.Arg(lookup, whitespace_after_arg=last.whitespace_after_arg))
    return call.with_changes(args=args)


class _PutBase(cst.CSTTransformer):
    def __init__(self, base: cst.BaseExpression) -> None:
        self.base = base

    def leave_Name(self, original, updated):
        return self.base if original.value == "_row_query_" else updated


def _base_of(call: cst.BaseExpression) -> cst.BaseExpression:
    """`X.all()` -> `X`: the receiver of the bare call the new one stands in for."""
    assert isinstance(call, cst.Call) and isinstance(call.func, cst.Attribute)
    return call.func.value
