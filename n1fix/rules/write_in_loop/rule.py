"""## What it does
Finds a write statement that runs once per item of a `for` loop: an
`update(M).where(M.key == item...)`, a `delete(M).where(M.key == item...)` or an
`insert(M)` executed through `session.execute(...)` (or a connection, or
`await session.execute(...)`) in the loop body. It also reports `session.delete(obj)` per
item when the model makes the unit of work load each object's collections first,
`session.merge(obj)` per item, which looks each object up before writing it, and
`session.refresh(obj)` per item (sync or awaited), a SELECT per object.
`session.add(M(...))` per item is not reported: the unit of work sends those INSERTs
together at flush where the backend can hand back a batch's new keys (PostgreSQL), and
one `INSERT ... RETURNING` a row where it cannot (SQLite), because the objects need them.
Nor is `session.delete(obj)` per item when the model has no collections to load first:
the unit of work sends one executemany DELETE for all the objects at flush (counted on
SQLite and PostgreSQL by golden `delete_per_item_not_reported`: the SELECT, then one
DELETE for three objects), so one `delete(M).where(M.id.in_(keys))` would save no round
trip and would skip the ORM's bookkeeping (cascades, unlinking, events).

On Django code it finds a model's own writes per item: `Model.objects.create(...)`,
`obj.save(...)` and `obj.delete()` on the loop's objects (shown to be rows of a model:
the loop iterates a queryset, or a name annotated `list[Model]` or bound to one), a
queryset's `update(...)` / `delete()` keyed by the item, and `get_or_create(...)` /
`update_or_create(...)` (reported, never fixed: each looks its row up first and says
whether it created one). A `save()` on anything not shown to be a model (a form, a
file) is not reported.

## Why is this bad?
Each item costs a round trip: unlinking 50 renders from a chain one UPDATE at a time is 50
statements where one would do, each paying network latency, parsing and planning, and
each holding its locks a little longer.

## Example
```python
renders = session.scalars(select(Render).where(Render.chain_id == chain_id)).all()
for render in renders:
    session.execute(
        update(Render).where(Render.id == render.id).values(chain_id=None, chain_position=None)
    )
session.execute(delete(RenderChain).where(RenderChain.id == chain_id))
```

## Use instead
```python
renders = session.scalars(select(Render).where(Render.chain_id == chain_id)).all()
render_ids = [render.id for render in renders]
if render_ids:
    session.execute(
        update(Render)
        .where(Render.id.in_(render_ids))
        .values(chain_id=None, chain_position=None)
    )
session.execute(delete(RenderChain).where(RenderChain.id == chain_id))
```
A per-item UPDATE or DELETE with loop-invariant values becomes one statement with
`Col.in_(keys)`, the statement's other predicates kept; a per-item INSERT becomes one
executemany, `session.execute(insert(M), rows)`, with the rows in loop order; a per-item
UPDATE by primary key whose values change per item becomes one ORM bulk UPDATE by primary
key, `session.execute(update(M), [{"id": ..., "col": ...}, ...])` (an unsafe fix). On a
Connection (Core), such an UPDATE becomes one executemany of the same statement with
`bindparam()`s for the key and the per-item values, the loop-invariant values kept as
written:
```python
render_updates = [
    {"b_id": render_id, "b_chain_position": position}
    for render_id, position in positions.items()
]
if render_updates:
    conn.execute(
        update(Render)
        .where(Render.id == bindparam("b_id"))
        .values(chain_position=bindparam("b_chain_position"), status="queued"),
        render_updates,
    )
```
n1fix uses this documented Core executemany form rather than one `UPDATE ... SET col =
CASE key WHEN ... END WHERE key IN (...)`: the database still runs the statement once per
row, in loop order, so a repeated key, a key that matches no row and row triggers behave
as before, and each value is bound against its own column as before (in a CASE the
parameters are typed by the CASE expression, which on PostgreSQL may need a cast per
value). It is
also one statement text whatever the number of items (a CASE grows with them, and with
it the parameter count). The cost is that the server executes N statements where CASE
would execute one; the round trips, which dominate, go from N to 1 (the driver sends an
executemany as one call; psycopg 3 pipelines it). When the
loop only refreshes its objects (`for render in renders: session.refresh(render)`), it
becomes one SELECT of their rows that overwrites what the session holds (an unsafe fix):
```python
render_ids = [inspect(render).identity[0] for render in renders]
if render_ids:
    session.scalars(
        select(Render)
        .where(Render.id.in_(render_ids))
        .execution_options(populate_existing=True)
    ).all()
```
The keys come from each object's identity, not `render.id`: after a commit the objects
are expired, and reading `render.id` would load each row, a SELECT per object again (on
an AsyncSession, an implicit load that fails). A `session.merge(M(id=..., ...))` per
item keeps its loop; one query before it loads the rows the merges will look up, and
each merge finds its row in the session instead of SELECTing it:
```python
tag_ids = [tag_id for tag_id, name in names.items()]
# merge() finds these rows in the session; the list keeps them there.
existing_tags = (
    session.scalars(select(Tag).where(Tag.id.in_(tag_ids))).all() if tag_ids else []
)
for tag_id, name in names.items():
    session.merge(Tag(id=tag_id, name=name))
del existing_tags
```
A `session.merge(M(id=uuid.uuid4(), ...))` per item, its result unused, becomes
`session.add(M(id=uuid.uuid4(), ...))`: the key was drawn at random a moment before, so
merge's lookup is a SELECT that cannot find a row. A `session.delete(row)` per row of a
query whose delete loads the row's collections first gets them loaded with the rows, one
SELECT for all: `select(Tag).options(selectinload(Tag.objects)).where(...)`.
The list holds the rows for the loop's duration (the identity map holds clean objects
weakly; the `del` says so, and keeps linters from calling the name unused). A key part
that is the same for every item stays an `==` (`M.member_id == member_id,
M.sport_id.in_(sport_ids)`); several varying key columns use `tuple_(...).in_(...)`.
Code that uses the Query API gets `session.query(M).filter(...).all()`. When the
loop does other things too, the keys (or rows) are collected where the write was
(`render_ids.append(render.id)`) and the statement runs once after the loop. The
statement is guarded by `if keys:`, so a loop over nothing still costs nothing.

On Django, `create()` per item becomes one `bulk_create([...])` (a comprehension when
the loop does nothing else, else the objects collected where `create()` was);
`save(update_fields=[...])` per item one `Model.objects.bulk_update(objs, fields)`
after the loop (a queryset iterated in place is listed into a name first); the same
loop-invariant values saved on every row of a queryset one `queryset.update(...)`; and
`obj.delete()` per row of a queryset one `queryset.delete()`:
```python
Render.objects.filter(chain_id=chain_id).update(chain=None, chain_position=None)
```
No `if objs:` guard: `bulk_create([])` and `bulk_update([], ...)` run no query.

## Fix safety
Of `session.delete(row)` per row, the `selectinload` fix is safe when every collection
the delete loads cascades the delete (the original loaded each at `delete()`, in a loop
that does nothing else, as the option does with the rows) and no earlier delete of the
loop can change a later row's collection: its rows have one foreign key to the table,
no other foreign key with an `ON DELETE` action, and no other delete cascade of the ORM
reaches them; and nothing between the query and the loop may write (a call n1fix cannot
show harmless, an attribute assignment). Else unsafe, as when a collection is only
unlinked (its foreign key set to NULL, or a many-to-many row deleted), which the
original loaded when the flush sent the DELETEs, possibly later. A loop that does more
than delete, rows from elsewhere, a collection that is not a plain lazy one, or a
commit, rollback or expiry between the query and the loop (it expires what the option
loads): no fix. `merge` -> `add` is safe when the object is built inside `merge(...)`
by the model's own constructor with column keywords only and a primary key column set
to `uuid.uuid4()` or `uuid.uuid1()` (its `.hex` or `str()`), and the model has no
`@validates` method and no attribute event listener (merge runs them again on its
copy); unsafe in a `try` block (an INSERT that fails does so at the next flush, not at
the next merge).
The fix is safe when n1fix can show the batched statement writes the same rows: the
model is in the project's model index; the key changes per item and nothing else in the
statement does; the key column is not nullable, or the key cannot be None
(`Col == None` means `IS NULL`, but `Col.in_([None])` matches nothing); the loop does not
read the database, commit, roll back, flush or use the session otherwise (a model's own
method that commits or writes, such as a mixin's `save()`, counts: no fix); the
statement runs on a session, not through a project module or object
(`database.execute(...)`, the project's own function: no fix); the write is
not inside a `try` (which isolates each item's failure) or a `with` block; the loop does
not `return` or `yield` part-way; the statement's result (`rowcount`) is not used; an
INSERT's rows are plain values (no SQL expressions). No fix is offered when the mapped
class has ORM event listeners (`@event.listens_for(M, ...)` anywhere in the project) or
a `version_id_col`: n1fix leaves writes to models with per-row hooks or version counters
to a person. Nor when the project listens to a session's statements
(`after_bulk_delete`, `after_bulk_update`, `do_orm_execute` on `Session`, a
`sessionmaker` or a session): the listener ran once per key and would run once. The bulk UPDATE by primary key is always unsafe: it raises `StaleDataError` when a key
matches no row, where the per-item UPDATE updated nothing; it needs an ORM Session (a
receiver shown to be a Connection gets the Core executemany below; one that may be
either, no fix), the model's primary key as the key and no other condition. The fix is also
unsafe when the model is not in the index, when an UPDATE's
values read the row (`M.n + 1`) and the keys may repeat (the original applied it once per
repeat, the batch once), or when other statements of the loop may raise part-way (the
original had written the items before; the rewrite writes none).

The Core executemany is safe under the same conditions as the `in_()` form, and it needs
no primary key: the receiver must be shown to be a Connection (a parameter annotated
`Connection`/`AsyncConnection`, or a name bound by `engine.connect()`, `engine.begin()`,
`session.connection()` or alembic's `op.get_bind()`; a Session would take the list as an
ORM bulk UPDATE by primary key instead), the values given as keywords, the per-item ones
plain values (no SQL expressions), and the key not None against a nullable column
(`Col == None` is `IS NULL`, `Col == bindparam()` given None matches nothing). A
statement that writes its own key column (a rename, `.where(T.c.name == old).values(name=new)`)
binds the old value as `b_old_name`: each row still gets its own UPDATE in loop order, so
it means the same.
A Core table n1fix has no model for makes it unsafe (the key's nullability is unknown).

The merge fix changes no merge: each still copies its object onto the row it finds,
or adds it when there is none; only the SELECTs of the rows that exist move into one,
before the loop. A key with no row is still looked up by its merge (the session cannot
know a row is missing), so a loop of new objects saves nothing and costs that one query.
It is safe when the keys read before the loop are those the merges use: the object is
built in the loop by the model's own constructor (no `__init__` in the model, its bases
or mixins, every base read), which sets each keyword as the attribute; every primary key
column is a keyword, each a pure function of the item (attributes, subscripts,
`str()` / `int()`, f-strings) or the same for every item (names, attributes and
literals, no call), and nothing changes it before the merge; the loop does
nothing but build and merge (no other statement than plain assignments, no other use
of the session, no query, flush, commit, expunge or expire, nothing called that reads or
writes the database); the merge is a statement of the loop's own block, with no
`options=`; the iterable gives the same items read twice (a name bound to a list, dict,
set or tuple, a view or `sorted()` of one, a `range`). The query autoflushes before the
loop, as the first merge's lookup did; after it, a merge that finds its row no longer
flushes the merges before it (each lookup did, with autoflush), so the UPDATEs of found
rows go out together at the next flush in primary-key order rather than one per item in
loop order. Only a constraint across rows can tell: a unique constraint other than the
primary key, or a foreign key to the model's own table, makes the fix unsafe. A key
that may raise (`int(row["id"])`) makes it unsafe (it now raises before the loop), as
does a key of several varying columns (`tuple_` IN: not SQL Server, not SQLite before
3.15). No fix when the model has `load`, `refresh`, insert or update listeners, a
version counter, or is unknown; `merge(obj, load=False)` never queries and is not
reported.

The refresh fix is always unsafe. `refresh()` raises `InvalidRequestError` for an
object that is not persistent (transient, pending, detached) or whose row is gone; the
SELECT skips a missing row silently and leaves its object expired (the next attribute
access raises `ObjectDeletedError`), and a transient or pending object has no identity
(`TypeError` from `identity[0]`). `refresh()` and a `populate_existing` SELECT also
reach relationships through different code paths (eager loaders per object or once for
all, collections already loaded), which n1fix has not shown to agree for every mapping. No fix is offered when refresh() is given `attribute_names` or
`with_for_update` (one SELECT of whole rows keeps neither), when the loop does anything
but refresh its item, when the objects' model is unknown (it must come from the query
that loaded them or a `list[Model]` annotation; one model per loop), when the model has
`refresh`/`load` event listeners (which see one refresh per object), or a composite
primary key: a batch over several key columns needs `tuple_(...).in_(...)`, which not
every backend takes (SQL Server does not; SQLite before 3.15 did not), and every other
write-in-loop fix keeps to one-column keys too.

On Django the bulk forms skip what `save()` / `delete()` do per object, so there is no
fix when the model (or a project base) overrides `save()` (for create and save) or
`delete()`, when a `pre_save` / `post_save` / `m2m_changed` (or `pre_delete` /
`post_delete`) receiver is connected for it or for every sender anywhere in the
project, when a field `save()` would write has `auto_now=True` (`bulk_update()` and
`update()` leave it; a plain `save()` writes them all), or is a `FileField` (its
`pre_save()` stores the file), for `bulk_create` when the model inherits a concrete
model (multi-table inheritance: Django refuses) or its manager is a class n1fix cannot
read, and when the loop uses what the write returns, wraps each write in `try` or
`with`, saves only some items (under an `if`, or past a `continue`), calls a method
of the object or passes it to a function, or reads or writes the database otherwise. A
plain `save()` (no `update_fields`) is batched only for rows the loop's own queryset
loaded (fresh, and no row twice): its fields are those the loop assigns; objects from
elsewhere may differ from their rows in fields n1fix cannot see. An `F()` value on
objects that may repeat gets no fix (the loop applied it per repeat). A field class
n1fix does not know makes the fix unsafe (its `pre_save()` is unread). `update()` is
chosen only when every saved value is the same for every item and evaluates nothing
(no call: `timezone.now()` per item is not one value); and with `delete()`, only when
the loop's objects are not read after it. `bulk_create` sets the new objects' primary
keys on PostgreSQL, MariaDB 10.5+ and SQLite 3.35+ (Django 4+), not on MySQL or
Oracle; the fixed loop never reads them (a loop that uses what `create()` returns
gets no fix).

## Known problems
A merge fix on a table with row triggers that change other rows of it: the rows are
read before the loop, where each merge read its own after the merges before it.
A database trigger `FOR EACH STATEMENT` fires once instead of once per item. The refresh
fix needs `inspect` and `select` from sqlalchemy; when the module binds either name to
something else (`import inspect`) and has no `sqlalchemy` module import to spell them
through, the fix is dropped. A `session.delete(obj)` of a model with a `version_id_col`
goes out row by row on a driver that cannot count an executemany's rows; that is not
reported either. The keys are sent as one
`IN` list: SQLite accepts up to 32,766 parameters and PostgreSQL 65,535 per statement;
past that, chunk the keys. Event listeners are found in the modules n1fix reads: the
whole tree on a scan, the file and what it imports when given one file. Only `for` loops
are checked (not comprehensions or `while` loops). A statement built in a variable first
(`stmt = update(...)` on a line of the loop's own block, then `session.execute(stmt)`) is
reported, but without a fix: the rewrites rebuild a statement written inside
`execute(...)`. Raw SQL (`text("UPDATE ...")`) and `table.update()` methods are not read
yet.

On Django, each `create()` / `save()` outside a transaction commits on its own: when
one item fails (an `IntegrityError`), the loop had written the items before it, one
bulk call writes none. `bulk_update()` given two objects of the same row writes the
first one's values, the loop the last one's: n1fix does not prove a list parameter
holds each row once. A queryset `update()` / `delete()` per item, keyed by the item,
is reported without a fix.
"""

from __future__ import annotations

import ast
from typing import Iterable

from n1fix.rules.base import FixAvailability, Finding, Rule, Severity
from n1fix.rules.write_in_loop.gate import gate, relation_rows

__all__ = ["WriteInLoop", "gate"]


class WriteInLoop(Rule):
    __doc__ = __doc__
    NAME = "write-in-loop"
    MESSAGE = "Write statement runs once per item of a loop"
    SEVERITY = Severity.HIGH
    FIX = FixAvailability.SOMETIMES
    # One statement per item; bulk: one statement (one executemany).
    ROUND_TRIPS = ("N", "1")
    # (the model index, the names of its models' relationships), for the last index
    _relations_of: tuple[object, frozenset[str]] | None = None

    def gate(self, tree: ast.Module, text: str) -> bool:
        return gate(tree, text)

    def survey(self, tree: ast.Module, text: str) -> list[str] | None:
        # The relationship names of `relation_rows` (None for most files).
        return relation_rows(tree, text)

    def project_turns_away(self, facts, file, project) -> bool:
        """A file let through only for items of `owner.rel` rows (`relation_rows`)
        holds nothing when no model of the project has a relationship of any of those
        names: `item_model` cannot find the items' model (a view's `self.forms`)."""
        if not facts or project.models is None:
            return False
        if self._relations_of is None or self._relations_of[0] is not project.models:
            self._relations_of = (project.models, _relationship_names(project.models))
        return self._relations_of[1].isdisjoint(facts)

    def check(self, ctx) -> Iterable[Finding]:
        from n1fix.rules.write_in_loop.analysis import find
        from n1fix.rules.write_in_loop.model_writes import find_model_writes

        yield from find(ctx, self)
        yield from find_model_writes(ctx, self)


def _relationship_names(models) -> frozenset[str]:
    """Every relationship attribute of every model of the index."""
    return frozenset(
        attr for model in models.models.values() for attr in model.relationships
    )
