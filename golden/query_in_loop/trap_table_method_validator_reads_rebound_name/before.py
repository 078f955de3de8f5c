from __future__ import annotations

from pydantic import BaseModel, ConfigDict, model_validator
from sqlalchemy.orm import Session

from renderapp.models import User

_AVATAR_URL = "/avatars/{user_id}.png"


def use_avatar_host(host: str) -> None:
    """Serve the next avatars from `host` (a CDN switch, say)."""
    global _AVATAR_URL
    _AVATAR_URL = host + "/avatars/{user_id}.png"


class UserCard(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    display_name: str
    avatar_url: str | None = None

    @model_validator(mode="after")
    def _ensure_avatar(self) -> UserCard:
        self.avatar_url = self.avatar_url or _AVATAR_URL.format(user_id=self.id)
        return self


class UsersTable:
    def get_user_card_by_id(self, session: Session, id: int) -> UserCard | None:
        user = session.get(User, id)
        return UserCard.model_validate(user) if user else None


Users = UsersTable()


def cards(session: Session, user_ids: list[int]) -> list[tuple[int, str | None]]:
    found = []
    for user_id in user_ids:
        card = Users.get_user_card_by_id(session, user_id)
        if card:
            found.append((card.id, card.avatar_url))
        use_avatar_host("https://cdn.example.com")
    return found
