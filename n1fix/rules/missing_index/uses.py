"""Which columns a file's queries use, read with `ast`: each use is a plain dict

    {"ref": "Render", "attr": "project_id", "kind": "eq", "line": 12, "stmt": 11,
     "loop": true}

`ref` names the model as the file spells it (`Render`, `models.Render`), resolved later
against the project's models; `kind` is how the column is used: `eq` (`==`, `in_`,
`filter_by`, Django's `filter(col=...)`), `range` (`<`, `between`, `__gte`), `null` (`IS
NULL` / `IS NOT NULL`), `flag` (compared with True or False), `join` (compared with another
column, or a relationship joined or loaded: `rel` then names the relationship), `order`
(ORDER BY, `desc` for a descending one). `stmt` is the line of the statement the query sits
in, `function` the line of the function's `def` (0 outside one); `value` says, for `null`, whether it is IS NOT NULL and, for `flag`, the flag compared
with, so that the uses of one query can be told apart from another's; `loop` says whether it
runs once per item of a loop in its function; `alt` (inside an OR) lists the ORs around
it and which operand of each it is in (`alternative` tells two uses apart that need not
both hold).

SQL written as a string (`text(...)`, `cursor.execute(...)`) gives uses with a `table`
instead of a `ref`, read with sqlglot, which is imported only for a file that sends one.
"""

from __future__ import annotations

import ast
import re

from n1fix.cst.astwalk import ast_dotted_name

ORDERINGS = {"order_by"}
RELATIONSHIP_LOADERS = {
    "join",
    "outerjoin",
    "selectinload",
    "joinedload",
    "subqueryload",
    "contains_eager",
}
DJANGO_LOOKUPS = {
    "exact": "eq",
    "in": "eq",
    "gt": "range",
    "gte": "range",
    "lt": "range",
    "lte": "range",
    "range": "range",
    "isnull": "null",
}
DJANGO_FILTERS = {"filter", "get", "get_or_create", "exists", "update_or_create"}
# Mapping declarations whose comparisons are join conditions, not filters of a query
MAPPING_CALLS = {"relationship", "column_property", "backref", "synonym"}
SQL_SENDERS = {
    "execute",
    "executemany",
    "exec_driver_sql",
    "fetch",
    "fetchrow",
    "fetchval",
    "scalar",
    "scalars",
}
SQL_QUERY = re.compile(
    r"\b(select|update|delete)\b.*\b(where|order\s+by|join)\b", re.I | re.S
)
RANGES = (ast.Lt, ast.LtE, ast.Gt, ast.GtE)


def column_ref(node: ast.AST) -> tuple[str, str] | None:
    """`Render.project_id` or `models.Render.project_id` -> ("Render", "project_id")."""
    if not isinstance(node, ast.Attribute):
        return None
    owner = node.value
    if isinstance(owner, ast.Name) and owner.id[:1].isupper():
        return owner.id, node.attr
    if isinstance(owner, ast.Attribute) and owner.attr[:1].isupper():
        dotted = ast_dotted_name(owner)
        return (dotted, node.attr) if dotted else None
    return None


def _ordered(node: ast.AST) -> tuple[tuple[str, str], bool] | None:
    """An ORDER BY term: the column and whether it is descending."""
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
        if node.func.attr in ("desc", "asc") and not node.args:
            ref = column_ref(node.func.value)
            return (ref, node.func.attr == "desc") if ref else None
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
        if node.func.id in ("desc", "asc") and len(node.args) == 1:
            ref = column_ref(node.args[0])
            return (ref, node.func.id == "desc") if ref else None
    ref = column_ref(node)
    return (ref, False) if ref else None


def _entity(call: ast.Call) -> str | None:
    """The model a query chain reads: `session.query(X)...`, `select(X)...`,
    `X.query...`, Django's `X.objects...`."""
    node: ast.AST = call.func
    while True:
        if isinstance(node, ast.Call):
            func = node.func
            name = getattr(func, "attr", None) or getattr(func, "id", None)
            if name in ("query", "select") and node.args:
                first = node.args[0]
                if isinstance(first, ast.Name) and first.id[:1].isupper():
                    return first.id
                return None
            node = func
        elif isinstance(node, ast.Attribute):
            if node.attr in ("query", "objects") and isinstance(node.value, ast.Name):
                return node.value.id if node.value.id[:1].isupper() else None
            node = node.value
        else:
            return None


class _Collector(ast.NodeVisitor):
    def __init__(self) -> None:
        self.uses: list[dict] = []
        self.loop = 0
        self.stmt = 0
        self.function = 0
        self.sql_calls: list[tuple[str, int, int, bool]] = []
        self.ors = 0  # ORs seen, to number them
        self.branches: list[tuple[int, int]] = []  # (OR, operand) around this node

    def add(self, ref: tuple[str, str], kind: str, node: ast.AST, **extra) -> None:
        if self.branches:
            extra["alt"] = [list(b) for b in self.branches]
        self.uses.append(
            {
                "ref": ref[0],
                "attr": ref[1],
                "kind": kind,
                "line": node.lineno,
                "stmt": self.stmt,
                "function": self.function,
                "loop": self.loop > 0,
                **extra,
            }
        )

    def _alternatives(self, operands: list[ast.AST]) -> None:
        """The operands of an OR (`or_(...)`, `|`), each in a branch of its own: a
        use in one branch holds without the others (`alternative`)."""
        self.ors += 1
        number = self.ors
        for branch, operand in enumerate(operands):
            self.branches.append((number, branch))
            self.visit(operand)
            self.branches.pop()

    def visit_BinOp(self, node: ast.BinOp) -> None:
        if isinstance(node.op, ast.BitOr):
            self._alternatives([node.left, node.right])
        else:
            self.generic_visit(node)

    def visit_BoolOp(self, node: ast.BoolOp) -> None:
        if isinstance(node.op, ast.Or):
            self._alternatives(node.values)
        else:
            self.generic_visit(node)

    def generic_visit(self, node: ast.AST) -> None:
        if isinstance(node, ast.stmt):
            outer, self.stmt = self.stmt, node.lineno
            super().generic_visit(node)
            self.stmt = outer
        else:
            super().generic_visit(node)

    def visit_FunctionDef(self, node: ast.AST) -> None:
        outer, self.loop = self.loop, 0
        function, self.function = self.function, node.lineno
        self.generic_visit(node)
        self.loop, self.function = outer, function

    visit_AsyncFunctionDef = visit_FunctionDef

    def visit_Lambda(self, node: ast.Lambda) -> None:
        outer, self.loop = self.loop, 0
        self.generic_visit(node)
        self.loop = outer

    def _looping(self, node: ast.AST, body: list) -> None:
        # the iterable runs once; the body once per item
        for field, value in ast.iter_fields(node):
            if field in ("body", "orelse"):
                continue
            if isinstance(value, ast.AST):
                self.visit(value)
        self.loop += 1
        for child in body:
            self.visit(child)
        self.loop -= 1
        for child in getattr(node, "orelse", []):
            self.visit(child)

    def visit_For(self, node: ast.For) -> None:
        outer, self.stmt = self.stmt, node.lineno
        self._looping(node, node.body)
        self.stmt = outer

    visit_AsyncFor = visit_For

    def visit_While(self, node: ast.While) -> None:
        outer, self.stmt = self.stmt, node.lineno
        self.loop += 1
        self.generic_visit(node)
        self.loop -= 1
        self.stmt = outer

    def _comprehension(self, node: ast.AST) -> None:
        generators = node.generators
        self.visit(generators[0].iter)
        self.loop += 1
        for gen in generators:
            if gen is not generators[0]:
                self.visit(gen.iter)
            for cond in gen.ifs:
                self.visit(cond)
        for field in ("elt", "key", "value"):
            if getattr(node, field, None) is not None:
                self.visit(getattr(node, field))
        self.loop -= 1

    visit_ListComp = visit_SetComp = visit_GeneratorExp = visit_DictComp = (
        _comprehension
    )

    def visit_Compare(self, node: ast.Compare) -> None:
        if len(node.ops) == 1:
            left, op, right = node.left, node.ops[0], node.comparators[0]
            lref, rref = column_ref(left), column_ref(right)
            if lref and rref:
                self.add(lref, "join", node)
                self.add(rref, "join", node)
            elif lref or rref:
                ref = lref or rref
                other = right if lref else left
                extra = {}
                if isinstance(other, ast.Constant) and other.value is None:
                    kind = "null"
                    extra = {"value": not isinstance(op, (ast.Eq, ast.Is))}
                elif isinstance(other, ast.Constant) and isinstance(other.value, bool):
                    kind = "flag"
                    extra = {"value": other.value == isinstance(op, (ast.Eq, ast.Is))}
                elif isinstance(op, ast.Eq):
                    kind = "eq"
                elif isinstance(op, RANGES):
                    kind = "range"
                else:
                    kind = None
                if kind:
                    self.add(ref, kind, node, **extra)
        self.generic_visit(node)

    def visit_Call(self, node: ast.Call) -> None:
        func = node.func
        name = getattr(func, "attr", None) or getattr(func, "id", None)
        if name in MAPPING_CALLS:
            return  # `primaryjoin=(id == Link.entity_in_id)`: how to join, not a lookup
        if name == "or_" and not node.keywords:
            self.visit(func)
            self._alternatives(node.args)
            return
        if isinstance(func, ast.Attribute):
            self._method_call(node, func)
        elif isinstance(func, ast.Name):
            if func.id in RELATIONSHIP_LOADERS:
                self._relationships(node)
            elif func.id in ("desc", "asc"):
                pass  # read as an ORDER BY term by its order_by call
        self.generic_visit(node)

    def _method_call(self, node: ast.Call, func: ast.Attribute) -> None:
        method = func.attr
        ref = column_ref(func.value)
        if ref and method in ("in_", "is_", "isnot", "is_not", "between"):
            if method == "in_":
                self.add(ref, "eq", node)
            elif method == "between":
                self.add(ref, "range", node)
            elif node.args and _is_none(node.args[0]):
                self.add(ref, "null", node, value=method != "is_")
        elif ref and method in ("any", "has"):
            self.add(ref, "join", node, rel=True)
        elif method in RELATIONSHIP_LOADERS:
            self._relationships(node)
        elif method in ORDERINGS:
            self._orderings(node)
        elif method == "filter_by":
            entity = _entity(node)
            if entity:
                for kw in node.keywords:
                    if kw.arg:
                        if _is_none(kw.value):
                            self.add((entity, kw.arg), "null", node, value=False)
                        else:
                            self.add((entity, kw.arg), "eq", node)
        elif method in DJANGO_FILTERS and _manager_chain(func.value):
            self._django_filter(node)
        if method in SQL_SENDERS and node.args:
            sql = _sql_string(node.args[0])
            if sql is not None and SQL_QUERY.search(sql):
                self.sql_calls.append(
                    (sql, node.lineno, self.stmt, self.function, self.loop > 0)
                )

    def _relationships(self, node: ast.Call) -> None:
        for arg in node.args:
            ref = column_ref(arg)
            if ref:
                self.add(ref, "join", node, rel=True)

    def _orderings(self, node: ast.Call) -> None:
        for arg in node.args:
            term = _ordered(arg)
            if term:
                ref, descending = term
                self.add(ref, "order", node, desc=descending)
            elif isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                entity = _entity(node)
                name = arg.value.lstrip("-")
                if entity and name.isidentifier():
                    self.add(
                        (entity, name), "order", node, desc=arg.value.startswith("-")
                    )

    def _django_filter(self, node: ast.Call) -> None:
        entity = _entity(node)
        if not entity:
            return
        for kw in node.keywords:
            if not kw.arg:
                continue
            field, _, lookup = kw.arg.partition("__")
            kind = DJANGO_LOOKUPS.get(lookup or "exact")
            if kind is None or "__" in lookup:
                continue
            if kind == "eq" and _is_none(kw.value):
                self.add((entity, field), "null", node, value=False)
            else:
                self.add((entity, field), kind, node)


def _manager_chain(node: ast.AST) -> bool:
    """Does the receiver go through a Django manager (`X.objects...`)?"""
    while True:
        if isinstance(node, ast.Call):
            node = node.func
        elif isinstance(node, ast.Attribute):
            if node.attr == "objects":
                return True
            node = node.value
        else:
            return False


def _is_none(node: ast.AST) -> bool:
    return isinstance(node, ast.Constant) and node.value is None


def _sql_string(node: ast.AST) -> str | None:
    if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "text":
        node = node.args[0] if node.args else None
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    return None


def query_uses(tree: ast.Module) -> list[dict]:
    """Every column use of the file's queries (see the module's docstring)."""
    collector = _Collector()
    collector.visit(tree)
    uses = collector.uses
    if collector.sql_calls:
        from n1fix.rules.missing_index.sql_uses import sql_uses

        for sql, line, stmt, function, loop in collector.sql_calls:
            for use in sql_uses(sql):
                uses.append(
                    {
                        **use,
                        "line": line,
                        "stmt": stmt,
                        "function": function,
                        "loop": loop,
                    }
                )
    return uses


def alternative(a: dict, b: dict) -> bool:
    """Are two uses of one query in different operands of an OR (either may hold alone)?"""
    branches = dict(map(tuple, a.get("alt", ())))
    return any(
        number in branches and branches[number] != branch
        for number, branch in b.get("alt", ())
    )
