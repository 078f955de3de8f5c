"""lazy-load-in-loop in Django templates: a view renders a queryset into a template whose
`{% for %}` reads a relation of each row.

    def book_list(request):
        books = Book.objects.filter(is_published=True)   # -> .select_related("author")
        return render(request, "books/list.html", {"books": books})

    {% for book in books %}{{ book.author.name }}{% endfor %}

Views read: a function calling Django's `render(request, name, context)`,
`TemplateResponse(request, name, context)` or `render_to_string(name, context)` with a
literal template name and a context dict (literal, or a name bound once to one and not
changed), whose values are querysets built in the function; and a `ListView` /
`DetailView` with its `queryset` (or a `get_queryset()` whose one `return` is a queryset,
or narrows `super()`'s), `context_object_name` (else `object_list` / `<model>_list`,
`object` / `<model>`) and `template_name` (else `<app>/<model>_list.html`, `_detail`).
Other bases of the view must be Django's own (its mixins); a `get_context_data` of the
view's own must start from `super()`'s and not set the rows' names.

The template is found in the project's template folders (`template_places`), its
`{% extends %}` followed (the blocks it overrides replace the parent's), its
`{% include %}`s read with the variables they are given. What a row's loop reads:
`{{ book.author.name }}` (filters too), `{% if book.author %}`, `{% with a=book.author %}`,
arguments of the tags Django ships (`url`, `trans`, `firstof`...), a nested
`{% for tag in book.tags.all %}` and what it reads in turn, `{{ book.tags.all|length }}`,
`{{ book.reviews.count }}`. A tag n1fix does not know (a `{% load %}`ed library's) may
set any variable: what the loop reads after it is not read; what its body reads is
not read either. Reads under `{% if %}`, after an `and` / `or`, in `{% ifchanged %}` or
in a nested loop's `{% empty %}` are conditional: the fix is then unsafe, as for a
Python loop's branch.

Each relation read is a finding on the view's queryset (the fix goes there, and a
`# n1fix: ignore` there silences it), whose message names the template line. A class
view with only a `model` gets one finding on it for all its reads, whose fix sets its
`queryset` (`QuerysetPlan`).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

import libcst as cst

from n1fix.analysis.row_sources import row_source
from n1fix.cst.ancestry import nodes_with_ancestry
from n1fix.cst.chains import dotted_name
from n1fix.cst.syntax import walk
from n1fix.orm.dialect import Loading, ManagerRead, Style
from n1fix.orm.django_template_places import places_fact
from n1fix.rules.base import Applicability
from n1fix.rules.lazy_load_in_loop.admin import maximal_lookups
from n1fix.rules.lazy_load_in_loop.drf import _class_attributes, _keeps_queryset
from n1fix.rules.lazy_load_in_loop.template_reads import (
    Bound,
    TemplateRead,
    TemplateReads,
    render_tree,
)

_RENDERERS = {
    # qualified name -> (position of the template name, of the context)
    "django.shortcuts.render": (1, 2, "template_name", "context"),
    "django.template.response.TemplateResponse": (1, 2, "template", "context"),
    "django.template.loader.render_to_string": (0, 1, "template_name", "context"),
}
_LIST_VIEWS = {"django.views.generic.ListView", "django.views.generic.list.ListView"}
_DETAIL_VIEWS = {
    "django.views.generic.DetailView",
    "django.views.generic.detail.DetailView",
}
# A view's own methods under which n1fix cannot tell the template or its context.
_OWN_RENDERING = {
    "get_template_names",
    "get_context_object_name",
    "render_to_response",
    "get",
    "get_object",
    "get_paginate_by",
    "paginate_queryset",
}
# Calls that change what a queryset loads (or whether a loader may be added).
_CHANGES_LOADING = (
    "select_related",
    "prefetch_related",
    "only(",
    "defer(",
    "select_for_update",
    "values",
    "iterator",
)
# -- views --------------------------------------------------------------------------


@dataclass
class _View:
    name: str  # for messages
    template: str
    roots: dict  # template variable -> Bound
    source: object | None  # the rows' queryset (Source), None: no queryset to fix
    node: cst.CSTNode  # where the finding goes
    root_name: str  # the variable the rows are rendered as, for messages
    # How the view uses the queryset besides rendering it (`books.only(...)`), or None
    elsewhere: str | None = None
    # A class view with a `model` and no queryset: the `model = ...` statement, after
    # which the fix sets `queryset`
    model_statement: cst.BaseStatement | None = None


@dataclass
class QuerysetPlan:
    """`queryset = <text>` added to a class view after its `model = ...` statement."""

    site: cst.CSTNode  # the finding's node (the model)
    after: cst.BaseStatement
    text: str  # the queryset's code


def find_templated(ctx, rule, finding) -> Iterable:
    """Findings for the views of this module that render querysets into templates.
    `finding(source, path, relationships, loadings, node, message, unsafe)` builds one
    with the fix, as for a DRF view."""
    for view in [*_function_views(ctx), *_class_views(ctx)]:
        yield from _check_view(ctx, rule, view, finding)


def _qualified(ctx, func: cst.BaseExpression) -> str | None:
    name = dotted_name(func)
    if name is None:
        return None
    head, _, rest = name.partition(".")
    base = ctx.imports.get(head)
    if base is None:
        return None
    return f"{base}.{rest}" if rest else base


def _argument(call: cst.Call, position: int, keyword: str):
    for i, arg in enumerate(call.args):
        if arg.star:
            return None
        if arg.keyword is not None:
            if arg.keyword.value == keyword:
                return arg.value
        elif i == position:
            return arg.value
    return None


def _function_views(ctx) -> Iterable[_View]:
    calls = nodes_with_ancestry(
        ctx.module,
        lambda node, ancestry: _qualified(ctx, node.func) in _RENDERERS,
        frozenset({cst.Call}),
    )
    for call, ancestry in calls:
        function = next(
            (n for n in reversed(ancestry) if isinstance(n, cst.FunctionDef)), None
        )
        if function is None:
            continue
        name_at, context_at, name_kw, context_kw = _RENDERERS[
            _qualified(ctx, call.func)
        ]
        template = _argument(call, name_at, name_kw)
        context = _argument(call, context_at, context_kw)
        if not isinstance(template, cst.SimpleString) or context is None:
            continue
        items = _context_items(context, function)
        if items is None:
            continue
        for key, value in items:
            found = row_source(ctx, value, [*ancestry, call], follow=False)
            if found is None or found.shape.style is not Style.DJANGO:
                continue
            yield _View(
                function.name.value,
                str(template.evaluated_value),
                {key: Bound((), found.model, rows=True)},
                found,
                found.chain,
                key,
                _used_elsewhere(ctx, function, value),
            )


def _used_elsewhere(ctx, function: cst.FunctionDef, value) -> str | None:
    """The first other use of the queryset's name in the view (`books.only("title")`,
    `f(books)`): a loader added to it reaches that use too."""
    if not isinstance(value, cst.Name):
        return None
    for node in walk(function.body):
        if not isinstance(node, (cst.Call, cst.Attribute)):
            continue
        inner = node.func if isinstance(node, cst.Call) else node.value
        args = node.args if isinstance(node, cst.Call) else ()
        if (
            isinstance(inner, cst.Attribute)
            and isinstance(inner.value, cst.Name)
            and inner.value.value == value.value
        ) or any(
            isinstance(a.value, cst.Name) and a.value.value == value.value for a in args
        ):
            return ctx.code(node)
    return None


def _context_items(context, function: cst.FunctionDef):
    """(key, value) of a context dict: a literal, or a name bound once in the function
    to one and used nowhere else but where it is handed on."""
    if isinstance(context, cst.Name):
        keywords = {
            id(n.keyword)
            for n in walk(function.body)
            if isinstance(n, cst.Arg) and n.keyword is not None
        }
        uses = [
            n
            for n in walk(function.body)
            if isinstance(n, cst.Name)
            and n.value == context.value
            and id(n) not in keywords
        ]
        assigned = [
            n
            for n in walk(function.body)
            if isinstance(n, cst.Assign)
            and len(n.targets) == 1
            and isinstance(n.targets[0].target, cst.Name)
            and n.targets[0].target.value == context.value
        ]
        if len(assigned) != 1 or len(uses) != 2:
            return None  # also `context["x"] = ...`, `context.update(...)`
        context = assigned[0].value
    if not isinstance(context, cst.Dict):
        return None
    items = []
    for element in context.elements:
        if not isinstance(element, cst.DictElement):
            return None  # `**other`: it may hold the same keys
        if not isinstance(element.key, cst.SimpleString):
            return None
        items.append((str(element.key.evaluated_value), element.value))
    return items


def _class_views(ctx) -> Iterable[_View]:
    for statement in ctx.module.body:
        if not isinstance(statement, cst.ClassDef):
            continue
        kind = _generic_kind(ctx, statement)
        if kind is None:
            continue
        view = _class_view(ctx, statement, kind)
        if view is not None:
            yield view


def _generic_kind(ctx, cls: cst.ClassDef) -> str | None:
    kind = None
    for base in cls.bases:
        qualified = _qualified(ctx, base.value)
        if qualified in _LIST_VIEWS:
            kind = "list"
        elif qualified in _DETAIL_VIEWS:
            kind = "detail"
        elif qualified is None or not qualified.startswith("django."):
            return None  # a project's base: it may render otherwise
    return kind


def _class_view(ctx, cls: cst.ClassDef, kind: str) -> _View | None:
    assigned, methods = _class_attributes(cls)
    if methods & _OWN_RENDERING:
        return None
    defs = {s.name.value: s for s in cls.body.body if isinstance(s, cst.FunctionDef)}
    source, node = None, None
    queryset = assigned.get("queryset")
    if "get_queryset" in defs:
        method = defs["get_queryset"]
        narrowed = cst.Module([method]).code
        if _keeps_queryset(method) and any(
            word in narrowed for word in _CHANGES_LOADING
        ):
            if queryset is not None:
                return None  # it loads more than the class's queryset: both would count
            source = _narrowed_default(ctx, method, assigned.get("model"))
            if source is None:
                return None
            node = source.chain
        elif not _keeps_queryset(method):
            returns = [n for n in walk(method.body) if isinstance(n, cst.Return)]
            if len(returns) != 1 or returns[0].value is None:
                return None
            ancestry = [ctx.module, cls, method, returns[0]]
            source = row_source(ctx, returns[0].value, ancestry, follow=False)
            if source is None:
                return None
            node = source.chain
    if source is None and queryset is not None:
        source = row_source(ctx, queryset, [ctx.module, cls], follow=False)
        if source is None:
            return None
        node = source.chain
    if source is not None and source.shape.style is not Style.DJANGO:
        return None
    model = source.model if source is not None else None
    model_statement = None
    if model is None:
        model_expr = assigned.get("model")
        model = ctx.model_for(model_expr) if model_expr is not None else None
        node = model_expr
        model_statement = next(
            (
                statement
                for statement in cls.body.body
                if isinstance(statement, cst.SimpleStatementLine)
                and any(small.value is model_expr for small in statement.body)
            ),
            None,
        )
    if model is None or model.django is None or node is None:
        return None
    model_name = model.name.lower()
    names = _context_names(assigned, kind, model_name)
    if names is None or not _keeps_context(defs.get("get_context_data"), names):
        return None
    template = assigned.get("template_name")
    if template is not None:
        if not isinstance(template, cst.SimpleString):
            return None
        template_name = str(template.evaluated_value)
    else:
        suffix = assigned.get("template_name_suffix")
        if suffix is not None and not isinstance(suffix, cst.SimpleString):
            return None
        suffix_text = (
            str(suffix.evaluated_value)
            if suffix is not None
            else ("_list" if kind == "list" else "_detail")
        )
        template_name = f"{model.django.app_label}/{model_name}{suffix_text}.html"
    rows = kind == "list"
    roots = {name: Bound((), model, rows=rows) for name in names}
    if rows and "paginate_by" in assigned:
        roots["page_obj"] = Bound((), model, rows=True, page=True)
    return _View(
        cls.name.value,
        template_name,
        roots,
        source,
        node,
        names[-1],
        model_statement=model_statement,
    )


# What a `get_queryset()` may call on `super().get_queryset()` for n1fix to read it.
_NARROWING = {
    "filter",
    "exclude",
    "order_by",
    "select_related",
    "prefetch_related",
    "annotate",
    "alias",
    "distinct",
}


def _narrowed_default(ctx, method: cst.FunctionDef, model_expr):
    """`return super().get_queryset().filter(...).select_related("order")` in a view
    that names only its `model`: the rows are the model's default manager's, narrowed
    and loaded by the calls after `super().get_queryset()`, where a loader goes."""
    from n1fix.analysis.row_sources import Source
    from n1fix.cst.chains import unwind
    from n1fix.orm.dialect import Cardinality, QueryShape

    model = ctx.model_for(model_expr) if model_expr is not None else None
    returns = [n for n in walk(method.body) if isinstance(n, cst.Return)]
    if model is None or model.django is None or len(returns) != 1:
        return None
    value = returns[0].value
    if isinstance(value, cst.Call) and isinstance(value.func, cst.Name):
        return None  # `cast(...)`, a wrapper n1fix does not read
    base, calls, is_async = unwind(value) if value is not None else (None, [], False)
    if not (
        isinstance(base, cst.Call)
        and isinstance(base.func, cst.Name)
        and base.func.value == "super"
        and calls
        and calls[0].name == "get_queryset"
        and not calls[0].call.args
    ):
        return None
    base, calls = calls[0].call, calls[1:]  # after `super().get_queryset()`
    if is_async or not calls or any(mc.name not in _NARROWING for mc in calls):
        return None
    shape = QueryShape(
        node=value,
        style=Style.DJANGO,
        is_async=False,
        session=base,
        cardinality=Cardinality.LIST,
        terminal=None,
        terminal_action="none",
        entity=model_expr,
        statement_calls=calls,
    )
    options = ctx.orm.loader_options(calls)
    return Source(shape, model, ctx.code(model_expr), options, base, value, value)


def _context_names(assigned, kind: str, model_name: str) -> list[str] | None:
    own = assigned.get("context_object_name")
    if own is not None:
        if not isinstance(own, cst.SimpleString):
            return None
        name = str(own.evaluated_value)
    else:
        name = f"{model_name}_list" if kind == "list" else model_name
    return ["object_list" if kind == "list" else "object", name]


def _keeps_context(method: cst.FunctionDef | None, names: list[str]) -> bool:
    """No `get_context_data`, or one that starts from `super()`'s and sets none of
    `names` (nor `update`s the context)."""
    if method is None:
        return True
    code = cst.Module([method]).code
    if "super().get_context_data(" not in code or ".update(" in code:
        return False
    for node in walk(method.body):
        if isinstance(node, cst.SubscriptElement) and isinstance(node.slice, cst.Index):
            value = node.slice.value
            if isinstance(value, cst.SimpleString) and value.evaluated_value in names:
                return False
    return True


def _check_view(ctx, rule, view: _View, finding) -> Iterable:
    ctx.note_fact("template_places", places_fact(Path(ctx.project.root)))
    rendered = render_tree(ctx.project.root, view.template)
    if rendered is None:
        return
    collector = TemplateReads(ctx, Path(ctx.project.root))
    collector.nodes(rendered, view.roots, False)
    source = view.source
    options = source.options if source is not None else ctx.orm.loader_options([])
    loaded_by_view = []
    for read in collector.reads.values():
        loadings = [
            ctx.orm.loading(options, read.path[:k], rel)
            for k, rel in enumerate(read.relationships, start=1)
        ]
        filtered = read.kind is ManagerRead.FILTERED
        if options.opaque and not filtered:
            continue
        if loadings[-1] is not Loading.LAZY and not filtered:
            continue
        if source is None and read.kind in (None, ManagerRead.ROWS):
            loaded_by_view.append(read)
            continue
        yield from _read_finding(ctx, rule, view, read, loadings, finding)
    if loaded_by_view:
        yield from _queryset_finding(ctx, rule, view, loaded_by_view)


def _queryset_finding(ctx, rule, view: _View, reads: list[TemplateRead]):
    """One finding for the reads of a class view that names only its `model`: the fix
    sets its `queryset` to the model's default manager with the loaders (what Django's
    `get_queryset()` starts from: `model._default_manager.all()`)."""
    model = view.roots[view.root_name].model
    select, prefetch = [], []
    for read in reads:
        single = all(
            rel.uselist is False and rel.lazy == "select" for rel in read.relationships
        )
        if any(rel.target is None for rel in read.relationships):
            continue
        (select if single else prefetch).append(read.path)
    shown = ", ".join(f"`{r.text}` ({r.where})" for r in reads)
    message = (
        f"{reads[0].where}: {shown} read relations once per row of"
        f" `{view.root_name}`, rendered by `{view.name}` (1 + N round trips)"
    )
    spelled = ctx.code(view.node)
    calls = "".join(
        f".{method}({', '.join(chr(34) + lookup + chr(34) for lookup in lookups)})"
        for method, lookups in (
            ("select_related", maximal_lookups(select)),
            ("prefetch_related", maximal_lookups(prefetch)),
        )
        if lookups
    )
    if not calls or view.model_statement is None:
        missing = "no fix: n1fix cannot tell the models on the way"
        yield rule.finding_at(
            ctx, view.node, f"{message}; {missing}", Applicability.NONE, missing
        )
        return
    text = f"{spelled}.{_default_manager(ctx, model)}{calls}"
    message += f"; load them with the rows: `queryset = {text}`"
    applicability, note = Applicability.SAFE, None
    conditional = [r for r in reads if r.conditional]
    if conditional:
        applicability = Applicability.UNSAFE
        note = (
            f"`{conditional[0].text}` ({conditional[0].where}) is read only for some"
            " rows (under an `{% if %}`, after an `and` / `or`, or in an"
            " `{% ifchanged %}`): the queryset loads it for every row"
        )
    plan = QuerysetPlan(view.node, view.model_statement, text)
    yield rule.finding_at(ctx, view.node, message, applicability, note, plan=plan)


_DJANGO_MODEL = {"django.db.models.Model", "django.db.models.base.Model"}


def _default_manager(ctx, model) -> str:
    """`objects` when it is the model's default manager (declared first, or made by
    Django for a model that declares none), as far as every base is known; else
    `_default_manager`, which is what the view's `get_queryset()` reads."""
    seen, pending = set(), [model]
    while pending:
        current = pending.pop()
        for base in current.bases:
            if base in _DJANGO_MODEL or base in seen:
                continue
            parent = ctx.project.models.get(base)
            if parent is None:
                return "_default_manager"  # a base n1fix cannot read may add managers
            seen.add(base)
            pending.append(parent)
    managers = model.django.managers if model.django is not None else ()
    if not managers or managers[0].attr == "objects":
        return "objects"
    return "_default_manager"


def _read_finding(ctx, rule, view: _View, read: TemplateRead, loadings, finding):
    what = ".".join(read.path)
    per = f"once per row of `{view.root_name}`"
    if read.kind is not None:
        reading = f"`{what}.{read.method}`"
        message = (
            f"{read.where}: `{read.text}` runs a query ({reading}) {per}, rendered"
            f" by `{view.name}` (1 + N round trips)"
        )
    else:
        message = (
            f"{read.where}: `{read.text}` lazy-loads `{what}` {per}, rendered by"
            f" `{view.name}` (1 + N round trips)"
        )
    missing = None
    if read.kind is ManagerRead.FILTERED:
        missing = (
            f"no fix: `.{read.method}` on the related manager queries whatever the rows"
            " loaded"
        )
    elif read.kind is ManagerRead.COUNT:
        missing = (
            "no fix: counting with the rows (`annotate(Count(..., distinct=True))`)"
            " changes what the template must read, and n1fix does not edit templates"
        )
    elif view.source is None:
        missing = (
            f"no fix: `{view.name}` has no queryset to load it on (set `queryset` to"
            " the model's rows with the loader)"
        )
    if missing is not None:
        yield rule.finding_at(
            ctx, view.node, f"{message}; {missing}", Applicability.NONE, missing
        )
        return
    unsafe = None
    if view.elsewhere is not None:
        unsafe = (
            f"the view also uses the queryset (`{view.elsewhere}`): what is loaded"
            " with it is loaded there too (and `only()` / `defer()` there would refuse"
            " a `select_related`)"
        )
    elif read.conditional:
        unsafe = (
            f"`{read.text}` ({read.where}) is read only for some rows (under an"
            " `{% if %}`, after an `and` / `or`, or in an `{% ifchanged %}`): the"
            " queryset loads it for every row"
        )
    yield from finding(
        view.source,
        read.path,
        read.relationships,
        loadings,
        view.node,
        message,
        unsafe,
    )


__all__ = ["TemplateRead", "find_templated", "render_tree"]
