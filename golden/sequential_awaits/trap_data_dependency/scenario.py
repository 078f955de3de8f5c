from renderapp import async_dal


async def run(module, session):
    async_dal.async_session.configure(bind=session.bind)
    return [await module.credits_for_email("ana@example.com"), await module.credits_for_email("nobody@example.com")]
