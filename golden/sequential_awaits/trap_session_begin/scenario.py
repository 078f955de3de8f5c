async def run(module, session):
    return await module.project_totals(session, 1)
