"""Where a file reads a table page by page, and where it fetches every row of one, read
with `ast` (the survey reads every file of the project with it).

A paging site is a query on a model that is read a page at a time: `.offset(n)`,
`.slice(a, b)`, `.paginate(...)` and `paginate(query)` / `db.paginate(select(M))`,
`Paginator(queryset, n)`, `paginate_queryset(queryset)`, a query sliced from a start
(`M.objects.all()[start:end]`), a query handed to a project function that pages the
query it is given (`sort_and_page(query, ...)`); and a Django class-based view or DRF
view that pages its `model` / `queryset` (`paginate_by`, `pagination_class`). A
`.limit(n)` or `[:n]` alone is not a page but the top n rows (the latest news, a first
row), which says nothing of the table's size.

A fetch of every row is a whole-entity query with nothing that narrows it (no WHERE, no
join, no LIMIT: only ORDER BY and loader options) whose rows are all loaded:
`session.scalars(select(M)).all()`, `session.execute(select(M)).scalars().all()`,
`session.query(M).all()`, `M.query.all()`, and such a query (or a Django queryset
`M.objects.all()`) iterated by a `for` or a comprehension or passed to `list()`,
`tuple()`, `sorted()` or `set()`. A 2.0 statement or a Query held in a name bound once
in the function counts as written where it is read.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass

from n1fix.cst.astwalk import ast_dotted_name, called_name, child_nodes

# Calls of a query chain that leave its rows all the rows of the table.
KEEPS_EVERY_ROW = {
    "all",
    "order_by",
    "options",
    "execution_options",
    "select_related",
    "prefetch_related",
    "only",
    "defer",
    "using",
}
RUNNERS = {"scalars", "execute"}
# Flask-SQLAlchemy's `M.query`; Django's managers
MANAGERS = {"query", "objects", "_default_manager"}
MATERIALISERS = {"list", "tuple", "sorted", "set"}
PAGE_METHODS = {"offset", "slice", "paginate"}
PAGE_FUNCTIONS = {"paginate", "Paginator", "paginate_queryset"}
PAGING_VIEW_ATTRS = {"paginate_by", "pagination_class"}
# Calls that are given a query but are no project helper that might page it
NOT_HELPERS = {
    *PAGE_FUNCTIONS,
    *MATERIALISERS,
    *RUNNERS,
    "scalar",
    "len",
    "exists",
    "where",
    "filter",
    "select_from",
    "subquery",
    "union",
    "union_all",
    "in_",
}
# Calls that stream the rows instead of loading them at once.
STREAMING = {"yield_per", "iterator", "stream", "stream_scalars", "partitions"}


@dataclass(frozen=True)
class Head:
    """What a query chain reads: the model as the file spells it, and how it is
    queried: `select` (2.0), `query` (1.x `session.query`), `model_query`
    (Flask-SQLAlchemy's `M.query`) or `objects` (Django)."""

    ref: str
    kind: str


@dataclass(frozen=True)
class Fetch:
    """A fetch of every row: the expression that loads them, the model it reads."""

    node: ast.expr
    head: Head


def chain(node: ast.AST) -> tuple[Head | None, list[str]]:
    """The head a chain of method calls starts from, and the calls after it (in
    order); (None, []) when it starts from something else."""
    calls: list[str] = []
    while True:
        if isinstance(node, ast.Call):
            func = node.func
            name = called_name(func)
            if name in ("select", "query") and node.args:
                if (
                    isinstance(func, ast.Name)
                    or (isinstance(func, ast.Attribute) and name == "query")
                    or ast_dotted_name(func) in ("sa.select", "sqlalchemy.select")
                ):
                    ref = _class_ref(node.args[0])
                    kind = "select" if name == "select" else "query"
                    calls.reverse()
                    return (Head(ref, kind) if ref else None), calls
            if not isinstance(func, ast.Attribute):
                return None, []
            calls.append(name)
            node = func.value
        elif isinstance(node, ast.Attribute) and node.attr in MANAGERS:
            ref = _class_ref(node.value)
            if ref is None:
                return None, []
            calls.reverse()
            kind = "model_query" if node.attr == "query" else "objects"
            return Head(ref, kind), calls
        else:
            return None, []


def _class_ref(node: ast.AST) -> str | None:
    """`Render` or `models.Render` (a CapWords last part), or the model of a column
    (`Render.id`)."""
    dotted = ast_dotted_name(node)
    if dotted is None:
        return None
    parts = dotted.split(".")
    for end in range(len(parts), 0, -1):
        last = parts[end - 1]
        if last[:1].isupper() and not last.isupper():
            return ".".join(parts[:end])
    return None


def _scopes(tree: ast.Module) -> Iterator[tuple[ast.AST, list[ast.AST]]]:
    """The module and each function, with its own nodes (not those of nested
    functions)."""
    pending: list[ast.AST] = [tree]
    while pending:
        scope = pending.pop()
        own: list[ast.AST] = []
        stack = list(child_nodes(scope))
        while stack:
            node = stack.pop()
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
                pending.append(node)
                continue
            own.append(node)
            stack.extend(child_nodes(node))
        yield scope, own


def _bindings(nodes: list[ast.AST]) -> dict[str, list[ast.AST | None]]:
    """name -> every value the scope binds it to (None: bound by something other than
    a plain assignment: a loop, a `with`, a parameter is not seen here)."""
    bound: dict[str, list[ast.AST | None]] = {}
    for node in nodes:
        if isinstance(node, ast.Assign):
            for target in node.targets:
                if isinstance(target, ast.Name):
                    bound.setdefault(target.id, []).append(node.value)
                else:
                    for name in ast.walk(target):
                        if isinstance(name, ast.Name):
                            bound.setdefault(name.id, []).append(None)
        elif isinstance(node, (ast.AnnAssign, ast.AugAssign)):
            if isinstance(node.target, ast.Name):
                value = node.value if isinstance(node, ast.AnnAssign) else None
                bound.setdefault(node.target.id, []).append(value)
        elif isinstance(node, (ast.For, ast.AsyncFor, ast.comprehension)):
            for name in ast.walk(node.target):
                if isinstance(name, ast.Name):
                    bound.setdefault(name.id, []).append(None)
        elif isinstance(node, ast.NamedExpr):
            bound.setdefault(node.target.id, []).append(None)
        elif isinstance(node, ast.withitem) and node.optional_vars is not None:
            for name in ast.walk(node.optional_vars):
                if isinstance(name, ast.Name):
                    bound.setdefault(name.id, []).append(None)
    return bound


def _resolved(node: ast.AST, bound: dict, depth: int = 0) -> ast.AST:
    """`node`, or the one value a name in it is bound to, followed through names
    (`stmt = select(M)` ... `stmt.limit(n)`), keeping the calls made on the name."""
    if depth > 5:
        return node
    base, outer = node, []
    while isinstance(base, ast.Call) and isinstance(base.func, ast.Attribute):
        outer.append(base)
        base = base.func.value
    if isinstance(base, ast.Name):
        values = bound.get(base.id, [])
        if len(values) == 1 and values[0] is not None:
            inner = _resolved(values[0], bound, depth + 1)
            # rebuild `inner.c1(...).c2(...)` with the calls made on the name
            for call in reversed(outer):
                call = ast.Call(
                    ast.Attribute(inner, call.func.attr, ast.Load()),
                    call.args,
                    call.keywords,
                )
                inner = call
            return inner
    return node


def _entity_of_paged(node: ast.AST, bound: dict) -> Head | None:
    """The head of a query that is paged, following names bound in the scope to any
    query of the model (`q = M.query.filter(...)`; `q = q.order_by(...)`)."""
    head, _ = chain(_resolved(node, bound))
    if head is not None:
        return head
    base = node
    while isinstance(base, ast.Call) and isinstance(base.func, ast.Attribute):
        base = base.func.value
    if isinstance(base, ast.Name):
        for value in bound.get(base.id, []):
            if value is None or value is node:
                continue
            # `q = session.query(M) if paged else M.query`: either branch
            for option in (
                (value.body, value.orelse) if isinstance(value, ast.IfExp) else (value,)
            ):
                head, _ = chain(option)
                if head is not None:
                    return head
    return None


def paging_sites(tree: ast.Module) -> dict[str, list[dict]]:
    """What the file pages: `pages`, every query of the file bounded by a page
    ({"ref", "line", "how"}); `pagers`, the functions that page a query they are given
    ({"name", "param": its position}); `handed`, the queries the file hands to a
    function as a positional argument ({"callee", "arg", "ref", "line"}): a page when
    the callee is a pager (`sort_and_page(query, ...)`)."""
    pages: list[dict] = []
    pagers: list[dict] = []
    handed: list[dict] = []
    for scope, nodes in _scopes(tree):
        bound = _bindings(nodes)
        params = _positional(scope)
        for node in nodes:
            found = _paged(node, bound)
            if found is not None:
                head, how = found
                pages.append({"ref": head.ref, "line": node.lineno, "how": how})
            elif params and isinstance(node, ast.Call):
                param = _paged_param(node, params)
                if param is not None:
                    pagers.append({"name": scope.name, "param": param})
            if isinstance(node, ast.Call) and (node.args or node.keywords):
                handed.extend(_handed(node, bound))
    for node in ast.walk(tree):
        if isinstance(node, ast.ClassDef):
            pages.extend(_paging_view(node))
    found = {"pages": pages, "pagers": _unique(pagers), "handed": handed}
    return {key: value for key, value in found.items() if value}


def _unique(items: list[dict]) -> list[dict]:
    return [dict(t) for t in dict.fromkeys(tuple(sorted(i.items())) for i in items)]


def _positional(scope: ast.AST) -> list[str]:
    """A function's positional parameters as a caller passes them (without `self` or
    `cls`)."""
    if not isinstance(scope, (ast.FunctionDef, ast.AsyncFunctionDef)):
        return []
    names = [a.arg for a in (*scope.args.posonlyargs, *scope.args.args)]
    return names[1:] if names[:1] in (["self"], ["cls"]) else names


def _paged_param(call: ast.Call, params: list[str]) -> int | None:
    """The position of the parameter a paging call pages (`query.offset(n)` where
    `query` is a parameter), or None."""
    func = call.func
    if not (isinstance(func, ast.Attribute) and func.attr in PAGE_METHODS):
        return None
    base = func.value
    while isinstance(base, ast.Call) and isinstance(base.func, ast.Attribute):
        base = base.func.value
    if isinstance(base, ast.Name) and base.id in params:
        return params.index(base.id)
    return None


def _handed(call: ast.Call, bound: dict) -> list[dict]:
    """The queries (and, for a helper named for paging, the models) a call is given.
    `arg` is the position of a positional argument, matched later against the
    project's pagers; -1 when the callee's name says it pages (`paginated_select(
    statement=query, ...)`, `sort_and_page(query, Certificate, args)`): a page
    whatever its body does."""
    callee = called_name(call.func)
    if not callee or callee in NOT_HELPERS:
        return []
    named = names_paging(callee)
    given = [(position, arg) for position, arg in enumerate(call.args)]
    if named:
        given += [(-1, kw.value) for kw in call.keywords if kw.arg]
    found = []
    for position, arg in given:
        if isinstance(arg, ast.Starred):
            break
        ref = None
        if named and isinstance(arg, (ast.Name, ast.Attribute)):
            ref = _class_ref(arg)
            ref = ref if ref is not None and ref == ast_dotted_name(arg) else None
        if ref is None and isinstance(arg, (ast.Name, ast.Call, ast.Attribute)):
            head = _entity_of_paged(arg, bound)
            ref = head.ref if head is not None else None
        if ref is not None:
            found.append(
                {
                    "callee": callee,
                    "arg": -1 if named else position,
                    "ref": ref,
                    "line": call.lineno,
                }
            )
    return found


def names_paging(callee: str) -> bool:
    """`paginated_select`, `sort_and_page`, `get_page`: a name that says it pages
    (not `homepage`)."""
    words = callee.lower().split("_")
    return "page" in words or any(word.startswith("paginat") for word in words)


def _paged(node: ast.AST, bound: dict) -> tuple[Head, str] | None:
    if isinstance(node, ast.Call):
        func = node.func
        name = called_name(func)
        if isinstance(func, ast.Attribute) and name in PAGE_METHODS:
            head = _entity_of_paged(func.value, bound)
            if head is not None:
                return head, f".{name}()"
        if name in PAGE_FUNCTIONS and node.args:  # `db.paginate(select(M))` too
            head = _entity_of_paged(node.args[0], bound)
            return (head, f"{name}()") if head else None
    elif isinstance(node, ast.Subscript) and isinstance(node.slice, ast.Slice):
        if not _from_a_start(node.slice):
            return None  # `[:n]`: the top n rows, not a page
        head = _entity_of_paged(node.value, bound)
        if head is not None and head.kind in ("objects", "query", "model_query"):
            return head, "a slice"
    return None


def _from_a_start(part: ast.Slice) -> bool:
    """`[start:end]` with a start other than 0: a page."""
    lower = part.lower
    return lower is not None and not (
        isinstance(lower, ast.Constant) and lower.value in (0, None)
    )


def _paging_view(cls: ast.ClassDef) -> list[dict]:
    """A class-based view that pages its `model` or `queryset`."""
    pages, reads = False, None
    for statement in cls.body:
        if not isinstance(statement, ast.Assign) or len(statement.targets) != 1:
            continue
        target = statement.targets[0]
        if not isinstance(target, ast.Name):
            continue
        if target.id in PAGING_VIEW_ATTRS and not (
            isinstance(statement.value, ast.Constant) and not statement.value.value
        ):
            pages = True
        elif target.id == "model":
            reads = _class_ref(statement.value)
        elif target.id == "queryset":
            head, _ = chain(statement.value)
            reads = head.ref if head is not None else None
    if pages and reads is None:
        reads = _queryset_method_reads(cls)
    if pages and reads:
        return [{"ref": reads, "line": cls.lineno, "how": "a paginated view"}]
    return []


def _queryset_method_reads(cls: ast.ClassDef) -> str | None:
    """The model a view's `get_queryset()` returns a queryset of, when it is one."""
    for statement in cls.body:
        if (
            isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef))
            and statement.name == "get_queryset"
        ):
            nodes = [statement, *ast.walk(statement)]
            bound = _bindings(nodes)
            refs = {
                head.ref
                for node in nodes
                if isinstance(node, ast.Return) and node.value is not None
                for head in [_entity_of_paged(node.value, bound)]
                if head is not None
            }
            return refs.pop() if len(refs) == 1 else None
    return None


# -- fetches of every row


def fetch_sites(tree: ast.Module) -> list[Fetch]:
    """Every fetch of every row of a table in the file (see the module's docstring),
    except those another rule reports (`len(...)`: count-via-len; `[0]`:
    first-row-via-all) and a `for` loop that may stop early (`break`, `return`)."""
    found: list[Fetch] = []
    for _, nodes in _scopes(tree):
        bound = _bindings(nodes)
        skipped: set[int] = _handed_back(nodes)
        for node in nodes:
            if isinstance(node, ast.Call) and called_name(node.func) == "len":
                skipped.update(id(arg) for arg in node.args)
            elif isinstance(node, ast.Subscript):
                skipped.add(id(node.value))
            elif isinstance(node, (ast.For, ast.AsyncFor)) and _stops_early(node):
                skipped.add(id(node.iter))
        seen: set[int] = set()
        for node in nodes:
            if id(node) in skipped or id(node) in seen:
                continue
            head = None
            if isinstance(node, ast.Call) and _is_all(node):
                head = _all_rows(node.func.value, bound)
            elif isinstance(node, ast.Call) and called_name(node.func) in MATERIALISERS:
                if isinstance(node.func, ast.Name) and len(node.args) == 1:
                    if id(node.args[0]) not in skipped:
                        head = _iterated(node.args[0], bound)
                        seen.add(id(node.args[0]))
            elif isinstance(node, (ast.For, ast.AsyncFor, ast.comprehension)):
                if id(node.iter) not in skipped and not _is_all_call(node.iter):
                    head = _iterated(node.iter, bound)
                    if head is not None:
                        found.append(Fetch(node.iter, head))
                    continue
            if head is not None:
                found.append(Fetch(node, head))
    found.sort(key=lambda f: (f.node.lineno, f.node.col_offset))
    return found


def _handed_back(nodes: list[ast.AST]) -> set[int]:
    """The fetches a function only returns (`return session.query(M).all()`, or through
    a name read only by the `return`): an accessor, whose callers decide what the rows
    are for (a choice list, a cache, an export), which is not seen here."""
    reads: dict[str, int] = {}
    for node in nodes:
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load):
            reads[node.id] = reads.get(node.id, 0) + 1
    returned_names = {
        node.value.id
        for node in nodes
        if isinstance(node, ast.Return) and isinstance(node.value, ast.Name)
    }
    back = set()
    for node in nodes:
        if isinstance(node, ast.Return) and node.value is not None:
            back.add(id(node.value))
        elif (
            isinstance(node, ast.Assign)
            and len(node.targets) == 1
            and isinstance(node.targets[0], ast.Name)
            and node.targets[0].id in returned_names
            and reads.get(node.targets[0].id) == 1
        ):
            back.add(id(node.value))
    return back


def _is_all(node: ast.Call) -> bool:
    return (
        isinstance(node.func, ast.Attribute)
        and node.func.attr == "all"
        and not node.args
        and not node.keywords
    )


def _is_all_call(node: ast.AST) -> bool:
    """`<x>.all()`, reported as a call where it stands, not as the loop's iterable."""
    return isinstance(node, ast.Call) and _is_all(node) and not _is_django(node)


def _is_django(node: ast.AST) -> bool:
    head, _ = chain(node)
    return head is not None and head.kind == "objects"


def _whole(node: ast.AST, bound: dict) -> Head | None:
    """The head of a query that reads every row of one model: a whole-entity
    `select(M)` / `session.query(M)` / `M.query` / `M.objects` with only calls that
    keep every row."""
    head, calls = chain(_resolved(node, bound))
    if head is None or not set(calls) <= KEEPS_EVERY_ROW:
        return None
    if head.kind in ("select", "query") and not _whole_entity(node, bound):
        return None
    return head


def _whole_entity(node: ast.AST, bound: dict) -> bool:
    """`select(M)` / `query(M)`, not `select(M.id)`: one class, the whole row."""
    node = _resolved(node, bound)
    while isinstance(node, ast.Call):
        if called_name(node.func) in ("select", "query") and node.args:
            if len(node.args) != 1:
                return False
            dotted = ast_dotted_name(node.args[0])
            return bool(dotted) and _class_ref(node.args[0]) == dotted
        if not isinstance(node.func, ast.Attribute):
            return False
        node = node.func.value
    return True


def _all_rows(receiver: ast.AST, bound: dict) -> Head | None:
    """`<receiver>.all()` loading every row: a 2.0 runner (`session.scalars(stmt)`,
    `session.execute(stmt)`, `.scalars()` after it, awaited or not) or a 1.x Query."""
    if isinstance(receiver, ast.Await):
        receiver = receiver.value
    if (
        isinstance(receiver, ast.Call)
        and isinstance(receiver.func, ast.Attribute)
        and receiver.func.attr in ("scalars", "unique")
        and not receiver.args
    ):
        receiver = receiver.func.value  # `.execute(stmt).scalars()`
        if isinstance(receiver, ast.Await):
            receiver = receiver.value
    head = _run(receiver, bound)
    if head is not None:
        return head
    head = _whole(receiver, bound)
    return head if head is not None and head.kind in ("query", "model_query") else None


def _run(node: ast.AST, bound: dict) -> Head | None:
    """`session.scalars(<select>)` / `session.execute(<select>)`."""
    if isinstance(node, ast.Await):
        node = node.value
    if not (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr in RUNNERS
        and len(node.args) == 1
        and not node.keywords
    ):
        return None
    head = _whole(node.args[0], bound)
    return head if head is not None and head.kind == "select" else None


def _iterated(node: ast.AST, bound: dict) -> Head | None:
    """An iterable that loads every row when iterated: a whole Query, a Django
    queryset, `session.scalars(select(M))`."""
    head = _run(node, bound)
    if head is not None:
        return head
    head = _whole(node, bound)
    if head is not None and head.kind in ("query", "model_query", "objects"):
        if head.kind == "objects" and not _is_all_call(node) and not _queryset(node):
            return None
        return head
    return None


def _queryset(node: ast.AST) -> bool:
    """A queryset, not the manager itself (`M.objects` iterates nothing)."""
    return isinstance(node, ast.Call)


def _stops_early(loop: ast.For | ast.AsyncFor) -> bool:
    """Does the loop's own body `break` or `return`?"""
    stack: list[ast.AST] = list(loop.body)
    while stack:
        node = stack.pop()
        if isinstance(node, (ast.Break, ast.Return)):
            return True
        if isinstance(
            node,
            (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef),
        ):
            continue
        if isinstance(node, (ast.For, ast.AsyncFor, ast.While)):
            # a `break` there ends the inner loop; a `return` still ends this one
            stack.extend(n for n in ast.walk(node) if isinstance(n, ast.Return))
            continue
        stack.extend(child_nodes(node))
    return False
