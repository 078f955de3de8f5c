"""The findings of one model file: each advised index whose model the file defines, on
the definition of its foreign key column."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import libcst as cst

from n1fix.rules.base import Applicability, Finding
from n1fix.rules.missing_index.advice import Advice, IndexReview, review

COLUMN_CALLS = {"Column", "mapped_column"}
UNSAFE_NOTE = (
    "a schema change: the index must also be created in each database (a migration, "
    "run and reviewed)"
)

_REVIEWS: dict[int, tuple[object, IndexReview]] = {}


@dataclass
class IndexPlan:
    advice: Advice
    # the `Column(...)` call that gets `index=True`; None when the finding has no fix
    call: cst.Call | None


def project_review(project, note=None) -> IndexReview:
    """The project's index review, worked out once per project context. `note` is told
    the schema files' facts (a check notes them for the results cache)."""
    from n1fix.sql.schema_files import schema_indexes

    schema = schema_indexes(project.root)
    if note is not None:
        note("schema_indexes", schema)
    cached = _REVIEWS.get(id(project))
    if cached is None or cached[0] is not project:
        _REVIEWS.clear()
        cached = (project, review(project, schema))
        _REVIEWS[id(project)] = cached
    return cached[1]


def find(ctx, rule) -> Iterable[Finding]:
    advice = [
        a
        for a in project_review(ctx.project, ctx.note_fact).advice
        if a.model.module == ctx.module_name
    ]
    if not advice:
        return
    classes = {node.name.value: node for node in _classes(ctx.module.body)}
    for item in advice:
        cls = classes.get(item.model.name)
        if cls is None:
            continue
        statement, call = _column_definition(cls, item.attr)
        node = statement if statement is not None else cls.name
        message = _message(item)
        if call is not None and item.single and not _has_keyword(call, "index"):
            yield rule.finding_at(
                ctx,
                node,
                message,
                Applicability.UNSAFE,
                fix_note=_note(item),
                plan=IndexPlan(item, call),
            )
        else:
            why = (
                "write the Index(...) in __table_args__ from the statement"
                if not item.single
                else "the column is defined in another class"
            )
            yield rule.finding_at(
                ctx,
                node,
                message,
                fix_note=f"{_note(item)}; {why}",
                plan=IndexPlan(item, None),
            )


def _classes(body) -> Iterable[cst.ClassDef]:
    for statement in body:
        if isinstance(statement, cst.ClassDef):
            yield statement
            yield from _classes(statement.body.body)
        elif isinstance(statement, cst.If):
            yield from _classes(statement.body.body)


def _column_definition(cls: cst.ClassDef, attr: str):
    """The statement that defines `attr` in the class body, and its `Column(...)` call."""
    for statement in cls.body.body:
        if not isinstance(statement, cst.SimpleStatementLine):
            continue
        for small in statement.body:
            if isinstance(small, cst.Assign):
                names = [t.target for t in small.targets]
                value = small.value
            elif isinstance(small, cst.AnnAssign):
                names, value = [small.target], small.value
            else:
                continue
            if any(isinstance(n, cst.Name) and n.value == attr for n in names):
                call = value if _is_column_call(value) else None
                return statement, call
    return None, None


def _is_column_call(value) -> bool:
    if not isinstance(value, cst.Call):
        return False
    func = value.func
    name = (
        func.attr.value
        if isinstance(func, cst.Attribute)
        else getattr(func, "value", None)
    )
    return name in COLUMN_CALLS


def _has_keyword(call: cst.Call, name: str) -> bool:
    return any(
        arg.keyword is not None and arg.keyword.value == name for arg in call.args
    )


def _message(advice: Advice) -> str:
    sites = len(advice.sites)
    queries = "1 query looks" if sites == 1 else f"{sites} queries look"
    loops = f" ({advice.loop_sites} in a loop)" if advice.loop_sites else ""
    column = f"{advice.table}.{advice.columns[0]}"
    return (
        f"foreign key `{column}` has no index, and {queries} rows up by it{loops}: "
        f"{advice.statement}"
    )


def _note(advice: Advice) -> str:
    if advice.migration is not None:
        m = advice.migration
        return (
            f"{UNSAFE_NOTE}; with Alembic: the fix adds {m.folder}/{m.filename}, "
            f"revising {m.down_revision}, that runs op.create_index(..., "
            "postgresql_concurrently=True) in an autocommit block"
        )
    if advice.no_migration:
        return f"{UNSAFE_NOTE}; no migration offered: {advice.no_migration}"
    return UNSAFE_NOTE
