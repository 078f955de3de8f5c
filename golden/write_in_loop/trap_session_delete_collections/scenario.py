def run(module, session):
    # project 1: renders 4 (failed) and 7 (queued); project 4: 12 (failed) and 15 (queued);
    # none of them has gallery items or child renders
    module.delete_unfinished(session, 1)
    module.delete_unfinished(session, 4)
