"""The dialect of a project that imports both SQLAlchemy and Django.

Each query is read by the dialect that recognises it: SQLAlchemy's spellings first
(`select()`, `session.query()`, `Model.query`), then a QuerySet on a Django model's
manager; the questions about a query (its batch, what the batch relies on) go to the
dialect whose shape it is. The spellings do not overlap: a Django manager is an
attribute of a class the project defines as a Django model, and SQLAlchemy's queries
start at a session, `select()` or `Model.query`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import libcst as cst

from n1fix.cst.chains import MethodCall
from n1fix.orm.dialect import BatchQuery, Loading
from n1fix.orm.django_dialect import DjangoDialect
from n1fix.orm.loader_options import Options
from n1fix.orm.models import ModelIndex, ModelInfo, RelationshipInfo
from n1fix.orm.query_shape import Cardinality, QueryShape, Style
from n1fix.orm.sqlalchemy_dialect import SQLALCHEMY
from n1fix.orm.write_shape import ModelWrite, WriteShape

if TYPE_CHECKING:
    from n1fix.rules.context import FileContext


class MixedDialect:
    name = "sqlalchemy+django"
    # lazy-load-in-loop reads SQLAlchemy's rows here; a QuerySet's loaders are not read
    # (its options would be SQLAlchemy's): no finding for Django rows.
    identity_map = True

    def __init__(self, models: ModelIndex | None = None) -> None:
        self.django = DjangoDialect(models)

    def with_models(self, models: ModelIndex | None) -> MixedDialect:
        """This dialect reading the project's models through `models` (see
        `DjangoDialect.with_models`)."""
        return MixedDialect(models)

    def _for(self, shape: QueryShape):
        return self.django if shape.style is Style.DJANGO else SQLALCHEMY

    def query_shape(self, node: cst.BaseExpression) -> QueryShape | None:
        return SQLALCHEMY.query_shape(node) or self.django.query_shape(node)

    def statement_parts(
        self, statement: cst.BaseExpression
    ) -> tuple[cst.Call, list[MethodCall]] | None:
        return SQLALCHEMY.statement_parts(statement)

    def loader_options(self, calls: list[MethodCall]) -> Options:
        return SQLALCHEMY.loader_options(calls)

    def loading(
        self, options: Options, path: tuple[str, ...], relationship: RelationshipInfo
    ) -> Loading:
        return SQLALCHEMY.loading(options, path, relationship)

    def write_shape(
        self,
        node: cst.BaseExpression,
        imports: dict[str, str],
        built: dict[str, cst.BaseExpression] | None = None,
    ) -> WriteShape | None:
        return SQLALCHEMY.write_shape(node, imports, built)

    def model_write(self, node: cst.BaseExpression) -> ModelWrite | None:
        return self.django.model_write(node)

    def model_for(
        self,
        models: ModelIndex,
        expr: cst.CSTNode,
        imports: dict[str, str],
        module_name: str,
    ) -> ModelInfo | None:
        return SQLALCHEMY.model_for(models, expr, imports, module_name)

    def not_a_session(
        self,
        ctx: FileContext,
        receiver: cst.BaseExpression,
        ancestry: list[cst.CSTNode],
    ) -> str | None:
        if self.django.is_manager(receiver):
            return None  # a Django model's manager: read from its chain
        return SQLALCHEMY.not_a_session(ctx, receiver, ancestry)

    def manager_read(self, relationship, method):
        return None

    def row_loader(self, calls, options, path, relationships, loadings):
        return None

    def row_count(self, shape, model, relationship, loop_names):
        return None

    def row_exists(self, shape, model, relationship, loop_names, target):
        return None

    def row_prefetch(
        self, shape, model, relationship, chains, loop_names, target, target_symbol
    ):
        return None

    def loop_write(self, call: cst.Call) -> str | None:
        return self.django.loop_write(call)

    def unbatchable_lookup(self, shape: QueryShape, predicate) -> str | None:
        return self._for(shape).unbatchable_lookup(shape, predicate)

    def batch_gaps(
        self,
        shape: QueryShape,
        model: ModelInfo | None,
        key_column: str,
        cardinality: Cardinality,
    ) -> list[str] | None:
        return self._for(shape).batch_gaps(shape, model, key_column, cardinality)

    def batch_proof(
        self,
        shape: QueryShape,
        model: ModelInfo | None,
        key_column: str,
        cardinality: Cardinality,
    ) -> str | None:
        return self._for(shape).batch_proof(shape, model, key_column, cardinality)

    def batch_query(
        self, shape, key_column, keys_ref, cardinality, code, symbol
    ) -> BatchQuery | None:
        return self._for(shape).batch_query(
            shape, key_column, keys_ref, cardinality, code, symbol
        )

    def __eq__(self, other: object) -> bool:
        return type(other) is type(self)

    def __hash__(self) -> int:
        return hash(self.name)
