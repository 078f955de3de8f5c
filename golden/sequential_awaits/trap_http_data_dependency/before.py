import httpx


async def user_team(client: httpx.AsyncClient, user_id: int) -> dict:
    user = await client.get(f"/users/{user_id}")
    team = await client.get(f"/teams/{user.json()['team']}")
    return {"user": user.json(), "team": team.json()}
