"""Project helpers that wrap a query, read through their body.

Many applications keep a module of database helpers (lemur's `database`, a Flask app's
`db_utils`), and their query functions are one line over it:

    def get_by_name(name):
        return database.get(Authority, name, field="name")

    # lemur/database.py-like
    def get(model, value, field="id"):
        return session.scalar(select(model).where(getattr(model, field) == value))

`database.get(...)` is no session method, so the loop rule cannot batch it as written. Its
body, with the arguments put in, is a query the rule knows:
`database.session.scalar(select(Authority).where(Authority.name == name))`. This module
puts the helper's body in place of the call, so that the per-key loop a batch method is
planned from reads the query the helper really runs.

A helper is read only when that is an exact rewriting of the call:
- it is a module-level function of a project module, imported as a module
  (`from app import database` / `import app.database as database`), and not async;
- its body is a docstring, `name = expression` lines each read once, and one `return`;
- every parameter gets an argument or a literal default, each argument is a plain name,
  attribute or literal (evaluated anyway, in any order, with no effect), and every
  parameter is read at least once (nothing the call evaluates is dropped);
- every other name the body reads is a builtin or a top-level name of the helper's module:
  what it defines there is reached through the module (`database.session`), what it
  imports is imported by the caller too (the same name for the same thing, added when the
  caller lacks it).
`getattr(model, "name")` with a literal name is `model.name`. Helpers that call the
module's other helpers are read through them in turn (a few levels deep).
"""

from __future__ import annotations

import ast
import builtins
from dataclasses import dataclass, field

import libcst as cst

from n1fix.analysis.loop_placement import NoFix
from n1fix.cst.chains import dotted_name
from n1fix.cst.method_syntax import is_docstring, named_params
from n1fix.cst.statements import is_name_assignment, sole_small_statement
from n1fix.cst.syntax import walk

_DEPTH = 3
_BUILTINS = frozenset(dir(builtins))
_ORM_LIBRARIES = {"sqlalchemy", "flask_sqlalchemy", "sqlmodel"}
_UNKNOWN = object()
_MISSING = object()


@dataclass
class Inlined:
    """The callee's statements with the project helpers' bodies in place of their calls,
    and the imports (`from module import name`) the caller's module needs for them."""

    statements: list
    imports: dict[str, str] = field(default_factory=dict)  # name -> qualified


@dataclass
class _Module:
    qualified: str
    tree: cst.Module
    imports: dict[str, str]  # top-level `from x import y [as z]`: z -> x.y
    defined: set[str]  # top-level functions, classes and assigned names


def inline_wrappers(
    ctx,
    models: ModelFacts,
    imports: dict[str, str],
    statements: list,
    bound: set[str],
) -> Inlined:
    """`statements` (a callee's `name = ...` lines and its `return`) with each call of a
    project helper replaced by the query its body runs. `imports` is the callee module's
    import map; `bound` the names the callee's module and function bind, which a name
    brought in from a helper must not meet."""
    candidates: dict[str, str] = {}
    inliner = _Inliner(ctx, imports, bound, candidates, _DEPTH, models)
    result = Inlined(statements=[s.visit(inliner) for s in statements])
    read = set().union(*(_free_reads(s) for s in result.statements))
    result.imports = {n: q for n, q in candidates.items() if n in read}
    return result


class ModelFacts:
    """What the helpers' guards and spellings need to know of the models: seen from the
    callee's module (its imports name the models)."""

    def __init__(self, ctx, imports: dict[str, str], module_name: str):
        self.ctx = ctx
        self.imports = imports
        self.module_name = module_name

    def model(self, expr: cst.BaseExpression):
        project = self.ctx.project
        return project.dialect().model_for(
            project.models, expr, self.imports, self.module_name
        )

    def class_attribute(self, info, attr: str, depth: int = 4):
        """The literal value the model class (or a base) gives `attr`; _MISSING when no
        class of its lineage sets it; _UNKNOWN when that cannot be told."""
        if depth <= 0:
            return _UNKNOWN
        tree = self.ctx.project_module(info.module)
        cls = next(
            (
                s
                for s in (tree.body if tree is not None else [])
                if isinstance(s, cst.ClassDef) and s.name.value == info.name
            ),
            None,
        )
        if cls is None:
            return _UNKNOWN
        found = _own_attribute(cls, attr)
        if found is not _MISSING:
            return found
        models = self.ctx.project.models
        for base in info.bases:
            parent = models.models.get(base) if models is not None else None
            if parent is not None:
                found = self.class_attribute(parent, attr, depth - 1)
            elif not attr.startswith("_") and (
                base.split(".")[0] in _ORM_LIBRARIES or self._flask_model(info, base)
            ):
                found = _MISSING  # the ORM's own base classes set no such attribute
            else:
                found = self._plain_class_attribute(base, attr, depth - 1)
            if found is not _MISSING:
                return found
        return _MISSING

    def _plain_class_attribute(self, qualified: str, attr: str, depth: int):
        """`class_attribute` for a project class that is no model (a declarative base, a
        mixin): read from its module, its bases through that module's imports."""
        if depth <= 0:
            return _UNKNOWN
        module_name, _, name = qualified.rpartition(".")
        module = _project_module(self.ctx, module_name) if module_name else None
        cls = next(
            (
                s
                for s in (module.tree.body if module is not None else [])
                if isinstance(s, cst.ClassDef) and s.name.value == name
            ),
            None,
        )
        if cls is None:
            return _UNKNOWN
        found = _own_attribute(cls, attr)
        if found is not _MISSING:
            return found
        for base in [*cls.bases, *cls.keywords]:
            # A metaclass's attributes are the class's too: one of the project's may set it.
            dotted = dotted_name(base.value)
            if dotted is None:
                return _UNKNOWN
            head, dot, rest = dotted.partition(".")
            if head in module.imports:
                target = module.imports[head] + dot + rest
            elif head in module.defined and not rest:
                target = f"{module_name}.{head}"
            else:
                return _UNKNOWN
            if target.split(".")[0] in _ORM_LIBRARIES and not attr.startswith("_"):
                continue
            found = self._plain_class_attribute(target, attr, depth - 1)
            if found is not _MISSING:
                return found
        return _MISSING

    def _flask_model(self, info, base: str) -> bool:
        """Is `base` Flask-SQLAlchemy's `db.Model` (`app.extensions.db.Model`), the base
        the model index read the Flask model from, and no class of the project?"""
        holder = base.rpartition(".")[0]
        return (
            info.flask
            and base.endswith(".Model")
            and self.ctx.project_module(holder) is None
        )


class _Inliner(cst.CSTTransformer):
    def __init__(self, ctx, imports, bound, candidates, depth, models=None):
        self.ctx = ctx
        self.imports = imports  # the callee module's import map, which the query joins
        self.bound = bound
        self.candidates = (
            candidates  # imports the inlined code may need: name -> qualified
        )
        self.depth = depth
        self.models = models

    def leave_Call(self, original: cst.Call, updated: cst.Call) -> cst.BaseExpression:
        if self.depth <= 0:
            return updated
        target = self._helper(updated.func)
        if target is None:
            return updated
        module, prefix, function = target
        expression = _body_expression(function, updated, self.ctx, module, prefix, self)
        return expression if expression is not None else updated

    def _helper(self, func: cst.BaseExpression):
        """(module, the name the callee reaches it by, the helper) for a call of a
        function of a project module the callee imports as a module."""
        if not (isinstance(func, cst.Attribute) and isinstance(func.value, cst.Name)):
            return None
        alias = func.value.value
        if alias in self.bound or alias not in self.imports:
            return None
        module = _project_module(self.ctx, self.imports[alias])
        if module is None:
            return None
        function = _function(module.tree, func.attr.value)
        return (module, alias, function) if function else None


def _function(tree: cst.Module, name: str) -> cst.FunctionDef | None:
    """The module's function `name`, when nothing else at its top level binds the name
    (a second `def`, `name = cached(name)`, an import)."""
    found = [
        s
        for s in tree.body
        if isinstance(s, (cst.FunctionDef, cst.ClassDef)) and s.name.value == name
    ]
    rebinds = any(
        isinstance(n, cst.Name) and n.value == name
        for s in tree.body
        if isinstance(s, cst.SimpleStatementLine)
        for small in s.body
        if isinstance(
            small,
            (cst.Assign, cst.AnnAssign, cst.AugAssign, cst.Import, cst.ImportFrom),
        )
        for n in walk(small)
        if not isinstance(small, (cst.Assign, cst.AnnAssign, cst.AugAssign))
        or any(n is t or n in walk(t) for t in _targets(small))
    )
    if len(found) != 1 or rebinds or not isinstance(found[0], cst.FunctionDef):
        return None
    return found[0]


def _targets(small) -> list[cst.CSTNode]:
    if isinstance(small, cst.Assign):
        return [t.target for t in small.targets]
    return [small.target]


def _project_module(ctx, qualified: str) -> _Module | None:
    tree = ctx.project_module(qualified)
    if tree is None:
        return None
    package = qualified.rpartition(".")[0]
    imports: dict[str, str] = {}
    defined: set[str] = set()
    for statement in tree.body:
        if isinstance(statement, (cst.FunctionDef, cst.ClassDef)):
            defined.add(statement.name.value)
            continue
        if not isinstance(statement, cst.SimpleStatementLine):
            continue
        for small in statement.body:
            if isinstance(small, cst.ImportFrom) and not isinstance(
                small.names, cst.ImportStar
            ):
                source = (
                    tree.code_for_node(small.module) if small.module is not None else ""
                )
                if small.relative:
                    base = package
                    for _ in range(len(small.relative) - 1):
                        base = base.rpartition(".")[0]
                    source = f"{base}.{source}" if source else base
                for alias in small.names:
                    name = tree.code_for_node(alias.name)
                    bound = (
                        alias.asname.name.value
                        if alias.asname is not None
                        and isinstance(alias.asname.name, cst.Name)
                        else name
                    )
                    imports[bound] = f"{source}.{name}"
            elif isinstance(small, cst.Import):
                for alias in small.names:
                    name = tree.code_for_node(alias.name)
                    bound = (
                        alias.asname.name.value
                        if alias.asname is not None
                        and isinstance(alias.asname.name, cst.Name)
                        else name.partition(".")[0]
                    )
                    imports[bound] = name if alias.asname is not None else bound
            elif isinstance(small, (cst.Assign, cst.AnnAssign)):
                targets = (
                    [t.target for t in small.targets]
                    if isinstance(small, cst.Assign)
                    else [small.target]
                )
                defined |= {t.value for t in targets if isinstance(t, cst.Name)}
    return _Module(qualified, tree, imports, defined)


def _is_simple(expr: cst.BaseExpression) -> bool:
    """A name, an attribute of one, or a literal: evaluating it has no effect."""
    while isinstance(expr, cst.Attribute):
        expr = expr.value
    return isinstance(
        expr, (cst.Name, cst.SimpleString, cst.Integer, cst.Float)
    ) and not (isinstance(expr, cst.SimpleString) and expr.prefix)


def _bind(function: cst.FunctionDef, call: cst.Call) -> dict[str, cst.BaseExpression]:
    """Each parameter's argument (or literal default); raises NoFix when not plain."""
    params = function.params
    if (
        params.posonly_params
        or isinstance(params.star_arg, cst.Param)
        or params.star_kwarg is not None
        or any(arg.star for arg in call.args)
    ):
        raise NoFix("its arguments cannot be matched to its parameters")
    named = [*params.params, *params.kwonly_params]
    bound: dict[str, cst.BaseExpression] = {}
    positional = [a for a in call.args if a.keyword is None]
    if len(positional) > len(params.params):
        raise NoFix("too many arguments")
    for param, arg in zip(params.params, positional):
        bound[param.name.value] = arg.value
    for arg in call.args:
        if arg.keyword is not None:
            name = arg.keyword.value
            if name in bound or not any(p.name.value == name for p in named):
                raise NoFix("an argument does not match a parameter")
            bound[name] = arg.value
    for param in named:
        name = param.name.value
        if name not in bound:
            if param.default is None:
                raise NoFix("a parameter gets no argument")
            bound[name] = param.default
    if not all(_is_simple(value) for value in bound.values()):
        raise NoFix("an argument is not a plain name or literal")
    return bound


def _body_expression(
    function: cst.FunctionDef,
    call: cst.Call,
    ctx,
    module: _Module,
    prefix: str,
    outer: _Inliner,
) -> cst.BaseExpression | None:
    """The helper's returned expression with the call's arguments in place, or None when
    it cannot be read so (the call then stays as it is)."""
    if function.asynchronous is not None or function.decorators:
        return None
    try:
        arguments = _bind(function, call)
    except NoFix:
        return None
    parts = _parts(function)
    if parts is None:
        return None
    guards, expression = parts
    reads = set().union(*(_free_reads(e) for e in [expression, *guards]))
    if any(param not in reads for param in arguments):
        return None
    # The names the body reads besides its parameters: builtins, or top-level names of
    # the helper's module (reached through the module, or imported as it imports them).
    renames: dict[str, cst.BaseExpression] = {}
    for name in reads - set(arguments):
        if name in module.defined and name not in module.imports:
            if not prefix:
                return None
            renames[name] = cst.Attribute(value=cst.Name(prefix), attr=cst.Name(name))
        elif name in module.imports:
            if name in outer.bound:
                return None
            qualified = module.imports[name]
            have = outer.imports.get(name, outer.candidates.get(name))
            if have is None:
                outer.candidates[name] = qualified
            elif have != qualified:
                return None
        elif name not in _BUILTINS or name in outer.bound or name in outer.imports:
            return None
    values = {**renames, **arguments}
    inner = _Inliner(
        ctx,
        outer.imports,
        outer.bound,
        outer.candidates,
        outer.depth - 1,
        outer.models,
    )

    def resolved(node: cst.BaseExpression) -> cst.BaseExpression:
        node = _replace_names(node, values)
        node = cst.Expr(value=node).visit(inner).value
        return _simplified(node, outer.models)

    expression = resolved(expression)
    # A guard raises when its test holds; the helper is read only when every test is
    # shown false for these arguments (a test n1fix cannot decide keeps the call).
    for test in guards:
        if _decided(resolved(test), outer.models) is not False:
            return None
    return expression


def _parts(function: cst.FunctionDef):
    """(guard tests, returned expression) of a body made of a docstring, `name =`
    lines, `if test: raise ...` guards and one `return`, the locals put in place; None for
    any other body. A local read more than once must be a plain read (no call but
    `.get(...)`: a mapping's look-up)."""
    body = [
        s for i, s in enumerate(function.body.body) if not (i == 0 and is_docstring(s))
    ]
    if not body:
        return None
    locals_: dict[str, cst.BaseExpression] = {}
    guards: list[cst.BaseExpression] = []
    *leading, last = body
    for statement in leading:
        if isinstance(statement, cst.If):
            raised = statement.body.body
            if (
                statement.orelse is not None
                or len(raised) != 1
                or not isinstance(raised[0], cst.SimpleStatementLine)
                or len(raised[0].body) != 1
                or not isinstance(raised[0].body[0], cst.Raise)
            ):
                return None
            guards.append(_replace_names(statement.test, locals_))
            continue
        small = sole_small_statement(statement)
        if not is_name_assignment(small):
            return None
        name = small.targets[0].target.value
        if name in locals_:
            return None
        locals_[name] = _replace_names(small.value, locals_)
    small = sole_small_statement(last)
    if not isinstance(small, cst.Return) or small.value is None:
        return None
    expression = _replace_names(small.value, locals_)
    params = {p.name.value for p in named_params(function.params)}
    for name, value in locals_.items():
        if name in params:
            return None
        uses = sum(
            1
            for part in [
                small.value,
                *(s.test for s in leading if isinstance(s, cst.If)),
            ]
            for n in [part, *walk(part)]
            if isinstance(n, cst.Name) and n.value == name
        ) + sum(
            1
            for other in locals_.values()
            for n in [other, *walk(other)]
            if isinstance(n, cst.Name) and n.value == name
        )
        if uses > 1 and not _plain(value):
            return None
    return guards, expression


def _plain(expression: cst.BaseExpression) -> bool:
    """Reading it twice is reading it once: names, attributes, literals, and calls of a
    mapping's `.get`."""
    for node in [expression, *walk(expression)]:
        if isinstance(node, cst.Call) and not (
            isinstance(node.func, cst.Attribute) and node.func.attr.value == "get"
        ):
            return False
        if isinstance(node, (cst.Await, cst.Yield, cst.NamedExpr, cst.Lambda)):
            return False
    return True


def _free_reads(expression: cst.BaseExpression) -> set[str]:
    """Names read as variables (not attribute names or keywords) in `expression`; a
    lambda or comprehension (whose own names would need scoping) reads as "<scope>",
    which no helper may read."""
    found: set[str] = set()
    skip: set[int] = set()
    for node in [expression, *walk(expression)]:
        if isinstance(
            node,
            (
                cst.Lambda,
                cst.CompFor,
                cst.NamedExpr,
                cst.ListComp,
                cst.SetComp,
                cst.DictComp,
                cst.GeneratorExp,
            ),
        ):
            found.add("<scope>")
        if isinstance(node, cst.Attribute):
            skip.add(id(node.attr))
        elif isinstance(node, cst.Arg) and node.keyword is not None:
            skip.add(id(node.keyword))
        elif isinstance(node, cst.Name) and id(node) not in skip:
            found.add(node.value)
    return found


def _replace_names(
    expression: cst.BaseExpression, values: dict[str, cst.BaseExpression]
) -> cst.BaseExpression:
    """`expression` with each variable read of a name in `values` replaced by its value."""
    skip = {id(n.attr) for n in walk(expression) if isinstance(n, cst.Attribute)} | {
        id(n.keyword)
        for n in walk(expression)
        if isinstance(n, cst.Arg) and n.keyword is not None
    }

    class _Swap(cst.CSTTransformer):
        def leave_Name(self, original, updated):
            if id(original) in skip or original.value not in values:
                return updated
            value = values[original.value]
            return value.deep_clone()

    wrapper = cst.Expr(value=expression)
    return wrapper.visit(_Swap()).value


def _own_attribute(cls: cst.ClassDef, attr: str):
    """The literal the class body assigns to `attr`; _MISSING when it assigns none;
    _UNKNOWN when it is set otherwise (not a literal, a method)."""
    for statement in cls.body.body:
        for small in (
            statement.body if isinstance(statement, cst.SimpleStatementLine) else []
        ):
            targets = (
                [t.target for t in small.targets]
                if isinstance(small, cst.Assign)
                else [small.target]
                if isinstance(small, cst.AnnAssign)
                else []
            )
            if any(isinstance(t, cst.Name) and t.value == attr for t in targets):
                return _literal(small.value) if small.value is not None else _UNKNOWN
        if (
            isinstance(statement, (cst.FunctionDef, cst.ClassDef))
            and statement.name.value == attr
        ):
            return _UNKNOWN
    return _MISSING


def _literal(value: cst.BaseExpression):
    """The value of a literal string, number, or tuple/list/set of them; _UNKNOWN else."""
    try:
        return ast.literal_eval(cst.Module([]).code_for_node(value))
    except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
        return _UNKNOWN


def _string(node: cst.BaseExpression) -> str | None:
    if isinstance(node, cst.SimpleString) and not node.prefix.strip("rR"):
        value = node.evaluated_value
        return value if isinstance(value, str) else None
    return None


def _column_of(node: cst.BaseExpression, models: ModelFacts | None):
    """`M.__table__.columns.get("name"[, None])` (or `.c.get`): (M, the column's mapped
    attribute) when `name` is a column of the model's own table; else None."""
    if models is None or not isinstance(node, cst.Call):
        return None
    func = node.func
    if not (
        isinstance(func, cst.Attribute)
        and func.attr.value == "get"
        and isinstance(func.value, cst.Attribute)
        and func.value.attr.value in ("columns", "c")
        and isinstance(func.value.value, cst.Attribute)
        and func.value.value.attr.value == "__table__"
        and 1 <= len(node.args) <= 2
        and all(a.keyword is None and not a.star for a in node.args)
    ):
        return None
    name = _string(node.args[0].value)
    if len(node.args) == 2 and not (
        isinstance(node.args[1].value, cst.Name) and node.args[1].value.value == "None"
    ):
        return None
    model_expr = func.value.value.value
    info = models.model(model_expr)
    if name is None or info is None or info.inherits is not None:
        return None
    column = next((c for c in info.columns.values() if c.name == name), None)
    return (model_expr, column.attr) if column is not None else None


def _simplified(expression: cst.BaseExpression, models: ModelFacts | None):
    """The spellings a helper's body reads as, in the form the query rule knows:
    `getattr(model, "name")` is `model.name`; `M.__table__.columns.get("name")` is the
    column `M.name`; `A if test else B` with a test decided for these arguments is A or B."""

    class _Simplify(cst.CSTTransformer):
        def leave_Call(self, original, updated):
            if (
                isinstance(updated.func, cst.Name)
                and updated.func.value == "getattr"
                and len(updated.args) == 2
                and all(a.keyword is None and not a.star for a in updated.args)
            ):
                name = _string(updated.args[1].value)
                if name is not None and name.isidentifier():
                    return cst.Attribute(
                        value=updated.args[0].value, attr=cst.Name(name)
                    )
            column = _column_of(updated, models)
            if column is not None:
                return cst.Attribute(value=column[0], attr=cst.Name(column[1]))
            return updated

        def leave_IfExp(self, original, updated):
            decided = _decided(updated.test, models)
            if decided is None:
                return updated
            return updated.body if decided else updated.orelse

    return cst.Expr(value=expression).visit(_Simplify()).value


def _decided(test: cst.BaseExpression, models: ModelFacts | None) -> bool | None:
    """True or False when the test's value follows from the models, else None."""
    if models is None:
        return None
    if isinstance(test, cst.UnaryOperation) and isinstance(test.operator, cst.Not):
        inner = _decided(test.expression, models)
        return None if inner is None else not inner
    if (
        isinstance(test, cst.Call)
        and isinstance(test.func, cst.Name)
        and test.func.value == "hasattr"
        and len(test.args) == 2
        and _string(test.args[1].value) == "query"
    ):
        info = models.model(test.args[0].value)
        return True if info is not None and info.flask else None
    if not (isinstance(test, cst.Comparison) and len(test.comparisons) == 1):
        return None
    left = test.left
    op = test.comparisons[0].operator
    right = test.comparisons[0].comparator
    if isinstance(op, (cst.Is, cst.IsNot)) and (
        isinstance(right, cst.Name) and right.value == "None"
    ):
        # a mapped column of a model (`M.name`, as `_simplified` reads a column look-up)
        if isinstance(left, cst.Attribute):
            info = models.model(left.value)
            if info is not None and left.attr.value in info.columns:
                return isinstance(op, cst.IsNot)
        return None
    if isinstance(op, (cst.In, cst.NotIn)):
        needle = _literal(left)
        haystack = _class_getattr(right, models)
        if needle is _UNKNOWN or haystack is _UNKNOWN:
            return None
        try:
            inside = needle in haystack
        except TypeError:
            return None
        return inside if isinstance(op, cst.In) else not inside
    return None


def _class_getattr(node: cst.BaseExpression, models: ModelFacts):
    """`getattr(M, "attr", default)` of a model class, as a literal; _UNKNOWN else."""
    if not (
        isinstance(node, cst.Call)
        and isinstance(node.func, cst.Name)
        and node.func.value == "getattr"
        and len(node.args) == 3
        and all(a.keyword is None and not a.star for a in node.args)
    ):
        return _UNKNOWN
    attr = _string(node.args[1].value)
    info = models.model(node.args[0].value)
    if attr is None or info is None:
        return _UNKNOWN
    found = models.class_attribute(info, attr)
    return _literal(node.args[2].value) if found is _MISSING else found
