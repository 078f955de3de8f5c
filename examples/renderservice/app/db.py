"""Database plumbing: the declarative base, the engines and the session factories.

Nothing connects at import time. Call `configure()` once at start-up (the demo does it with
a SQLite file); the session factories are bound then. The sync and the async engine point
at the same database.
"""

from __future__ import annotations

import os

from sqlalchemy import Engine, create_engine
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker

DEFAULT_DATABASE_URL = "sqlite:///renderservice.db"


class Base(DeclarativeBase):
    pass


SessionLocal: sessionmaker[Session] = sessionmaker(expire_on_commit=False)
AsyncSessionLocal: async_sessionmaker[AsyncSession] = async_sessionmaker(expire_on_commit=False)

engine: Engine | None = None
async_engine: AsyncEngine | None = None


def async_url(url: str) -> str:
    """The async driver's URL for the same database (`sqlite://` -> `sqlite+aiosqlite://`)."""
    if url.startswith("sqlite://"):
        return "sqlite+aiosqlite://" + url[len("sqlite://") :]
    if url.startswith("postgresql://"):
        return "postgresql+asyncpg://" + url[len("postgresql://") :]
    return url


def configure(url: str | None = None, *, echo: bool = False) -> tuple[Engine, AsyncEngine]:
    """Create both engines and bind the session factories to them."""
    global engine, async_engine
    url = url or os.environ.get("RENDERSERVICE_DATABASE_URL", DEFAULT_DATABASE_URL)
    engine = create_engine(url, echo=echo)
    async_engine = create_async_engine(async_url(url), echo=echo)
    SessionLocal.configure(bind=engine)
    AsyncSessionLocal.configure(bind=async_engine)
    return engine, async_engine


def create_schema() -> None:
    from app import models  # noqa: F401  (registers the tables on Base.metadata)

    if engine is None:
        raise RuntimeError("call app.db.configure() first")
    Base.metadata.create_all(engine)
