"""A batch matched in Python gets no fix when the project normalises the key column's
values (stores `name.lower()`) and the loop's keys are not normalised the same way: the
project relies on the database's collation (privacyidea's Token.set_realms)."""

from __future__ import annotations

import ast
import textwrap

from n1fix.engine.api import scan_source
from n1fix.orm.normalised_values import extract_normalised_values


def sites(source: str) -> list[tuple]:
    tree = ast.parse(textwrap.dedent(source))
    imports = {"Realm": "app.models.Realm"}
    return [
        (f.attr, f.model, f.exact, f.methods, f.line)
        for f in extract_normalised_values(tree, imports, "app.lib", "app/lib.py")
    ]


def test_a_constructor_keyword_of_a_normalised_value():
    assert sites("Realm(name=name.lower())") == [
        ("name", "app.models.Realm", True, ("lower",), 1)
    ]


def test_a_name_bound_to_a_normalised_value_then_compared():
    # privacyidea's set_realm: `realm = realm.lower().strip()`, then looked up by it
    source = """
        def set_realm(realm):
            realm = realm.lower().strip()
            realm = realm.replace(" ", "-")
            return select(Realm).filter_by(name=realm)
    """
    assert sites(source) == [("name", "app.models.Realm", False, ("lower", "strip"), 5)]


def test_a_comparison_an_assignment_and_values():
    source = """
        class Tenant:
            def rename(self, name):
                self.name = name.strip()

        def store(row, name):
            row.label = name.upper()
            insert(Realm).values(name=name.casefold())
            return Realm.name == name.lower()
    """
    assert sites(source) == [
        ("name", "app.lib.Tenant", True, ("strip",), 4),
        ("label", None, False, ("upper",), 7),
        ("name", "app.models.Realm", False, ("casefold",), 8),
        ("name", "app.models.Realm", False, ("lower",), 9),
    ]


def test_a_value_not_normalised_is_no_site():
    source = """
        def store(name, other):
            name = name.lower()
            name = other
            return Realm(name=name, label=other.title())
    """
    assert sites(source) == []


MODELS = """
    from sqlalchemy import String, select
    from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


    class Base(DeclarativeBase):
        pass


    class Realm(Base):
        __tablename__ = "realms"

        id: Mapped[int] = mapped_column(primary_key=True)
        name: Mapped[str] = mapped_column(String(255), unique=True)
"""

WRITER = """
    from sqlalchemy import select

    from app.models import Realm


    def set_realm(session, realm):
        realm = realm.lower().strip()
        if session.scalars(select(Realm).filter_by(name=realm)).first() is None:
            session.add(Realm(name=realm))
"""

LOOP = """
    from sqlalchemy import select

    from app import realms
    from app.models import Realm


    def realm_ids(session, names: list[str]):
        return [
            session.scalars(select(Realm).filter_by(name=KEY)).first()
            for name in names
        ]
"""


def _scan(tmp_path, key: str, writer: str = WRITER):
    tmp_path.mkdir(exist_ok=True)
    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'x'\n")
    package = tmp_path / "app"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "models.py").write_text(textwrap.dedent(MODELS))
    (package / "realms.py").write_text(textwrap.dedent(writer))
    path = package / "tokens.py"
    path.write_text(textwrap.dedent(LOOP).replace("KEY", key))
    (finding,) = [
        f for f in scan_source(path, path.read_text()) if f.rule == "query-in-loop"
    ]
    return finding


def test_keys_not_normalised_like_the_stored_values_get_no_fix(tmp_path):
    finding = _scan(tmp_path, "name")
    assert finding.applicability.value == "none", finding.message
    assert (
        "the project normalises `Realm.name` with `.lower()`, `.strip()` "
        "(app/realms.py:9 and 1 more)" in finding.message
    )


def test_keys_normalised_the_same_way_keep_the_unsafe_fix(tmp_path):
    finding = _scan(tmp_path, "name.strip().lower()")
    assert finding.applicability.value == "unsafe", finding.message
    assert "`Realm.name` is compared as a string" in finding.fix_note


def test_a_project_that_does_not_normalise_keeps_the_unsafe_fix(tmp_path):
    finding = _scan(tmp_path, "name", writer=WRITER.replace(".lower().strip()", ""))
    assert finding.applicability.value == "unsafe", finding.message


def test_another_models_normalised_column_is_no_reason(tmp_path):
    writer = WRITER.replace("Realm(name=realm)", "Other(name=realm)").replace(
        "filter_by(name=realm)", "filter_by(id=1)"
    )
    finding = _scan(tmp_path, "name", writer=writer)
    assert finding.applicability.value == "unsafe", finding.message


# open-webui's routers: `form_data.id = form_data.id.lower()` on a pydantic form read as
# touching every model's `id` turned away batches by `File.id`.
FORM_WRITER = """
    from pydantic import BaseModel

    from app.models import Realm


    class RealmForm(BaseModel):
        name: str


    def create(form_data: RealmForm | None, realm: "Realm", other):
        form_data.name = form_data.name.lower()
        realm.name = realm.name.lower()
"""


def test_objects_annotated_with_a_class_name_their_model():
    tree = ast.parse(textwrap.dedent(FORM_WRITER))
    imports = {"Realm": "app.models.Realm", "BaseModel": "pydantic.BaseModel"}
    facts = extract_normalised_values(tree, imports, "app.lib", "app/lib.py")
    assert [(f.attr, f.model, f.exact, f.line) for f in facts] == [
        ("name", "app.lib.RealmForm", True, 12),
        ("name", "app.models.Realm", True, 13),
    ]


def test_a_form_that_is_no_model_is_no_site(tmp_path):
    writer = FORM_WRITER.replace("realm.name = realm.name.lower()", "pass")
    finding = _scan(tmp_path, "name", writer=writer)
    assert finding.applicability.value == "unsafe", finding.message


def test_an_annotated_model_and_an_object_of_unknown_type_are_sites(tmp_path):
    finding = _scan(tmp_path / "annotated", "name", writer=FORM_WRITER)
    assert "(app/realms.py:13)" in finding.message, finding.message
    unknown = FORM_WRITER.replace(
        "realm.name = realm.name.lower()", "other.name = other.name.lower()"
    )
    finding = _scan(tmp_path / "unknown", "name", writer=unknown)
    assert finding.applicability.value == "none", finding.message
    assert "(app/realms.py:13)" in finding.message
    built = FORM_WRITER.replace(
        "realm.name = realm.name.lower()",
        "made = Realm(name='x')\n        made.name = made.name.lower()",
    )
    finding = _scan(tmp_path / "built", "name", writer=built)
    assert "(app/realms.py:14)" in finding.message, finding.message


def test_functions_without_a_normalising_call_are_skipped_not_their_sites():
    # The reader skips a function whose subtree calls no normalising method: a site in
    # a default, a decorator or a nested function is still in that subtree.
    source = """
        def plain(name):
            return Realm(name=name)

        def outer(name):
            def inner(key):
                return Realm(name=key.lower())
            return inner

        def defaulted(realm=Realm(name="x".strip())):
            return realm

        @register(Realm(name=NAME.upper()))
        def decorated():
            pass

        def bound_outside(realm):
            return select(Realm).filter_by(name=realm)

        realm = realm.lower()
        select(Realm).filter_by(name=realm)
    """
    assert sites(source) == [
        ("name", "app.models.Realm", True, ("lower",), 7),
        ("name", "app.models.Realm", True, ("strip",), 10),
        ("name", "app.models.Realm", True, ("upper",), 13),
        ("name", "app.models.Realm", False, ("lower",), 21),
    ]
