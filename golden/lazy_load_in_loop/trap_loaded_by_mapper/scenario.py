SEED = "loadapp"


def run(module, session):
    # the mapper loads each relationship with the rows (selectin, subquery, joined): the
    # loops run no query, and a selectinload option saves none (for the joined
    # many-to-one it adds one)
    return module.roster(session), module.team_sizes(session), module.member_teams(session)
