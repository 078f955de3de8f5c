"""lazy-load-in-loop on Django code beyond the golden cases: which per-row reads run a
query (a forward relation, a related manager's `.all()`, `.count()`, `.filter()`), what
the queryset already loads (`select_related`, `prefetch_related`, `Prefetch`), and where
the fix writes its `select_related` / `prefetch_related`."""

from __future__ import annotations

import textwrap

import pytest

from n1fix.engine.api import fix_source, scan_source
from n1fix.orm import django_prefetch
from n1fix_project import write_service

MODELS = """
    from django.db import models


    class Publisher(models.Model):
        name = models.CharField(max_length=100)


    class Author(models.Model):
        name = models.CharField(max_length=100)
        publisher = models.ForeignKey(Publisher, on_delete=models.CASCADE, null=True)


    class Profile(models.Model):
        author = models.OneToOneField(Author, on_delete=models.CASCADE)
        bio = models.TextField()


    class Tag(models.Model):
        name = models.CharField(max_length=50)


    class Book(models.Model):
        title = models.CharField(max_length=200)
        is_draft = models.BooleanField(default=False)
        author = models.ForeignKey(Author, on_delete=models.CASCADE, related_name="books")
        shelf = models.ForeignKey("Shelf", on_delete=models.CASCADE)
        tags = models.ManyToManyField(Tag, related_name="books")


    class Shelf(models.Model):
        name = models.CharField(max_length=50)


    class Review(models.Model):
        book = models.ForeignKey(Book, on_delete=models.CASCADE)
        rating = models.IntegerField()
"""

HEADER = """
    from django.db.models import Prefetch

    from app.models import Author, Book, Tag
"""


def lazy(tmp_path, body: str):
    service = write_service(tmp_path, MODELS, HEADER, body)
    found = [
        f
        for f in scan_source(service, service.read_text())
        if f.rule == "lazy-load-in-loop"
    ]
    return service, found


def fixed(service, unsafe: bool = False) -> str:
    return fix_source(service, service.read_text(), unsafe_fixes=unsafe).text


def compact(text: str) -> str:
    """The code without whitespace (a line break puts it in the chain)."""
    return "".join(text.split())


def loop_line(text: str) -> str:
    return next(line.strip() for line in text.splitlines() if " in " in line)


@pytest.mark.parametrize(
    "query, read, expected",
    [
        # a forward foreign key: joined in
        (
            "Book.objects.filter(title__startswith='A')",
            "book.author.name",
            "for book in Book.objects.filter(title__startswith='A')"
            '.select_related("author"):',
        ),
        # a path of forward keys: one lookup
        (
            "Book.objects.order_by('title')",
            "book.author.publisher.name",
            "for book in Book.objects.order_by('title')"
            '.select_related("author__publisher"):',
        ),
        # a bare all() makes way for the loader
        (
            "Book.objects.all()",
            "book.shelf.name",
            'for book in Book.objects.select_related("shelf"):',
        ),
        # a many-to-many manager's rows: prefetched
        (
            "Book.objects.all()",
            "[tag.name for tag in book.tags.all()]",
            'for book in Book.objects.prefetch_related("tags"):',
        ),
        # a reverse foreign key's manager, then a forward key of its rows
        (
            "Author.objects.all()",
            "[b.shelf.name for b in author.books.all()]",
            'for author in Author.objects.prefetch_related("books__shelf"):',
        ),
        # a reverse one-to-one is one object: joined in
        (
            "Author.objects.all()",
            "author.profile.bio",
            'for author in Author.objects.select_related("profile"):',
        ),
        # the prefix already selected: the lookup replaces it
        (
            "Book.objects.select_related('author')",
            "book.author.publisher.name",
            "for book in Book.objects.select_related('author__publisher'):",
        ),
        # another relation: one more argument of the existing call
        (
            'Book.objects.select_related("author")',
            "(book.author.name, book.shelf.name)",
            'for book in Book.objects.select_related("author", "shelf"):',
        ),
        # select_related streams with iterator(): safe
        (
            "Book.objects.iterator()",
            "book.shelf.name",
            'for book in Book.objects.select_related("shelf").iterator():',
        ),
    ],
)
def test_safe_fix_loads_the_read_with_the_rows(tmp_path, query, read, expected):
    var = "author" if query.startswith("Author") else "book"
    service, found = lazy(
        tmp_path,
        f"""

        def rows():
            out = []
            for {var} in {query}:
                out.append({read})
            return out
        """,
    )
    assert [f.applicability.value for f in found] == ["safe"] * len(found)
    assert found
    assert loop_line(fixed(service)) == expected


@pytest.mark.parametrize(
    "query, read",
    [
        ("Book.objects.select_related('author')", "book.author.name"),
        ("Book.objects.select_related('author__publisher')", "book.author.name"),
        ("Book.objects.select_related('author__publisher')", "book.author.publisher"),
        ("Book.objects.select_related()", "book.author.name"),  # every non-null key
        ("Book.objects.prefetch_related('tags')", "list(book.tags.all())"),
        ("Book.objects.prefetch_related('tags')", "book.tags.count()"),
        ("Book.objects.prefetch_related(Prefetch('tags'))", "list(book.tags.all())"),
        (
            "Book.objects.prefetch_related(Prefetch('tags', queryset=Tag.objects.all()))",
            "list(book.tags.all())",
        ),
        # what the Prefetch's own queryset loads below it is not read: unknown
        (
            "Author.objects.prefetch_related("
            "Prefetch('books', queryset=Book.objects.select_related('shelf')))",
            "[b.shelf for b in author.books.all()]",
        ),
        ("Book.objects.prefetch_related(*lookups)", "list(book.tags.all())"),
        # the book's author is the author whose books these are (no query)
        (
            "Author.objects.prefetch_related('books')",
            "[b.author.name for b in author.books.all()]",
        ),
        ("Book.objects.all()", "book.author_id"),
        ("Book.objects.all()", "book.tags"),  # the manager itself runs nothing
        ("Book.objects.all()", "book.tags.add(1)"),
        # a QuerySet handed on: whether and how it runs is the callee's
        ("Book.objects.all()", "print(book.tags.all())"),
    ],
)
def test_no_finding_without_a_query_per_row(tmp_path, query, read):
    var = "author" if query.startswith("Author") else "book"
    _, found = lazy(
        tmp_path,
        f"""

        def rows(lookups):
            out = []
            for {var} in {query}:
                out.append({read})
            return out
        """,
    )
    assert found == []


def test_the_author_of_a_books_rows_is_reported_without_the_point_back(tmp_path):
    # `book.shelf` of the author's books is a query per book; `book.author` is not
    _, found = lazy(
        tmp_path,
        """

        def rows():
            return [
                [(b.author.name, b.shelf.name) for b in author.books.all()]
                for author in Author.objects.all()
            ]
        """,
    )
    assert sorted("prefetch_related" in f.message for f in found) == [True, True]
    assert any('"books__shelf"' in f.message for f in found)


@pytest.mark.parametrize(
    "read, words",
    [
        (
            "book.tags.count() + book.tags.exists()",
            "annotate(Count(..., distinct=True))",
        ),
        ("book.tags.first()", "stands in only for rows iterated"),
        ("book.tags.filter(name='x')[:2]", "stands in only for rows iterated"),
    ],
)
def test_counts_and_filtered_managers_are_reported_without_a_fix(tmp_path, read, words):
    service, found = lazy(
        tmp_path,
        f"""

        def rows():
            return [{read} for book in Book.objects.prefetch_related("author")]
        """,
    )
    [finding] = found
    assert finding.applicability.value == "none"
    assert words in finding.message
    assert fixed(service, unsafe=True) == service.read_text()


@pytest.mark.parametrize(
    "query, read, expected",
    [
        # a forward many-to-many: the reverse query name on the related model
        (
            "Book.objects.filter(title__gt='')",
            "book.tags.exists()",
            "Book.objects.filter(title__gt='')"
            '.annotate(has_tags=Exists(Tag.objects.filter(books=OuterRef("pk"))))',
        ),
        # a reverse foreign key: the forward field
        (
            "Author.objects.all()",
            "author.books.exists()",
            "Author.objects.annotate("
            'has_books=Exists(Book.objects.filter(author=OuterRef("pk"))))',
        ),
    ],
)
def test_related_exists_per_row_becomes_an_annotation_unsafe(
    tmp_path, query, read, expected
):
    var = read.split(".")[0]
    service, found = lazy(
        tmp_path,
        f"""

        def rows():
            return [{read} for {var} in {query}]
        """,
    )
    [finding] = found
    assert finding.applicability.value == "unsafe", finding.message
    assert fixed(service) == service.read_text()
    text = fixed(service, unsafe=True)
    assert "from django.db.models import Exists, OuterRef, Prefetch" in text
    attr = "has_" + read.split(".")[1]
    assert f"[{var}.{attr} for {var} in" in text
    assert compact(expected) in compact(text)


@pytest.mark.parametrize(
    "models, read, words",
    [
        # the related model is not imported in the module
        (MODELS, "book.review_set.exists()", "`Review` is not imported here"),
        # the related manager's rows come from a default manager that filters
        (
            MODELS.replace(
                """        name = models.CharField(max_length=50)
""",
                """        name = models.CharField(max_length=50)
        objects = VisibleManager()
""",
                1,
            ).replace(
                "class Tag(models.Model):",
                "class VisibleManager(models.Manager):\n"
                "        def get_queryset(self):\n"
                "            return super().get_queryset().filter(name__gt='')\n\n\n"
                "    class Tag(models.Model):",
            ),
            "book.tags.exists()",
            "default manager",
        ),
    ],
)
def test_related_exists_without_a_fix(tmp_path, models, read, words):
    service = write_service(
        tmp_path,
        models,
        HEADER,
        f"""

        def rows():
            return [{read} for book in Book.objects.all()]
        """,
    )
    found = [
        f
        for f in scan_source(service, service.read_text())
        if f.rule == "lazy-load-in-loop"
    ]
    [finding] = found
    assert finding.applicability.value == "none", finding.message
    assert words in finding.message


@pytest.fixture
def prefetch_offered(monkeypatch):
    """The filtered-manager Prefetch fix, written but not offered yet
    (`django_prefetch.OFFERED`): these tests check the rewrite itself."""
    monkeypatch.setattr(django_prefetch, "OFFERED", True)


def test_the_filtered_manager_prefetch_is_not_offered_yet(tmp_path):
    _, found = lazy(
        tmp_path,
        """

        def rows():
            return [list(b.tags.filter(name="x")) for b in Book.objects.all()]
        """,
    )
    [finding] = found
    assert finding.applicability.value == "none"
    assert 'a `Prefetch("tags", queryset=..., to_attr=...)`' in finding.message
    assert "(into `filtered_tags`)" in finding.message


@pytest.mark.usefixtures("prefetch_offered")
def test_filtered_manager_is_reported_even_when_prefetched(tmp_path):
    service, found = lazy(
        tmp_path,
        """

        def rows():
            return [list(b.tags.filter(name="x")) for b in Book.objects.prefetch_related("tags")]
        """,
    )
    [finding] = found
    assert finding.applicability.value == "unsafe"
    assert compact(
        'Book.objects.prefetch_related("tags").prefetch_related(Prefetch("tags",'
        ' queryset=Tag.objects.filter(name="x"), to_attr="filtered_tags"))'
    ) in compact(fixed(service, unsafe=True))
    assert "list(b.filtered_tags)" in fixed(service, unsafe=True)


@pytest.mark.parametrize(
    "before, after",
    [
        # a boolean field read true, and false
        (
            "[b.title for b in author.books.filter(is_draft=False)]",
            "[b.title for b in author.not_draft_books]",
        ),
        (
            "[b.title for b in author.books.exclude(is_draft=True).order_by('-title')]",
            "[b.title for b in author.not_draft_books]",
        ),
        # an order alone; len() reads every row as a list does
        ("len(author.books.order_by('title'))", "len(author.books_by_title)"),
        # a lookup through a forward foreign key, the same chain read twice: one Prefetch
        (
            "(list(author.books.filter(shelf__name='a')), len(author.books.filter(shelf__name='a')))",
            "(list(author.filtered_books), len(author.filtered_books))",
        ),
    ],
)
@pytest.mark.usefixtures("prefetch_offered")
def test_filtered_manager_becomes_a_prefetch_to_a_list(tmp_path, before, after):
    service, found = lazy(
        tmp_path,
        f"""

        def rows():
            return [{before} for author in Author.objects.filter(name__gt="")]
        """,
    )
    [finding] = found
    assert finding.applicability.value == "unsafe"
    assert "a list the loop reads where it had a QuerySet" in finding.fix_note
    text = fixed(service, unsafe=True)
    assert after in text
    assert text.count("Prefetch(") == 1


@pytest.mark.parametrize(
    "body, words",
    [
        # a lookup through a relation with many rows per book
        (
            "[b.id for b in author.books.filter(tags__name='x')]",
            "single-valued relations",
        ),
        ("[b.id for b in author.books.filter(Q(title='x'))]", "cannot read"),
        (
            "[b.id for b in author.books.filter(title=author.name)]",
            "evaluated for each row",
        ),
        (
            "[b.id for b in author.books.annotate(n=Count('tags'))]",
            "not read as a queryset",
        ),
        (
            "[b.id for b in author.books.select_related('shelf')]",
            "only loads relations",
        ),
        ("author.books.filter(title='x').exists()", "stands in only for rows iterated"),
    ],
)
@pytest.mark.usefixtures("prefetch_offered")
def test_filtered_manager_without_a_prefetch(tmp_path, body, words):
    service, found = lazy(
        tmp_path,
        f"""
        from django.db.models import Count, Q


        def rows():
            return [{body} for author in Author.objects.filter(name__gt="")]
        """,
    )
    [finding] = [f for f in found if "books" in f.message]
    assert finding.applicability.value == "none", finding.message
    assert words in finding.message


@pytest.mark.parametrize(
    "function, fixed_ok",
    [
        # a parameter, a module constant, a local bound before the queryset
        ("def rows(title):\n    qs = Author.objects.all()\n    LOOP", True),
        (
            "def rows():\n    qs = Author.objects.all()\n    title = TITLE\n    LOOP",
            False,
        ),
        (
            "def rows():\n    title = TITLE\n    qs = Author.objects.all()\n    LOOP",
            True,
        ),
        # rebound, or handed on, between the queryset and the loop or in it
        (
            "def rows(title):\n    qs = Author.objects.all()\n    title = title.strip()\n    LOOP",
            False,
        ),
        (
            "def rows(title):\n    qs = Author.objects.all()\n    seen(title)\n    LOOP",
            False,
        ),
        (
            "def rows(title):\n    qs = Author.objects.all()\n    LOOP\n        title = 'y'",
            False,
        ),
        # read where the queryset is built: n1fix does not tell a read from a change
        (
            "def rows(title):\n    if title:\n        qs = Author.objects.all()\n        LOOP",
            False,
        ),
        (
            "def rows():\n    if TITLE:\n        title = 'x'\n    qs = Author.objects.all()\n    LOOP",
            False,
        ),
    ],
)
@pytest.mark.usefixtures("prefetch_offered")
def test_filter_values_the_same_where_the_queryset_is_built(
    tmp_path, function, fixed_ok
):
    indent = "        " if "    if title:" in function else "    "
    loop = (
        "for author in qs:\n"
        f"{indent}    print([b.id for b in author.books.filter(title=title)])"
    )
    body = "\n\nTITLE = 'x'\n\n\ndef seen(value):\n    pass\n\n\n" + function.replace(
        "LOOP", loop
    )
    service = write_service(tmp_path, MODELS, HEADER, body)
    [finding] = [
        f
        for f in scan_source(service, service.read_text())
        if f.rule == "lazy-load-in-loop"
    ]
    assert (finding.applicability.value == "unsafe") is fixed_ok, finding.message


def test_iterator_makes_a_prefetch_unsafe_and_gives_it_a_chunk_size(tmp_path):
    service, found = lazy(
        tmp_path,
        """

        def rows():
            return [list(book.tags.all()) for book in Book.objects.iterator()]
        """,
    )
    [finding] = found
    assert finding.applicability.value == "unsafe"
    assert "chunk_size" in finding.fix_note
    assert fixed(service) == service.read_text()
    compact = "".join(fixed(service, unsafe=True).split())
    assert 'Book.objects.prefetch_related("tags").iterator(chunk_size=2000)' in compact


@pytest.mark.parametrize(
    "query, words",
    [
        ("Book.objects.only('title')", "only()"),
        ("Book.objects.defer('title')", "defer()"),
        ("Book.objects.select_for_update()", "select_for_update()"),
    ],
)
def test_no_fix_where_select_related_would_fail_or_lock(tmp_path, query, words):
    service, found = lazy(
        tmp_path,
        f"""

        def rows():
            return [book.author.name for book in {query}]
        """,
    )
    [finding] = found
    assert finding.applicability.value == "none"
    assert words in finding.message


def test_read_in_a_branch_is_unsafe(tmp_path):
    _, found = lazy(
        tmp_path,
        """

        def rows():
            out = []
            for book in Book.objects.all():
                if book.title:
                    out.append(book.author.name)
            return out
        """,
    )
    [finding] = found
    assert finding.applicability.value == "unsafe"


def test_rows_from_a_helper_get_the_loader_there_unsafe(tmp_path):
    service, found = lazy(
        tmp_path,
        """

        def in_stock():
            return Book.objects.filter(title__gt="")


        def rows():
            return [book.author.name for book in in_stock()]
        """,
    )
    [finding] = found
    assert finding.applicability.value == "unsafe"
    assert 'return Book.objects.filter(title__gt="").select_related("author")' in fixed(
        service, unsafe=True
    )


def test_a_queryset_bound_to_a_name_is_fixed_where_it_is_built(tmp_path):
    service, found = lazy(
        tmp_path,
        """

        def rows():
            books = Book.objects.filter(title__gt="")
            return [book.author.name for book in books]
        """,
    )
    [finding] = found
    assert finding.applicability.value == "safe"
    assert (
        'books = Book.objects.filter(title__gt="").select_related("author")'
        in fixed(service)
    )


def test_no_fix_through_a_relation_whose_model_is_unknown(tmp_path):
    # a relation the model index holds without its target (a generic relation, say):
    # select_related refuses a name that is no foreign key
    from n1fix.orm.django_loading import row_loader
    from n1fix.orm.loader_options import Options
    from n1fix.orm.models import MANY_TO_ONE, RelationshipInfo

    relation = RelationshipInfo(
        "content_object", None, uselist=False, direction=MANY_TO_ONE
    )
    loader = row_loader(
        [], Options([], False, []), ("content_object",), (relation,), []
    )
    assert loader.missing is not None and "content_object" in loader.missing


@pytest.mark.parametrize(
    "query, expected",
    [
        (
            "Book.objects.filter(title__gt='')",
            "Book.objects.filter(title__gt='').annotate("
            'review_count=Count("review", distinct=True))',
        ),
        # a bare all() makes way; Tag has no Meta.ordering, so no order_by
        (
            "Book.objects.all()",
            'Book.objects.annotate(review_count=Count("review", distinct=True))',
        ),
    ],
)
def test_related_count_per_row_becomes_an_annotation_unsafe(tmp_path, query, expected):
    service, found = lazy(
        tmp_path,
        f"""

        def rows():
            return [(book.title, book.review_set.count()) for book in {query}]
        """,
    )
    [finding] = found
    assert finding.applicability.value == "unsafe"
    assert fixed(service) == service.read_text()
    text = fixed(service, unsafe=True)
    assert "from django.db.models import Count, Prefetch" in text
    assert "[(book.title, book.review_count) for book in" in text
    assert compact(expected) in compact(text)


def test_related_count_keeps_meta_ordering_that_a_group_by_drops(tmp_path):
    models = MODELS.replace(
        """        tags = models.ManyToManyField(Tag, related_name="books")
""",
        """        tags = models.ManyToManyField(Tag, related_name="books")

        class Meta:
            ordering = ["-title", "id"]
""",
    )
    service = write_service(
        tmp_path,
        models,
        "from app.models import Book\n",
        """

        def counts():
            return [b.tags.count() for b in Book.objects.filter(title__gt="")]
        """,
    )
    assert (
        'Book.objects.filter(title__gt="").annotate(tag_count=Count("tags",distinct=True))'
        '.order_by("-title","id")'
    ) in compact(fixed(service, unsafe=True))


@pytest.mark.parametrize(
    "query, words",
    [
        ("Book.objects.filter(review__rating=5)", "joins `review` already"),
        ("Book.objects.filter(Q(title=''))", "cannot read"),
        ("Book.objects.annotate(review_count=F('id'))", "`review_count` is taken"),
        ("Book.objects.distinct()", "distinct()"),
    ],
)
def test_related_count_without_a_fix(tmp_path, query, words):
    _, found = lazy(
        tmp_path,
        f"""

        def rows():
            return [book.review_set.count() for book in {query}]
        """,
    )
    [finding] = found
    assert finding.applicability.value == "none"
    assert words in finding.message


@pytest.mark.parametrize(
    "write, applicability",
    [
        ("Author.objects.filter(pk=book.author_id).update(name='x')", "unsafe"),
        ("Tag.objects.create(name=book.title)", "unsafe"),
        ("book.author.save()", "unsafe"),
        ("book.save()", "safe"),  # the row's own columns: no relation on the path
        ("seen.update({book.pk: 1})", "safe"),  # a dict
    ],
)
def test_writes_in_the_loop_make_the_fix_unsafe(tmp_path, write, applicability):
    _, found = lazy(
        tmp_path,
        f"""

        def rows():
            out, seen = [], {{}}
            for book in Book.objects.all():
                {write}
                out.append(book.author.name)
            return out
        """,
    )
    assert [f.applicability.value for f in found] == [applicability]


ADMIN_MODELS = """
    from django.db import models


    class Country(models.Model):
        name = models.CharField(max_length=50)


    class Publisher(models.Model):
        name = models.CharField(max_length=100)
        country = models.ForeignKey(Country, on_delete=models.CASCADE)


    class Author(models.Model):
        name = models.CharField(max_length=100)
        publisher = models.ForeignKey(Publisher, on_delete=models.CASCADE, null=True)


    class Book(models.Model):
        title = models.CharField(max_length=200)
        author = models.ForeignKey(Author, on_delete=models.CASCADE)
        editor = models.ForeignKey(Author, on_delete=models.SET_NULL, null=True, related_name="+")
"""


def admin_findings(tmp_path, body: str):
    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'x'\nversion = '0'\n")
    (tmp_path / "app").mkdir()
    (tmp_path / "app" / "__init__.py").write_text("")
    (tmp_path / "app" / "models.py").write_text(textwrap.dedent(ADMIN_MODELS))
    path = tmp_path / "app" / "admin.py"
    path.write_text(
        "from django.contrib import admin\n\nfrom app.models import Book\n"
        + textwrap.dedent(body)
    )
    found = [
        f for f in scan_source(path, path.read_text()) if f.rule == "lazy-load-in-loop"
    ]
    return path, found


def test_admin_nullable_foreign_key_column_gets_list_select_related(tmp_path):
    path, found = admin_findings(
        tmp_path,
        """

        @admin.register(Book)
        class BookAdmin(admin.ModelAdmin):
            list_display = ("title", "author", "editor")
        """,
    )
    [finding] = found
    assert finding.applicability.value == "safe"
    # the tuple keeps what Django's select_related() followed: the non-null keys
    assert (
        '    list_display = ("title", "author", "editor")\n'
        '    list_select_related = ("editor", "author")\n'
    ) in fixed(path)


def test_admin_method_reading_a_relation_without_relation_columns(tmp_path):
    path, found = admin_findings(
        tmp_path,
        """

        class BookAdmin(admin.ModelAdmin):
            list_display = ("title", "publisher_name")

            def publisher_name(self, obj):
                return obj.author.publisher.name


        admin.site.register(Book, BookAdmin)
        """,
    )
    [finding] = found
    assert finding.applicability.value == "unsafe"
    assert 'list_select_related = ("author__publisher",)' in fixed(path, unsafe=True)


@pytest.mark.parametrize(
    "body",
    [
        # a non-null key column: Django's select_related() follows it
        'list_display = ("title", "author")',
        # a method reading a non-null path, with a relation column
        'list_display = ("author", "country")\n\n'
        "    def country(self, obj):\n        return obj.author.name",
        'list_display = ("editor",)\n    list_select_related = True',
        'list_display = ("editor",)\n\n'
        "    def get_queryset(self, request):\n        return super().get_queryset(request)",
    ],
)
def test_admin_without_a_finding(tmp_path, body):
    _, found = admin_findings(
        tmp_path,
        f"""

@admin.register(Book)
class BookAdmin(admin.ModelAdmin):
    {body}
""",
    )
    assert found == []


SERIALIZERS = """
    from rest_framework import serializers

    from app.models import Author, Book, Tag


    class AuthorSerializer(serializers.ModelSerializer):
        class Meta:
            model = Author
            fields = ["name"]


    class TagSerializer(serializers.ModelSerializer):
        class Meta:
            model = Tag
            fields = ["name"]


    class BookSerializer(serializers.ModelSerializer):
        author = AuthorSerializer()
        publisher = serializers.CharField(source="author.publisher.name")
        tags = TagSerializer(many=True)
        author_id = serializers.PrimaryKeyRelatedField(source="author", read_only=True)
        extra = serializers.SerializerMethodField()

        class Meta:
            model = Book
            fields = ["title", "author", "publisher", "tags", "author_id", "extra", "shelf"]

        def get_extra(self, book):
            return None
"""


def drf_project(tmp_path, views: str):
    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'x'\nversion = '0'\n")
    (tmp_path / "app").mkdir()
    (tmp_path / "app" / "__init__.py").write_text("")
    (tmp_path / "app" / "models.py").write_text(textwrap.dedent(MODELS))
    (tmp_path / "app" / "serializers.py").write_text(textwrap.dedent(SERIALIZERS))
    path = tmp_path / "app" / "views.py"
    path.write_text(textwrap.dedent(views))
    found = [
        f for f in scan_source(path, path.read_text()) if f.rule == "lazy-load-in-loop"
    ]
    return path, found


def test_drf_list_view_loads_what_its_serializer_reads(tmp_path):
    path, found = drf_project(
        tmp_path,
        """
        from rest_framework import viewsets

        from app.models import Book
        from app.serializers import BookSerializer


        class BookViewSet(viewsets.ModelViewSet):
            queryset = Book.objects.all()
            serializer_class = BookSerializer
        """,
    )
    assert sorted(f.message.split("`")[1] for f in found) == [
        "BookSerializer.author",
        "BookSerializer.publisher",
        "BookSerializer.tags",
    ]
    assert {f.applicability.value for f in found} == {"safe"}
    text = fixed(path)
    assert (
        'queryset = Book.objects.select_related("author__publisher").prefetch_related("tags")'
        in compact(text).replace("queryset=", "queryset = ")
    )


@pytest.mark.parametrize(
    "view",
    [
        # already loaded
        """
        class BookList(generics.ListAPIView):
            queryset = Book.objects.select_related("author__publisher").prefetch_related("tags")
            serializer_class = BookSerializer
        """,
        # its own queryset
        """
        class BookList(generics.ListAPIView):
            queryset = Book.objects.all()
            serializer_class = BookSerializer

            def get_queryset(self):
                return Book.objects.all()
        """,
        # its get_queryset loads them, on the class's queryset
        """
        class BookList(generics.ListAPIView):
            queryset = Book.objects.all()
            serializer_class = BookSerializer

            def get_queryset(self):
                return (
                    super()
                    .get_queryset()
                    .select_related("author__publisher")
                    .prefetch_related("tags")
                )
        """,
        # one row: no list
        """
        class BookDetail(generics.RetrieveAPIView):
            queryset = Book.objects.all()
            serializer_class = BookSerializer
        """,
    ],
)
def test_drf_view_without_a_finding(tmp_path, view):
    _, found = drf_project(
        tmp_path,
        """
        from rest_framework import generics

        from app.models import Book
        from app.serializers import BookSerializer
        """
        + view,
    )
    assert found == []


def test_admin_through_a_project_base_class(tmp_path):
    (tmp_path / "base").mkdir()
    (tmp_path / "base" / "__init__.py").write_text("")
    (tmp_path / "base" / "admin.py").write_text(
        "from django.contrib.admin import ModelAdmin\n\n\n"
        "class SiteAdmin(ModelAdmin):\n    save_on_top = True\n\n\n"
        "class OwnQueryAdmin(ModelAdmin):\n"
        "    def get_queryset(self, request):\n        return None\n"
    )
    _, found = admin_findings(
        tmp_path,
        """
        from base.admin import OwnQueryAdmin, SiteAdmin


        @admin.register(Book)
        class BookAdmin(SiteAdmin):
            list_display = ("title", "editor")


        class OtherAdmin(OwnQueryAdmin):
            list_display = ("title", "editor")


        admin.site.register(Book, OtherAdmin)
        """,
    )
    assert [f.message.split("`")[1] for f in found] == ["BookAdmin"]


def test_drf_view_narrowing_the_queryset_and_choosing_the_serializer(tmp_path):
    path, found = drf_project(
        tmp_path,
        """
        from rest_framework import generics

        from app.models import Book
        from app.serializers import AuthorSerializer, BookSerializer


        class BookList(generics.ListCreateAPIView):
            queryset = Book.objects.order_by("title")

            def get_queryset(self):
                return super().get_queryset().filter(title__gt="")

            def get_serializer_class(self):
                if self.request.method == "GET":
                    return BookSerializer
                return AuthorSerializer
        """,
    )
    assert len(found) == 3
    assert {f.applicability.value for f in found} == {"unsafe"}
    assert 'order_by("title").select_related("author__publisher")' in compact(
        fixed(path, unsafe=True)
    )


def test_drf_fields_read_at_one_queryset_each_show_their_own_fix(tmp_path):
    from n1fix.config import load_config
    from n1fix.engine.runner import run
    from n1fix.engine.single_fix import key, single_fixes

    path, found = drf_project(
        tmp_path,
        """
        from rest_framework import viewsets

        from app.models import Book
        from app.serializers import BookSerializer


        class BookViewSet(viewsets.ModelViewSet):
            queryset = Book.objects.all()
            serializer_class = BookSerializer
        """,
    )
    config = load_config(tmp_path)
    result = run([path], tmp_path, config, jobs=1)
    lazy = [f for f in result.findings if f.rule == "lazy-load-in-loop"]
    fixes = single_fixes(lazy, tmp_path, config, result.project)
    shown = {f.message.split("`")[1]: fixes[key(f)].new_text for f in lazy}
    assert 'prefetch_related("tags")' in shown["BookSerializer.tags"]
    assert "select_related" not in shown["BookSerializer.tags"]


def test_a_lookup_joins_arguments_laid_out_on_their_own_line(tmp_path):
    service, _ = lazy(
        tmp_path,
        """

        def rows():
            books = Book.objects.select_related(
                "shelf"
            ).order_by("title")
            return [book.author.name for book in books]
        """,
    )
    assert (
        "    books = Book.objects.select_related(\n"
        '        "shelf", "author"\n'
        '    ).order_by("title")\n'
    ) in fixed(service)


def test_a_loader_after_a_bracketed_chain_goes_inside_its_brackets(tmp_path):
    service, _ = lazy(
        tmp_path,
        """

        def rows():
            books = (
                Book.objects.filter(title__gt="")
                .exclude(title="x")
            )
            return [book.author.name for book in books]
        """,
    )
    assert (
        "    books = (\n"
        '        Book.objects.filter(title__gt="")\n'
        '        .exclude(title="x")\n'
        '        .select_related("author")\n'
        "    )\n"
    ) in fixed(service)


def test_two_loaders_on_one_view_queryset_stay_one_chain(tmp_path):
    """The first fix breaks the queryset one call a line (it no longer fits); the
    second goes inside its brackets, not after them."""
    path, _ = drf_project(
        tmp_path,
        """
        from rest_framework import viewsets

        from app.models import Book
        from app.serializers import BookSerializer


        class BookViewSet(viewsets.ModelViewSet):
            queryset = Book.objects.filter(title__gt="a long enough title")
            serializer_class = BookSerializer
        """,
    )
    assert (
        "    queryset = (\n"
        '        Book.objects.filter(title__gt="a long enough title")\n'
        '        .select_related("author__publisher")\n'
        '        .prefetch_related("tags")\n'
        "    )\n"
    ) in fixed(path)


def test_drf_get_queryset_loading_some_reads_leaves_the_others(tmp_path):
    _, found = drf_project(
        tmp_path,
        """
        from rest_framework import generics

        from app.models import Book
        from app.serializers import BookSerializer


        class BookList(generics.ListAPIView):
            queryset = Book.objects.all()
            serializer_class = BookSerializer

            def get_queryset(self):
                if self.request.query_params.get("q"):
                    return super().get_queryset().filter(title=self.request.query_params["q"])
                return super().get_queryset().prefetch_related("tags")
        """,
    )
    # tags: loaded on one of the two ways; the author and publisher: on neither
    assert sorted(f.message.split("`")[1] for f in found) == [
        "BookSerializer.author",
        "BookSerializer.publisher",
    ]
