SEED = "legacyapp"


def run(service, session):
    # a repeated email, an author's, and two nobody has
    return service.unknown_emails(
        session,
        ["ines@example.org", "new@example.org", "mira@example.org", "ines@example.org", "x@example.org"],
    )


def run_empty(service, session):
    return service.unknown_emails(session, [])
