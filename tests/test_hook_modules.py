"""A hook registered in a module the checked file does not import (a Django signal
receiver, a SQLAlchemy ORM event listener) still keeps per-object writes from becoming
bulk ones: a run over part of a project (one file named, the pre-commit hooks' changed
files) surveys the project modules that may register hooks for them
(n1fix/engine/hook_modules.py)."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from n1fix_project import n1fix


FILES = {
    "pyproject.toml": "[project]\nname = 'shop'\nversion = '0'\n",
    "shop/__init__.py": "",
    "shop/models.py": """
        from django.db import models


        class Product(models.Model):
            stock = models.IntegerField(default=0)


        class StockMovement(models.Model):
            product = models.ForeignKey(Product, on_delete=models.CASCADE)
            change = models.IntegerField()
    """,
    # Imported by nothing: Django's AppConfig.ready() would import it.
    "shop/signals.py": """
        from django.db.models import F
        from django.db.models.signals import post_save
        from django.dispatch import receiver

        from shop.models import Product, StockMovement


        @receiver(post_save, sender=StockMovement)
        def apply_movement(sender, instance, created, **kwargs):
            if created:
                Product.objects.filter(pk=instance.product_id).update(
                    stock=F("stock") + instance.change
                )
    """,
    "shop/restock.py": """
        from shop.models import StockMovement


        def restock(quantities: dict[int, int]) -> None:
            for product_id, quantity in quantities.items():
                StockMovement.objects.create(product_id=product_id, change=quantity)
    """,
}
NO_FIX = "a `post_save` receiver for `StockMovement` (shop.signals:"


@pytest.fixture
def shop(tmp_path: Path) -> Path:
    for name, text in FILES.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip())
    return tmp_path


@pytest.mark.parametrize("named", [".", "shop", "shop/restock.py"])
def test_the_receiver_is_known_whatever_files_are_named(shop: Path, named) -> None:
    run = n1fix("scan", named, "--no-cache", cwd=shop)
    assert run.code == 1, run
    [line] = [line for line in run.out.splitlines() if "write-in-loop" in line]
    assert "[*]" not in line and NO_FIX in line, line


def test_apply_on_the_one_file_leaves_the_loop(shop: Path) -> None:
    restock = shop / "shop" / "restock.py"
    before = restock.read_text()
    run = n1fix("apply", "shop/restock.py", cwd=shop)
    assert run.code == 0, run
    assert restock.read_text() == before


LISTENED = {
    "pyproject.toml": "[project]\nname = 'app'\nversion = '0'\n",
    "app/__init__.py": "",
    "app/models.py": """
        from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


        class Base(DeclarativeBase):
            pass


        class Item(Base):
            __tablename__ = "items"
            id: Mapped[int] = mapped_column(primary_key=True)
            status: Mapped[str]
    """,
    "app/hooks.py": """
        from sqlalchemy import event

        from app.models import Item


        @event.listens_for(Item, "before_update")
        def shout(mapper, connection, target):
            target.status = target.status.upper()
    """,
    "app/service.py": """
        from sqlalchemy import update
        from sqlalchemy.orm import Session

        from app.models import Item


        def close(session: Session, items: list[Item]) -> None:
            for item in items:
                session.execute(update(Item).where(Item.id == item.id).values(status="closed"))
    """,
}


@pytest.mark.parametrize("named", [".", "app/service.py"])
def test_a_sqlalchemy_listener_is_known_whatever_files_are_named(
    tmp_path: Path, named
) -> None:
    for name, text in LISTENED.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip())
    run = n1fix("scan", named, "--no-cache", cwd=tmp_path)
    assert run.code == 1, run
    assert "[*]" not in run.out, run.out
    assert "`Item` has ORM event listeners (`before_update` at app.hooks:" in run.out
