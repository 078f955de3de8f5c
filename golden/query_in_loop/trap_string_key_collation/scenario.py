BACKENDS = ("sqlite",)  # the NOCASE collation is SQLite's


def run(module, session):
    module.Base.metadata.create_all(session.connection())
    session.add_all(
        [module.Tag(id=1, name="finance"), module.Tag(id=2, name="Sales Team")]
    )
    session.flush()
    # typed with another case: SQL's `=` under NOCASE finds each tag, a dict keyed by
    # the rows' names does not
    try:
        return module.tag_ids(session, ["Finance", " sales team", "finance"])
    except LookupError as missing:
        return ("LookupError", str(missing))


def run_empty(module, session):
    module.Base.metadata.create_all(session.connection())
    return module.tag_ids(session, [])
