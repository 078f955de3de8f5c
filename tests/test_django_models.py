"""The Django model index, read from source with `ast` (no `django.setup()`, nothing of
the project imported): each fact on a small project written to a temporary directory."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from n1fix.engine.survey import survey_file
from n1fix.orm.dialect import MANY_TO_MANY, MANY_TO_ONE, ONE_TO_MANY
from n1fix.orm.django_models import with_django_models
from n1fix.orm.models import ModelIndex

PROJECT = {
    "blog/__init__.py": "",
    "blog/models.py": """
        from django.db import models
        from django.db.models.signals import post_save
        from django.dispatch import receiver


        class TimeStamped(models.Model):
            created = models.DateTimeField(auto_now_add=True)
            updated = models.DateTimeField(auto_now=True)

            class Meta:
                abstract = True
                ordering = ["-created"]


        class PublishedQuerySet(models.QuerySet):
            def published(self):
                return self.filter(published=True)


        class PublishedManager(models.Manager):
            def get_queryset(self):
                return super().get_queryset().filter(published=True)


        class Author(models.Model):
            name = models.CharField(max_length=100, unique=True)

            class Meta:
                ordering = ("name",)


        class Tag(models.Model):
            label = models.CharField(max_length=20)
            objects = models.Manager.from_queryset(PublishedQuerySet)()


        class Book(TimeStamped):
            author = models.ForeignKey(Author, on_delete=models.CASCADE)
            editor = models.ForeignKey(
                "Author", null=True, related_name="edited", on_delete=models.SET_NULL
            )
            tags = models.ManyToManyField(Tag, related_name="books")
            title = models.CharField(max_length=100)
            objects = PublishedQuerySet.as_manager()
            visible = PublishedManager()

            def save(self, *args, **kwargs):
                super().save(*args, **kwargs)


        class Ebook(Book):
            url = models.URLField()


        class Review(TimeStamped):
            book = models.ForeignKey(Book, on_delete=models.CASCADE)

            class Meta:
                db_table = "reviews"


        class Plain(models.Model):
            note = models.TextField(**{"null": True})


        @receiver(post_save, sender=Author)
        def on_author(sender, instance, **kwargs):
            pass
    """,
    "shop/__init__.py": "",
    "shop/models/__init__.py": "from .order import Order\n",
    "shop/models/order.py": """
        from django.db import models


        class Order(models.Model):
            code = models.CharField(primary_key=True, max_length=10)
            book = models.OneToOneField("blog.Book", on_delete=models.CASCADE)
            parent = models.ForeignKey(
                "self", null=True, related_name="+", on_delete=models.CASCADE
            )
            shelf = models.ForeignKey("somewhere.Else", on_delete=models.CASCADE)

            def delete(self, *args, **kwargs):
                return super().delete(*args, **kwargs)
    """,
    "shop/signals.py": """
        from django.db.models.signals import pre_delete
        from shop.models import Order


        def forget(sender, **kwargs):
            pass


        pre_delete.connect(forget, sender=Order)
    """,
    "shop/views.py": """
        from shop.models import Order
    """,
}


@pytest.fixture(scope="module")
def index(tmp_path_factory: pytest.TempPathFactory) -> ModelIndex:
    root = tmp_path_factory.mktemp("djproject")
    for name, text in PROJECT.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text))
    surveys = [survey_file(path, root, {}) for path in sorted(root.rglob("*.py"))]
    facts = [fact for survey in surveys for fact in survey.models]
    return with_django_models(
        ModelIndex.from_facts(facts),
        [fact for survey in surveys for fact in survey.django_models],
        facts,
    )


def test_models_in_a_models_module_and_a_models_package(index: ModelIndex) -> None:
    assert {"blog.models.Author", "blog.models.Book", "shop.models.order.Order"} <= set(
        index.models
    )


def test_abstract_models_and_querysets_are_no_models(index: ModelIndex) -> None:
    assert "blog.models.TimeStamped" not in index
    assert "blog.models.PublishedQuerySet" not in index
    assert "blog.models.PublishedManager" not in index


def test_table_names(index: ModelIndex) -> None:
    assert index.get("blog.models.Book").table == "blog_book"
    assert index.get("blog.models.Review").table == "reviews"
    assert index.get("shop.models.order.Order").table == "shop_order"


def test_implicit_and_explicit_primary_keys(index: ModelIndex) -> None:
    assert index.get("blog.models.Author").primary_key == ("id",)
    assert index.get("shop.models.order.Order").primary_key == ("code",)


def test_foreign_key_is_a_column_under_its_attname(index: ModelIndex) -> None:
    book = index.get("blog.models.Book")
    column = book.column("author_id")
    assert column is not None and column.foreign_key == "blog_author.id"
    assert not column.nullable
    assert book.column("author") is None
    assert book.column("editor_id").nullable


def test_unique_and_one_to_one_columns(index: ModelIndex) -> None:
    assert index.get("blog.models.Author").is_unique("name")
    order = index.get("shop.models.order.Order")
    assert order.is_unique("book_id")
    assert order.column("book_id").foreign_key == "blog_book.id"


def test_unreadable_flags_are_read_on_the_safe_side(index: ModelIndex) -> None:
    assert index.get("blog.models.Plain").column("note").nullable


def test_forward_and_reverse_relations(index: ModelIndex) -> None:
    book = index.get("blog.models.Book")
    author = book.relationship("author")
    assert author.direction == MANY_TO_ONE
    assert author.target == "blog.models.Author"
    assert author.foreign_key_attrs == ("author_id",)
    assert author.back_populates == "book_set"
    reverse = index.get("blog.models.Author").relationship("book_set")
    assert reverse.direction == ONE_TO_MANY and reverse.uselist
    assert reverse.foreign_key_attrs == ("author_id",)
    assert index.get("blog.models.Author").relationship("edited").target == (
        "blog.models.Book"
    )


def test_many_to_many_both_ways(index: ModelIndex) -> None:
    tags = index.get("blog.models.Book").relationship("tags")
    assert tags.direction == MANY_TO_MANY and tags.secondary
    assert index.get("blog.models.Tag").relationship("books").direction == MANY_TO_MANY


def test_string_targets_self_app_label_and_plus(index: ModelIndex) -> None:
    order = index.get("shop.models.order.Order")
    assert order.relationship("book").target == "blog.models.Book"
    assert index.get("blog.models.Book").relationship("order").uselist is False
    parent = order.relationship("parent")
    assert parent.target == "shop.models.order.Order"
    assert parent.back_populates is None  # related_name="+": no reverse
    assert order.relationship("shelf").target == "somewhere.Else"  # unresolved
    assert order.column("shelf_id").foreign_key is None


def test_abstract_parent_fields_and_ordering_are_inherited(index: ModelIndex) -> None:
    review = index.get("blog.models.Review")
    assert review.column("created") is not None
    # A Meta of its own that does not subclass the abstract parent's drops its ordering.
    assert review.django.ordering is None
    assert index.get("blog.models.Book").django.ordering == ("-created",)
    assert index.get("blog.models.Author").django.ordering == ("name",)
    assert index.get("blog.models.Tag").django.ordering is None


def test_multi_table_inheritance(index: ModelIndex) -> None:
    ebook = index.get("blog.models.Ebook")
    assert ebook.inherits == "blog.models.Book"
    assert ebook.primary_key == ("book_ptr_id",)
    assert ebook.column("title") is not None
    assert ebook.relationship("author").back_populates == "book_set"
    assert index.get("blog.models.Book").relationship("ebook").target == (
        "blog.models.Ebook"
    )
    assert ebook.django.ordering == ("-created",)  # ordering is inherited


def test_managers(index: ModelIndex) -> None:
    book = index.get("blog.models.Book").django
    assert {m.attr for m in book.managers} == {"objects", "visible"}
    assert book.manager_filters("visible")  # overrides get_queryset
    assert not book.manager_filters("objects")  # as_manager() of a plain QuerySet
    tag = index.get("blog.models.Tag").django
    assert tag.managers[0].queryset == "blog.models.PublishedQuerySet"
    assert not tag.manager_filters("objects")


def test_save_and_delete_overrides(index: ModelIndex) -> None:
    assert index.get("blog.models.Book").django.overrides == (
        ("save", "blog.models.Book"),
    )
    assert index.get("blog.models.Ebook").django.overrides == (
        ("save", "blog.models.Book"),
    )
    assert index.get("shop.models.order.Order").django.overrides == (
        ("delete", "shop.models.order.Order"),
    )


def test_signal_receivers(index: ModelIndex) -> None:
    assert [
        signal for signal, _ in index.get("blog.models.Author").django.receivers
    ] == ["post_save"]
    receivers = index.get("shop.models.order.Order").django.receivers
    assert receivers == (("pre_delete", "shop.signals:10"),)
    assert index.get("blog.models.Book").django.receivers == ()


def test_auto_now_fields(index: ModelIndex) -> None:
    assert index.get("blog.models.Book").django.auto_now == ("updated",)


def test_reexported_models_resolve(index: ModelIndex) -> None:
    found = index.resolve("Order", {"Order": "shop.models.Order"}, "shop.views")
    assert found is not None and found.qualname == "shop.models.order.Order"


def test_sqlalchemy_models_have_no_django_facts(tmp_path: Path) -> None:
    (tmp_path / "m.py").write_text(
        textwrap.dedent(
            """
            from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

            class Base(DeclarativeBase):
                pass

            class User(Base):
                __tablename__ = "users"
                id: Mapped[int] = mapped_column(primary_key=True)
            """
        )
    )
    survey = survey_file(tmp_path / "m.py", tmp_path, {})
    index = with_django_models(
        ModelIndex.from_facts(survey.models), survey.django_models, survey.models
    )
    assert index.get("m.User").django is None


def test_the_facts_survive_the_results_cache(tmp_path: Path) -> None:
    import json

    from n1fix.engine.cache_codec import decoder, encoder
    from n1fix.engine.survey import Survey

    for name, text in PROJECT.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text))
    survey = survey_file(tmp_path / "blog" / "models.py", tmp_path, {})
    assert survey.django_models
    back = decoder(Survey)(json.loads(json.dumps(encoder(Survey)(survey))))
    assert back.django_models == survey.django_models


def test_receivers_beside_other_decorators(tmp_path: Path) -> None:
    # Only a `@receiver(...)` or a `.connect(...)` sends the module through the walk
    # for receivers: one among plain decorators and nested functions is still found.
    import ast

    from n1fix.orm.django_facts import DjangoReceiverFacts, extract_django

    source = textwrap.dedent(
        """
        from django.db.models.signals import post_save, pre_delete
        from django.dispatch import receiver
        from shop.models import Order

        class Helper:
            @property
            def name(self):
                return "x"

        def install():
            @receiver(post_save, sender=Order)
            def touched(sender, instance, **kwargs):
                pass

            def forget(sender, instance, **kwargs):
                pass

            pre_delete.connect(forget, sender=Order)
        """
    )
    facts = extract_django(ast.parse(source), "shop.signals", text=source)
    receivers = [f for f in facts if isinstance(f, DjangoReceiverFacts)]
    assert [(r.signal, r.sender) for r in receivers] == [
        ("django.db.models.signals.post_save", "shop.models.Order"),
        ("django.db.models.signals.pre_delete", "shop.models.Order"),
    ]
    plain = (
        "from django.db import models\nclass A:\n    @property\n    def x(self): pass\n"
    )
    assert not any(
        isinstance(f, DjangoReceiverFacts)
        for f in extract_django(ast.parse(plain), "shop.other", text=plain + "receiver")
    )


def test_receivers_of_own_signals_and_walk_order() -> None:
    # A module whose receivers are all of the project's own signals gives no receiver
    # fact (and is not walked); one with a model signal among them keeps the walk's
    # order, whatever the index's order of functions and calls.
    import ast

    from n1fix.orm.django_facts import DjangoReceiverFacts, extract_django

    own = textwrap.dedent(
        """
        from django.dispatch import receiver
        from shop.signals import order_placed, periodic_task
        from shop import signals as s

        @receiver(order_placed, dispatch_uid="a")
        def placed(sender, **kwargs):
            pass

        @receiver([periodic_task, s.order_paid])
        async def tick(sender, **kwargs):
            pass

        s.order_paid.connect(placed)
        """
    )
    assert not any(
        isinstance(f, DjangoReceiverFacts)
        for f in extract_django(ast.parse(own), "shop.handlers", text=own)
    )
    mixed = textwrap.dedent(
        """
        from django.db.models import signals as sig
        from django.dispatch import receiver
        from shop.signals import order_placed
        from shop.models import Order, Item

        class Hooks:
            def install(self):
                sig.post_delete.connect(self.gone, sender=Item)

        @receiver(order_placed)
        def placed(sender, **kwargs):
            pass

        def outer():
            @receiver([order_placed, sig.pre_save], sender=Order)
            async def inner(sender, **kwargs):
                pass

        sig.m2m_changed.connect(placed)
        """
    )
    receivers = [
        (f.signal.rsplit(".", 1)[-1], f.sender, f.line)
        for f in extract_django(ast.parse(mixed), "shop.handlers", text=mixed)
        if isinstance(f, DjangoReceiverFacts)
    ]
    # `ast.walk` is breadth first: `inner` (a statement of `outer`) and the call of
    # the `sig.m2m_changed.connect(...)` statement are two levels down, the call in
    # `Hooks.install` four; not the order of the lines.
    assert receivers == [
        ("pre_save", "shop.models.Order", 17),
        ("m2m_changed", None, 20),
        ("post_delete", "shop.models.Item", 9),
    ]
