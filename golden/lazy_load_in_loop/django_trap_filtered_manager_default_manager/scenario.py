def run(module):
    # book 1 has a shown pinned note and a hidden pinned one; book 4 a shown pinned note
    return module.pinned_notes()
