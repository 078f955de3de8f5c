import httpstub


async def run(module, session):
    async with httpstub.client() as client:
        return [await module.user_team(client, 1), await module.user_team(client, 2)]
