from renderapp import async_dal


async def run(module, session):
    # The application's sessionmaker is bound to the same engine as the request session.
    async_dal.async_session.configure(bind=session.bind)
    return [await module.account_page(session, 1), await module.account_page(session, 4)]
