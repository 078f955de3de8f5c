SEED = "loadapp"


def run(module, session):
    # the members' teams are the teams loaded first: home_team answers from the identity
    # map without SQL (raise_on_sql would raise otherwise); selectinload adds a SELECT
    return module.members_by_team(session, [1, 2])
