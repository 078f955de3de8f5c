"""Tasks named by a pair of text ids (a DAG's id and the task's id, as Airflow names
them), the rows keyed by that pair, and affiliations found by several of their columns:
the keys of query-in-loop cases that are several columns at once."""

from __future__ import annotations

from sqlalchemy import String, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


class TaskRef(Base):
    """A task of a DAG, as a loop's items name it."""

    __tablename__ = "task_refs"

    id: Mapped[int] = mapped_column(primary_key=True)
    dag_id: Mapped[str] = mapped_column(String(40))
    task_id: Mapped[str] = mapped_column(String(40))


class TaskState(Base):
    """One row per task: the primary key is the pair (dag_id, task_id)."""

    __tablename__ = "task_states"

    dag_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    task_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    state: Mapped[str] = mapped_column(String(20))


class AssetRef(Base):
    """The assets a task reads: any number of rows per (dag_id, task_id)."""

    __tablename__ = "asset_refs"

    id: Mapped[int] = mapped_column(primary_key=True)
    dag_id: Mapped[str] = mapped_column(String(40), index=True)
    task_id: Mapped[str] = mapped_column(String(40))
    asset: Mapped[str] = mapped_column(String(40))


class Affiliation(Base):
    """An institution; its city may be unknown (NULL)."""

    __tablename__ = "affiliations"
    __table_args__ = (UniqueConstraint("name", "country"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(80))
    city: Mapped[str | None] = mapped_column(String(80))
    country: Mapped[str] = mapped_column(String(2))


class Member(Base):
    """A person naming an affiliation by its name and city (either may be missing)."""

    __tablename__ = "members"

    id: Mapped[int] = mapped_column(primary_key=True)
    affiliation_name: Mapped[str] = mapped_column(String(80))
    affiliation_city: Mapped[str | None] = mapped_column(String(80))
    affiliation_country: Mapped[str] = mapped_column(String(2))
