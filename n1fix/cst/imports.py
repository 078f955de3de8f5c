"""Add `from x import y` to a module the way isort (profile black) would place it.

LibCST's AddImportsVisitor appends new modules after the last import, out of their group;
a reviewer would move them. Here a name joins an existing `from x import ...` (names kept
sorted), and a new line goes into its group (future, stdlib, third party, first party),
plain `import x` lines before `from x import y` lines, sorted by module.
"""

from __future__ import annotations

import sys

import libcst as cst

_GROUP_FUTURE, _GROUP_STDLIB, _GROUP_THIRD, _GROUP_FIRST = range(4)


def spelling(imports: dict[str, str], qualified: str) -> str | None:
    """How the module already refers to `qualified` (`select`, `sa.select`), if it can."""
    for local, target in imports.items():
        if target == qualified:
            return local
    module, _, name = qualified.rpartition(".")
    for local, target in imports.items():
        if target == module:
            return f"{local}.{name}"
    return None


class NameTaken(Exception):
    """The bare name a new import would bind already means something else in the module."""


def spelled_or_needed(ctx, qualified: str, needed: list[tuple[str, str]]) -> str:
    """How to spell `qualified` in `ctx`'s module: as it is imported already, or by its
    bare name, noted in `needed` as `(module, name)` for `add_from_import`."""
    from n1fix.cst.syntax import names_assigned

    known = spelling(ctx.imports, qualified)
    if known is not None:
        return known
    module, _, name = qualified.rpartition(".")
    if name in ctx.imports or name in names_assigned(ctx.module):
        raise NameTaken(f"`{name}` names something else in this module")
    needed.append((module, name))
    return name


def add_from_import(
    module: cst.Module, source: str, name: str, first_party: set[str]
) -> cst.Module:
    body = list(module.body)
    imports = [(i, s) for i, s in enumerate(body) if _import_of(s) is not None]
    for i, statement in imports:
        node = statement.body[0]
        if (
            isinstance(node, cst.ImportFrom)
            and _module_code(node) == source
            and not node.relative
        ):
            if isinstance(node.names, cst.ImportStar) or any(
                _alias_name(a) == name for a in node.names
            ):
                return module
            return module.with_changes(
                body=[*body[:i], _merge(statement, node, name), *body[i + 1 :]]
            )

    new_line = cst.parse_statement(f"from {source} import {name}\n")
    return _with_new_import(module, body, imports, new_line, (1, source), first_party)


def add_beside(module: cst.Module, existing: str, name: str) -> cst.Module | None:
    """Add `name` to the top-level `from ... import` statement that imports `existing`
    (relative or not, as the author wrote it); None when there is no such statement."""
    body = list(module.body)
    for i, statement in enumerate(body):
        if _import_of(statement) is None:
            continue
        node = statement.body[0]
        if not isinstance(node, cst.ImportFrom) or isinstance(
            node.names, cst.ImportStar
        ):
            continue
        if any(_alias_name(a) == existing and a.asname is None for a in node.names):
            if any(_alias_name(a) == name for a in node.names):
                return module
            return module.with_changes(
                body=[*body[:i], _merge(statement, node, name), *body[i + 1 :]]
            )
    return None


def add_import(module: cst.Module, name: str, first_party: set[str]) -> cst.Module:
    """`import name` (a plain import, e.g. `import asyncio`) in its group, unless present."""
    body = list(module.body)
    imports = [(i, s) for i, s in enumerate(body) if _import_of(s) is not None]
    for _, statement in imports:
        node = statement.body[0]
        if isinstance(node, cst.Import) and any(
            _alias_name(a) == name and a.asname is None for a in node.names
        ):
            return module
    new_line = cst.parse_statement(f"import {name}\n")
    return _with_new_import(module, body, imports, new_line, (0, name), first_party)


def _with_new_import(
    module: cst.Module,
    body: list[cst.BaseStatement],
    imports: list[tuple[int, cst.BaseStatement]],
    new_line: cst.BaseStatement,
    key: tuple[int, str],
    first_party: set[str],
) -> cst.Module:
    """The module with `new_line` (sorting as `key`, see `_import_of`) where isort would put
    it: in its group, in order; else a group of its own in its place among the groups."""
    group = _group(key[1], first_party)
    last_in_group: int | None = None
    for i, statement in imports:
        other = _import_of(statement)
        other_group = _group(other[1], first_party)
        if other_group == group:
            if other > key:
                moved = body[i]
                new_line = new_line.with_changes(leading_lines=moved.leading_lines)
                moved = moved.with_changes(leading_lines=[])
                return module.with_changes(
                    body=[*body[:i], new_line, moved, *body[i + 1 :]]
                )
            last_in_group = i
        elif other_group > group and last_in_group is None:
            # First import of a later group: open our group just above it.
            new_line = new_line.with_changes(leading_lines=statement.leading_lines)
            first = body[i].with_changes(leading_lines=[cst.EmptyLine()])
            return module.with_changes(
                body=[*body[:i], new_line, first, *body[i + 1 :]]
            )
    if last_in_group is not None:
        return module.with_changes(
            body=[*body[: last_in_group + 1], new_line, *body[last_in_group + 1 :]]
        )
    if imports:
        # A group of its own after the last import.
        i = imports[-1][0]
        return module.with_changes(
            body=[
                *body[: i + 1],
                new_line.with_changes(leading_lines=[cst.EmptyLine()]),
                *body[i + 1 :],
            ]
        )
    at = 1 if body and _is_docstring(body[0]) else 0
    return module.with_changes(body=[*body[:at], new_line, *body[at:]])


def _merge(
    statement: cst.SimpleStatementLine, node: cst.ImportFrom, name: str
) -> cst.SimpleStatementLine:
    aliases = list(node.names)
    names = [_alias_name(a) for a in aliases]
    position = len([n for n in names if _isort_key(n) < _isort_key(name)])
    new_alias = cst.ImportAlias(name=cst.Name(name))
    if node.lpar is not None or any("\n" in _comma_ws(a) for a in aliases):
        # A parenthesised, wrapped list: copy a neighbour's comma so the layout stays.
        template = (
            aliases[0].comma
            if aliases[0].comma is not cst.MaybeSentinel.DEFAULT
            else cst.Comma()
        )
        new_alias = new_alias.with_changes(comma=template)
        if position == len(aliases):
            last = aliases[-1]
            if last.comma is cst.MaybeSentinel.DEFAULT:
                aliases[-1] = last.with_changes(comma=template)
                new_alias = new_alias.with_changes(comma=cst.MaybeSentinel.DEFAULT)
        aliases.insert(position, new_alias)
    else:
        plain = [a.with_changes(comma=cst.MaybeSentinel.DEFAULT) for a in aliases]
        plain.insert(position, new_alias)
        aliases = [
            a.with_changes(comma=cst.Comma(whitespace_after=cst.SimpleWhitespace(" ")))
            for a in plain[:-1]
        ] + [plain[-1]]
    return statement.with_changes(body=[node.with_changes(names=aliases)])


def _isort_key(name: str) -> tuple[int, str]:
    """isort's order within one import (profile black, order_by_type): CONSTANTS, then
    Classes, then functions, each case-insensitively (`Session, selectinload`)."""
    kind = 0 if name.isupper() and len(name) > 1 else 1 if name[:1].isupper() else 2
    return kind, name.lower()


def _comma_ws(alias: cst.ImportAlias) -> str:
    if isinstance(alias.comma, cst.Comma):
        return cst.Module([]).code_for_node(alias.comma)
    return ""


def _import_of(statement: cst.CSTNode) -> tuple[int, str] | None:
    """(0 for `import x`, 1 for `from x import`, module) of a top-level import line."""
    if not isinstance(statement, cst.SimpleStatementLine) or len(statement.body) != 1:
        return None
    node = statement.body[0]
    if isinstance(node, cst.Import):
        return 0, _dotted(node.names[0].name)
    if isinstance(node, cst.ImportFrom):
        return 1, ("." * len(node.relative)) + (_module_code(node) or "")
    return None


def _module_code(node: cst.ImportFrom) -> str | None:
    return _dotted(node.module) if node.module is not None else None


def _dotted(node: cst.BaseExpression) -> str:
    if isinstance(node, cst.Name):
        return node.value
    if isinstance(node, cst.Attribute):
        return f"{_dotted(node.value)}.{node.attr.value}"
    return ""


def _alias_name(alias: cst.ImportAlias) -> str:
    return _dotted(alias.name)


def _group(module: str, first_party: set[str]) -> int:
    if module == "__future__":
        return _GROUP_FUTURE
    if module.startswith("."):
        return _GROUP_FIRST
    top = module.split(".")[0]
    if top in first_party:
        return _GROUP_FIRST
    if top in sys.stdlib_module_names:
        return _GROUP_STDLIB
    return _GROUP_THIRD


def _is_docstring(statement: cst.CSTNode) -> bool:
    return (
        isinstance(statement, cst.SimpleStatementLine)
        and len(statement.body) == 1
        and isinstance(statement.body[0], cst.Expr)
        and isinstance(
            statement.body[0].value, (cst.SimpleString, cst.ConcatenatedString)
        )
    )


def remove_unused_import(module: cst.Module, name: str) -> cst.Module:
    """Drop `name` from a top-level `from x import ...` when nothing else in the module uses it."""
    from n1fix.cst.syntax import all_names

    body = list(module.body)
    imports = {i for i, s in enumerate(body) if _import_of(s) is not None}
    rest = [s for i, s in enumerate(body) if i not in imports]
    used = set().union(*(_names_of_statement(s, all_names) for s in rest))
    if name in used or (
        "__all__" in used and _in_dunder_all(cst.Module(body=rest), name)
    ):
        return module
    for i in sorted(imports):
        node = body[i].body[0]
        if not isinstance(node, cst.ImportFrom) or isinstance(
            node.names, cst.ImportStar
        ):
            continue
        kept = [
            a for a in node.names if not (a.asname is None and _alias_name(a) == name)
        ]
        if len(kept) == len(node.names):
            continue
        if not kept:
            following = body[i + 1 :]
            if following:
                following[0] = (
                    following[0].with_changes(leading_lines=body[i].leading_lines)
                    if body[i].leading_lines
                    else following[0]
                )
            return module.with_changes(body=[*body[:i], *following])
        kept[-1] = kept[-1].with_changes(comma=cst.MaybeSentinel.DEFAULT)
        return module.with_changes(
            body=[
                *body[:i],
                body[i].with_changes(body=[node.with_changes(names=kept)]),
                *body[i + 1 :],
            ]
        )
    return module


# Top-level statement -> its names. A fix rebuilds only the statements it changes, so
# the many fixes of one file share the others' (nodes are immutable; the entry keeps its
# node alive, so an id is never reused while cached).
_STATEMENT_NAMES: dict[int, tuple[cst.CSTNode, frozenset[str]]] = {}


def _names_of_statement(statement: cst.CSTNode, all_names) -> frozenset[str]:
    hit = _STATEMENT_NAMES.get(id(statement))
    if hit is not None and hit[0] is statement:
        return hit[1]
    if len(_STATEMENT_NAMES) > 20_000:
        _STATEMENT_NAMES.clear()
    names = frozenset(all_names(statement))
    _STATEMENT_NAMES[id(statement)] = (statement, names)
    return names


def forget_statement_names() -> None:
    _STATEMENT_NAMES.clear()


def _in_dunder_all(module: cst.Module, name: str) -> bool:
    code = module.code
    return "__all__" in code and (f'"{name}"' in code or f"'{name}'" in code)
