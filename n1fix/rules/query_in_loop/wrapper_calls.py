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

import builtins
from dataclasses import dataclass, field

import libcst as cst

from n1fix.analysis.loop_placement import NoFix
from n1fix.cst.syntax import walk

_DEPTH = 3
_BUILTINS = frozenset(dir(builtins))


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
    ctx, imports: dict[str, str], statements: list, bound: set[str]
) -> Inlined:
    """`statements` (a callee's `name = ...` lines and its `return`) with each call of a
    project helper replaced by the query its body runs. `imports` is the callee module's
    import map; `bound` the names the callee's function binds (parameters, locals), which
    a name brought in from a helper must not meet."""
    result = Inlined(statements=[])
    for statement in statements:
        result.statements.append(
            statement.visit(_Inliner(ctx, imports, bound, result.imports, _DEPTH))
        )
    return result


class _Inliner(cst.CSTTransformer):
    def __init__(self, ctx, imports, bound, needed, depth, here: _Module | None = None):
        self.ctx = ctx
        self.imports = (
            imports  # the import map of the callee's module, which the query joins
        )
        self.bound = bound
        self.needed = needed
        self.depth = depth
        # The helper module the code being rewritten belongs to (a helper's body, whose
        # calls of the module's own helpers are plain names), else None.
        self.here = here

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
        """(module, how the caller reaches it, the helper) for a call of a project helper."""
        if self.here is not None:
            if not isinstance(func, cst.Name):
                return None
            function = _function(self.here.tree, func.value)
            return (self.here, self.prefix, function) if function else None
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

    prefix = ""


def _function(tree: cst.Module, name: str) -> cst.FunctionDef | None:
    for statement in tree.body:
        if isinstance(statement, cst.FunctionDef) and statement.name.value == name:
            return statement
    return None


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
    body = [
        s for i, s in enumerate(function.body.body) if not (i == 0 and _is_docstring(s))
    ]
    if not body:
        return None
    smalls = []
    for statement in body:
        if not (
            isinstance(statement, cst.SimpleStatementLine) and len(statement.body) == 1
        ):
            return None
        smalls.append(statement.body[0])
    *assignments, last = smalls
    if not isinstance(last, cst.Return) or last.value is None:
        return None
    locals_: dict[str, cst.BaseExpression] = {}
    for small in assignments:
        if not (
            isinstance(small, cst.Assign)
            and len(small.targets) == 1
            and isinstance(small.targets[0].target, cst.Name)
        ):
            return None
        name = small.targets[0].target.value
        if name in locals_ or name in arguments:
            return None
        locals_[name] = small.value
    # Each local is read exactly once, after it is assigned: it can take its place.
    expression = last.value
    for name in reversed(list(locals_)):
        reads = [
            n for n in walk(expression) if isinstance(n, cst.Name) and n.value == name
        ]
        later = [
            n
            for other in list(locals_)[list(locals_).index(name) + 1 :]
            for n in walk(locals_[other])
            if isinstance(n, cst.Name) and n.value == name
        ]
        if len(reads) != 1 or later:
            return None
        expression = _replace_names(expression, {name: locals_[name]})
    reads = _free_reads(expression)
    if any(param not in reads for param in arguments):
        return None
    # The names the body reads besides its parameters: builtins, or top-level names of
    # the helper's module.
    renames: dict[str, cst.BaseExpression] = {}
    for name in reads - set(arguments):
        if name in module.defined and name not in module.imports:
            if not prefix:
                return None
            renames[name] = cst.Attribute(value=cst.Name(prefix), attr=cst.Name(name))
            continue
        if name in module.imports:
            qualified = module.imports[name]
            if name in outer.bound:
                return None
            have = outer.imports.get(name, outer.needed.get(name))
            if have is None:
                outer.needed[name] = qualified
            elif have != qualified:
                return None
            continue
        if name in _BUILTINS and name not in outer.bound and name not in outer.imports:
            continue
        return None
    # Calls of the module's own helpers inside the body, read in turn.
    inner = _Inliner(
        ctx, outer.imports, outer.bound, outer.needed, outer.depth - 1, here=module
    )
    inner.prefix = prefix
    expression = expression.visit(inner)
    expression = _replace_names(expression, {**renames, **arguments})
    return _literal_getattr(expression)


def _is_docstring(statement) -> bool:
    return (
        isinstance(statement, cst.SimpleStatementLine)
        and len(statement.body) == 1
        and isinstance(statement.body[0], cst.Expr)
        and isinstance(
            statement.body[0].value, (cst.SimpleString, cst.ConcatenatedString)
        )
    )


def _free_reads(expression: cst.BaseExpression) -> set[str]:
    """Names read as variables (not attribute names or keywords) in `expression`; a
    lambda or comprehension (whose own names would need scoping) reads as `None`-named."""
    found: set[str] = set()
    skip: set[int] = set()
    for node in [expression, *walk(expression)]:
        if isinstance(node, (cst.Lambda, cst.CompFor, cst.NamedExpr)):
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


def _literal_getattr(expression: cst.BaseExpression) -> cst.BaseExpression:
    """`getattr(model, "name")` is `model.name`."""

    class _Getattr(cst.CSTTransformer):
        def leave_Call(self, original, updated):
            if (
                isinstance(updated.func, cst.Name)
                and updated.func.value == "getattr"
                and len(updated.args) == 2
                and all(a.keyword is None and not a.star for a in updated.args)
                and isinstance(updated.args[1].value, cst.SimpleString)
                and not updated.args[1].value.prefix
            ):
                name = updated.args[1].value.evaluated_value
                if isinstance(name, str) and name.isidentifier():
                    return cst.Attribute(
                        value=updated.args[0].value, attr=cst.Name(name)
                    )
            return updated

    return cst.Expr(value=expression).visit(_Getattr()).value
