def run(module):
    return module.tag_lists()
