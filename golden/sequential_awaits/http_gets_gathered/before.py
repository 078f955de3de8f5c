import httpx


async def member_card(client: httpx.AsyncClient, user_id: int, team_id: int) -> dict:
    user = await client.get(f"/users/{user_id}")
    team = await client.get(f"/teams/{team_id}")
    return {"user": user.json(), "team": team.json()}
