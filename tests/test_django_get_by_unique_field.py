"""query-in-loop on Django's `.get(<field>=key)` per item, the field other than the
primary key: one `in_bulk(keys, field_name="<field>")` when Django's `in_bulk()` takes
that field (it raises ValueError otherwise), the `.get()` rerun for a key it misses.

The model index's facts (which fields `in_bulk()` takes), the findings and fixes on a
small project, and the OneToOne attname case run on Django's ORM (in a subprocess, on
in-memory SQLite): equal results, fewer queries. The golden cases
`golden/query_in_loop/django_get_unique_field_in_bulk`,
`django_get_constraint_unique_handled` and the `django_trap_get_*` traps run the rest
on SQLite and PostgreSQL.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from n1fix.engine.api import fix_source, scan_source
from n1fix.engine.survey import survey_file
from n1fix.orm.django_dialect import in_bulk_field
from n1fix.orm.django_models import with_django_models
from n1fix.orm.models import ModelIndex
from n1fix.rules.base import Applicability

MODELS = """
    from django.contrib.auth.models import User
    from django.db import models
    from django.db.models.functions import Lower


    class Coded(models.Model):
        code = models.CharField(max_length=10)

        class Meta:
            abstract = True
            constraints = [
                models.UniqueConstraint(fields=["code"], name="%(class)s_code"),
            ]


    class Shelf(Coded):
        label = models.CharField(max_length=10, unique=True)
        room = models.CharField(max_length=10)

        class Meta:
            app_label = "app"


    class OwnMeta(Coded):
        class Meta:
            app_label = "app"


    class ExtendsMeta(Coded):
        class Meta(Coded.Meta):
            app_label = "app"


    class ShelfProxy(Shelf):
        class Meta:
            app_label = "app"
            proxy = True


    class Profile(models.Model):
        user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="+")
        boss = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
        nick = models.CharField(max_length=10)
        lowered = models.CharField(max_length=10)
        badge = models.CharField(max_length=10)
        slug = models.CharField(max_length=10)

        class Meta:
            app_label = "app"
            unique_together = [("slug",)]
            constraints = [
                models.UniqueConstraint(fields=["boss"], name="one_boss"),
                models.UniqueConstraint(Lower("lowered"), name="lowered"),
                models.UniqueConstraint(
                    fields=["badge"], condition=models.Q(nick="x"), name="badge"
                ),
                models.UniqueConstraint(fields=["nick", "badge"], name="pair"),
            ]
"""


def _write(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text))


@pytest.fixture(scope="module")
def index(tmp_path_factory: pytest.TempPathFactory) -> ModelIndex:
    root = tmp_path_factory.mktemp("djunique")
    _write(root, {"app/__init__.py": "", "app/models.py": MODELS})
    surveys = [survey_file(path, root, {}) for path in sorted(root.rglob("*.py"))]
    facts = [fact for survey in surveys for fact in survey.models]
    return with_django_models(
        ModelIndex.from_facts(facts),
        [fact for survey in surveys for fact in survey.django_models],
        facts,
    )


def test_total_unique_constraints_of_one_field_are_read(index: ModelIndex) -> None:
    # (`boss` is written as the field, so in_bulk takes "boss", not "boss_id")
    assert index.get("app.models.Profile").django.total_unique_fields == ("boss",)
    # inherited from an abstract parent's Meta, unless the model's own Meta replaces it
    assert index.get("app.models.Shelf").django.total_unique_fields == ()
    assert index.get("app.models.OwnMeta").django.total_unique_fields == ()
    assert index.get("app.models.ExtendsMeta").django.total_unique_fields == ("code",)


def test_the_field_name_in_bulk_takes(index: ModelIndex) -> None:
    shelf = index.get("app.models.Shelf")
    profile = index.get("app.models.Profile")
    extends = index.get("app.models.ExtendsMeta")
    assert in_bulk_field(shelf, "label") == "label"
    assert in_bulk_field(shelf, "label__exact") == "label"
    assert in_bulk_field(extends, "code") == "code"
    assert in_bulk_field(profile, "user_id") == "user_id"  # a OneToOneField's attname
    refused = [
        (shelf, "pk"),
        (shelf, "id"),  # the primary key: plain in_bulk(keys)
        (shelf, "room"),
        (shelf, "label__iexact"),
        (shelf, "room__label"),
        (shelf, "code"),  # Shelf's own Meta sets no constraints
        (index.get("app.models.OwnMeta"), "code"),
        (index.get("app.models.ShelfProxy"), "code"),
        (profile, "user"),  # the object: its dict would be keyed by users
        (profile, "boss_id"),  # its constraint names "boss": in_bulk refuses "boss_id"
        (profile, "boss"),
        (profile, "lowered"),  # an expression
        (profile, "badge"),  # a condition
        (profile, "nick"),  # two fields
        (profile, "slug"),  # unique_together of one field
    ]
    assert [
        (model.name, lookup)
        for model, lookup in refused
        if in_bulk_field(model, lookup) is not None
    ] == []


SERVICE = """
    from app.models import Profile, Shelf


    def by_label(labels: list[str]) -> list[int]:
        return [Shelf.objects.get(label=label).pk for label in labels]


    def by_room_label(labels: list[str]) -> list[int]:
        out = []
        for label in labels:
            out.append(Shelf.objects.filter(room="a").get(label__exact=label).pk)
        return out


    async def by_label_async(labels: list[str]) -> list[int]:
        out = []
        for label in labels:
            shelf = await Shelf.objects.aget(label=label)
            out.append(shelf.pk)
        return out


    def by_label_only(labels: list[str]) -> list[int]:
        return [Shelf.objects.only("room").get(label=label).pk for label in labels]


    def by_label_and_room(labels: list[str]) -> list[int]:
        return [Shelf.objects.get(label=label, room="a").pk for label in labels]


    def by_room(rooms: list[str]) -> list[int]:
        return [Shelf.objects.get(room=room).pk for room in rooms]


    def by_user(users) -> list[int]:
        return [Profile.objects.get(user=user).pk for user in users]


    def by_user_of_boss(user_ids: list[int]) -> list[int]:
        return [
            Profile.objects.filter(boss__username="x").get(user_id=u).pk
            for u in user_ids
        ]


    def by_user_in_group(user_ids: list[int]) -> list[int]:
        return [
            Profile.objects.filter(user__groups__name="x").get(user_id=u).pk
            for u in user_ids
        ]
"""


def _project(root: Path, models: str, service: str) -> tuple[dict, Path, str]:
    """A project of `app/models.py` and `app/service.py`: query-in-loop's findings in
    the service by the stripped line they are on, its path and its text."""
    _write(
        root,
        {
            "pyproject.toml": "[project]\nname = 'x'\nversion = '0'\n",
            "app/__init__.py": "",
            "app/models.py": models,
            "app/service.py": service,
        },
    )
    path = root / "app" / "service.py"
    text = path.read_text()
    lines = text.splitlines()
    findings = {
        lines[f.line - 1].strip(): f
        for f in scan_source(path, text)
        if f.rule == "query-in-loop"
    }
    return findings, path, text


@pytest.fixture(scope="module")
def service(tmp_path_factory: pytest.TempPathFactory):
    findings, path, text = _project(
        tmp_path_factory.mktemp("djservice"), MODELS, SERVICE
    )
    return findings, fix_source(path, text, unsafe_fixes=True).text


def _finding(findings, fragment: str):
    (found,) = [f for line, f in findings.items() if fragment in line]
    return found


def test_a_unique_field_is_batched_with_in_bulk(service) -> None:
    findings, text = service
    assert (
        _finding(findings, "Shelf.objects.get(label=label).pk").applicability
        is Applicability.SAFE
    )
    assert 'Shelf.objects.in_bulk(labels, field_name="label")' in text
    # the queryset's own filters stay, on the batch and on the rerun of a miss
    assert 'Shelf.objects.filter(room="a").in_bulk(labels, field_name="label")' in text
    assert 'else Shelf.objects.filter(room="a").get(label__exact=label)' in text
    assert 'await Shelf.objects.ain_bulk(labels, field_name="label")' in text
    assert "else await Shelf.objects.aget(label=label)" in text


def test_what_in_bulk_cannot_batch_as_get_did(service) -> None:
    findings, _ = service
    only = _finding(findings, 'only("room")')
    assert only.applicability is Applicability.UNSAFE
    assert "`.only()` may leave deferred" in only.message
    for fragment in ('get(label=label, room="a")', "get(room=room)", "get(user=user)"):
        assert _finding(findings, fragment).applicability is Applicability.NONE
    assert 'in_bulk(keys, field_name="room")` raises ValueError' in (
        _finding(findings, "get(room=room)").message
    )


RUNNER = """
import json, sys
import django
from django.conf import settings

settings.configure(
    INSTALLED_APPS=["django.contrib.auth", "django.contrib.contenttypes", "app"],
    DATABASES={"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}},
    DEFAULT_AUTO_FIELD="django.db.models.AutoField",
)
django.setup()
from django.contrib.auth.models import User
from django.db import connection
from django.test.utils import CaptureQueriesContext
from app.models import Member

with connection.schema_editor() as editor:
    for model in (User, Member):
        editor.create_model(model)
users = [User.objects.create(username=f"u{i}") for i in range(4)]
for user in users[:3]:
    Member.objects.create(user=user, nick=user.username)

import importlib
module = importlib.import_module(sys.argv[1])
out = {}
for keys in ([3, 1, 3, 2], [1, 4, 2], [1, "2"]):
    with CaptureQueriesContext(connection) as queries:
        try:
            result = module.nicks(keys)
        except Exception as exc:
            result = [type(exc).__name__, str(exc)]
    out[repr(keys)] = {"result": result, "queries": len(queries)}
print(json.dumps(out))
"""

ONE_TO_ONE = {
    "pyproject.toml": "[project]\nname = 'x'\nversion = '0'\n",
    "app/__init__.py": "",
    "app/models.py": """
        from django.contrib.auth.models import User
        from django.db import models


        class Member(models.Model):
            user = models.OneToOneField(User, on_delete=models.CASCADE)
            nick = models.CharField(max_length=10)

            class Meta:
                app_label = "app"
    """,
    "app/service.py": """
        from app.models import Member


        def nicks(user_ids: list[int]) -> list[str]:
            out = []
            for user_id in user_ids:
                out.append(Member.objects.get(user_id=user_id).nick)
            return out
    """,
}


def test_a_one_to_one_attname_runs_the_same_with_fewer_queries(tmp_path: Path) -> None:
    pytest.importorskip("django")
    _write(tmp_path, ONE_TO_ONE)
    path = tmp_path / "app" / "service.py"
    outcome = fix_source(path, path.read_text(), unsafe_fixes=False)
    assert 'Member.objects.in_bulk(user_ids, field_name="user_id")' in outcome.text
    (tmp_path / "app" / "fixed.py").write_text(outcome.text)
    runs = {}
    for module in ("app.service", "app.fixed"):
        done = subprocess.run(
            [sys.executable, "-c", RUNNER, module],
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert done.returncode == 0, done.stderr
        runs[module] = json.loads(done.stdout)
    before, after = runs["app.service"], runs["app.fixed"]
    assert {k: v["result"] for k, v in after.items()} == {
        k: v["result"] for k, v in before.items()
    }
    # user 4 has no member: DoesNotExist as before; "2" is no key of the dict (an int
    # field), so its get() reruns and finds the member, as it did
    assert before["[1, 4, 2]"]["result"][0] == "DoesNotExist"
    assert before["[1, '2']"]["result"] == ["u0", "u1"]
    assert after["[3, 1, 3, 2]"]["queries"] == 1 < before["[3, 1, 3, 2]"]["queries"]


def test_a_filter_through_a_relation_with_many_rows_makes_the_batch_unsafe(
    service,
) -> None:
    """`filter(user__groups__name=...)` joins a many-to-many: a profile whose user is in
    two such groups is two rows, where `.get()` raises MultipleObjectsReturned and
    `in_bulk()` keeps one. Through forward foreign keys alone no row repeats."""
    findings, _ = service
    forward = _finding(findings, 'filter(boss__username="x")')
    assert forward.applicability is Applicability.SAFE
    many = _finding(findings, 'filter(user__groups__name="x")')
    assert many.applicability is Applicability.UNSAFE
    assert "MultipleObjectsReturned" in many.message


JOINING_MODELS = """
    from django.db import models


    class JoinedManager(models.Manager):
        def get_queryset(self):
            return super().get_queryset().filter(books__title__startswith="x")


    class Sticker(models.Model):
        pass


    class Tag(models.Model):
        name = models.CharField(max_length=100, unique=True)

        objects = models.Manager()
        joined = JoinedManager()
        plain = Sticker()  # no manager n1fix knows

        class Meta:
            app_label = "app"


    class Book(models.Model):
        title = models.CharField(max_length=100)
        tags = models.ManyToManyField(Tag, related_name="books")

        class Meta:
            app_label = "app"
"""

JOINING_SERVICE = """
    from django.db.models import F

    from app.models import Tag


    def annotated(names: list[str]) -> list[int]:
        return [Tag.objects.annotate(t=F("books__title")).get(name=n).pk for n in names]


    def through_a_filtering_manager(names: list[str]) -> list[int]:
        return [Tag.joined.get(name=n).pk for n in names]


    def through_an_unknown_attribute(names: list[str]) -> list[int]:
        return [Tag.plain.get(name=n).pk for n in names]


    def plain(names: list[str]) -> list[int]:
        return [Tag.objects.get(name=n).pk for n in names]
"""


def test_what_may_join_a_relation_with_many_rows_makes_the_batch_unsafe(
    tmp_path: Path,
) -> None:
    """An `annotate()` (`F("books__title")` repeats a tag per book), a manager whose
    own queryset filters (through a many-to-many here), an attribute n1fix knows as no
    manager: `.get()` may raise MultipleObjectsReturned where `in_bulk()` keeps one."""
    found, _, _ = _project(tmp_path, JOINING_MODELS, JOINING_SERVICE)
    assert _finding(found, "Tag.objects.get(name=n)").applicability is (
        Applicability.SAFE
    )
    for fragment in ("annotate(", "Tag.joined.get", "Tag.plain.get"):
        finding = _finding(found, fragment)
        assert finding.applicability is Applicability.UNSAFE, fragment
