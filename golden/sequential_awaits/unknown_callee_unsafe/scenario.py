from renderapp import async_dal


async def run(module, session):
    async_dal.async_session.configure(bind=session.bind)

    async def load_badges(user_id: int) -> list[str]:
        return ["early-adopter"] if user_id == 1 else []

    # Twice: the second call finds the pool warm, so the two reads' overlap does not hang
    # on how long a new connection takes to open.
    return [await module.profile_card(1, load_badges), await module.profile_card(4, load_badges)]
