"""A rewrite's two modules with the bodies of the functions it left alone taken out.

`name_binding.new_unbound_reads(before, after)` runs LibCST's scope analysis over both
whole modules: about three seconds each for an 11,000-line module (mlflow's tracking
store), for a fix that changed one function. `excerpts` gives the two modules with the
body of every function the rewrite did not change replaced by `...`, in both; the
answer "no new unbound read" on the excerpts is the whole modules' answer, when the
module-level names the excerpt of `after` binds include those of `before`'s (the caller
checks that on its own analysis of the excerpts) and a `from x import *` of `before` is
still in `after`. Why:

- Only a function directly in the module's body, or in a class's body (classes nested
  in classes included), with the same text on both sides (decorators and the lines
  above it included) and in classes of the same names (the scope labels are those
  names), is left out, as often on each side. Its decorators, parameters, defaults and
  annotations stay: they are read in the enclosing scope.
- A function body binds nothing outside itself unless it says `global` or `nonlocal`:
  a function that does is kept whole. So every scope the excerpt keeps sees the same
  bindings as in the whole module (its own, the module's, the classes' it sits in, the
  builtins), in the same order (LibCST orders the bindings and reads of one scope
  among themselves), and LibCST's analysis gives its reads the same answers.
- A read inside a left-out function is answered from that function's own scopes and
  the module's names (a class's names are not seen from inside its methods). A read
  of a name the function assigns is "before assignment" or not by the function's text
  alone. Any other read is unbound exactly when no module-level binding of its name
  (nor a builtin) exists: with `after` binding every module-level name `before` binds
  (dotted import names too, which may turn a read into a read of the import), such a
  read is unbound in `after` only if it was in `before`, and a `from x import *`
  (which hides every unbound read) in `before` must be in `after` as well.
So each count `new_unbound_reads` compares is the excerpt's plus the left-out
functions' share, which is the same on both sides or smaller in `after`: when no count
grows on the excerpts, none grows on the whole modules. When one does, the caller asks
the whole modules, for their exact answer and message.

A deep tree makes the whole-module analysis raise `RecursionError` (about 330 levels
for a chain of `a + b + ...`); the excerpt, without those bodies, might not. Modules
nested deeper than `MAX_DEPTH` (counting syntactic children, as `node_children` does)
get no excerpts, so that the whole-module check fails where it always did.
"""

from __future__ import annotations

from collections import Counter

import libcst as cst

from n1fix.cst.node_children import child_list

# Far below the depth at which LibCST's visitors exhaust Python's default recursion
# limit (at most five frames a level, plus the caller's stack); the deepest module of
# mlflow's tracking store is 30 levels deep.
MAX_DEPTH = 100

_Key = tuple[tuple[str, ...], str]  # the classes a function is in, and its text


def excerpts(
    before: cst.Module, after: cst.Module
) -> tuple[cst.Module, cst.Module] | None:
    """`before` and `after` with the bodies of the functions both have alike (and bind
    nothing outside themselves) replaced by `...`; None when there is none, or when a
    module is nested deeper than `MAX_DEPTH`."""
    old, new = _read(before), _read(after)
    if old is None or new is None:
        return None
    shared = Counter(key for key, _ in old) & Counter(key for key, _ in new)
    first = {key: function for key, function in reversed(old)}
    for key in [key for key in shared if _binds_outside(key[1], first[key])]:
        del shared[key]
    if not shared:
        return None
    old_excerpt = _stubbed(before, _left_out(old, shared))
    return old_excerpt, _stubbed(after, _left_out(new, shared))


# The last modules read: `apply` checks each rewrite against the text before it, and a
# verified rewrite is the next one's text before. A module is immutable and kept here,
# so its identity is not reused while its entry lives.
_KEPT = 4
_recent: list[tuple[cst.Module, list | None]] = []


def _read(module: cst.Module) -> list[tuple[_Key, cst.FunctionDef]] | None:
    """`_functions(module)`, or None when the module is nested deeper than `MAX_DEPTH`."""
    for known, functions in _recent:
        if known is module:
            return functions
    functions = None if _deeper_than(module, MAX_DEPTH) else _functions(module)
    _recent.insert(0, (module, functions))
    del _recent[_KEPT:]
    return functions


def _functions(module: cst.Module) -> list[tuple[_Key, cst.FunctionDef]]:
    """The functions in the module's body and in its classes' bodies, in order, each with
    the names of the classes it is in and its text."""
    found: list[tuple[_Key, cst.FunctionDef]] = []

    def read(statements, classes: tuple[str, ...]) -> None:
        for statement in statements:
            if isinstance(statement, cst.FunctionDef):
                found.append(((classes, module.code_for_node(statement)), statement))
            elif isinstance(statement, cst.ClassDef) and isinstance(
                statement.body, cst.IndentedBlock
            ):
                read(statement.body.body, (*classes, statement.name.value))

    read(module.body, ())
    return found


def _binds_outside(text: str, function: cst.FunctionDef) -> bool:
    """Does the function (whose text is `text`) say `global` or `nonlocal`? It is walked
    only when its text holds one of the words (in a comment or a string, mostly)."""
    if "global" not in text and "nonlocal" not in text:
        return False
    stack: list[cst.CSTNode] = [function]
    while stack:
        node = stack.pop()
        if isinstance(node, (cst.Global, cst.Nonlocal)):
            return True
        stack.extend(child_list(node))
    return False


def _left_out(
    functions: list[tuple[_Key, cst.FunctionDef]], shared: Counter[_Key]
) -> set[int]:
    """The ids of the functions whose bodies go: the first `shared[key]` of each key."""
    remaining = Counter(shared)
    chosen: set[int] = set()
    for key, function in functions:
        if remaining[key] > 0:
            remaining[key] -= 1
            chosen.add(id(function))
    return chosen


def _stubbed(module: cst.Module, chosen: set[int]) -> cst.Module:
    return module.with_changes(body=_without_bodies(module.body, chosen))


def _without_bodies(statements, chosen: set[int]) -> list[cst.BaseStatement]:
    result = []
    for statement in statements:
        if id(statement) in chosen:
            statement = statement.with_changes(body=_stub())
        elif isinstance(statement, cst.ClassDef) and isinstance(
            statement.body, cst.IndentedBlock
        ):
            body = _without_bodies(statement.body.body, chosen)
            statement = statement.with_changes(
                body=statement.body.with_changes(body=body)
            )
        result.append(statement)
    return result


def _stub() -> cst.IndentedBlock:
    return cst.IndentedBlock(
        body=[cst.SimpleStatementLine(body=[cst.Expr(cst.Ellipsis())])]
    )


def _deeper_than(module: cst.Module, limit: int) -> bool:
    stack: list[tuple[cst.CSTNode, int]] = [(module, 1)]
    pop, push = stack.pop, stack.append
    while stack:
        node, depth = pop()
        if depth > limit:
            return True
        depth += 1
        for child in child_list(node):
            push((child, depth))
    return False
