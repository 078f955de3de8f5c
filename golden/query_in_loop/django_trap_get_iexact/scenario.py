from djbooks.models import Tag


def attempt(function, *args):
    try:
        return function(*args)
    except Exception as exc:
        return (type(exc).__name__, str(exc))


def run(module):
    # Tag.name is unique as written, not case-insensitively: with "Mystery" beside
    # "mystery", get(name__iexact="mystery") finds two and raises, where a dict by the
    # exact name hands back one of them
    first = attempt(module.tag_ids, ["Travel", "classic"])
    Tag.objects.create(name="Mystery")
    return [first, attempt(module.tag_ids, ["poetry", "mystery"])]
