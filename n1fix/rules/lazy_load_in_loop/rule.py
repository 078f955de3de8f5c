"""## What it does
Finds a loop or comprehension over the rows of a query that reads a relationship of each
row which the model loads lazily (`lazy="select"`, SQLAlchemy's default) and the query did
not load up front: `for project in projects: project.renders`. Paths through the rows'
relationships count too: `render.chain` for each `render in project.renders`.

## Why is this bad?
Each read of a lazy relationship is a SELECT: 1 + N round trips with no query in sight.
Under `AsyncSession` the same code does not even run: the lazy load raises
`MissingGreenlet`.

## Example
```python
projects = session.scalars(select(Project).where(Project.user_id == user_id)).all()
for project in projects:
    print(project.name, len(project.renders))
```

## Use instead
```python
projects = session.scalars(
    select(Project).options(selectinload(Project.renders)).where(Project.user_id == user_id)
).all()
for project in projects:
    print(project.name, len(project.renders))
```
The fix adds the loader option to the query the rows come from: to its `.options(...)`
when it has one (`.options(a)` -> `.options(a, b)`; an option that names the first part
of a nested path is extended: `selectinload(Project.renders).selectinload(Render.chain)`),
else right after `select(...)`/`session.query(...)`; `selectinload` is imported from
`sqlalchemy.orm`, and the model of a deeper step from where the rows' model comes from.
2.0 `select()` and 1.x `Query`, sync and async, and a statement held in a variable
(`stmt = select(...)`) are rewritten.

`selectinload` for collections: one more query, `WHERE parent_id IN (...)`.
`joinedload` of a collection would multiply the rows of the main query (and a 2.0
result then needs `.unique()`), and cut them wrong under a LIMIT.

`selectinload` for many-to-one references as well. `joinedload` would save that one
query, but it rewrites the main statement with a LEFT OUTER JOIN: wrong or refused with
`FOR UPDATE` (PostgreSQL will not lock the nullable side of an outer join), `DISTINCT`,
`GROUP BY` or a textual statement, and it repeats the parent's columns on every row.
`selectinload` leaves the main statement as it was, loads each distinct parent once, and
skips parents the session already holds. Where the extra round trip matters and the query
is a plain select, change it to `joinedload` by hand.

### Django
The same loop over a QuerySet (`for book in Book.objects.filter(...)`): a forward
`ForeignKey` / `OneToOneField` (or a reverse one-to-one) read per row gets
`select_related("author")` on the queryset, a related manager's `.all()` per row (a
reverse foreign key, a many-to-many) `prefetch_related("tags")`; a path is one lookup
(`select_related("author__publisher")`, `prefetch_related("books__shelf")`). The call is
merged into the queryset's own `select_related(...)` / `prefetch_related(...)` (a lookup
naming the first part of the path is extended), else appended to the chain (in place of
a bare `.all()`, before `.iterator()`). Nothing is reported for what the queryset already
loads, through a `Prefetch(...)` too (below a `Prefetch` with its own `queryset=`, what
is loaded is unknown), nor after `select_related()` with no argument, nor for a reverse
foreign key's rows read back (`book.author` for each `book in author.books.all()`: Django
sets it). `.exists()` and `.count()` per row on a related manager are reported without
a fix when they cannot become an annotation (see below). A filtered related manager
per row (`.filter()`, `.exclude()`, `.order_by()`...) is a query whatever was
prefetched; when its rows are only iterated (`for`, a comprehension, `list()`, `len()`
and the other builtins that read every row) the finding names the `Prefetch` into a list
that would serve it, one per distinct chain on the manager (below): that fix is written
but not offered yet (`orm/django_prefetch.OFFERED`).
With `.iterator()`, a prefetch runs only given a `chunk_size` (Django 4.1+; 5.0 raises
without one): the fix adds `chunk_size=2000` and is unsafe. No fix under `only()` /
`defer()` (a relation both deferred and selected raises; a prefetch needs the key) or
`select_for_update()` (it would lock the related rows too), nor through a relation whose
model n1fix does not know. A loop that writes rows (a create or bulk write, `save()` /
`delete()` / `update()` on a query or another object) makes the fix unsafe: the related
objects are then loaded as they were before the loop. A related `.count()` per row
becomes an `annotate(<name>_count=Count("<relation>", distinct=True))` read as
`row.<name>_count` (unsafe: the attribute may clash with one n1fix cannot see), with an
`order_by` of `Meta.ordering` when the chain has none (a GROUP BY query drops it). A
related `.exists()` per row becomes `annotate(has_<relation>=Exists(<Related>.objects
.filter(<back>=OuterRef("pk"))))` read as `row.has_<relation>` (unsafe, as for counts):
a correlated subquery that keeps the rows and their order; only when the module already
names the related model, its default manager is the stock `objects` (the related
manager's rows come from it) and its foreign key holds the row's primary key.

Not offered yet: a filtered related manager iterated per row of a queryset. A second
review found rewrites this fix would make that change the results or fail, from facts
it does not prove yet (a filter value changed through an alias or by a function the
loop calls, a write in such a function or through a related manager's `add()`, a
`yield` in the loop, the rows' queryset used before or after the loop, a `to_attr`
name set by `__init__`, a mixin or the manager's annotation, a shadowed `Prefetch`,
an import that closes a cycle). Written, it reads:
```python
for author in Author.objects.filter(active=True):
    for book in author.books.filter(is_published=True).order_by("-pages"):
        ...
```
becomes a `Prefetch` on the queryset, read from the list it fills:
```python
for author in (
    Author.objects.filter(active=True)
    .prefetch_related(
        Prefetch(
            "books",
            queryset=Book.objects.filter(is_published=True).order_by("-pages"),
            to_attr="published_books",
        )
    )
):
    for book in author.published_books:
        ...
```
One query for every row's list, each list in the chain's `order_by()` (else
`Meta.ordering`) as the per-row query was; `Prefetch` and the related model are imported
when missing. Only for a reverse foreign key or a many-to-many read on the rows
themselves, with a chain of `filter()` / `exclude()` (keyword lookups), `order_by()`
and `select_related()` (literal fields) whose lookups follow only single-valued
relations (on a many-to-many, the related manager's own condition shares its join with
the next filter; a Prefetch queryset's filters join apart), and only when the related
model's default manager is a stock `objects` (the related manager is built on the
default manager's class: a custom one that filters would be lost). Each argument must
have the same value where the queryset is built as where each row read it: a literal,
or a parameter, a local bound before the queryset or a module-level name, that nothing
between the queryset and the loop (nor the loop) rebinds, changes or hands on; never the
row, a name the loop binds, an attribute or a call (pretix's
`cp.variation.quotas.filter(subevent=cp.subevent)`: one queryset cannot hold each row's
value). The list's name reads as the chain says (`published_books` for
`is_published=True`, `not_published_books` for `False`, `books_by_pages` for an order
alone, else `filtered_books`) and must not be taken by a field, relation, manager,
method or attribute of the rows' model, an annotation or another `to_attr` of the
queryset, or another read: Django takes a `to_attr` the rows already have as filled and
loads nothing. No fix either for `.first()`, `.exists()`, a slice or a QuerySet handed
on (a list stands in only for rows iterated), a loop that writes (each row's query saw
the earlier rows' writes), `iterator()`, `only()` / `defer()`, or rows built by a
helper other callers share.

The admin's changelist is such a loop: a nullable foreign key in `list_display` (Django's
automatic `select_related()` follows non-null ones only), or a relation a `list_display`
method reads, is a query per row; the fix sets `list_select_related` to those lookups and
to the non-null ones the automatic call followed (unsafe for a method's reads, or when a
model on the way is not in the index). Django has no identity map and does not expire objects on
commit: the exemptions and commit checks below are SQLAlchemy's.

A template's `{% for %}` over rows a view renders is such a loop too: a function view
calling `render(request, "books/list.html", {"books": books})` (or `TemplateResponse`,
`render_to_string`), a `ListView` / `DetailView` with its `queryset` (or a
`get_queryset()` returning one), `context_object_name` and `template_name` (else
Django's defaults). The template is read from the project's template folders (each
app's `templates/`, the settings' `TEMPLATES[...]["DIRS"]` when n1fix can compute
them), with its `{% extends %}` parents and `{% include %}`s; `{{ book.author.name }}`
(filters too), `{% if book.author %}`, `{% with %}`, a nested `{% for tag in
book.tags.all %}` and `{{ book.reviews.count }}` per row are reported on the view's
queryset, the message naming the template line, and fixed there as above (a count gets
no fix: the template would have to read the annotation); a view that names only its
`model` gets one finding whose fix sets `queryset` to the model's default manager (as
its `get_queryset()` reads it: `Book.objects`, or `Book._default_manager` when n1fix
cannot show that `objects` is the default) with the loaders. No finding when the template
cannot be found, is held by two apps with different texts, or cannot be read, nor for
what the loop reads inside or after a tag n1fix does not know (a `{% load %}`ed
library's may set any variable, or not render its body). A read under `{% if %}` gets an
unsafe fix, as a branch in a Python loop does; so does a queryset the view also uses
elsewhere (`books.only(...)` would refuse a `select_related`).

## Fix safety
The fix is safe: loader options change how rows are loaded, never which. The Django
`Prefetch(..., to_attr=...)` of a filtered related manager, once offered, is always
unsafe: each row
carries a new attribute, a list where the code had a QuerySet, filled when the rows load,
and a name n1fix cannot see (set in `__init__`, by a library's base class) may clash.
A loader option is unsafe when
the relationship is read only in some iterations (under an `if`, after `and`/`or`, in a
loop that may `break` or `return`): the option loads it for every row, one more query
even when the branch never runs, and more rows held in memory; n1fix cannot tell how
often the branch runs. No fix is offered when the model of a deeper step is not imported
and n1fix cannot tell from where to import it, nor when the loop commits (or rolls back,
or expires everything) per item: with `expire_on_commit`, SQLAlchemy's default, each
commit expires every object, so the next row and its relationship load again whatever
the query's options said (commit once after the loop instead). A commit one call away
counts: a model method that commits (a mixin's `save()` or `create()`, from the model
index), or a function of the same module whose body commits, directly or through such a
method. A `save()` whose model n1fix cannot tell gets an unsafe fix: in many
Flask-SQLAlchemy projects it commits. No fix either for a many-to-one whose foreign key
the query filters on the ids of objects a parameter holds (`Render.project_id.in_([p.id
for p in projects])`, `projects` passed in): if the session holds those objects, each read
is answered by the identity map and the option would add a query; n1fix cannot tell.

Not reported, since no query runs per item and an option would save none (or add one):
relationships loaded eagerly by the mapper (`lazy="selectin"`, `"joined"`, `"subquery"`,
`"immediate"`) or by an option on the query (`selectinload`, `joinedload`,
`subqueryload`, `immediateload`, `contains_eager`); relationships that raise instead of
loading (`lazy="raise"`, `"raise_on_sql"`, `raiseload`: the code either fails today or
finds them loaded); `noload`, `dynamic` and `write_only` relationships (never loaded, or
a query of their own); queries whose options n1fix cannot read (`.options(*opts)`); a
many-to-one whose targets the session already holds: the query filtered its foreign key
on one value (every row points at one parent, loaded once; also through a list of
criteria spread into the filter, `.filter(*criteria)`, and for `row.parent.grand` when the
query joins `parent`'s model along that relationship and filters its foreign key to
`grand` on one value), or on the keys of rows of
the target model loaded earlier in the function and held in a list (`Render.project_id.in_(
[p.id for p in projects])`; a lazy load by primary key asks the identity map first), or
that goes back along the collection it was reached through (`render.project` for each
`render in project.renders` is the outer row); and `row.rel.id` where the row holds the key itself (`related-key-via-relationship` reports
that).

## Known problems
Rows must come from a query in the same function, or from a function of the same module
(or a method of the same class) whose one `return` is the query; the option then goes
there, as an unsafe fix, since every caller of that function loads the relationship from
then on. Rows passed in, or returned by a function of another module, are not reported
(they may have been loaded eagerly there). `lazy="immediate"` is itself one query per
row, at load time; it is not reported here, since the loop does not cause it. A commit
hidden deeper than one call (a function of another module, a function calling a
function) is not seen.
"""

from __future__ import annotations

import ast
import re
from typing import Iterable

from n1fix.cst.astwalk import nodes_of, owner_scope
from n1fix.cst.text_scan import has_word
from n1fix.rules.base import FixAvailability, Finding, Rule, Severity
from n1fix.rules.lazy_load_in_loop.gate import (
    attributes_of_loop_names,
    may_hold_list_view,
    rendered_templates,
    templates_found,
)

# A Django view that renders a template: `render(`, `TemplateResponse(`,
# `render_to_string(`, a generic `ListView` / `DetailView`.
_TEMPLATE_VIEW = re.compile(
    r"(?<![.\w])render\("
    r"|\b(?:TemplateResponse|render_to_string)\("
    r"|\b(?:List|Detail)View\b"
)
# Where a match of `_TEMPLATE_VIEW` can start. Searched alone, `_TEMPLATE_VIEW` tries
# its lookbehind at every character of the file (pretix: 0.65 CPU s over the tree, read
# for every file); this pattern of plain words is searched fast and each of its matches
# confirmed. No two of these words overlap, so no start is skipped.
_TEMPLATE_VIEW_START = re.compile(
    r"render\(|render_to_string\(|TemplateResponse\(|(?:List|Detail)View"
)


# Every match of `_TEMPLATE_VIEW_START` holds one of these; `in` finds them faster
# than the pattern's scan (Django's tree: every file says "django").
_TEMPLATE_VIEW_WORDS = ("render", "TemplateResponse", "ListView", "DetailView")


def renders_template(text: str) -> bool:
    """Does `_TEMPLATE_VIEW` match somewhere in `text`?"""
    if not any(word in text for word in _TEMPLATE_VIEW_WORDS):
        return False
    return any(
        _TEMPLATE_VIEW.match(text, found.start())
        for found in _TEMPLATE_VIEW_START.finditer(text)
    )


# `session.scalars/execute/scalar(select(...))`, `session.query(...)`, `Model.query`
_QUERY_ATTRS = {"scalars", "execute", "scalar", "query"}


# Calls that start a Django QuerySet chain on a model's manager (`Book.objects.filter`).
_QUERYSET_CALLS = {
    "all",
    "filter",
    "exclude",
    "order_by",
    "select_related",
    "prefetch_related",
    "iterator",
    "only",
    "defer",
    "annotate",
    "distinct",
    "using",
}


def _queryset_call(node: ast.AST) -> bool:
    """`Book.objects.filter(...)`: a QuerySet call on a manager of a CapWords name."""
    if not (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr in _QUERYSET_CALLS
    ):
        return False
    manager = node.func.value
    if not isinstance(manager, ast.Attribute):
        return False
    owner = manager.value
    name = (
        owner.id
        if isinstance(owner, ast.Name)
        else owner.attr
        if isinstance(owner, ast.Attribute)
        else ""
    )
    return name[:1].isupper()


def _rendered_templates(tree: ast.Module, text: str) -> list[str]:
    if "django" in text and renders_template(text):
        return rendered_templates(tree)
    return []


def _loop_and_query(tree: ast.Module) -> bool:
    """Does some scope of the module (the module itself, a function, class or lambda,
    not counting what is nested in it) hold both a loop or comprehension and a query
    call, or a call of a function of the module that holds one (`_helper_calls`)?
    Read off the shared node index, each node placed in its scope."""
    loops = nodes_of(tree, ast.For, ast.comprehension)
    if not loops:
        return False
    queries = [
        node for node in nodes_of(tree, ast.Attribute) if node.attr in _QUERY_ATTRS
    ]
    queries.extend(
        node
        for node in nodes_of(tree, ast.Call)
        if type(node.func) is ast.Attribute
        and node.func.attr in _QUERYSET_CALLS
        and _queryset_call(node)
    )
    if not queries:
        return False
    queries.extend(_helper_calls(tree, queries))
    with_loops = {id(owner_scope(tree, loop)) for loop in loops}
    return any(id(owner_scope(tree, query)) in with_loops for query in queries)


def _helper_calls(tree: ast.Module, queries: list[ast.AST]) -> list[ast.Call]:
    """Calls of a function of the module that holds a query: `helper(...)`, or
    `self.helper(...)` / `cls.helper(...)`. The check follows the rows of a loop into
    such a helper when it returns the query (`row_sources._through_helper`), so the
    call counts as the loop's query. Matched by name alone (any function so named,
    nested ones included): this may let a file through that the check then finds
    nothing in, never the other way."""
    helpers: set[str] = set()
    for query in queries:
        scope = owner_scope(tree, query)
        while scope is not tree:
            if isinstance(scope, (ast.FunctionDef, ast.AsyncFunctionDef)):
                helpers.add(scope.name)
            scope = owner_scope(tree, scope)
    if not helpers:
        return []
    return [call for call in nodes_of(tree, ast.Call) if _callee(call.func) in helpers]


def _callee(func: ast.expr) -> str | None:
    if type(func) is ast.Name:
        return func.id
    if (
        type(func) is ast.Attribute
        and type(func.value) is ast.Name
        and func.value.id in ("self", "cls")
    ):
        return func.attr
    return None


class LazyLoadInLoop(Rule):
    __doc__ = __doc__
    NAME = "lazy-load-in-loop"
    MESSAGE = "Lazy relationship loaded once per item of a loop"
    SEVERITY = Severity.HIGH
    FIX = FixAvailability.SOMETIMES
    # The rows' query, then a lazy load per row; with selectinload: one more query.
    ROUND_TRIPS = ("1 + N", "2")

    def gate(self, tree: ast.Module, text: str) -> bool:
        if ("list_display" in text or "serializer_class" in text) and (
            may_hold_list_view(tree)
        ):
            return True  # a Django admin's changelist, a DRF list view
        # Otherwise the file alone cannot say: whether it reads a relationship depends
        # on the models, whether a view's template loops over its rows on the
        # project's templates (`survey` and `project_gate` decide).
        return False

    def gate_alone(self, tree: ast.Module, text: str) -> bool:
        """What may fire in the file alone, whatever the project holds: a list view, an
        admin, or a view rendering a template (for `unused-suppression`)."""
        return self.gate(tree, text) or bool(_rendered_templates(tree, text))

    def survey(self, tree: ast.Module, text: str) -> dict[str, list[str]]:
        """`reads`: the attribute names the file reads on the name a loop binds to
        each row (`attributes_of_loop_names`), when some scope of it (a function, or
        the module) holds both a loop or comprehension and a query call, or a call of
        a helper of the module that holds one; none otherwise. Every lazy load the
        rule reports outside an admin, a DRF view or a template starts with
        `row.<relationship>` in a loop of such a file, where `row` is the loop's
        variable (a deeper read, `row.rel.other` or through a name bound to
        `row.rel`, starts there too; the rows may come from a function of the same
        module, so every loop counts).

        `templates`: the names of the templates its views may render
        (`rendered_templates`). Both sorted, so that the cache's bytes are stable."""
        return {
            "reads": self._loop_reads(tree, text),
            "templates": _rendered_templates(tree, text),
        }

    @staticmethod
    def _loop_reads(tree: ast.Module, text: str) -> list[str]:
        if not has_word(text, "for"):
            return []
        from n1fix.rules.query_in_loop.rule import QUERY_TEXT

        if QUERY_TEXT.search(text) is None:
            return []
        if _loop_and_query(tree):
            return sorted(attributes_of_loop_names(tree))
        return []

    def project_gate(self, facts: dict[str, list[str]] | None, project) -> bool:
        """Let a file through when it reads an attribute named like a relationship of
        some model of the project (only those can load lazily), or when a template one
        of its views renders is found (`templates_found`)."""
        # Not surveyed (or facts of another shape, from a foreign cache): cannot tell.
        if not isinstance(facts, dict):
            return True
        reads, templates = facts.get("reads") or [], facts.get("templates") or []
        if (
            reads
            and project.models is not None
            and not project.models.relationship_names().isdisjoint(reads)
        ):
            return True
        return bool(templates) and templates_found(project.root, templates)

    def check(self, ctx) -> Iterable[Finding]:
        from n1fix.rules.lazy_load_in_loop.admin import find_admin
        from n1fix.rules.lazy_load_in_loop.analysis import (
            find,
            find_serialized,
            find_templated,
        )

        yield from find(ctx, self)
        if "list_display" in ctx.text:
            yield from find_admin(ctx, self)
        if "serializer_class" in ctx.text:
            yield from find_serialized(ctx, self)
        if "django" in ctx.text and renders_template(ctx.text):
            yield from find_templated(ctx, self)
