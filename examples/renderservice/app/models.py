"""The ORM models. Table and column names follow the render service's schema."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text, func
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.db import Base


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(320), unique=True)
    display_name: Mapped[str] = mapped_column(String(120))
    created_at: Mapped[datetime] = mapped_column(server_default=func.now())

    projects: Mapped[list[Project]] = relationship(back_populates="user")
    renders: Mapped[list[Render]] = relationship(back_populates="user")
    credits: Mapped[UserCredits | None] = relationship(back_populates="user")
    subscriptions: Mapped[list[Subscription]] = relationship(back_populates="user")


class Project(Base):
    __tablename__ = "projects"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(server_default=func.now())

    user: Mapped[User] = relationship(back_populates="projects")
    chains: Mapped[list[RenderChain]] = relationship(back_populates="project")
    renders: Mapped[list[Render]] = relationship(back_populates="project")


class RenderChain(Base):
    __tablename__ = "render_chains"

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(server_default=func.now())

    project: Mapped[Project] = relationship(back_populates="chains")
    renders: Mapped[list[Render]] = relationship(back_populates="chain", order_by="Render.chain_position")


class Render(Base):
    __tablename__ = "renders"
    __table_args__ = (Index("ix_renders_project_created", "project_id", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    chain_id: Mapped[int | None] = mapped_column(ForeignKey("render_chains.id"), index=True)
    chain_position: Mapped[int | None]
    parent_render_id: Mapped[int | None] = mapped_column(ForeignKey("renders.id"))
    reference_render_id: Mapped[int | None] = mapped_column(ForeignKey("renders.id"))
    prompt: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(20), default="queued")
    created_at: Mapped[datetime] = mapped_column(server_default=func.now())

    project: Mapped[Project] = relationship(back_populates="renders")
    user: Mapped[User] = relationship(back_populates="renders")
    chain: Mapped[RenderChain | None] = relationship(back_populates="renders")
    parent: Mapped[Render | None] = relationship(remote_side="Render.id", foreign_keys="Render.parent_render_id")
    reference: Mapped[Render | None] = relationship(remote_side="Render.id", foreign_keys="Render.reference_render_id")
    gallery_items: Mapped[list[GalleryItem]] = relationship(back_populates="render")


class GalleryItem(Base):
    __tablename__ = "gallery_items"

    id: Mapped[int] = mapped_column(primary_key=True)
    render_id: Mapped[int] = mapped_column(ForeignKey("renders.id"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    is_public: Mapped[bool] = mapped_column(default=False)
    published_at: Mapped[datetime] = mapped_column(server_default=func.now())

    render: Mapped[Render] = relationship(back_populates="gallery_items")


class UserCredits(Base):
    __tablename__ = "user_credits"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), unique=True)
    balance: Mapped[int] = mapped_column(default=0)
    reset_at: Mapped[datetime | None]

    user: Mapped[User] = relationship(back_populates="credits")


class SubscriptionPlan(Base):
    __tablename__ = "subscription_plans"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(50), unique=True)
    monthly_credits: Mapped[int]
    price_cents: Mapped[int]

    subscriptions: Mapped[list[Subscription]] = relationship(back_populates="plan")


class Subscription(Base):
    __tablename__ = "subscriptions"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("subscription_plans.id"))
    status: Mapped[str] = mapped_column(String(20))
    current_period_end: Mapped[datetime]

    user: Mapped[User] = relationship(back_populates="subscriptions")
    plan: Mapped[SubscriptionPlan] = relationship(back_populates="subscriptions")
