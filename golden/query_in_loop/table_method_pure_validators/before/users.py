"""User rows, their pydantic copy and the table class that loads them, in one module
(the layout of open-webui's models/users.py). The pydantic copy's validators only tidy
what they are given: a display name that is no string becomes "", and a user without an
avatar gets one built from a module constant and the user's id."""

from __future__ import annotations

import datetime
from contextlib import asynccontextmanager

from pydantic import BaseModel, ConfigDict, field_validator, model_validator
from sqlalchemy import String
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

async_session = async_sessionmaker(expire_on_commit=False)

_DEFAULT_AVATAR_URL = "/api/v1/users/{user_id}/avatar"


class Base(DeclarativeBase):
    pass


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(320), unique=True)
    display_name: Mapped[str] = mapped_column(String(120))
    created_at: Mapped[datetime.datetime]


class UserModel(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    email: str
    display_name: str
    avatar_url: str | None = None
    created_at: datetime.datetime

    @field_validator("display_name", mode="before")
    @classmethod
    def blank_display_name(cls, value):
        return value if isinstance(value, str) else ""

    @model_validator(mode="after")
    def _ensure_avatar(self) -> UserModel:
        """Assign a generated avatar when the user has none."""
        self.avatar_url = self.avatar_url or _DEFAULT_AVATAR_URL.format(user_id=self.id)
        return self


@asynccontextmanager
async def get_db_context(db: AsyncSession | None = None):
    if isinstance(db, AsyncSession):
        yield db
    else:
        async with async_session() as session:
            yield session


class UsersTable:
    async def get_user_by_id(
        self, id: int, db: AsyncSession | None = None
    ) -> UserModel | None:
        async with get_db_context(db) as session:
            user = await session.get(User, id)
            return UserModel.model_validate(user) if user else None


Users = UsersTable()
