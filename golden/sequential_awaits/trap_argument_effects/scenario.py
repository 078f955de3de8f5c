from renderapp import async_dal


async def run(module, session):
    async_dal.async_session.configure(bind=session.bind)
    return await module.next_two_reviewers(iter([3, 1, 2]))
