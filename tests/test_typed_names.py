"""Models reached through a parameter annotated with a class whose properties hand them
out (prefect's `db: PrefectDBInterface`, `db.WorkQueue`)."""

from __future__ import annotations

import textwrap
from pathlib import Path

import libcst as cst

from n1fix.analysis.typed_names import parameter_classes
from n1fix.engine.api import scan_source


def test_names_bound_only_as_parameters_of_one_annotation() -> None:
    module = cst.parse_module(
        textwrap.dedent(
            """
            def f(db: Interface, session):
                return db.A

            def g(db: Interface, other: Interface):
                other = make()
                return db.B

            def h(mixed: Interface):
                pass

            def k(mixed: Other):
                pass

            def m(loose: Interface):
                for loose in []:
                    pass
            """
        )
    )
    assert parameter_classes(module) == {"db": "Interface"}


FILES = {
    "pyproject.toml": "[project]\nname = 'app'\n",
    "app/__init__.py": "",
    "app/orm_models.py": """
        from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


        class Base(DeclarativeBase):
            pass


        class Pool(Base):
            __tablename__ = "pools"
            id: Mapped[int] = mapped_column(primary_key=True)
            name: Mapped[str]
    """,
    "app/interface.py": """
        from app import orm_models


        class Interface:
            @property
            def Pool(self):
                \"\"\"The pool model.\"\"\"
                return orm_models.Pool
    """,
    "app/service.py": """
        from sqlalchemy import select

        from app.interface import Interface


        def names(db: Interface, session, pool_ids: list[int]) -> list[str]:
            found = []
            for pool_id in pool_ids:
                pool = session.scalars(select(db.Pool).where(db.Pool.id == pool_id)).one_or_none()
                found.append(pool.name if pool else "")
            return found
    """,
}


def _findings(tmp_path: Path, files: dict[str, str]):
    for name, text in files.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text))
    service = tmp_path / "app" / "service.py"
    return [
        f
        for f in scan_source(service, service.read_text())
        if f.rule == "query-in-loop"
    ]


def test_model_through_a_property_of_the_annotated_class(tmp_path: Path) -> None:
    (finding,) = _findings(tmp_path, FILES)
    assert "not in the model index" not in finding.message
    assert finding.applicability.value == "safe"


def test_a_property_doing_more_is_not_read(tmp_path: Path) -> None:
    files = dict(FILES)
    files["app/interface.py"] = FILES["app/interface.py"].replace(
        "return orm_models.Pool", "log()\n                return orm_models.Pool"
    )
    (finding,) = _findings(tmp_path, files)
    assert finding.applicability.value != "safe"
