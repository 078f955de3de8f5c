import httpstub


async def run(module, session):
    async with httpstub.client() as client:
        return [await module.add_note(client, "first"), await module.add_note(client, "second")]
