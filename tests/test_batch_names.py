"""The name of a generated batch method, from its original's name and key."""

from __future__ import annotations

import pytest

from n1fix.rules.query_in_loop.batch_variant import batch_name


@pytest.mark.parametrize(
    ("name", "key", "expected"),
    [
        ("get_by_project_id", "project_id", "get_by_project_ids"),
        ("latest_for_project", "project_id", "latest_for_projects"),
        # the name ends with the key's last word only (prefect's block types)
        ("read_block_type_by_slug", "block_type_slug", "read_block_type_by_slugs"),
        # ... but not with `id`, which says nothing of what the ids are of
        ("get_by_id", "project_id", "get_by_id_for_project_ids"),
        ("gallery_count", "render_id", "gallery_count_for_render_ids"),
    ],
)
def test_batch_name(name: str, key: str, expected: str) -> None:
    assert batch_name(name, key) == expected
