"""Is the receiver of a query-looking call a database session, or a project object?

`database.get(Authority, authority_id)` reads like `Session.get(Model, key)`, but in lemur
`database` is a project module whose `get(model, value, field="id")` runs a query of its
own; a batch built as `database.scalars(select(...))` raises AttributeError, since the
module has no `scalars`. A receiver that is a project module, a class or function defined
in the project, or an instance of a project class that is not a session subclass is never
a session: the call is that object's own function. What cannot be resolved (`db.session`,
a parameter without a project annotation) keeps being judged by its spelling.
"""

from __future__ import annotations

import ast
import functools
import re
from pathlib import Path

import libcst as cst

from n1fix.cst.chains import dotted_name
from n1fix.cst.method_syntax import named_params
from n1fix.orm.imports import note_read, parse_file, resolve_module_path

# A project class deriving from one of these is a session or connection of its own kind.
_SESSION_BASE = re.compile(r"Session|Connection|Engine")


def project_receiver(
    ctx, receiver: cst.BaseExpression, ancestry: list[cst.CSTNode]
) -> str | None:
    """Words for what `receiver` is when it is a project object that is no session
    (`the project module `app.database``), else None."""
    if isinstance(receiver, cst.Call):
        kind = _definition(ctx, receiver.func)
        if kind is not None and kind[0] == "class" and not kind[2]:
            return f"an instance of the project class `{kind[1]}`"
        return None
    name = dotted_name(receiver)
    if name is None:
        return None
    head, _, rest = name.partition(".")
    function = next(
        (n for n in reversed(ancestry) if isinstance(n, cst.FunctionDef)), None
    )
    if function is not None and not rest:
        local = _local_instance(ctx, function, head)
        if local is not None:
            return local
    kind = _definition(ctx, receiver)
    if kind is None:
        return None
    what, qualified, session_like = kind
    if session_like:
        return None
    return f"the project {what} `{qualified}`"


def _definition(ctx, expr: cst.BaseExpression) -> tuple[str, str, bool] | None:
    """(module | class | function, its qualified name, whether a session class) for a
    dotted name that names a project module or a class or function defined in one."""
    name = dotted_name(expr)
    if name is None:
        return None
    head, dot, rest = name.partition(".")
    if head in ctx.imports:
        qualified = ctx.imports[head] + dot + rest
    elif not rest:
        found = _top_level_here(ctx.module, head)
        return (found[0], f"{ctx.module_name}.{head}", found[1]) if found else None
    else:
        return None
    root, near = ctx.project.root, ctx.path
    if resolve_module_path(qualified, root, near=near) is not None:
        return ("module", qualified, False)
    module, _, attr = qualified.rpartition(".")
    path = resolve_module_path(module, root, near=near) if module else None
    if path is None:
        return None
    found = _top_level(_parsed(path), attr)
    return (found[0], qualified, found[1]) if found else None


def _local_instance(ctx, function: cst.FunctionDef, name: str) -> str | None:
    """`repo = Repo(...)` in the function, or a parameter annotated `repo: Repo`, with
    `Repo` a project class that is not a session: the name holds an instance of it."""
    for param in named_params(function.params):
        if param.name.value == name:
            if param.annotation is None:
                return None
            kind = _definition(ctx, param.annotation.annotation)
            if kind is not None and kind[0] == "class" and not kind[2]:
                return f"an instance of the project class `{kind[1]}`"
            return None
    values = [
        node.value
        for node in _assignments(function)
        if len(node.targets) == 1
        and isinstance(node.targets[0].target, cst.Name)
        and node.targets[0].target.value == name
    ]
    if len(values) != 1 or not isinstance(values[0], cst.Call):
        return None
    kind = _definition(ctx, values[0].func)
    if kind is not None and kind[0] == "class" and not kind[2]:
        return f"an instance of the project class `{kind[1]}`"
    return None


def _assignments(function: cst.FunctionDef):
    stack: list[cst.CSTNode] = [function.body]
    while stack:
        node = stack.pop()
        if isinstance(node, cst.Assign):
            yield node
        if isinstance(node, (cst.FunctionDef, cst.ClassDef, cst.Lambda)):
            continue
        stack.extend(node.children)


def _top_level_here(module: cst.Module, name: str) -> tuple[str, bool] | None:
    """`_top_level` for the module being checked, read from its LibCST tree."""
    for statement in module.body:
        if isinstance(statement, cst.ClassDef) and statement.name.value == name:
            bases = " ".join(
                module.code_for_node(base.value) for base in statement.bases
            )
            return "class", bool(_SESSION_BASE.search(bases))
        if isinstance(statement, cst.FunctionDef) and statement.name.value == name:
            return "function", False
    return None


def _parsed(path: Path) -> ast.Module | None:
    note_read(path)  # also when remembered: the check depends on the file
    return _parsed_once(path)


@functools.lru_cache(maxsize=512)
def _parsed_once(path: Path) -> ast.Module | None:
    return parse_file(path)


def _top_level(tree: ast.Module | None, name: str) -> tuple[str, bool] | None:
    """("class" | "function", session-like) for a class or function `name` defined at the
    top of the module; None for anything else (an assignment such as `db = SQLAlchemy()`
    may well be a session)."""
    if tree is None:
        return None
    for node in tree.body:
        if isinstance(node, ast.ClassDef) and node.name == name:
            bases = " ".join(ast.unparse(base) for base in node.bases)
            return "class", bool(_SESSION_BASE.search(bases))
        if (
            isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))
            and node.name == name
        ):
            return "function", False
    return None
