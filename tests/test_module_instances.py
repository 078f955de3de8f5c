"""Module-level instances of a module's own classes (`Users = UsersTable()`), and the
function index reading their methods as the class's."""

from __future__ import annotations

import ast
import textwrap

from n1fix.orm.functions import FunctionIndex, extract_functions
from n1fix.orm.instances import module_instances

TABLES = """\
from sqlalchemy import select

from app.models import User


class UsersTable:
    def get_user_by_id(self, session, id):
        return session.get(User, id)

    @staticmethod
    def get_users_by_name(session, name):
        return session.scalars(select(User).where(User.name == name)).all()

    @property
    def everyone(self):
        return None
"""


def instances(source: str) -> dict[str, str]:
    return module_instances(ast.parse(textwrap.dedent(source)))


def test_a_top_level_instance_of_the_modules_class_is_found():
    assert instances(TABLES + "\nUsers = UsersTable()\n") == {"Users": "UsersTable"}
    assert instances(TABLES + "\nUsers: UsersTable = UsersTable(echo=True)\n") == {
        "Users": "UsersTable"
    }


def test_an_instance_bound_again_anywhere_is_not_shown():
    rebound_global = TABLES + (
        "\nUsers = UsersTable()\n\n\ndef swap(fake):\n    global Users\n    Users = fake\n"
    )
    assert instances(rebound_global) == {}
    assert instances(TABLES + "\nUsers = UsersTable()\nUsers = Cached(Users)\n") == {}
    assert (
        instances(TABLES + "\nif DEBUG:\n    Users = Fake()\nUsers = UsersTable()\n")
        == {}
    )
    assert (
        instances(
            TABLES
            + "\ntry:\n    pass\nexcept E as Users:\n    pass\nUsers = UsersTable()\n"
        )
        == {}
    )


def test_only_classes_of_the_module_and_plain_names_count():
    assert instances("from app.dal import UsersTable\n\nUsers = UsersTable()\n") == {}
    assert instances(TABLES + "\nif True:\n    Users = UsersTable()\n") == {}
    assert instances(TABLES + "\nUsers = Admins = UsersTable()\n") == {}
    assert instances(TABLES + "\nregistry['users'] = UsersTable()\n") == {}
    assert instances(TABLES + "\nUsers = UsersTable.create()\n") == {}


def index(source: str) -> FunctionIndex:
    return FunctionIndex.from_facts(
        extract_functions(ast.parse(source), "app.tables", "app/tables.py", source)
    )


def test_the_instances_methods_resolve_to_the_class_method():
    functions = index(TABLES + "\nUsers = UsersTable()\n")
    by_instance = functions.resolve("app.tables.Users.get_user_by_id")
    assert by_instance is not None
    assert by_instance.owner == "app.tables.UsersTable"
    assert by_instance.key_params == ("id",)
    assert functions.resolve("app.tables.Users.get_users_by_name") is not None
    # the class's own entry is still there, for `self.get_user_by_id(...)`
    assert functions.resolve("app.tables.UsersTable.get_user_by_id") is not None


def test_without_an_instance_nothing_is_added():
    functions = index(TABLES)
    assert functions.resolve("app.tables.Users.get_user_by_id") is None


def test_a_batch_variant_next_to_the_method_is_found_through_the_instance():
    source = TABLES + (
        "\n    def get_user_by_ids(self, session, ids):\n        return {}\n"
        "\n\nUsers = UsersTable()\n"
    )
    tree = ast.parse(source)
    from n1fix.orm.functions import defined_functions

    functions = FunctionIndex.from_facts(
        extract_functions(tree, "app.tables", "app/tables.py", source),
        defined_functions(tree, "app.tables"),
    )
    callee = functions.resolve("app.tables.Users.get_user_by_id")
    assert (
        functions.sibling(callee, "get_user_by_ids")
        == "app.tables.UsersTable.get_user_by_ids"
    )


ASYNC_TABLES = """\
from app.db import async_session
from app.models import User


class UsersTable:
    async def get_user_by_id(self, id):
        async with async_session() as session:
            return await session.get(User, id)


Users = UsersTable()
"""


def test_session_use_knows_the_instances_methods_open_their_own_session():
    from n1fix.orm.session_use import SessionUseIndex, extract_session_use

    found = extract_session_use(
        ast.parse(ASYNC_TABLES),
        "app.tables",
        "app/tables.py",
        {"User": "app.models.User", "async_session": "app.db.async_session"},
    )
    index = SessionUseIndex.from_facts(found)
    by_instance = index.resolve("app.tables.Users.get_user_by_id")
    assert by_instance is not None and by_instance.opens_session
    assert by_instance.owner == "app.tables.UsersTable"
    assert index.resolve("app.tables.UsersTable.get_user_by_id") is not None
