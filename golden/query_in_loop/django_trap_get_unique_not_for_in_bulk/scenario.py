def attempt(function, *args):
    try:
        return function(*args)
    except Exception as exc:
        return (type(exc).__name__, str(exc))


def run(module):
    # "SR" is held by an edition in print and a retired one: get(code="SR") raises
    return [
        attempt(module.editions_by_code, ["WG"]),
        attempt(module.editions_by_code, ["WG", "SR"]),
        attempt(module.editions_by_slug, ["winter-garden", "salt-road"]),
    ]
