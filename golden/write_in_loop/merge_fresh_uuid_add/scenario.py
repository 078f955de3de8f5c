import types
import uuid

SEED = "uuidapp"


def _drawn_in_order(module):
    # The same fresh keys for before and after, so their database states compare.
    counter = iter(range(1000, 2000))
    module.uuid = types.SimpleNamespace(uuid4=lambda: uuid.UUID(int=next(counter)))


def run(module, session):
    _drawn_in_order(module)
    module.add_people(session, ["dora", "eli", "fay"])


def run_empty(module, session):
    _drawn_in_order(module)
    module.add_people(session, [])
