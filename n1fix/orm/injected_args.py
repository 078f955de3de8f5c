"""Decorators that supply a function's first arguments themselves.

prefect's model functions read `async def read_work_queue_by_name(db, session, ...)` and
are decorated with `@db_injector`, whose wrapper calls `func(db, *args, **kwargs)` with a
`db` it made itself: callers write `read_work_queue_by_name(session=..., ...)`, and their
first positional argument is the function's second parameter. A batch method decorated
the same way and called the same way gets its `db` the same way.

The decorator's effect is read from its source, never from its name: it is a project
function taking the function (`def d(func)`) that returns either

- a nested wrapper `def wrapper(*args, **kwargs): ...; return func(E, *args, **kwargs)`
  (decorated at most with `functools.wraps(func)`), or
- an instance of a project class, `C(func)`, whose `__init__` stores `func` on
  `self.<attr>` (directly, by `object.__setattr__`, or through `super().__init__(func)`)
  and whose `__call__(self, *args, **kwargs)` returns `self.<attr>(E, *args, **kwargs)`,
  or another such decorator called with `func` (a re-export that delegates).

The injected expressions `E` must not read the caller's arguments, and everything before
the return may only bind local names. Anything else, or any step that cannot be
resolved inside the project, means "not an injector" (None).

What the names mean at run time is what was read: `wraps` is `functools.wraps` and
`cast` is `typing.cast` by their imports; the decorator and the class are not bound
again after their definition (`db_injector = audited(db_injector)`) nor given attributes
from outside (`Injector.__call__ = ...`); the class and its project bases have no class
decorator, no `metaclass=`, no `__getattribute__` or `__init_subclass__`, and their
bodies bind none of the methods read by assignment.

The wrapper runs once per call of the function, a batch method once for all its keys:
the calls it makes to get the injected values (prefect's `provide_database_interface()`)
are listed (`Injection.per_call`) unless shown free of effects (a project function whose
body is one `return` of such calls, constants and names; a project class without
`__init__` or `__new__`, instantiated without arguments).
"""

from __future__ import annotations

import ast
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path

from n1fix.cst.astwalk import ast_dotted_name, ast_without_docstring
from n1fix.orm.imports import (
    import_map,
    module_name_for,
    note_read,
    parse_file,
    resolve_module_path,
)

_DEPTH = 6  # re-exports and delegations followed before giving up
_WRAPS = {"functools.wraps"}
_CASTS = {"typing.cast", "typing_extensions.cast"}
# Methods whose definition by assignment in a class body, or in a base, changes what the
# class does per call or per attribute read.
_HOOKS = {"__call__", "__init__", "__new__", "__setattr__", "__getattribute__"}
# Classes that define neither `__init__` nor `__new__` of their own.
_EMPTY_BASES = {
    "object",
    "abc.ABC",
    "typing.Generic",
    "typing_extensions.Generic",
}


@dataclass(frozen=True)
class Injection:
    count: int  # leading positional arguments supplied
    # Calls the wrapper makes on every call to get the injected values, not shown free
    # of effects (`provide_database_interface()`): a batch method makes them once.
    per_call: tuple[str, ...] = ()


# (decorator as qualified, root) -> (the injection or None, the files read to decide
# with their state then): a file that changed since makes the answer be worked out again.
_MEMO: dict[
    tuple[str, Path], tuple[Injection | None, tuple[tuple[Path, object], ...]]
] = {}


def injected_count(decorator: str, path: Path, root: Path) -> int | None:
    """How many leading positional arguments `@decorator`, as written in the module at
    `path`, supplies to the function it decorates; None when it is not shown to be an
    injector whose every call is free of effects besides the call it wraps."""
    found = injection(decorator, path, root)
    return found.count if found is not None and not found.per_call else None


def injection(decorator: str, path: Path, root: Path) -> Injection | None:
    """What `@decorator`, as written in the module at `path`, supplies to the function
    it decorates; None when it is not shown to be an injector."""
    module = _Module.read(Path(path), Path(root))
    if module is None:
        return None
    qualified = module.qualify(decorator)
    if qualified is None:
        return None
    key = (qualified, Path(root))
    hit = _MEMO.get(key)
    if hit is None or any(_state(path) != state for path, state in hit[1]):
        reads: list[Path] = []
        count = _Resolver(Path(root), reads).decorator(qualified, 0)
        hit = _MEMO[key] = (count, tuple((read, _state(read)) for read in reads))
    for read, _ in hit[1]:
        note_read(read)  # the answer depends on these files, also when remembered
    return hit[0]


def _state(path: Path) -> object:
    """What tells a file changed since an answer was worked out from it."""
    try:
        stat = path.stat()
    except OSError:
        return None
    return stat.st_mtime_ns, stat.st_size


def defined_at(qualified: str, root: Path) -> str | None:
    """Where the class or function `qualified` (`prefect.server.database.
    PrefectDBInterface`, a package's re-export) is defined in the project
    (`prefect.server.database.interface.PrefectDBInterface`); None when not found."""
    key = ("defined", qualified, Path(root))
    hit = _DEFINED.get(key)
    if hit is None or any(_state(path) != state for path, state in hit[1]):
        reads: list[Path] = []
        found = _Resolver(Path(root), reads).definition(qualified, 0)
        where = None if found is None else f"{found[0].name}.{found[1].name}"
        hit = _DEFINED[key] = (where, tuple((path, _state(path)) for path in reads))
    for path, _ in hit[1]:
        note_read(path)
    return hit[0]


_DEFINED: dict[tuple, tuple[str | None, tuple[tuple[Path, object], ...]]] = {}


def _module_bindings(tree: ast.Module):
    """Every statement that runs at module level (through `if`, `try`, `with`, `for`,
    `while`; not inside functions or classes), with the names it binds."""
    todo = list(tree.body)
    while todo:
        node = todo.pop()
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            yield node, {node.name}
            continue
        names: set[str] = set()
        for child in ast.walk(node):
            if isinstance(child, ast.Name) and isinstance(child.ctx, ast.Store):
                names.add(child.id)
            elif isinstance(child, ast.alias):
                names.add((child.asname or child.name).split(".")[0])
            elif isinstance(child, ast.NamedExpr):
                names.add(child.target.id)
        yield node, names
        for field in ("body", "orelse", "finalbody", "handlers"):
            for child in getattr(node, field, None) or ():
                if isinstance(child, ast.ExceptHandler):
                    todo.extend(child.body)
                else:
                    todo.append(child)


# (path, root) -> (the file's state when read, its module), the most recent last.
_READ: OrderedDict[tuple[Path, Path], tuple[object, _Module | None]] = OrderedDict()
_READ_KEPT = 32


class _Module:
    def __init__(self, path: Path, tree: ast.Module, name: str):
        self.path = path
        self.tree = tree
        self.name = name
        self.imports = import_map(tree, name, path.name == "__init__.py")

    @classmethod
    def read(cls, path: Path, root: Path) -> _Module | None:
        """The module at `path`, parsed once while the file keeps its state: each call
        of a decorated project function asks about its callee's module again."""
        state = _state(path)
        key = (path, root)
        hit = _READ.get(key)
        if hit is not None and state is not None and hit[0] == state:
            _READ.move_to_end(key)
            note_read(path)  # as `parse_file` notes it
            return hit[1]
        tree = parse_file(path)
        module = None if tree is None else cls(path, tree, module_name_for(path, root))
        _READ[key] = (state, module)
        if len(_READ) > _READ_KEPT:
            _READ.popitem(last=False)
        return module

    def qualify(self, dotted: str) -> str | None:
        head, dot, rest = dotted.partition(".")
        if head in self.imports:
            return self.imports[head] + dot + rest
        if not rest and self.top_level(head) is not None:
            return f"{self.name}.{head}"
        return None

    def resolves_to(
        self, node: ast.AST, wanted: set[str], local: dict[str, str] | None = None
    ) -> bool:
        """`node` (`wraps`, `functools.wraps`) names one of `wanted` by the imports."""
        dotted = ast_dotted_name(node)
        if dotted is None:
            return False
        imports = self.imports if local is None else local
        head, dot, rest = dotted.partition(".")
        if head not in imports or self.top_level(head) is not None:
            return False
        return imports[head] + dot + rest in wanted

    def rebound(self, name: str, definition: ast.AST) -> bool:
        """Is `name` bound again after its `definition` runs, or given an attribute
        from the module (`Injector.__call__ = ...`, `setattr(Injector, ...)`)?"""
        for node, names in _module_bindings(self.tree):
            if (
                node is not definition
                and name in names
                and (
                    node.lineno > definition.lineno
                    or node.end_lineno > (definition.end_lineno or 0)
                )
            ):
                return True
        for node in ast.walk(self.tree):
            targets = (
                node.targets
                if isinstance(node, ast.Assign)
                else [node.target]
                if isinstance(node, (ast.AugAssign, ast.AnnAssign))
                else []
            )
            for target in targets:
                if (
                    isinstance(target, ast.Attribute)
                    and ast_dotted_name(target.value) == name
                ):
                    return True
            if (
                isinstance(node, ast.Call)
                and ast_dotted_name(node.func) in {"setattr", "delattr"}
                and node.args
                and ast_dotted_name(node.args[0]) == name
            ):
                return True
        return False

    def top_level(self, name: str) -> ast.AST | None:
        found = None
        for node in self.tree.body:
            if (
                isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))
                and node.name == name
            ):
                found = node  # the last definition wins, as at run time
        return found


class _Resolver:
    def __init__(self, root: Path, reads: list[Path]):
        self.root = root
        self.reads = reads

    def _module_of(self, qualified: str) -> tuple[_Module, str] | None:
        module, _, attr = qualified.rpartition(".")
        path = resolve_module_path(module, self.root) if module else None
        if path is None:
            return None
        self.reads.append(path)
        read = _Module.read(path, self.root)
        return (read, attr) if read is not None else None

    def definition(self, qualified: str, depth: int) -> tuple[_Module, ast.AST] | None:
        """The def or class `qualified` names, through package re-exports."""
        if depth > _DEPTH:
            return None
        found = self._module_of(qualified)
        if found is None:
            return None
        module, attr = found
        node = module.top_level(attr)
        if node is not None:
            return None if module.rebound(attr, node) else (module, node)
        if (
            attr in module.imports
            and module.imports[attr] != qualified
            and all(
                isinstance(node, (ast.Import, ast.ImportFrom))
                for node, names in _module_bindings(module.tree)
                if attr in names
            )
        ):
            return self.definition(module.imports[attr], depth + 1)
        return None

    def decorator(self, qualified: str, depth: int) -> Injection | None:
        found = self.definition(qualified, depth)
        if found is None:
            return None
        module, node = found
        if not isinstance(node, ast.FunctionDef):
            return None
        func = _sole_param(node)
        if func is None:
            return None
        local_imports = dict(module.imports)
        wrappers: dict[str, ast.AST] = {}
        *before, last = _without_docstring(node.body)
        for statement in before:
            if isinstance(statement, ast.ImportFrom):
                local_imports.update(
                    import_map(
                        ast.Module(body=[statement], type_ignores=[]), module.name
                    )
                )
            elif isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef)):
                wrappers[statement.name] = statement
            else:
                return None
        if not (isinstance(last, ast.Return) and last.value is not None):
            return None
        value = last.value
        if isinstance(value, ast.Name) and value.id in wrappers:
            wrapper = wrappers[value.id]
            if not all(
                _is_wraps_of(d, func, module, local_imports)
                for d in wrapper.decorator_list
            ):
                return None
            return self._wrapper_count(module, wrapper, func, local_imports, depth)
        if not (
            isinstance(value, ast.Call)
            and len(value.args) == 1
            and not value.keywords
            and _is_name(value.args[0], func)
        ):
            return None
        called = ast_dotted_name(value.func)
        head, dot, rest = (called or "").partition(".")
        if head in local_imports:
            target = local_imports[head] + dot + rest
        elif called and not rest and module.top_level(head) is not None:
            target = f"{module.name}.{head}"
        else:
            return None
        inner = self.definition(target, depth + 1)
        if inner is None:
            return None
        if isinstance(inner[1], ast.ClassDef):
            return self._class_count(inner[0], inner[1], depth + 1)
        return self.decorator(target, depth + 1)

    def _wrapper_count(
        self,
        module: _Module,
        wrapper: ast.AST,
        func: str,
        local_imports: dict[str, str],
        depth: int,
    ) -> Injection | None:
        args = wrapper.args
        if (
            args.posonlyargs
            or args.args
            or args.kwonlyargs
            or args.vararg is None
            or args.kwarg is None
        ):
            return None
        return self._forwarding(
            module,
            wrapper.body,
            lambda expr, bound: _is_name(expr, func) and func not in bound,
            args.vararg.arg,
            args.kwarg.arg,
            local_imports,
            depth,
        )

    def _forwarding(
        self, module, body, is_function, star, double, local_imports, depth
    ) -> Injection | None:
        """`_forwarding_count`, with the calls it makes that are not shown free of
        effects."""
        casts = _spellings(module, _CASTS, local_imports)
        shape = _forwarding_count(body, is_function, star, double, casts)
        if shape is None:
            return None
        count, made_by = shape
        per_call = []
        for expr in made_by:
            for node in ast.walk(expr):
                if (
                    isinstance(node, ast.Call)
                    and ast_dotted_name(node.func) not in casts
                    and not self._pure_call(module, node, local_imports, depth + 1)
                ):
                    per_call.append(f"{ast.unparse(node.func)}()")
        return Injection(count, tuple(dict.fromkeys(per_call)))

    def _pure_call(
        self, module: _Module, call: ast.Call, local_imports: dict[str, str], depth
    ) -> bool:
        """A call shown free of effects: of a project function whose body is one
        `return` of pure expressions, or of a project class that runs no code of its own
        when made (no `__init__`, `__new__`, in it or its bases), without arguments."""
        if depth > _DEPTH or not all(
            _pure_expr(a) for a in [*call.args, *(k.value for k in call.keywords)]
        ):
            return False
        called = ast_dotted_name(call.func)
        head, dot, rest = (called or "").partition(".")
        if head in local_imports and module.top_level(head) is None:
            target = local_imports[head] + dot + rest
        elif called and not rest and module.top_level(head) is not None:
            target = f"{module.name}.{head}"
        else:
            return False
        found = self.definition(target, depth)
        if found is None:
            return False
        inner_module, node = found
        if isinstance(node, ast.ClassDef):
            return (
                not call.args
                and not call.keywords
                and self._plain_hierarchy(inner_module, node, depth, constructs=True)
            )
        if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            return False
        body = _without_docstring(node.body)
        if node.decorator_list or len(body) != 1:
            return False
        (only,) = body
        if not isinstance(only, ast.Return):
            return False
        value = only.value
        if value is None or _pure_expr(value):
            return True
        return isinstance(value, ast.Call) and self._pure_call(
            inner_module, value, inner_module.imports, depth + 1
        )

    def _plain_hierarchy(
        self, module: _Module, cls: ast.ClassDef, depth: int, constructs=False
    ) -> bool:
        """The class and its project bases are what their bodies say: no class
        decorator, no `metaclass=` or other class keyword, no `__getattribute__` or
        `__init_subclass__`, no method bound by assignment; every base is a project
        class of the same kind or known to define nothing (`object`, `Generic`).
        `constructs`: nor does any of them define `__init__` or `__new__`."""
        if depth > _DEPTH or cls.decorator_list or cls.keywords:
            return False
        forbidden = {"__getattribute__", "__init_subclass__"}
        if constructs:
            forbidden |= {"__init__", "__new__"}
        defined = {
            n.name
            for n in ast.walk(cls)
            if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))
        }
        if defined & forbidden:
            return False
        for statement in cls.body:
            if isinstance(statement, (ast.Assign, ast.AugAssign, ast.AnnAssign)):
                names = {
                    n.id
                    for n in ast.walk(statement)
                    if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)
                }
                if names & (defined | _HOOKS | forbidden):
                    return False
        for base in cls.bases:
            found = self._base(module, base)
            if found is None:
                return False
            if found != "empty" and not self._plain_hierarchy(
                found[0], found[1], depth + 1, constructs
            ):
                return False
        return True

    def _class_count(
        self, module: _Module, cls: ast.ClassDef, depth: int
    ) -> Injection | None:
        methods = _methods(cls)
        if "__new__" in methods or "__call__" not in methods:
            return None
        if not self._plain_hierarchy(module, cls, depth):
            return None
        held = self._stored_attr(module, cls, depth)
        if held is None:
            return None
        call = methods["__call__"]
        args = call.args
        if (
            len(args.posonlyargs) + len(args.args) != 1
            or args.kwonlyargs
            or args.vararg is None
            or args.kwarg is None
        ):
            return None
        self_name = (args.posonlyargs or args.args)[0].arg
        casts = _spellings(module, _CASTS, module.imports)
        return self._forwarding(
            module,
            call.body,
            lambda expr, bound: _holds_attr(expr, bound, self_name, held, casts),
            args.vararg.arg,
            args.kwarg.arg,
            module.imports,
            depth,
        )

    def _stored_attr(
        self, module: _Module, cls: ast.ClassDef, depth: int
    ) -> str | None:
        """The attribute `__init__(self, func)` stores the function on."""
        if depth > _DEPTH:
            return None
        init = _methods(cls).get("__init__")
        if init is None:
            return None
        args = init.args
        params = [a.arg for a in (*args.posonlyargs, *args.args)]
        if len(params) != 2 or args.vararg or args.kwarg or args.kwonlyargs:
            return None
        self_name, func = params
        # `self.attr = func` goes through a `__setattr__` the class may define
        custom_setattr = any(
            isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))
            and n.name == "__setattr__"
            for n in ast.walk(cls)
        )
        casts = _spellings(module, _CASTS, module.imports)
        stored = None
        for statement in _without_docstring(init.body):
            attr = _stores(statement, self_name, func, custom_setattr, casts)
            if attr is not None and stored is None:
                stored = attr
                continue
            if _is_super_init(statement, func, casts) and stored is None:
                base = self._project_base(module, cls)
                if base is None:
                    return None
                stored = self._stored_attr(base[0], base[1], depth + 1)
                if stored is None:
                    return None
                continue
            return None
        return stored

    def _project_base(
        self, module: _Module, cls: ast.ClassDef
    ) -> tuple[_Module, ast.ClassDef] | None:
        """The base whose `__init__` `super().__init__` reaches: the first project base
        that defines one, passing over project bases that define none and derive only
        from classes without one (`ABC`, `Generic[...]`)."""
        for base in cls.bases:
            found = self._base(module, base)
            if found is None:
                return None
            if found == "empty":
                continue
            base_module, base_cls = found
            methods = _methods(base_cls)
            if "__new__" in methods:
                return None
            if "__init__" in methods:
                return base_module, base_cls
            if any(self._base(base_module, b) != "empty" for b in base_cls.bases):
                return None
        return None

    def _base(self, module: _Module, base: ast.AST):
        """ "empty" for a class known to define no `__init__` or `__new__`, the project
        class `base` names, or None."""
        if isinstance(base, ast.Subscript):
            base = base.value  # `Wrapper[P, R]`
        name = ast_dotted_name(base)
        if name is None:
            return None
        qualified = module.qualify(name) or name
        if qualified in _EMPTY_BASES:
            return "empty"
        found = self.definition(qualified, 0)
        if found is None or not isinstance(found[1], ast.ClassDef):
            return None
        return found


def _is_wraps_of(
    decorator: ast.AST, func: str, module: _Module, local_imports: dict[str, str]
) -> bool:
    """`@functools.wraps(func)`, `functools` or `wraps` imported as such."""
    return (
        isinstance(decorator, ast.Call)
        and module.resolves_to(decorator.func, _WRAPS, local_imports)
        and len(decorator.args) == 1
        and not decorator.keywords
        and _is_name(decorator.args[0], func)
    )


def _spellings(
    module: _Module, wanted: set[str], local_imports: dict[str, str]
) -> set[str]:
    """How the module writes the names `wanted` (`cast`, `typing.cast`, `t.cast`)."""
    found = set()
    for name, qualified in local_imports.items():
        if module.top_level(name) is not None:
            continue
        if qualified in wanted:
            found.add(name)
        for full in wanted:
            owner, _, attr = full.rpartition(".")
            if qualified == owner:
                found.add(f"{name}.{attr}")
    return found


def _pure_expr(node: ast.AST) -> bool:
    """Constants and names (and tuples of them): reading them runs no code."""
    if isinstance(node, ast.Tuple):
        return all(_pure_expr(e) for e in node.elts)
    return isinstance(node, (ast.Constant, ast.Name))


def _forwarding_count(
    body, is_function, star: str, double: str, casts: set[str]
) -> tuple[int, list[ast.AST]] | None:
    """(`n`, the expressions evaluated to get the `E`s) for a body of local assignments
    ending `return f(E1, ..., En, *args, **kwargs)` (or `return await f(...)`), with `f`
    the wrapped function and no `E` reading the caller's arguments; else None."""
    *before, last = _without_docstring(body)
    bound: dict[str, ast.AST] = {}
    for statement in before:
        if not (
            isinstance(statement, (ast.Assign, ast.AnnAssign))
            and statement.value is not None
        ):
            return None
        targets = (
            statement.targets
            if isinstance(statement, ast.Assign)
            else [statement.target]
        )
        if len(targets) != 1 or not isinstance(targets[0], ast.Name):
            return None
        if _reads(statement.value, {star, double}):
            return None
        bound[targets[0].id] = statement.value
    if not (isinstance(last, ast.Return) and last.value is not None):
        return None
    value = last.value.value if isinstance(last.value, ast.Await) else last.value
    if not isinstance(value, ast.Call) or not is_function(value.func, bound):
        return None
    *injected, forwarded = value.args if value.args else [None]
    if not (
        isinstance(forwarded, ast.Starred)
        and _is_name(forwarded.value, star)
        and len(value.keywords) == 1
        and value.keywords[0].arg is None
        and _is_name(value.keywords[0].value, double)
    ):
        return None
    if not injected or any(
        isinstance(e, ast.Starred) or _reads(e, {star, double}) for e in injected
    ):
        return None
    return len(injected), [*bound.values(), *injected]


def _holds_attr(
    expr: ast.AST, bound: dict[str, ast.AST], self_name: str, attr: str, casts
) -> bool:
    """`self.<attr>`, `cast(T, self.<attr>)`, or a local name assigned one of them."""
    if isinstance(expr, ast.Name) and expr.id in bound:
        return _holds_attr(bound[expr.id], {}, self_name, attr, casts)
    if (
        isinstance(expr, ast.Call)
        and ast_dotted_name(expr.func) in casts
        and len(expr.args) == 2
    ):
        expr = expr.args[1]
    return (
        isinstance(expr, ast.Attribute)
        and expr.attr == attr
        and _is_name(expr.value, self_name)
    )


def _stores(
    statement: ast.stmt, self_name: str, func: str, custom_setattr: bool, casts
) -> str | None:
    """`self.attr = func` or `object.__setattr__(self, "attr", func)`: `attr`."""
    if (
        not custom_setattr
        and isinstance(statement, ast.Assign)
        and len(statement.targets) == 1
        and isinstance(statement.targets[0], ast.Attribute)
        and _is_name(statement.targets[0].value, self_name)
        and _is_function_value(statement.value, func, casts)
    ):
        return statement.targets[0].attr
    if isinstance(statement, ast.Expr) and isinstance(statement.value, ast.Call):
        call = statement.value
        if (
            ast_dotted_name(call.func) == "object.__setattr__"
            and len(call.args) == 3
            and not call.keywords
            and _is_name(call.args[0], self_name)
            and isinstance(call.args[1], ast.Constant)
            and isinstance(call.args[1].value, str)
            and _is_function_value(call.args[2], func, casts)
        ):
            return call.args[1].value
    return None


def _is_super_init(statement: ast.stmt, func: str, casts) -> bool:
    if not (isinstance(statement, ast.Expr) and isinstance(statement.value, ast.Call)):
        return False
    call = statement.value
    return (
        isinstance(call.func, ast.Attribute)
        and call.func.attr == "__init__"
        and isinstance(call.func.value, ast.Call)
        and ast_dotted_name(call.func.value.func) == "super"
        and not call.func.value.args
        and len(call.args) == 1
        and not call.keywords
        and _is_function_value(call.args[0], func, casts)
    )


def _is_function_value(expr: ast.AST, func: str, casts) -> bool:
    """`func` or `cast(T, func)`."""
    if (
        isinstance(expr, ast.Call)
        and ast_dotted_name(expr.func) in casts
        and len(expr.args) == 2
    ):
        expr = expr.args[1]
    return _is_name(expr, func)


def _methods(cls: ast.ClassDef) -> dict[str, ast.FunctionDef]:
    """The methods the class body defines at run time (not under `if TYPE_CHECKING:`)."""
    found: dict[str, ast.FunctionDef] = {}
    for node in cls.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            found[node.name] = node
    return found


def _sole_param(function: ast.FunctionDef) -> str | None:
    args = function.args
    params = [*args.posonlyargs, *args.args]
    if (
        len(params) != 1
        or args.vararg
        or args.kwarg
        or args.kwonlyargs
        or args.defaults
        or function.decorator_list
    ):
        return None
    return params[0].arg


def _without_docstring(body: list[ast.stmt]) -> list[ast.stmt]:
    return ast_without_docstring(body) or [ast.Pass()]


def _is_name(node: ast.AST | None, name: str) -> bool:
    return isinstance(node, ast.Name) and node.id == name


def _reads(node: ast.AST, names: set[str]) -> bool:
    return any(isinstance(n, ast.Name) and n.id in names for n in ast.walk(node))
