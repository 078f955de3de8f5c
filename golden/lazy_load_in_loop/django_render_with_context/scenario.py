def run(module):
    # project 1: renders 2, 3 and 5 are in chain 3 with parents 2 -> 3 -> 5, render 5
    # references render 1; renders 1, 4, 6 and 7 have no parent, reference or chain
    # (nullable foreign keys: select_related joins them with LEFT OUTER JOIN)
    return [module.render_contexts(project_id) for project_id in (1, 4)]


def run_empty(module):
    return module.render_contexts(3)  # project 3 has no renders
