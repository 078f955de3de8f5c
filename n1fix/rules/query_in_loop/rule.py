"""## What it does
Finds a database query that runs once per item of a loop or comprehension because one of
its predicates compares a column with the item (`Render.project_id == project.id`,
`session.get(User, render.user_id)`, `filter_by(project_id=project.id)`, `select(exists()
.where(...))`). A call in a loop to a project function whose body runs such a query keyed
by one of its parameters (`RendersDAL.latest_for_project(session, project.id)`) is
reported too, at the call, naming the function; so is a per-item call of a project
function that writes one row by key (`RenderChainsDAL.remove_render(session, chain_id,
render.id)`).

## Why is this bad?
Each item costs a round trip to the database: 1 + N queries where one would do. With 200
projects that is 201 queries, each paying network latency, parsing and planning. Under
load it is the most common reason an endpoint is slow.

## Example
```python
for project in projects:
    renders = session.scalars(
        select(Render).where(Render.project_id == project.id).order_by(Render.created_at)
    ).all()
```

## Use instead
```python
project_ids = [project.id for project in projects]
renders_by_project = defaultdict(list)
if project_ids:
    for render in session.scalars(
        select(Render).where(Render.project_id.in_(project_ids)).order_by(Render.created_at)
    ):
        renders_by_project[render.project_id].append(render)
for project in projects:
    renders = renders_by_project.get(project.id, [])
```
Lists become a dict of lists (missing key: empty list), `.first()` the first row of each
ordered group, `session.get()`/`one_or_none()` a dict lookup, counts one `GROUP BY` query
(missing key: 0), per-item `ORDER BY ... LIMIT n` an ordered batch cut to n per key.
A query of one column's values (`session.scalars(select(Render.status).where(...))`,
`session.scalar(select(User.email)...)`, 1.x `query(User.email)...scalar()`) selects the
key column beside it (`select(Render.project_id, Render.status)`) and groups the values
by it, so the lookup gives values as before; rows of several columns get no fix, as the
added key column would change the rows the caller reads.
The batched query runs only when there are keys: a loop over nothing sends no statement,
as before.
A query keyed by several columns of the item at once (`where(A.dag_id == ref.dag_id,
A.task_id == ref.task_id)`, `filter_by(dag_id=..., task_id=...)`, `session.get(A,
(ref.dag_id, ref.task_id))` on a composite primary key) is batched with one row value,
`tuple_(A.dag_id, A.task_id).in_(ref_keys)` over the items' tuples, and its rows grouped
by the tuple of their key columns (`asset_refs_by_ref.get((ref.dag_id, ref.task_id),
[])`); SQLite (3.15 on) and PostgreSQL both take row values.
1.x `session.query(...)` code keeps the Query API; async code keeps its `await`s.

A query one call away is fixed by calling a batch variant once, before the loop:
```python
project_ids = [project.id for project in projects]
latest_by_project = RendersDAL.latest_for_projects(session, project_ids, limit=4)
for project in projects:
    latest = latest_by_project[project.id]
```
When the project has no `latest_for_projects` yet, n1fix adds it next to
`latest_for_project`, in the DAL's module (the fix then spans two files, shown and applied
together): same parameters with `project_ids` for `project_id`, same session handling
(a session parameter, or the `with` block that opens one), the same query batched as
above, a docstring, `if not project_ids: return {}`, and a dict that gives every id its
entry (what the original returns for it). An existing variant is reused when it is of
that dict-returning kind, or when it returns the rows of the original's query for a list
of keys (`find_by_names`: the same query with `in_(names)` and `.all()`) and the original
returns one row of a unique column (`.first()`, `.one_or_none()`): its rows are keyed by
the column (`{tag.name: tag for tag in TagDAO.find_by_names(names)}`) and read with
`.get()`. A per-item write call whose loop does nothing else becomes one
call of a bulk variant (`remove_renders(session, chain_id, render_ids)`) that runs one
`UPDATE ... WHERE id IN (...)`, built the way `write-in-loop` builds it.
The method may be called through its module's one instance of its class (`Renders =
RendersTable()` at the top level of the class's module, bound nowhere else in it):
`Renders.get_renders_by_project_id(project.id)` runs `RendersTable`'s method, and its
batch variant goes into that class.

## Fix safety
The fix is safe when n1fix can show the rewrite contract holds: the model is in the
project's model index; nothing else in the query changes per item; the loop does not
write, flush, commit or roll back (also through a model's own method, such as a mixin's
`save()` that commits), and does not change the list it iterates; the query runs for
every item (not under an `if`, after a `continue`, or in a loop that may `break` or
`return`), or under conditions that are the same for every item (`... if user else
None`), which the batch then runs under too (`if project_ids and user:`), or under
conditions on the item that give the same answer before the loop (`if T: continue`, an
`if` around the query, a seen set `if key not in seen: seen.add(key)`), which filter the
key list so that the batch reads exactly the keys the loop queried; a `None` key cannot meet a nullable column (`Col == None` means
`IS NULL`, but `Col.in_([None])` matches nothing); `.first()` and per-item LIMIT have an
ORDER BY that includes a unique column; `one_or_none()`/`get()` look up a unique column.
A key column is unique also when it completes a composite primary key or unique set whose
other columns the query fixes with `==` (`filter_by(user_id=user.id, sport_id=sport.id)`
on the primary key `(user_id, sport_id)`); the message then says what was proved.
The key may be a pure function of the item rather than its attribute: a builtin
conversion no binding of the module shadows (`str(group_id)` for `for group_id, count in
rows`, `int(...)`), an f-string, a lookup in a mapping the loop does not change
(`labels[item.code]`, `Level[row.level]`), a text method of an item the code shows is a
`str` (`name.strip()` for `names: list[str]`), or such a value bound in the loop body
before the query (`key = str(item.id)`, also `item_id = int(item_id)` rebinding the loop
variable itself). The batch computes it again for every item before the
loop, so a key that calls the project's code gets no fix; a key that may raise
(`int(...)`, a lookup) makes the fix unsafe, since the batch would raise before the loop
did its work for the items before it (and no fix inside a `try` of the loop); `str()`
and f-strings are taken not to raise and are never `None`.
A field read of a dict item (`entry.get("id")`, `entry["id"]`) is such a key only when
the code shows the items are dicts (`dict`/`Dict` annotations, dict displays; not
`Mapping`, whose `.get` is the class's own code, nor a list that may take other items)
and the loop changes neither the item nor, through its iterable (`entries`, `entries or
[]`, `holder.entries`), a later item: also not through another name or a container that
holds the item (`alias = entry; alias["id"] = ...`), and the key's name is bound once
(a `match` capture counts).
A key must also have the column's Python type: SQL matches `'1'` to `1`, a dict lookup
does not, so keys read from a list of unknown type (ids from a JSON payload) are not
shown to match. A key column of a string type (String, Text, Unicode, CharField, ...)
makes the fix unsafe at best: SQL compares strings under the column's collation (MySQL's
and SQL Server's defaults ignore case, MySQL's trailing spaces too), the batch's dict
does not, and the code does not show which database runs it (an Enum, integer or UUID
key is exact). When the project normalises the column's values where it stores or
compares them (`Realm(name=name.lower())`, `filter_by(name=name.strip())`, anywhere in
the project) and the loop's key does not apply the same methods, the project relies on
the collation to match the keys: no fix, and the message names where it normalises.
When a precondition cannot be shown the fix is unsafe (applied with
`--unsafe-fixes`): `.one()` and `.scalar_one()` raise `NoResultFound` where the batch
gives a `KeyError`.
`.one()`, `.one_or_none()` and 1.x `Query.scalar()` (which is `.one()` with None for no
row; 2.0's `session.scalar()` takes the first row instead) raise `MultipleResultsFound`
on two rows of a key: on a key not shown unique there is no fix, since a batch would keep
one of them silently.
A write on `db.session` (or any `<x>.session`) in a loop whose query is
Flask-SQLAlchemy's `Model.query` gets no fix: both may be the one scoped session, and a
later item's query would see what an earlier item added. Likewise get-or-create on the
application's session (`Model.query`, a module's `session`, a helper module's `get`): when
the loop calls project code that builds a row of the queried model and adds or commits it
(read a few calls deep), a key repeated in the items finds, the second time, the row the
first created, and a batch run before the loop would create it twice; no fix, unless the
keys are shown distinct, which leaves it unsafe. The keys are distinct when the loop
iterates a set or a dict's keys, or the rows of one query of a model (no join, no other
table in its filters) or of a one-to-many collection, and the key is `row.c` where `c` is
unique among them: a NOT NULL unique column, or part of a NOT NULL composite primary key
or unique constraint whose other columns the query (or the collection's foreign key)
holds to one value. With distinct keys, a `session.add(Model(c=<the item's key>, ...))`
after the lookup is no obstacle (built by the ORM's constructor with only columns as
keywords, or by the model's own `__init__` when it sets `c` from its keyword, sets only
columns, and writes nothing, itself or a few calls deep): no later item's lookup can find
the row it adds, so the batch stays safe and the message states the proof. Nor is
adding a new row of another table (`session.add(TokenRealm(realm_id=realm.id))` beside
a `Realm` lookup), built the same way, of a model with no ORM listeners that neither
inherits the looked-up one nor is inherited by it, when the lookup names nothing of it
and loads nothing eagerly: no such row can change what a lookup returns. A 1.x Query the
loop body builds in steps (`q = session.query(M)`, then `q.filter_by(k=key).first()`)
is read as the chain written out. Other project calls beside a helper's lookup on that
session make the fix unsafe. A loop that calls project code committing that session in
every item, and reads an attribute of the row it looked up, gets no fix: each commit
expires the rows a batch loaded before the loop (`expire_on_commit`), and they load
again one per item. Nor does a loop over the values of a repeatable click option or a
variadic argument: a few values, typed when the command runs.
Keys that may repeat do not block a get-or-create written in the loop when the row it adds
is the one the lookup would find (built by the model's constructor with every filtered
column set as the query compares it, in the branch that runs when the lookup found nothing,
the query filtered by equalities alone, `.first()` or `.one_or_none()`): the batch records
the row under its key right after the add (`links_by_person_id[person_id] = link`), so a
repeated key finds it, as the per-item query did once autoflushed; unsafe, since that
relies on the session's autoflush (no fix inside `with session.no_autoflush:`). A UUID key
column whose keys are of a type nothing shows (an unannotated parameter, a serialised
row's `person["id"]`) is compared as text by a batch keyed by the rows' column (`str()` on
both sides): unsafe, since a key spelled otherwise than `str(uuid)` still matches in SQL;
a count or existence batch of such keys gets no fix.
For a key of several columns, each column's key is held to that contract on its own
(a nullable column whose key may be None makes the fix unsafe: `A.city == None` finds
the rows without a city, a row value with a NULL matches nothing; a key of another type
than its column gets no fix), and the rows of a key are one at most when the key columns,
with the columns the query holds to one value, contain the primary key or a unique set.
A composite primary key's `session.get()` is unsafe: it reads the tuple in the mapper's
primary-key order, which n1fix takes to be the declared order of the columns. Keys of
several columns inside `and_()`, on a joined model, or of a count, an existence check or
one column's values get no fix.
When the loop writes or commits, changes its iterable, or the session or a second
predicate that is not an equality depends on the item, no fix is offered. Nor when the keys come from an untyped
source (`csv` rows, request arguments, forms or JSON, `json.load()`, `os.environ`, a
`dict` typed to hold anything) and the column is not a string (an int, UUID, date): the
batch's dict lookup would miss every row, so the fix is certain to fail. Nor when the
query's loop-invariant parts read what a condition that changes per item protects
(`user.id` under `if item.shared and user`: the batch would read it before the loop, for
every item); when
the receiver is no session but a project module or object (`database.get(Model, key)`
calls the project's own `get`); or when the Query class (a model's `query_class`, or the
`query_cls` the project's sessions are built with) defines a method the query or its
batch calls (a `get` that also filters by the current project). A call of a model
method whose receiver's model n1fix cannot tell, where some model's method of that name
commits, makes the fix unsafe.
For a call, the same contract applies to the callee's query (n1fix batches the callee's
body with this rule and takes its verdict) and to the loop around the call; in addition
every other argument must be the same for each item (one that calls code makes the fix
unsafe: it would run once instead of N times), and the callee must be nothing but its
query: a body of `name = ...` lines and one `return`, inside `with` blocks at most, with
no decorator but `@staticmethod`/`@classmethod` (a cache, a retry or a log line would run
once instead of per item, or not at all), or one whose source shows it only hands the
function its first arguments (prefect's `@db_injector`: `func(db, *args, **kwargs)` with a
`db` it makes itself); the batch method is then decorated the same way, and the call's
arguments bind the parameters after the supplied ones. Callees that commit, or whose query n1fix
cannot batch, get no fix; the message says why. One exception: a write helper whose body
is its statement, then one commit of the session it wrote with (then at most
`return result.rowcount`), called alone in the loop, gets a batch method that runs the
statement once and commits once (nothing for no keys): unsafe, because a failure part-way
no longer leaves the earlier keys' writes committed as the per-call commits did. A helper
that rolls back, commits twice or writes after its commit gets no fix.

Django (a project that imports `django` and not SQLAlchemy): a QuerySet on a model's
manager keyed by the item (`filter(author_id=author.pk)`, `filter(author=author.pk)`,
`filter(author__pk=...)`, `get(pk=...)`, also through the async API) becomes one
`filter(<the same lookup>__in=keys)` through the same manager (a custom manager's own
filter stays). The same contract applies, with Django's facts: each key's rows keep the
query's `order_by`, else the model's `Meta.ordering`; `.first()` / `.last()` without
either order by primary key (as Django does), and are safe only when that order includes
a unique column or the key is unique (an order a custom `get_queryset()` may set, or an
unreadable `Meta.ordering`, makes them unsafe). `.count()` becomes one grouped count,
`.exists()` the set of keys with rows, and `get(pk=key)` one `in_bulk(keys)`: a key it
did not find reruns the original `get()`, which raises `DoesNotExist` as before.
`get(slug=key)` (or `slug__exact=key`), `slug` a field other than the primary key, is one
`in_bulk(keys, field_name="slug")` on the same queryset (its `filter()`s and manager
kept), with the same rerun for a key it did not find, when Django's `in_bulk()` takes
that field: `unique=True`, a `OneToOneField` or unique foreign key named by its attname
(`user_id`), or a `UniqueConstraint` of that field alone without a condition or
expressions in the model's `Meta.constraints` (inherited from an abstract parent as
Django inherits it). A field unique otherwise (a one-field `unique_together`, a
conditional or functional constraint) or not at all makes `in_bulk()` raise ValueError:
no fix, and the message says so; nor for `iexact` or a lookup through a relation
(`author__name=x`). The dict holds a key only for the row the `get()` finds, so a key
of another type, another case or None misses and reruns the `get()`: no proof of the
key's type or of the column's collation is needed. `only()` / `defer()` make it unsafe
(`in_bulk()` reads the field of each row, which they may leave deferred). An
object compared (`filter(author=author)`) is batched by its `pk` only when the loop's
items are shown to be rows of the related model (`authors: list[Author]`, a query of
`Author`): `author` may otherwise be a key.

A loop over a few items written out in the code (at most four, none starred: `for key
in ("ui.models", "ui.pinned")`) gets no fix: it runs a fixed number of queries whatever
the data, and a batch would save a round trip or two at the price of longer code.

## Known problems
A key read from an attribute of an item whose model n1fix does not know (`row.user_id`)
is taken to have the column's type. The keys are sent as one `IN` list: SQLite accepts up to 32,766 parameters and PostgreSQL
65,535 per statement; past that, chunk the keys (a key of several columns takes one
parameter a column, so a pair halves the number of items that fit). An outer iterable n1fix cannot prove to
be a list is materialised with `list(...)` first. Items with equal keys share one list
object in the result (equal contents, not distinct copies). An empty outer list still
costs one round trip per batch (the original made none). Nested loops are batched per
item of the outer loop (N x M round trips become N, not 1). A statement built in the loop
body (`stmt = select(...)`, then `session.scalars(stmt)`) is read in place and its line
removed when nothing else uses it.
Calls are resolved through imports (package re-exports included), class names, and
`self`/`cls` inside the same class; a call through an instance of unknown type
(`repo.get_user(user_id)` with `repo` a parameter) is not followed. The per-item LIMIT of
a batch method is kept by cutting the ordered batch (all the keys' rows are read), not
by a window function.
"""

from __future__ import annotations

import ast
import re
from typing import Iterable

from n1fix.analysis.ast_loop_calls import keyed_loop_callees, resolvable
from n1fix.cst.astwalk import class_like, nodes_of, runs_per_item
from n1fix.cst.text_scan import calls_word
from n1fix.rules.base import Finding, FixAvailability, Rule, Severity
from n1fix.rules.query_in_loop.kept_querysets import ROW_CHAIN, QuerySetUses
from n1fix.rules.query_in_loop.varying_reads import VaryingReads

# Every query shape n1fix recognises runs through one of these calls (`session.execute`,
# `.scalars`, `.scalar`, `.query`, `session.get(Model, key)`) or Flask's `Model.query`.
GATE_CALLS = {"execute", "scalars", "scalar", "query"}


def may_query(node: ast.AST, statements_in_names: bool) -> bool:
    """Could this node be the heart of a query the recognizer knows? (A superset of it.)"""
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
        attr = node.func.attr
        if attr in QUERYSET_CALLS and _on_manager(node.func.value):
            return True
        if attr in GATE_CALLS - {"query"}:
            if not node.args:
                return False
            # `stmt = select(...)` then `session.scalars(stmt)`
            return _builds_select(node.args[0]) or (
                statements_in_names and isinstance(node.args[0], ast.Name)
            )
        if attr == "query":
            return bool(node.args)
        if attr != "get" or len(node.args) + len(node.keywords) != 2:
            return False
        # `session.get(Model, key)`, its arguments also named (`ident=key`,
        # `entity=Model`): the recognizer reads the first two arguments however written
        first = node.args[0] if node.args else node.keywords[0].value
        return class_like(first)
    return (
        isinstance(node, ast.Attribute)
        and node.attr == "query"
        and class_like(node.value)
    )


# A Django QuerySet chain on a model's manager (`Book.objects.filter(...)`) is read by
# the Django dialect: one of these calls on `ClassName.manager[...]`.
QUERYSET_CALLS = {
    "all",
    "filter",
    "exclude",
    "get",
    "first",
    "last",
    "count",
    "exists",
    "aget",
    "afirst",
    "alast",
    "acount",
    "aexists",
}


def _on_manager(expr: ast.AST) -> bool:
    """`Book.objects`, `Book.objects.filter(...)`: a chain that starts at an attribute of
    a class-like name."""
    while isinstance(expr, ast.Call) and isinstance(expr.func, ast.Attribute):
        expr = expr.func.value
    return isinstance(expr, ast.Attribute) and class_like(expr.value)


def _builds_select(expr: ast.AST) -> bool:
    """`select(...)...`, `sa.select(...)...`: a statement the recognizer can read."""
    while isinstance(expr, ast.Call):
        func = expr.func
        if isinstance(func, ast.Name):
            return func.id == "select"
        if not isinstance(func, ast.Attribute):
            return False
        if func.attr == "select" and isinstance(func.value, ast.Name):
            return True
        expr = func.value
    return False


# Text every recognised query contains (`.execute`, `.scalars`, `.query`, `.get`...): a
# file without any is turned away before its tree is walked.
QUERY_TEXT = re.compile(
    r"\.\s*(?:execute|scalars?|query|get|filter|exclude|first|last|count|exists|all"
    r"|aget|afirst|alast|acount|aexists)\b"
)


# The calls `may_query` takes for a QuerySet on a manager that return one (others
# run it: `get`, `first`, `count`...).
_ROW_QUERIES = QUERYSET_CALLS & ROW_CHAIN


def gate(tree: ast.Module, text: str) -> bool:
    """Is there a loop or comprehension with something query-like inside it?

    A QuerySet of rows on a manager (`Book.objects.filter(...)`) counts only where the
    check may read it (`QuerySetUses.may_run`): not one built as a subquery. A query
    counts only when it reads something that changes per item in a way the check can
    report (`VaryingReads.may_be_reported`): not `Model.objects.get(organizer=o)`
    retried in a loop, nor `filter(pk__in=chunk)` per chunk."""
    if not QUERY_TEXT.search(text):
        return False
    statements_in_names = calls_word(text, "select")
    uses: QuerySetUses | None = None
    reads: VaryingReads | None = None
    for node in nodes_of(tree, ast.Call, ast.Attribute):  # what `may_query` matches
        if may_query(node, statements_in_names) and runs_per_item(tree, node):
            if type(node) is ast.Call and node.func.attr in _ROW_QUERIES:  # type: ignore[attr-defined]
                uses = uses or QuerySetUses(tree)
                if not uses.may_run(node):
                    continue
            reads = reads or VaryingReads(tree)
            if reads.may_be_reported(node):
                return True
    return False


class QueryInLoop(Rule):
    __doc__ = __doc__
    NAME = "query-in-loop"
    MESSAGE = "Query runs once per item of a loop"
    SEVERITY = Severity.HIGH
    FIX = FixAvailability.SOMETIMES
    # The query that gives the items, then one per item; batched: that one and one `in_`.
    ROUND_TRIPS = ("1 + N", "2")

    def gate(self, tree: ast.Module, text: str) -> bool:
        return gate(tree, text)

    def survey(self, tree: ast.Module, text: str) -> list[str]:
        # The names the file may call in a loop with a key that varies per item (a
        # superset of the calls the check reports), sorted so that the cache's bytes are
        # stable.
        return sorted(keyed_loop_callees(tree))

    def project_gate(self, facts: list[str] | None, project) -> bool:
        """Let a file through when it may call a project function that runs a query (the
        per-file gate sees no query in such a loop: it needs the whole function index)."""
        if project.functions is None:
            return False
        return facts is None or resolvable(facts, project.functions)

    def check(self, ctx) -> Iterable[Finding]:
        # LibCST is imported only for files that pass the gate.
        from n1fix.rules.query_in_loop.analysis import find

        return find(ctx, self)
