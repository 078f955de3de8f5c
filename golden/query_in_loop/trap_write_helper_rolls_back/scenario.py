async def run(service, session):
    # Project 1: render 1 has a private gallery item (2) beside two public ones, render 5
    # a public one, its five other renders none. Project 4: render 13's only item (7) is
    # private, render 10's two are public. Project 3 has no renders: no DELETE, no commit.
    # Each call commits its DELETE or rolls it back: a failure stays with its render.
    for project_id in (1, 4, 3):
        await service.unpublish_project(session, project_id)
