def run(module, session):
    module._AVATAR_URL = "/avatars/{user_id}.png"
    # the first card's avatar is served locally, the later ones from the CDN
    return module.cards(session, [2, 1, 99, 4])
