from sqlalchemy import select

BACKENDS = ("sqlite",)  # the NOCASE collation is SQLite's


def run(module, session):
    module.Base.metadata.create_all(session.connection())
    module.create_realm(session, "MyRealm")
    module.create_realm(session, "other")
    session.flush()
    # as the API passes them on: SQL's `=` under the collation finds `myrealm`
    module.set_realms(session, 7, ["MyRealm", "OTHER", "missing"])
    session.flush()
    return sorted(
        (link.token_id, link.realm_id)
        for link in session.scalars(select(module.TokenRealm))
    )


def run_empty(module, session):
    module.Base.metadata.create_all(session.connection())
    module.set_realms(session, 7, [])
    return []
