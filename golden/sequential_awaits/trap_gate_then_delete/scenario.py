import asyncio

from renderapp import async_dal


async def run(module, session):
    async_dal.async_session.configure(bind=session.bind)
    outcomes = []
    for user_id in (3, 1):  # Chloé has no credits: refused, her subscription must stay; Ana's goes
        try:
            outcomes.append(await module.cancel_subscriptions(session, user_id))
        except module.Forbidden:
            outcomes.append("forbidden")
        await left_running()
    return outcomes


async def left_running():
    """The server goes on after a request: whatever its handler left running finishes
    (nothing, as written; gathered, the delete of a refused request)."""
    others = [task for task in asyncio.all_tasks() if task is not asyncio.current_task()]
    await asyncio.gather(*others, return_exceptions=True)
