from renderapp import async_dal


async def run(module, session):
    async_dal.async_session.configure(bind=session.bind)
    outcomes = []
    for user_id in (3, 1):  # Chloé has no credits: refused, her subscription must stay; Ana's goes
        try:
            outcomes.append(await module.cancel_subscriptions(session, user_id))
        except module.Forbidden:
            outcomes.append("forbidden")
    return outcomes
