"""write-in-loop on Django code: which per-item writes are found, which get a fix, and
the fixes run on Django's ORM.

A small Django app is written to a temporary project; its service module is fixed with
n1fix (in process), then the original and the fixed functions run in a subprocess with
Django configured on in-memory SQLite (nothing of n1fix imports Django): the same rows
in every table afterwards, and fewer queries (`CaptureQueriesContext`).
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from n1fix.engine.api import fix_source, scan_source
from n1fix.rules.base import Applicability

pytest.importorskip("django")

MODELS = """
    from django.db import models
    from django.db.models.signals import pre_delete
    from django.dispatch import receiver


    class Item(models.Model):
        name = models.CharField(max_length=100)
        size = models.IntegerField(default=0)
        archived = models.BooleanField(default=False)

        class Meta:
            app_label = "app"


    class Guarded(models.Model):
        name = models.CharField(max_length=100)

        class Meta:
            app_label = "app"

        def delete(self, *args, **kwargs):
            return super().delete(*args, **kwargs)


    class Watched(models.Model):
        name = models.CharField(max_length=100)

        class Meta:
            app_label = "app"


    @receiver(pre_delete, sender=Watched)
    def watched_going(sender, instance, **kwargs):
        pass


    class Special(Item):
        extra = models.CharField(max_length=10)

        class Meta:
            app_label = "app"


    class Doc(models.Model):
        file = models.FileField()

        class Meta:
            app_label = "app"
"""

SAFE = """
    from app.models import Item


    def create_items(names: list[str]) -> None:
        for name in names:
            Item.objects.create(name=name, size=len(name))


    def create_and_count(names: list[str]) -> int:
        total = 0
        for name in names:
            total += 1
            Item.objects.create(name=name)
        return total


    def resize(items: list[Item]) -> None:
        for item in items:
            item.size = item.size * 2
            item.save(update_fields=["size"])


    def shout() -> None:
        for item in Item.objects.filter(size__gt=0):
            item.name = item.name.upper()
            item.save()


    def archive(size: int) -> None:
        for item in Item.objects.filter(size=size):
            item.archived = True
            item.save(update_fields=["archived"])


    def purge(size: int) -> None:
        for item in Item.objects.filter(size=size).order_by("name"):
            item.delete()
"""

NOT_SAFE = """
    from django.db.models import F
    from django.utils import timezone

    from app.models import Doc, Guarded, Item, Special, Watched


    def ensure(names):
        for name in names:
            Item.objects.get_or_create(name=name)


    def drop_guarded():
        for guarded in Guarded.objects.all():
            guarded.delete()


    def drop_watched():
        for watched in Watched.objects.all():
            watched.delete()


    def resize_some(items: list[Item]):
        for item in items:
            item.size = 3
            if item.name:
                item.save(update_fields=["size"])


    def resize_given(items: list[Item]):
        for item in items:
            item.size = 3
            item.save()


    def create_kept(names):
        created = []
        for name in names:
            created.append(Item.objects.create(name=name))
        return created


    def create_specials(names):
        for name in names:
            Special.objects.create(name=name, extra="x")


    def attach(docs: list[Doc], path):
        for doc in docs:
            doc.file = path
            doc.save(update_fields=["file"])


    def grow(items: list[Item]):
        for item in items:
            item.size = F("size") + 1
            item.save(update_fields=["size"])


    def create_checked(names):
        for name in names:
            if Item.objects.filter(name=name).exists():
                continue
            Item.objects.create(name=name)


    def save_forms(forms):
        for form in forms:
            form.save()


    def create_with_retries(name):
        for attempt in range(3):
            return Item.objects.create(name=f"{name}-{attempt}")


    def reset_one(item_id):
        for item in Item.objects.filter(pk=item_id):
            item.size = 0
            item.save()


    def stamp(size):
        for item in Item.objects.filter(size=size):
            item.name = str(timezone.now())
            item.save(update_fields=["name"])
"""

RUNNER = """
import json, sys
import django
from django.conf import settings

settings.configure(
    INSTALLED_APPS=["app"],
    DATABASES={"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}},
    DEFAULT_AUTO_FIELD="django.db.models.AutoField",
)
django.setup()
from django.db import connection
from django.test.utils import CaptureQueriesContext
from app.models import Doc, Guarded, Item, Special, Watched

with connection.schema_editor() as editor:
    for model in (Item, Guarded, Watched, Special, Doc):
        editor.create_model(model)
for i, name in enumerate(["ant", "bee", "cat", "dog", "eel"]):
    Item.objects.create(name=name, size=i % 3)

import importlib
module = importlib.import_module(sys.argv[1])


def rows():
    return list(Item.objects.order_by("pk").values_list("pk", "name", "size", "archived"))


out = {}
for name, args in [
    ("create_items", (["fox", "gnu", "yak"],)),
    ("create_and_count", (["hen", "ibis", "jay"],)),
    ("resize", (list(Item.objects.filter(size=1)),)),
    ("shout", ()),
    ("archive", (2,)),
    ("purge", (0,)),
    ("create_items", ([],)),
]:
    with CaptureQueriesContext(connection) as queries:
        result = getattr(module, name)(*args)
    out[name + str(len(out))] = {
        "result": result,
        "rows": rows(),
        # statements; the bulk forms' BEGIN / COMMIT on SQLite are transaction control
        "queries": sum(
            1 for q in queries if q["sql"] not in ("BEGIN", "COMMIT")
        ),
    }
print(json.dumps(out))
"""


def _write(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text))


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("djangowrites")
    _write(
        root,
        {
            "pyproject.toml": "[project]\nname = 'x'\nversion = '0'\n",
            "app/__init__.py": "",
            "app/models.py": MODELS,
            "app/service.py": SAFE,
            "app/other.py": NOT_SAFE,
        },
    )
    return root


@pytest.fixture(scope="module")
def fixed(project: Path):
    service = project / "app" / "service.py"
    text = service.read_text()
    findings = scan_source(service, text)
    outcome = fix_source(service, text, unsafe_fixes=False)
    (project / "app" / "fixed.py").write_text(outcome.text)
    return findings, outcome


@pytest.fixture(scope="module")
def other(project: Path):
    path = project / "app" / "other.py"
    text = path.read_text()
    findings = scan_source(path, text)
    lines = text.splitlines()
    by_function = {}
    for finding in findings:
        above = [line for line in lines[: finding.line] if line.startswith("def ")]
        by_function[above[-1].split("(")[0].removeprefix("def ")] = finding
    return by_function, fix_source(path, text, unsafe_fixes=True)


def _run(root: Path, module: str) -> dict:
    done = subprocess.run(
        [sys.executable, "-c", RUNNER, module],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_every_per_item_write_is_found_and_fixed_safely(fixed) -> None:
    findings, outcome = fixed
    found = [f for f in findings if f.rule == "write-in-loop"]
    assert len(found) == 6, [f.message for f in findings]
    assert all(f.applicability is Applicability.SAFE for f in found), [
        f.message for f in found
    ]
    assert not outcome.failures, outcome.failures
    assert len(outcome.applied) == 6


def test_the_fix_writes_the_bulk_forms(fixed) -> None:
    _, outcome = fixed
    text = outcome.text
    assert (
        "Item.objects.bulk_create([Item(name=name, size=len(name)) for name in names])"
        in text
    )
    # a loop that does more keeps its work and collects the objects
    assert "items = []" in text and "items.append(Item(name=name))" in text
    assert "Item.objects.bulk_create(items)" in text
    assert 'Item.objects.bulk_update(items, ["size"])' in text
    # a plain save() of rows the loop loaded: the fields it assigned
    assert "items = list(Item.objects.filter(size__gt=0))" in text
    assert 'Item.objects.bulk_update(items, ["name"])' in text
    assert "Item.objects.filter(size=size).update(archived=True)" in text
    assert 'Item.objects.filter(size=size).order_by("name").delete()' in text
    assert ".save(" not in text and ".create(" not in text


def test_before_and_after_write_the_same_rows_with_fewer_queries(
    project, fixed
) -> None:
    before = _run(project, "app.service")
    after = _run(project, "app.fixed")
    assert list(after) == list(before)
    for name in before:
        assert after[name]["result"] == before[name]["result"], name
        assert after[name]["rows"] == before[name]["rows"], name
        if name.startswith("create_items") and name.endswith("6"):
            assert after[name]["queries"] == before[name]["queries"] == 0
            continue
        assert after[name]["queries"] < before[name]["queries"], (
            name,
            before[name]["queries"],
            after[name]["queries"],
        )


@pytest.mark.parametrize(
    ("function", "words"),
    [
        ("ensure", "`get_or_create()` looks each row up"),
        ("drop_guarded", "`Guarded` overrides `delete()`"),
        ("drop_watched", "a `pre_delete` receiver for `Watched`"),
        ("resize_some", "save() does not run for every item"),
        ("resize_given", "a plain save() writes every field"),
        ("create_kept", "the loop uses what `create()` returns"),
        ("create_specials", "multi-table inheritance"),
        ("attach", "is a `FileField`"),
        ("grow", "`F()` expression and the objects may repeat"),
        ("create_checked", "the loop also reads the database"),
    ],
)
def test_what_the_bulk_forms_would_change_leaves_no_fix(other, function, words):
    by_function, _ = other
    finding = by_function[function]
    assert finding.applicability is Applicability.NONE, finding.message
    assert words in finding.message, finding.message


def test_a_value_computed_per_item_is_not_one_update(other) -> None:
    by_function, outcome = other
    finding = by_function["stamp"]
    assert finding.applicability is Applicability.UNSAFE, finding.message
    assert "timezone.now()" in finding.message
    assert "items = list(Item.objects.filter(size=size))" in outcome.text
    assert ".update(" not in outcome.text


def test_an_object_not_shown_to_be_a_model_is_not_reported(other) -> None:
    by_function, _ = other
    assert "save_forms" not in by_function


def test_a_loop_that_writes_once_is_not_reported(other) -> None:
    by_function, _ = other
    assert "reset_one" not in by_function  # filter(pk=...): one row, one write
    assert "create_with_retries" not in by_function  # returns at the first write
