from datetime import datetime


def run(module, session):
    return module.recent_unchained(session, 1, datetime(2000, 1, 1))
