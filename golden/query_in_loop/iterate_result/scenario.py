def run(module, session):
    return {
        # chains 1 and 2 with three and two steps, and chain 4 without any render
        "storyboard": module.chain_timelines(session, 4),
        # one chain of three colourways
        "lookbook": module.chain_timelines(session, 1),
        # no chains at all: the batch runs with an empty key list
        "archive": module.chain_timelines(session, 5),
    }
