def attempt(function, *args):
    try:
        return function(*args)
    except Exception as exc:
        return (type(exc).__name__, str(exc))


def run(module):
    # a name twice; then a name no tag has, one in another case (exact on both
    # databases), and None (`name IS NULL`): each stops the loop with Tag.DoesNotExist
    return [
        attempt(module.tag_ids, ["travel", "mystery", "travel", "poetry"]),
        attempt(module.tag_ids, ["classic", "satire", "mystery"]),
        attempt(module.tag_ids, ["classic", "Mystery"]),
        attempt(module.tag_ids, ["classic", None]),
    ]


def run_empty(module):
    return module.tag_ids([])
