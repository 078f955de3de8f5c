"""Task refs over two DAGs, with a repeated pair (ref 5 names ref 1's task again) and a
pair that has no rows (etl/load), a pair whose parts each occur elsewhere but not
together (report/extract: a key of one column would find rows for it); asset refs with
several rows for one pair; affiliations with a NULL city; members naming them."""

from __future__ import annotations

from sqlalchemy.orm import Session

from pairapp.models import Affiliation, AssetRef, Member, TaskRef, TaskState


def seed(session: Session) -> None:
    session.add_all(
        [
            TaskRef(id=1, dag_id="etl", task_id="extract"),
            TaskRef(id=2, dag_id="etl", task_id="transform"),
            TaskRef(id=3, dag_id="etl", task_id="load"),
            TaskRef(id=4, dag_id="report", task_id="extract"),
            TaskRef(id=5, dag_id="etl", task_id="extract"),
            TaskRef(id=6, dag_id="report", task_id="render"),
        ]
    )
    session.add_all(
        [
            TaskState(dag_id="etl", task_id="extract", state="success"),
            TaskState(dag_id="etl", task_id="transform", state="failed"),
            TaskState(dag_id="report", task_id="render", state="running"),
        ]
    )
    session.add_all(
        [
            AssetRef(id=1, dag_id="etl", task_id="extract", asset="raw.csv"),
            AssetRef(id=2, dag_id="etl", task_id="transform", asset="raw.csv"),
            AssetRef(id=3, dag_id="etl", task_id="extract", asset="lookup.csv"),
            AssetRef(id=4, dag_id="report", task_id="render", asset="clean.parquet"),
            AssetRef(id=5, dag_id="etl", task_id="transform", asset="lookup.csv"),
            AssetRef(id=6, dag_id="report", task_id="render", asset="template.html"),
        ]
    )
    session.add_all(
        [
            Affiliation(id=1, name="CERN", city="Geneva", country="CH"),
            Affiliation(id=2, name="EPFL", city="Lausanne", country="CH"),
            Affiliation(id=3, name="Open Lab", city=None, country="FR"),
            Affiliation(id=4, name="CERN", city="Meyrin", country="FR"),
        ]
    )
    session.add_all(
        [
            Member(
                id=1,
                affiliation_name="CERN",
                affiliation_city="Geneva",
                affiliation_country="CH",
            ),
            Member(
                id=2,
                affiliation_name="Open Lab",
                affiliation_city=None,
                affiliation_country="FR",
            ),
            Member(
                id=3,
                affiliation_name="EPFL",
                affiliation_city="Zurich",
                affiliation_country="CH",
            ),
        ]
    )
    session.flush()
