"""The bundled Django example, end to end: `n1fix apply` on a copy keeps every result
its demo prints (reads, and the rows the writes leave) and lowers the queries, leaves the
loops it must leave alone as they were, and a second run finds nothing left to change."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from n1fix_project import N1FIX

pytest.importorskip("django")

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "djangoshop"
TABLE = "# SQL queries"


def _demo(root: Path, *args: str) -> tuple[str, dict[str, int]]:
    """The demo's results (everything above the table) and its queries per step."""
    proc = subprocess.run(
        [sys.executable, "demo.py", *args],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr
    results, table = proc.stdout.split(TABLE)
    counts = {}
    for line in table.strip().splitlines():
        label, count = line.rsplit(maxsplit=1)
        counts[label.strip()] = int(count)
    return results, counts


@pytest.fixture(scope="module")
def applied(tmp_path_factory) -> dict:
    root = tmp_path_factory.mktemp("djangoshop")
    shutil.copytree(
        EXAMPLE,
        root,
        dirs_exist_ok=True,
        ignore=shutil.ignore_patterns("__pycache__", ".n1fix_cache", ".ruff_cache"),
    )
    before = _demo(root)
    proc = subprocess.run(
        [str(N1FIX), "apply", "."], cwd=root, capture_output=True, text=True
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    again = subprocess.run(
        [str(N1FIX), "apply", "--dry-run", "."],
        cwd=root,
        capture_output=True,
        text=True,
    )
    return {
        "root": root,
        "before": before,
        "after": _demo(root),
        "apply": proc,
        "again": again,
    }


def test_every_result_is_the_same(applied) -> None:
    assert applied["after"][0] == applied["before"][0]


def test_queries_go_down_for_each_shape_and_in_total(applied) -> None:
    before, after = applied["before"][1], applied["after"][1]
    assert before.keys() == after.keys()
    for step in (
        "views.category_pages",  # filter per category, through a filtering manager
        "views.recently_viewed(5, 1, 8, 1)",  # get per id -> in_bulk
        "catalog.review_counts",  # count per product -> one GROUP BY
        "catalog.latest_reviews",  # first per product in an order_by
        "catalog.tagged_products",  # m2m .all() per row -> prefetch_related
        "orders.order_summary(3)",  # forward FK per row -> select_related
        "views.order_history(ana)",  # reverse FK .all() per row -> prefetch_related
        "orders.orders_by_customer",  # filter per customer, Meta.ordering kept
        "account.orders_per_customer [async]",  # acount() per customer
        "inventory.reprice(coffee, +10%)",  # save() per item -> bulk_update
        "inventory.add_tags(limited, gift)",  # create() per item -> bulk_create
        "orders.checkout(ana)",  # create() per cart item -> bulk_create
        "orders.ship(2, 3, 4)",  # the same save() per row -> queryset.update()
        "inventory.delist_category(3)",  # the same save() per row -> queryset.update()
    ):
        assert after[step] < before[step], step
    assert after["total"] < before["total"]


def test_what_must_be_left_alone_sends_what_it_sent(applied) -> None:
    before, after = applied["before"][1], applied["after"][1]
    for step in (
        "catalog.export_catalogue",  # iterator(): the prefetch is an unsafe fix only
        "views.account_page(ben) [async]",  # one thread, one connection: no gather
        "orders.double_cart_quantities(ben)",  # auto_now field
        "inventory.restock(rooibos 10, espresso 5)",  # post_save receiver
        "inventory.rename_categories(3)",  # save() override
        "inventory.tag_ids(organic, seasonal)",  # get_or_create()
        "catalog.price_list",  # clean
        "catalog.tag_cloud",  # clean
        "inventory.top_sellers(3)",  # clean
    ):
        assert after[step] == before[step], step
    text = (applied["root"] / "shop" / "services" / "inventory.py").read_text()
    assert "StockMovement.objects.create(" in text and "category.save()" in text


def test_a_second_run_changes_nothing(applied) -> None:
    assert applied["again"].returncode == 0, applied["again"].stdout


def test_the_fixes_keep_to_the_example_s_line_length(applied) -> None:
    # The example's pyproject.toml sets ruff's line-length to 120.
    for path in (applied["root"] / "shop").rglob("*.py"):
        long = [line for line in path.read_text().splitlines() if len(line) > 120]
        assert not long, (path.name, long)
