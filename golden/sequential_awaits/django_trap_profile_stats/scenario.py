async def run(module):
    return [await module.profile_stats(user_id) for user_id in (1, 2, 4)]
