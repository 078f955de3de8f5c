from renderapp import async_dal


async def run(module, session):
    # The DAL opens its own sessions: bind the app's sessionmaker to this run's engine,
    # as the application does at start-up.
    async_dal.async_session.configure(bind=session.bind)
    # Ana: three projects (one without renders), credits, seven renders; Dev: nothing.
    return [await module.profile_stats(1), await module.profile_stats(4)]
