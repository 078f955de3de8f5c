async def run(module, session):
    # positions 3 (renders 5, 12) and the ten renders with chain_position NULL
    return await module.late_steps(session)
