import asyncio

import httpx


async def member_card(client: httpx.AsyncClient, user_id: int, team_id: int) -> dict:
    user, team = await asyncio.gather(
        client.get(f"/users/{user_id}"), client.get(f"/teams/{team_id}")
    )
    return {"user": user.json(), "team": team.json()}
