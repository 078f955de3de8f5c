SEED = "catalogapp"


def run(service, session):
    # 7 names no group; 1 is asked for twice
    return service.group_titles(session, [3, 7, 1, 1])
