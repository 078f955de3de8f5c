SEED = "legacyapp"


def run(module, session):
    return {
        # every published post: 1 (3 comments), 2 (none), 3 (2), 5 (none)
        "all": module.post_index(session),
        "mira": module.post_index(session, author_id=1),
        # an author without posts: the batch runs with an empty key list
        "ines": module.post_index(session, author_id=3),
    }


def run_empty(module, session):
    return module.post_index(session, author_id=3)  # Ines has no posts
