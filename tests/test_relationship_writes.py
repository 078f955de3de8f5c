"""A relationship collection changed in the loop (`group.settings.append(setting)`) is
a write the next lookup's autoflush sends: the lookup keeps no safe fix."""

from __future__ import annotations

import pytest

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
