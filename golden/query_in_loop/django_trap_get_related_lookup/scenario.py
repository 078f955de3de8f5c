def attempt(function, *args):
    try:
        return function(*args)
    except Exception as exc:
        return (type(exc).__name__, str(exc))


def run(module):
    return attempt(module.borrowers, ["Lanterns", "The Salt Road"])
