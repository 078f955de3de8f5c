"""Callers of the table methods: one lookup per member of a channel."""

from __future__ import annotations

from .users import Users


async def member_cards(user_ids: list[int]) -> list[tuple[int, str, str | None]]:
    cards = []
    for user_id in user_ids:
        user = await Users.get_user_by_id(user_id)
        if user:
            cards.append((user.id, user.display_name, user.avatar_url))
    return cards
