import httpstub


async def run(module, session):
    # The client is the stand-in API's (httpstub: no network), opened by the caller as a
    # web app opens one per process; no database is involved.
    async with httpstub.client() as client:
        return [await module.member_card(client, 1, 10), await module.member_card(client, 2, 99)]
