async def run(module, session):
    return [await module.account_page(session, 1), await module.account_page(session, 4)]
