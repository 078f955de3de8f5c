"""A catalogue whose categories are soft-deleted: a category code is unique among the
live rows only (a partial unique index), so a deleted row and a live one share a code.
Shops carry their own copy of the codes, keyed by (shop, code). Labels are told apart by
case; a shop's labels are stored lower-cased by a validator."""

from __future__ import annotations

from sqlalchemy import ForeignKey, Index, String, text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, validates


class Base(DeclarativeBase):
    pass


class Category(Base):
    __tablename__ = "categories"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(20))
    deleted: Mapped[bool] = mapped_column(default=False)

    __table_args__ = (
        Index(
            "ix_categories_live_code",
            "code",
            unique=True,
            sqlite_where=text("NOT deleted"),
            postgresql_where=text("NOT deleted"),
        ),
    )


class Shop(Base):
    __tablename__ = "shops"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(40))


class ShopCategory(Base):
    """One row per shop and category code: the primary key is the pair."""

    __tablename__ = "shop_categories"

    shop_id: Mapped[int] = mapped_column(ForeignKey("shops.id"), primary_key=True)
    code: Mapped[str] = mapped_column(String(20), primary_key=True)


class Label(Base):
    __tablename__ = "labels"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(40), unique=True)


class ShopLabel(Base):
    """One row per shop and label name, the name stored lower-cased."""

    __tablename__ = "shop_labels"

    shop_id: Mapped[int] = mapped_column(ForeignKey("shops.id"), primary_key=True)
    name: Mapped[str] = mapped_column(String(40), primary_key=True)

    @validates("name")
    def _lower(self, key: str, value: str) -> str:
        return value.lower()
