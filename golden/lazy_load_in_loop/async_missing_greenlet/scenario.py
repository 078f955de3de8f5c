async def run(module, session):
    return await module.project_prompts(session, 1)
