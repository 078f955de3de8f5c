def run(module, session):
    return {
        # project 1 has failed render 4; projects 2 and 3 have none
        "ana": module.failed_render_report(session, 1),
        # project 6 has failed render 18
        "chloe": module.failed_render_report(session, 3),
    }
