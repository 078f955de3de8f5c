from renderapp import async_dal


async def run(module, session):
    async_dal.async_session.configure(bind=session.bind)
    # More prefixes than the bound (5), so the semaphore has to hold some back; "S" comes
    # twice (the last search wins in both versions) and "nothing" matches no project.
    prefixes = ["Logo", "S", "nothing", "E", "A", "P", "St", "S", "Sp"]
    suggestions = await module.name_suggestions(prefixes)
    return list(suggestions.items())  # the order of the keys counts too
