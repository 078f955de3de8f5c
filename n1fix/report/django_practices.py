"""The audit's best practices for a Django project: what to write instead, in Django.

The rules' own "Use instead" sections show SQLAlchemy code (and a "Why is this bad?" may
name SQLAlchemy's behaviour); on a Django project the audit shows these instead (on a
project that uses both, both). Each is what the rule's Django fix
writes, as the golden cases under golden/<rule>/django_* show it.
"""

from __future__ import annotations

DJANGO = "django"
MIXED = "sqlalchemy+django"

USE_INSTEAD = {
    "query-in-loop": """\
```python
author_ids = [author.pk for author in authors]
books_by_author_id = defaultdict(list)
if author_ids:
    for book in Book.objects.filter(author__in=author_ids):
        books_by_author_id[book.author_id].append(book)
for author in authors:
    books = books_by_author_id.get(author.pk, [])
```
One `filter(<lookup>__in=keys)` through the same manager (a custom manager's filter
stays), grouped by key in Python: each key's rows keep the query's `order_by`, else the
model's `Meta.ordering`. `.first()` / `.last()` take the first row per key of the ordered
batch; `.count()` becomes one grouped count
(`values_list("author").annotate(count=Count("pk")).order_by()`, 0 for a key without
rows); `.exists()` the set of keys with rows; `get(pk=key)` one `in_bulk(keys)`, where a
key it did not find runs the `get()` again, which raises `DoesNotExist` as before (and
`get(slug=key)` one `in_bulk(keys, field_name="slug")` when `in_bulk()` takes that unique
field); a
slice `[:n]` after `order_by()` a `ROW_NUMBER()` window filtered in the query. The async
API (`acount()`, `afirst()`, `aget()`) gets the same batches, read with `async for` and
`ain_bulk()`.""",
    "lazy-load-in-loop": """\
```python
for book in Book.objects.filter(stock__gt=0).select_related("author"):
    rows.append((book.title, book.author.name))
for author in Author.objects.prefetch_related("books"):
    titles[author.name] = [book.title for book in author.books.all()]
```
`select_related()` for a forward `ForeignKey` or `OneToOneField` read per row (one query,
with a join), `prefetch_related()` for a reverse foreign key or a many-to-many (one more
query for all the rows); a related `.count()` per row becomes an
`annotate(<name>_count=Count("<relation>", distinct=True))`. The admin's changelist gets
`list_select_related`, and a Django REST framework list view loads on its `queryset` what
its serializer reads.""",
    "write-in-loop": """\
```python
Review.objects.bulk_create(
    [Review(book=book, reviewer=name, rating=rating) for name, rating in ratings]
)
Book.objects.bulk_update(books, ["price"])  # after the loop that set each price
Render.objects.filter(chain_id=chain_id).update(chain=None, chain_position=None)
Book.objects.filter(author_id=author_id).delete()
```
`create()` per item becomes one `bulk_create()`, `save(update_fields=[...])` per item one
`bulk_update()`, the same values saved on every row of a queryset one `update()`, and
`delete()` per row one `queryset.delete()`; only where the model overrides no `save()` /
`delete()`, no signal receiver listens for it, no `auto_now` field would stop updating,
and the loop does not use what each write returns.""",
}

WHY = {
    "lazy-load-in-loop": """\
Each read of a relation the queryset did not load is a SELECT: 1 + N round trips with no
query in sight. In async code the same read does not even run: Django raises
`SynchronousOnlyOperation`.""",
}

COUNTING = {
    DJANGO: "Django's `CaptureQueriesContext` or `assertNumQueries`",
    MIXED: "SQLAlchemy's `before_cursor_execute` event; Django's"
    " `CaptureQueriesContext` or `assertNumQueries`",
}


def use_instead(rule_name: str, orm: str, documented: str) -> str:
    """What to write instead for `rule_name` on a project read with the dialect `orm`:
    the rule's own (`documented`), its Django form, or both."""
    return _for_orm(USE_INSTEAD, rule_name, orm, documented)


def why(rule_name: str, orm: str, documented: str) -> str:
    """Why the pattern is bad, in the project's ORM (as `use_instead`)."""
    return _for_orm(WHY, rule_name, orm, documented)


def _for_orm(texts: dict[str, str], rule_name: str, orm: str, documented: str) -> str:
    django = texts.get(rule_name)
    if django is None or orm not in (DJANGO, MIXED):
        return documented
    if orm == DJANGO or not documented:
        return django
    return f"{documented}\n\nOn Django:\n\n{django}"


def counting(orm: str) -> str:
    """How to count the statements a call sends, in the project's ORM."""
    return COUNTING.get(orm, "SQLAlchemy's `before_cursor_execute` event")
