from renderapp import async_dal


async def run(module, session):
    async_dal.async_session.configure(bind=session.bind)
    module.SENT.clear()
    await module.rename_project(session, 1, "Dune (final cut)")
    return list(module.SENT)
