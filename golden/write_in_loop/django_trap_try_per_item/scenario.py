def run(module):
    # "classic" exists (Tag.name is unique): skipped, the other two are added
    return module.add_tags(["satire", "classic", "memoir"])
