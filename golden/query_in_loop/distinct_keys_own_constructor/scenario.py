from sqlalchemy import select

from groupapp.models import TokenInfo

SEED = "groupapp"


def _infos(session):
    return [
        (i.token_id, i.Key, i.Value)
        for i in session.scalars(select(TokenInfo).order_by(TokenInfo.token_id, TokenInfo.Key))
    ]


def run(module, session):
    # token 1 has hashlib and timeStep: hashlib changes, otplen is added; token 2 gets both
    added = [
        module.save_token_info(session, 1, {"hashlib": "sha256", "otplen": "8"}),
        module.save_token_info(session, 2, {"hashlib": "sha1", "otplen": "6"}),
    ]
    return added, _infos(session)


def run_empty(module, session):
    return module.save_token_info(session, 3, {}), _infos(session)
