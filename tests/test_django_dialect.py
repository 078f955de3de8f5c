"""The Django dialect: QuerySet chains read as the neutral query shapes, and when the
engine chooses it."""

from __future__ import annotations

import textwrap

import libcst as cst
import pytest

from n1fix.engine.survey import survey_file
from n1fix.orm.dialect import Cardinality, OrmDialect, Style
from n1fix.orm.dialects import dialect_for, dialect_name_for
from n1fix.orm.django_dialect import DjangoDialect
from n1fix.orm.django_models import with_django_models
from n1fix.orm.mixed_dialect import MixedDialect
from n1fix.orm.models import ModelIndex
from n1fix.orm.sqlalchemy_dialect import SQLALCHEMY

MODELS = """
    from django.db import models


    class Author(models.Model):
        name = models.CharField(max_length=100)


    class Book(models.Model):
        author = models.ForeignKey(Author, on_delete=models.CASCADE)
        title = models.CharField(max_length=100)
        tags = models.ManyToManyField("Tag")


    class Tag(models.Model):
        code = models.CharField(primary_key=True, max_length=10)
"""


@pytest.fixture(scope="module")
def dialect(tmp_path_factory: pytest.TempPathFactory) -> DjangoDialect:
    root = tmp_path_factory.mktemp("djdialect")
    (root / "app").mkdir()
    (root / "app" / "__init__.py").write_text("")
    (root / "app" / "models.py").write_text(textwrap.dedent(MODELS))
    survey = survey_file(root / "app" / "models.py", root, {})
    models = with_django_models(
        ModelIndex.from_facts(survey.models), survey.django_models, survey.models
    )
    return DjangoDialect(models)


def shape_of(dialect: DjangoDialect, code: str):
    return dialect.query_shape(cst.parse_expression(code))


def test_it_answers_the_seams_questions(dialect: DjangoDialect) -> None:
    assert isinstance(dialect, OrmDialect)


@pytest.mark.parametrize(
    "code,cardinality",
    [
        ("Book.objects.filter(author_id=a.pk)", Cardinality.LIST),
        ("Book.objects.all()", Cardinality.LIST),
        ("Book.objects.filter(author_id=k).first()", Cardinality.FIRST),
        ("Book.objects.filter(author_id=k).last()", Cardinality.FIRST),
        ("Book.objects.get(pk=k)", Cardinality.ONE),
        ("Book.objects.filter(author_id=k).count()", Cardinality.COUNT),
        ("Book.objects.filter(author_id=k).exists()", Cardinality.EXISTS),
        ("Book.objects.filter(author_id=k).values('title')", Cardinality.SCALAR),
        (
            "Book.objects.filter(author_id=k).values_list('title', flat=True)",
            Cardinality.SCALAR,
        ),
        ("Book.objects.filter(author_id=k).values('title').count()", Cardinality.COUNT),
        ("await Book.objects.aget(pk=k)", Cardinality.ONE),
        ("await Book.objects.filter(author_id=k).acount()", Cardinality.COUNT),
        ("await Book.objects.filter(author_id=k).afirst()", Cardinality.FIRST),
    ],
)
def test_cardinality(dialect: DjangoDialect, code: str, cardinality) -> None:
    shape = shape_of(dialect, code)
    assert shape is not None and shape.cardinality is cardinality
    assert shape.style is Style.DJANGO
    assert shape.entity is not None and shape.entity.value == "Book"
    assert shape.is_async == code.startswith("await")


@pytest.mark.parametrize(
    "lookup",
    [
        "author_id=a.pk",
        "author=a.pk",
        "author=a.id",
        "author__pk=k",
        "author__id=k",
        "author_id__exact=k",
    ],
)
def test_foreign_key_lookups_compare_the_attname(dialect, lookup) -> None:
    shape = shape_of(dialect, f"Book.objects.filter({lookup})")
    assert [p.attr for p in shape.predicates] == ["author_id"]


@pytest.mark.parametrize(
    "lookup",
    [
        "author__name=k",  # a column of another table
        "title__icontains=k",  # no equality
        "author_id__in=ks",  # already a batch
    ],
)
def test_other_lookups_are_no_key(dialect, lookup) -> None:
    shape = shape_of(dialect, f"Book.objects.filter({lookup})")
    assert [p.attr for p in shape.predicates] == [""]


def test_an_object_compared_is_keyed_by_its_primary_key(dialect) -> None:
    (predicate,) = shape_of(dialect, "Book.objects.filter(author=a)").predicates
    assert predicate.attr == "author_id" and predicate.object_key
    assert cst.Module([]).code_for_node(predicate.value) == "a.pk"
    (plain,) = shape_of(dialect, "Book.objects.filter(author=a.pk)").predicates
    assert not plain.object_key


def test_pk_is_the_models_primary_key(dialect) -> None:
    assert [
        p.attr for p in shape_of(dialect, "Tag.objects.filter(pk=k)").predicates
    ] == ["code"]
    get = shape_of(dialect, "Tag.objects.get(pk=k)")
    assert get.get_key is not None and get.get_key.value == "k"
    assert get.predicates == []


def test_get_by_another_column_is_a_predicate(dialect) -> None:
    shape = shape_of(dialect, "Book.objects.get(title=k)")
    assert shape.get_key is None and [p.attr for p in shape.predicates] == ["title"]


def test_exclude_and_q_objects_are_predicates_but_no_key(dialect) -> None:
    shape = shape_of(dialect, "Book.objects.exclude(author_id=k).filter(Q(title=t))")
    assert [p.attr for p in shape.predicates] == ["", ""]


def test_ordering_and_the_manager(dialect) -> None:
    shape = shape_of(dialect, "Book.published.filter(author_id=k).order_by('-title')")
    assert [n.value for n in shape.order_by] == ["'-title'"]
    assert shape.session.attr.value == "published"


def test_distinct_is_opaque(dialect) -> None:
    assert shape_of(dialect, "Book.objects.filter(author_id=k).distinct()").opaque == [
        "distinct"
    ]


@pytest.mark.parametrize(
    "code",
    [
        "author.book_set.filter(title=t)",  # a related manager
        "Book.objects.raw('select 1')",
        "Book.objects.filter(a=1).union(Book.objects.all())",
        "Book.objects.filter(author_id=k).acount()",  # an unawaited coroutine
        "Book.objects.filter(author_id=k).first(1)",
        "session.query(Book).filter(Book.id == k)",
        "Book.query.filter_by(id=k)",
        "Config.settings.get('x')",  # no model of the project
    ],
)
def test_what_is_not_read(dialect, code) -> None:
    assert shape_of(dialect, code) is None


def test_the_engine_chooses_django_for_a_django_project() -> None:
    assert isinstance(dialect_for(["django.db.models"]), DjangoDialect)
    assert dialect_for(["sqlalchemy.orm.Session"]) is SQLALCHEMY
    assert dialect_for([]) is SQLALCHEMY
    mixed = dialect_for(["django.db.models", "sqlalchemy.orm"])
    assert isinstance(mixed, MixedDialect) and isinstance(mixed, OrmDialect)


@pytest.mark.parametrize(
    "imported",
    [
        ["django.db.models"],
        ["sqlalchemy.orm.Session"],
        ["flask_sqlalchemy.SQLAlchemy", "django.conf.settings"],
        ["sqlmodel.Session"],
        [],
    ],
)
def test_the_name_that_keys_the_cache_is_the_chosen_dialect_s(imported) -> None:
    """A warm run keys the results cache by the dialect's name without importing the
    dialect: the name must be the one of the dialect a check would be read with."""
    assert dialect_name_for(imported) == dialect_for(imported).name


def test_a_project_that_imports_both_reads_each_query_with_its_dialect(dialect) -> None:
    mixed = MixedDialect(dialect.models)
    django = mixed.query_shape(cst.parse_expression("Book.objects.filter(author_id=k)"))
    assert django is not None and django.style is Style.DJANGO
    sqlalchemy = mixed.query_shape(
        cst.parse_expression("session.scalars(select(Book).where(Book.id == k)).all()")
    )
    assert sqlalchemy is not None and sqlalchemy.style is Style.V2
    assert mixed.batch_query(sqlalchemy, "id", "ks", Cardinality.LIST, str, str) is None
    assert (
        mixed.batch_query(
            django,
            "author_id",
            "ks",
            Cardinality.LIST,
            (lambda node: cst.Module([]).code_for_node(node)),
            str,
        ).source
        == "Book.objects.filter(author_id__in=ks)"
    )
