from djrender.models import Project


def run(module):
    # project 1: five done renders (cut to three, ties at minutes 41 and 43), 2: two,
    # 3: none, 4: four done, 6: two
    return module.project_previews(list(Project.objects.order_by("id")))


def run_empty(module):
    return module.project_previews([])
