import httpstub


async def run(module, session):
    async with httpstub.client() as client:
        found = await module.member_card(client, 1, 10)
        try:
            await module.member_card(client, 9, 10)
        except Exception as error:  # httpx.HTTPStatusError: the user is unknown
            missing = type(error).__name__
        return [found, missing]
