from renderapp import async_dal


async def run(module, session):
    async_dal.async_session.configure(bind=session.bind)
    return await module.name_suggestions(["Logo", "S", "nothing"])
