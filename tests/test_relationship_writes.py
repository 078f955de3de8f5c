"""A relationship collection changed in the loop (`group.settings.append(setting)`) is
a write the next lookup's autoflush sends: the lookup keeps no safe fix."""

from __future__ import annotations

import pytest

from n1fix.engine.api import scan_source
from tests.test_model_method_writes import RELATED_MODELS, _findings

LOOKUP = (
    "setting = session.scalars(select(Setting).where("
    "Setting.id == setting_id, Setting.group_id.is_(None))).first()"
)


@pytest.mark.parametrize(
    "change",
    [
        "group.settings.append(setting)",
        "group.settings.extend([setting])",
        "group.settings.remove(setting)",
        "group.settings.insert(0, setting)",
        "group.settings += [setting]",
        "settings.append(setting)",  # `settings = group.settings`
    ],
)
def test_a_relationship_collection_changed_in_the_loop_is_a_write(tmp_path, change):
    (finding,) = _findings(
        tmp_path,
        f"""
        def adopt(group: Group, ids: list[int]):
            settings = group.settings
            for setting_id in ids:
                {LOOKUP}
                {change}
    """,
        models=RELATED_MODELS,
    )
    assert finding.applicability.value == "none"
    assert "relationship collection `Group.settings`" in finding.message


def test_a_collection_of_an_object_not_shown_a_model_is_only_suspect(tmp_path):
    (finding,) = _findings(
        tmp_path,
        f"""
        def adopt(holder, ids: list[int]):
            for setting_id in ids:
                {LOOKUP}
                holder.settings.append(setting)
    """,
        models=RELATED_MODELS,
    )
    assert finding.applicability.value == "unsafe"
    assert "may change the relationship collection `.settings`" in finding.message


def test_a_new_list_is_no_relationship_collection(tmp_path):
    (finding,) = _findings(
        tmp_path,
        f"""
        def adopt(group: Group, ids: list[int]):
            settings = []
            for setting_id in ids:
                {LOOKUP}
                settings.append(setting)
            return settings
    """,
        models=RELATED_MODELS,
    )
    assert "relationship collection" not in finding.message


def test_a_collection_annotation_over_another_value_is_not_trusted(tmp_path):
    # `found: set[Group] = load()` may be anything; only a new collection (`set()`)
    # is shown to be the set's own `add`, not a model method that commits.
    models = RELATED_MODELS.replace("def save(self):", "def add(self):")
    (finding,) = _findings(
        tmp_path,
        """
        def found(keys: list[str]) -> set[Group]:
            groups: set[Group] = load()
            for key in keys:
                group = session.scalars(select(Group).where(Group.key == key)).first()
                groups.add(group)
            return groups
    """,
        models=models,
    )
    assert "groups.add()`, which may be `CRUDMixin.add`" in finding.message
    assert finding.applicability.value == "unsafe"


# Setting gains a scalar relationship to its group; Group keeps its settings by key as
# well (`collection_class=attribute_keyed_dict("value")`).
KEYED_MODELS = (
    RELATED_MODELS.replace(
        '        settings: Mapped[list["Setting"]] = relationship()\n',
        '        settings: Mapped[list["Setting"]] = relationship()\n'
        '        by_value: Mapped[dict[str, "Setting"]] = relationship(\n'
        '            collection_class=attribute_keyed_dict("value"), viewonly=False\n'
        "        )\n",
    )
    .replace(
        "        value: Mapped[str]\n",
        "        value: Mapped[str]\n"
        '        group: Mapped["Group | None"] = relationship()\n',
    )
    .replace(
        "DeclarativeBase, Mapped,", "DeclarativeBase, Mapped, attribute_keyed_dict,"
    )
)


@pytest.mark.parametrize(
    ("change", "relationship"),
    [
        ("setting.group = group", "Setting.group"),
        ("setting.group: Group = group", "Setting.group"),
        ("del setting.group", "Setting.group"),
        ("group.settings = [setting]", "Group.settings"),
        ("group.by_value[setting.value] = setting", "Group.by_value"),
        ("del group.by_value[setting.value]", "Group.by_value"),
        ("group.by_value.setdefault(setting.value, setting)", "Group.by_value"),
        ("by_value[setting.value] = setting", "Group.by_value"),  # `= group.by_value`
    ],
)
def test_a_relationship_assigned_in_the_loop_is_a_write(tmp_path, change, relationship):
    # `setting.group = group` sets `setting.group_id` at the next autoflush, which the
    # next item's lookup (filtering on `group_id`) triggers and then sees.
    (finding,) = _findings(
        tmp_path,
        f"""
        def adopt(group: Group, ids: list[int]):
            by_value = group.by_value
            for setting_id in ids:
                {LOOKUP}
                {change}
    """,
        models=KEYED_MODELS,
    )
    assert finding.applicability.value == "none"
    assert f"`{relationship}`" in finding.message


def test_a_relationship_assigned_on_an_object_not_shown_a_model_is_only_suspect(
    tmp_path,
):
    (finding,) = _findings(
        tmp_path,
        f"""
        def adopt(holder, group: Group, ids: list[int]):
            for setting_id in ids:
                {LOOKUP}
                holder.group = group
    """,
        models=KEYED_MODELS,
    )
    assert finding.applicability.value == "unsafe"
    assert "may set the relationship `.group`" in finding.message


def test_an_attribute_of_a_dict_is_no_relationship(tmp_path):
    (finding,) = _findings(
        tmp_path,
        f"""
        def adopt(group: Group, ids: list[int]):
            seen = {{}}
            for setting_id in ids:
                {LOOKUP}
                seen[setting_id] = setting
            return seen
    """,
        models=KEYED_MODELS,
    )
    assert "relationship" not in finding.message
    assert finding.applicability.value == "safe"


DJANGO_MODELS = """
from django.db import models


class Book(models.Model):
    title = models.CharField(max_length=100)

    class Meta:
        app_label = "app"


class Chapter(models.Model):
    book = models.ForeignKey(Book, null=True, on_delete=models.CASCADE)

    class Meta:
        app_label = "app"
"""


def _django_finding(tmp_path, service_text: str):
    """The one query-in-loop finding of `app/service.py` beside the Django models."""
    files = {
        "pyproject.toml": "[project]\nname = 'app'\n",
        "app/__init__.py": "",
        "app/models.py": DJANGO_MODELS,
        "app/service.py": service_text,
    }
    for name, text in files.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    service = tmp_path / "app" / "service.py"
    (finding,) = [
        f
        for f in scan_source(service, service.read_text())
        if f.rule == "query-in-loop"
    ]
    return finding


def test_a_django_relationship_assigned_without_save_is_no_write(tmp_path):
    # Django tracks no loaded objects: `chapter.book = book` writes nothing until
    # `chapter.save()`, and the next lookup sees the table as it was.
    finding = _django_finding(
        tmp_path,
        (
            "from app.models import Book, Chapter\n\n\n"
            "def link(chapters: list[Chapter], ids: list[int]) -> None:\n"
            "    for chapter, book_id in zip(chapters, ids):\n"
            "        book = Book.objects.filter(pk=book_id).first()\n"
            "        chapter.book = book\n"
        ),
    )
    assert "relationship" not in finding.message


def test_a_django_related_manager_write_keeps_its_reason(tmp_path):
    # label-studio's remove_duplicates: `Task.objects.get(...).annotations.update(...)`
    # writes at once; the relationship reading (an unknown owner: "may change") must
    # not stand in for the dialect's certain write, which gives no fix.
    finding = _django_finding(
        tmp_path,
        (
            "from app.models import Book\n\n\n"
            "def move(rows: list[dict], first: int) -> None:\n"
            "    for row in rows:\n"
            "        Book.objects.get(id=row['id']).chapter_set.update(book_id=first)\n"
        ),
    )
    assert finding.applicability.value == "none", finding.message
    assert "of a queryset or manager, which writes" in finding.message
