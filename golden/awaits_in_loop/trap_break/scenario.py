from renderapp import async_dal


async def run(module, session):
    async_dal.async_session.configure(bind=session.bind)
    return [await module.first_prefix_with_names(["nothing", "Logo", "S"]), await module.first_prefix_with_names(["x"])]
