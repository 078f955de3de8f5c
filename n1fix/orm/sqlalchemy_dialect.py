"""SQLAlchemy's answers to the ORM seam's questions (`n1fix.orm.dialect.OrmDialect`).

Each answer delegates to the module of this package that reads SQLAlchemy's spellings:
`query_shape` (2.0 `select()` run by a session, the 1.x Query API, Flask-SQLAlchemy's
`Model.query`), `loader_options`, `write_shape`, the model index (`models`) and
`session_receiver`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import libcst as cst

from n1fix.cst.chains import MethodCall, dotted_name
from n1fix.orm.dialect import BatchQuery, Loading, ManagerRead
from n1fix.orm.loader_options import EAGER, LAZY, RAISE, Options, read_options
from n1fix.orm.models import ModelIndex, ModelInfo, RelationshipInfo
from n1fix.orm.query_shape import QueryShape, parse_select, recognize
from n1fix.orm.session_receiver import project_receiver
from n1fix.orm.write_shape import ModelWrite, WriteShape, recognize_write

if TYPE_CHECKING:
    from n1fix.rules.context import FileContext

# `relationship(lazy=...)` values that load with the rows, or raise instead of loading.
_MAPPER_EAGER = {
    "selectin",
    "joined",
    "subquery",
    "immediate",
    "False",
    "joinedload",
    "selectinload",
}
_MAPPER_RAISE = {"raise", "raise_on_sql"}


class SqlAlchemyDialect:
    name = "sqlalchemy"
    identity_map = True

    def query_shape(self, node: cst.BaseExpression) -> QueryShape | None:
        return recognize(node)

    def statement_parts(
        self, statement: cst.BaseExpression
    ) -> tuple[cst.Call, list[MethodCall]] | None:
        return parse_select(statement)

    def loader_options(self, calls: list[MethodCall]) -> Options:
        return read_options(calls)

    def loading(
        self, options: Options, path: tuple[str, ...], relationship: RelationshipInfo
    ) -> Loading:
        option = options.strategy(path)
        if option is not None:
            if option in EAGER:
                return Loading.EAGER
            if option in RAISE:
                return Loading.RAISE
            if option in LAZY:
                return Loading.LAZY
            return Loading.OTHER
        mapper = relationship.lazy
        if mapper == "select":
            return Loading.LAZY
        if mapper in _MAPPER_RAISE:
            return Loading.RAISE
        if mapper in _MAPPER_EAGER:
            return Loading.EAGER
        return Loading.OTHER

    def manager_read(self, relationship, method) -> ManagerRead | None:
        return None  # a relationship's attribute holds its objects (dynamic: OTHER)

    def row_loader(self, calls, options, path, relationships, loadings):
        return None  # lazy-load-in-loop writes SQLAlchemy's loader options itself

    def row_count(self, shape, model, relationship, loop_names):
        return None  # a per-row count of a collection is reported without a fix

    def row_exists(self, shape, model, relationship, loop_names, target):
        return None  # reported without a fix, as counts are

    def row_prefetch(
        self, shape, model, relationship, chains, loop_names, target, target_symbol
    ):
        return None

    def write_shape(
        self,
        node: cst.BaseExpression,
        imports: dict[str, str],
        built: dict[str, cst.BaseExpression] | None = None,
    ) -> WriteShape | None:
        return recognize_write(node, imports, built)

    def model_write(self, node: cst.BaseExpression) -> ModelWrite | None:
        return None  # SQLAlchemy writes go through the session (write_shape, the rule)

    def model_for(
        self,
        models: ModelIndex,
        expr: cst.CSTNode,
        imports: dict[str, str],
        module_name: str,
    ) -> ModelInfo | None:
        name = dotted_name(expr)
        if name is None:
            return None
        return models.resolve(name, imports, module_name)

    def not_a_session(
        self,
        ctx: FileContext,
        receiver: cst.BaseExpression,
        ancestry: list[cst.CSTNode],
    ) -> str | None:
        return project_receiver(ctx, receiver, ancestry)

    def batch_gaps(self, shape, model, key_column, cardinality) -> list[str] | None:
        return None  # query-in-loop's own contract checks are SQLAlchemy's

    def unbatchable_lookup(self, shape, predicate) -> str | None:
        return None

    def loop_write(self, call: cst.Call) -> str | None:
        return None  # sessions' writes are read by the rule's own checks

    def batch_proof(self, shape, model, key_column, cardinality) -> str | None:
        return None  # query-in-loop's own words

    def batch_query(
        self, shape, key_column, keys_ref, cardinality, code, symbol
    ) -> BatchQuery | None:
        return None  # query-in-loop's codemod writes SQLAlchemy itself

    def __eq__(self, other: object) -> bool:
        return type(other) is type(self)

    def __hash__(self) -> int:
        return hash(self.name)


SQLALCHEMY = SqlAlchemyDialect()
