import httpx


async def add_note(client: httpx.AsyncClient, text: str) -> dict:
    created = await client.post("/notes", json={"text": text})
    notes = await client.get("/notes")
    return {"created": created.json(), "notes": notes.json()}
