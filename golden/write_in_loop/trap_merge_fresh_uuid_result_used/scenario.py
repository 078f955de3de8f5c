import types
import uuid

SEED = "uuidapp"


def run(module, session):
    counter = iter(range(1000, 2000))
    module.uuid = types.SimpleNamespace(uuid4=lambda: uuid.UUID(int=next(counter)))
    return module.add_people(session, ["dora", "eli"])
