def run(module):
    # Ada's draft Marrow (150 pages) is read, then it and Cleo's Blue Hour (240) go out
    return module.drafts_before_publishing()
