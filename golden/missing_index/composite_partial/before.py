"""A user's recent unchained renders, newest first: every query on `renders.user_id` also
asks `chain_id IS NULL`, a range on `created_at` and its order, so the advice is one
partial composite index, which the model cannot say with `index=True`: no fix."""

from datetime import datetime

from sqlalchemy import ForeignKey, select
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)


class Render(Base):
    __tablename__ = "renders"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    chain_id: Mapped[int | None]
    created_at: Mapped[datetime]


def recent_unchained(session, user_id, since):
    return session.scalars(
        select(Render.id)
        .where(Render.user_id == user_id, Render.chain_id.is_(None))
        .where(Render.created_at > since)
        .order_by(Render.created_at.desc(), Render.id)
    ).all()
