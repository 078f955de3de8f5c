def run(module, session):
    module.SEEN.clear()
    module.FAILED.clear()
    # 2 is visited twice: its second visit is not a first one
    return (
        module.visit(session, [2, 4, 2, 99, 1]),
        module.names(session, [3, 99, 1]),
        list(module.FAILED),
    )
