def run(module):
    # Ada and Ben (publisher 1) and Cleo (publisher 2) each have published books, Ada and
    # Cleo a draft too; Dan has no publisher. Book 4 has three tags, books 1 and 6 two.
    return module.shelves(), module.tags_but("classic"), module.tags_but("travel")
