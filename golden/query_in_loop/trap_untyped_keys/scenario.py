def run(module, session):
    # as a JSON body decodes them: strings, one repeated, one unknown
    return module.resolve_mentions(session, {"mentioned_user_ids": ["2", "1", "2", "99"]})
