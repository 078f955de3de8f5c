def attempt(function, *args):
    try:
        return function(*args)
    except Exception as exc:
        return (type(exc).__name__, str(exc))


def run(module):
    # "fantasy" is on one book over 300 pages (Lanterns), "mystery" on two (The Salt
    # Road, Night Ferry): the join repeats it, and get() raises MultipleObjectsReturned
    return attempt(module.long_book_tag_ids, ["fantasy", "mystery"])
