"""Pydantic models whose `model_validate(row)` only reads the row.

Table methods often hand back a pydantic copy of the row they loaded rather than the row
itself (open-webui: `return FileModel.model_validate(file) if file else None`). A batch
method repeats that shaping for every key before the caller's loop runs, so it must give
each key what the call gave it: the validation must depend on the row alone and change
nothing else. Pydantic's own validation of plain field types does, and so does a
validator that only normalises what it is given (`pure_validators`); any other validator,
a property, a custom `__init__` or `model_post_init`, or a field type n1fix does not know
(an `Annotated` type may carry a validator) is code that may call out, and is not shown to.

A model is read as pure when it is a class of the callee's own module whose bases are
`pydantic.BaseModel` or such pure models, and whose body holds only annotated fields
(with literal defaults, empty containers, which pydantic copies for each instance, or
`Field(...)` of literals), `model_config = ConfigDict(...)` of literals, pure validators
and a docstring; its field types are built from builtin types, `typing`'s
`Optional` / `Union` / `Any` / `Literal`, the date and time types, and other pure models
of the module. What it reads of the row are its field names.
"""

from __future__ import annotations

import libcst as cst

from n1fix.cst.method_syntax import is_docstring
from n1fix.rules.query_in_loop.pure_validators import ValidatorReader

_PLAIN_TYPES = {
    "str",
    "int",
    "float",
    "bool",
    "bytes",
    "dict",
    "list",
    "set",
    "tuple",
    "None",
    "Optional",
    "Union",
    "Any",
    "Dict",
    "List",
    "Set",
    "Tuple",
    "datetime",
    "date",
    "time",
    "timedelta",
}
_LITERAL = (
    cst.SimpleString,
    cst.ConcatenatedString,
    cst.Integer,
    cst.Float,
)
_FACTORIES = {"dict", "list", "set"}


def pure_model_fields(module: cst.Module, name: str) -> set[str] | None:
    """The fields `name.model_validate(row)` reads of the row, when `name` is a pure
    pydantic model of `module` (see the module's docstring); None when it is not shown
    to be one."""
    return _Reader(module).fields(name, frozenset())


class _Reader:
    def __init__(self, module: cst.Module) -> None:
        self.classes = {
            s.name.value: s for s in module.body if isinstance(s, cst.ClassDef)
        }
        self.base_model = _imported_from_pydantic(module, "BaseModel")
        self.field_factory = _imported_from_pydantic(module, "Field")
        self.config_dict = _imported_from_pydantic(module, "ConfigDict")
        self.validators = ValidatorReader(
            module,
            _imported_from_pydantic(module, "field_validator"),
            _imported_from_pydantic(module, "model_validator"),
        )

    def fields(self, name: str, seen: frozenset[str]) -> set[str] | None:
        cls = self.classes.get(name)
        if cls is None or name in seen or cls.decorators or cls.keywords:
            return None
        seen = seen | {name}
        found: set[str] = set()
        for base in cls.bases:
            if base.keyword is not None or base.star:
                return None
            value = base.value
            if not isinstance(value, cst.Name):
                return None
            if value.value == self.base_model:
                continue
            inherited = self.fields(value.value, seen)
            if inherited is None:
                return None
            found |= inherited
        if not cls.bases:
            return None
        for statement in cls.body.body:
            if is_docstring(statement):
                continue
            if isinstance(statement, cst.FunctionDef) and self.validators.is_pure(
                statement
            ):
                continue
            if not isinstance(statement, cst.SimpleStatementLine):
                return None  # a method: a validator, a property, `__init__`
            for small in statement.body:
                field = self._field(small, seen)
                if field is None:
                    return None
                found |= field
        return found

    def _field(self, small: cst.BaseSmallStatement, seen) -> set[str] | None:
        if isinstance(small, cst.Pass):
            return set()
        if isinstance(small, cst.AnnAssign) and isinstance(small.target, cst.Name):
            if small.value is not None and not self._default(small.value):
                return None
            if not self._type(small.annotation.annotation, seen):
                return None
            return {small.target.value}
        if (
            isinstance(small, cst.Assign)
            and len(small.targets) == 1
            and isinstance(small.targets[0].target, cst.Name)
            and small.targets[0].target.value == "model_config"
            and _call_of(small.value, self.config_dict)
            and all(_literal(arg.value) for arg in small.value.args)
        ):
            return set()
        return None

    def _default(self, value: cst.BaseExpression) -> bool:
        if _literal(value) or _empty_container(value):
            return True
        if not _call_of(value, self.field_factory):
            return False
        for arg in value.args:
            if arg.keyword is None or arg.star:
                return False
            if arg.keyword.value == "default_factory":
                if not (
                    isinstance(arg.value, cst.Name) and arg.value.value in _FACTORIES
                ):
                    return False
            elif not _literal(arg.value):
                return False
        return True

    def _type(self, annotation: cst.BaseExpression, seen) -> bool:
        if isinstance(annotation, cst.Name):
            if annotation.value in _PLAIN_TYPES:
                return True
            return self.fields(annotation.value, seen) is not None
        if isinstance(annotation, cst.Attribute):
            # `datetime.date`, `datetime.datetime`
            return (
                isinstance(annotation.value, cst.Name)
                and annotation.value.value == "datetime"
                and annotation.attr.value in _PLAIN_TYPES
            )
        if isinstance(annotation, cst.BinaryOperation) and isinstance(
            annotation.operator, cst.BitOr
        ):
            return self._type(annotation.left, seen) and self._type(
                annotation.right, seen
            )
        if isinstance(annotation, cst.Subscript) and isinstance(
            annotation.value, cst.Name
        ):
            if annotation.value.value == "Literal":
                return all(
                    isinstance(e.slice, cst.Index) and _literal(e.slice.value)
                    for e in annotation.slice
                )
            return self._type(annotation.value, seen) and all(
                isinstance(e.slice, cst.Index) and self._type(e.slice.value, seen)
                for e in annotation.slice
            )
        return False


def _literal(value: cst.BaseExpression) -> bool:
    if isinstance(value, _LITERAL):
        return True
    if isinstance(value, cst.Name):
        return value.value in ("None", "True", "False")
    if isinstance(value, cst.UnaryOperation) and isinstance(value.operator, cst.Minus):
        return isinstance(value.expression, (cst.Integer, cst.Float))
    return False


def _empty_container(value: cst.BaseExpression) -> bool:
    return isinstance(value, (cst.Dict, cst.List)) and not value.elements


def _call_of(value: cst.BaseExpression, name: str | None) -> bool:
    return (
        name is not None
        and isinstance(value, cst.Call)
        and isinstance(value.func, cst.Name)
        and value.func.value == name
        and all(arg.keyword is not None and not arg.star for arg in value.args)
    )


def _imported_from_pydantic(module: cst.Module, name: str) -> str | None:
    """The name `from pydantic import <name>` binds in the module, if it does."""
    for statement in module.body:
        if not isinstance(statement, cst.SimpleStatementLine):
            continue
        for small in statement.body:
            if (
                isinstance(small, cst.ImportFrom)
                and isinstance(small.module, cst.Name)
                and small.module.value == "pydantic"
                and not isinstance(small.names, cst.ImportStar)
            ):
                for alias in small.names:
                    if isinstance(alias.name, cst.Name) and alias.name.value == name:
                        bound = alias.asname.name if alias.asname else alias.name
                        return bound.value if isinstance(bound, cst.Name) else None
    return None
