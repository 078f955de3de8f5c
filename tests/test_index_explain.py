"""The index advice proven on PostgreSQL: for each `golden/missing_index/<case>/` with an
`explain.toml`, the tables of its before.py are created in a schema of their own, seeded
with tens of thousands of rows (`seed`, generate_series), analysed, and the case's `query`
explained before and after running the `CREATE INDEX` statement n1fix advises for it.
Before, the table is read by a `Seq Scan`; after, by the advised index (an `Index Scan`,
`Index Only Scan` or `Bitmap Index Scan` naming it). The plan's node is asserted, never a
time. Skipped where the machine has no PostgreSQL server binaries.
"""

from __future__ import annotations

import json
import shutil
import tomllib
from pathlib import Path

import pytest
from golden_support import GOLDEN_ROOT, load_module
from sqlalchemy import create_engine, text

from n1fix.config import Config
from n1fix.engine.runner import run
from n1fix.rules.missing_index.findings import project_review

CASES = sorted(p.parent for p in (GOLDEN_ROOT / "missing_index").glob("*/explain.toml"))
INDEX_SCANS = {"Index Scan", "Index Only Scan", "Bitmap Index Scan"}


def plan_nodes(conn, query: str) -> list[dict]:
    (plan,) = conn.execute(text(f"EXPLAIN (FORMAT JSON) {query}")).scalar_one()
    nodes, stack = [], [plan["Plan"]]
    while stack:
        node = stack.pop()
        nodes.append(node)
        stack.extend(node.get("Plans", ()))
    return nodes


def advised_statement(case: Path, tmp_path: Path) -> str:
    """The statement n1fix advises for the case's before.py, scanned as a project."""
    shutil.copy(case / "before.py", tmp_path / "models.py")
    result = run([tmp_path], tmp_path, Config(select=["missing-index"], cache=False))
    (advice,) = project_review(result.project).advice
    return advice.statement


@pytest.mark.parametrize("case", CASES, ids=lambda p: p.name)
def test_advised_index_turns_the_seq_scan_into_an_index_scan(
    case, postgres_server, tmp_path, monkeypatch
):
    monkeypatch.chdir(tmp_path)
    spec = tomllib.loads((case / "explain.toml").read_text(encoding="utf-8"))
    statement = advised_statement(case, tmp_path)
    index_name = statement.split()[2]
    module = load_module(case / "before.py", f"explain_{case.name}")
    with postgres_server.database() as target:
        engine = create_engine(target.sync_url, connect_args=target.connect_args)
        try:
            module.Base.metadata.create_all(engine)
            with engine.begin() as conn:
                for sql in spec["seed"]:
                    conn.execute(text(sql))
                conn.execute(text(f"ANALYZE {spec['table']}"))
                before = plan_nodes(conn, spec["query"])
                conn.execute(text(statement))
                conn.execute(text(f"ANALYZE {spec['table']}"))
                after = plan_nodes(conn, spec["query"])
        finally:
            engine.dispose()
    table = spec["table"]
    scans = [n["Node Type"] for n in before if n.get("Relation Name") == table]
    assert scans == ["Seq Scan"], json.dumps(before, indent=1)
    used = [n for n in after if n.get("Index Name") == index_name]
    assert used and all(n["Node Type"] in INDEX_SCANS for n in used), (
        statement,
        json.dumps(after, indent=1),
    )
    assert not any(
        n["Node Type"] == "Seq Scan" and n.get("Relation Name") == table for n in after
    )
