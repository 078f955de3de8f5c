"""Pydantic validators that only normalise what the model is given.

A pydantic model's validators run inside `model_validate(row)`. Most only tidy a value:

    @field_validator('variables', mode='before')
    @classmethod
    def normalize_variables(cls, value):
        return value if isinstance(value, dict) else {}

    @model_validator(mode='after')
    def _ensure_profile_image(self):
        self.profile_image_url = self.profile_image_url or _DEFAULT_URL.format(user_id=self.id)
        return self

(open-webui's `UserModel`). Such a validator calls nothing that can reach outside, writes
no state but the instance being built, and gives the same answer for the same input: the
validation stays a pure function of the row, as a model of plain fields is
(`pure_models`).

A field validator (`@field_validator(<names>, mode=<literal>)`, with or without
`@classmethod`; `mode='wrap'` hands it pydantic's own handler and is not read) is pure
when its body is `return <value>` lines, each alone or under `if <test>:`, whose
expressions only read the value it was given. An after-model validator
(`@model_validator(mode='after')`) is pure when its body sets fields of `self`
(`self.x = <value>`), alone or under `if <test>:`, may raise under `if <test>:`, and
ends in `return self`, its expressions reading `self`'s fields. A value is built from
names the validator binds, the module's constants (a name the module binds once, to a
string or a number, and never rebinds: no `global` of it anywhere), literals, `None`,
comparisons, `and` / `or` / `not`, conditional expressions, literal containers, the
builtin `isinstance` with builtin types, and `.format(...)` of a string constant. Raising
is allowed: it is a failure of the validation, which the caller already treats as such
(`post_process`: unsafe unless the callee catches it).
"""

from __future__ import annotations

import libcst as cst

from n1fix.analysis.item_keys import shadowed_builtins
from n1fix.cst.method_syntax import is_docstring
from n1fix.cst.statements import sole_small_statement
from n1fix.cst.syntax import target_names, walk

_BUILTIN_TYPES = {
    "str",
    "int",
    "float",
    "bool",
    "bytes",
    "dict",
    "list",
    "set",
    "tuple",
    "frozenset",
}
_FIELD_MODES = {"before", "after", "plain"}
_CONSTANTS = (cst.SimpleString, cst.ConcatenatedString, cst.Integer, cst.Float)
_LITERALS = (*_CONSTANTS, cst.FormattedStringText)
_PURE = (
    cst.Comparison,
    cst.ComparisonTarget,
    cst.BooleanOperation,
    cst.UnaryOperation,
    cst.IfExp,
    cst.Dict,
    cst.DictElement,
    cst.List,
    cst.Tuple,
    cst.Set,
    cst.Element,
    cst.Arg,
    cst.BaseBooleanOp,
    cst.BaseCompOp,
    cst.BaseUnaryOp,
    cst.LeftParen,
    cst.RightParen,
    cst.LeftCurlyBrace,
    cst.RightCurlyBrace,
    cst.LeftSquareBracket,
    cst.RightSquareBracket,
    cst.Comma,
    cst.Colon,
    cst.SimpleWhitespace,
    cst.ParenthesizedWhitespace,
    cst.AssignEqual,
)


class ValidatorReader:
    """Reads the validators of one module's pydantic models."""

    def __init__(self, module: cst.Module, field_validator, model_validator) -> None:
        self.field_validator = field_validator  # the names pydantic's decorators
        self.model_validator = model_validator  # have in the module, or None
        self.constants = _module_constants(module)
        self.shadowed = shadowed_builtins(module)

    def is_pure(self, function: cst.FunctionDef) -> bool:
        """Is `function` a validator of one of the two shapes the docstring describes?"""
        if function.asynchronous is not None:
            return False
        decorators = [d.decorator for d in function.decorators]
        if any(_is_name(d, "classmethod") for d in decorators):
            decorators = [d for d in decorators if not _is_name(d, "classmethod")]
            classmethod = True
        else:
            classmethod = False
        if len(decorators) != 1 or not isinstance(decorators[0], cst.Call):
            return False
        decorator = decorators[0]
        params = _plain_params(function)
        if params is None:
            return False
        if _is_name(decorator.func, self.field_validator):
            if not _field_arguments(decorator) or len(params) not in (2, 3):
                return False
            return self._returns_only(function, params[1])
        if _is_name(decorator.func, self.model_validator):
            if classmethod or not _after_mode(decorator) or len(params) not in (1, 2):
                return False
            return self._sets_self(function, params[0])
        return False

    def _returns_only(self, function: cst.FunctionDef, value: str) -> bool:
        """A body of `return <value>` lines, each alone or under `if <test>:`."""
        names, body = {value}, _work(function)
        if not body:
            return False
        for statement in body:
            if isinstance(statement, cst.If) and statement.orelse is None:
                if not self._reads_only(statement.test, names, fields_of=None):
                    return False
                inner = statement.body.body
                if len(inner) != 1:
                    return False
                statement = inner[0]
            small = sole_small_statement(statement)
            if not isinstance(small, cst.Return) or small.value is None:
                return False
            if not self._reads_only(small.value, names, fields_of=None):
                return False
        return isinstance(sole_small_statement(body[-1]), cst.Return)

    def _sets_self(self, function: cst.FunctionDef, self_name: str) -> bool:
        """`self.x = <value>` and `if <test>: raise ...` lines, then `return self`."""
        body = _work(function)
        if not body:
            return False
        *work, last = body
        returned = sole_small_statement(last)
        if not (
            isinstance(returned, cst.Return) and _is_name(returned.value, self_name)
        ):
            return False
        names = {self_name}
        for statement in work:
            if isinstance(statement, cst.If) and statement.orelse is None:
                if not self._reads_only(statement.test, names, fields_of=self_name):
                    return False
                inner = statement.body.body
                if len(inner) != 1:
                    return False
                if isinstance(sole_small_statement(inner[0]), cst.Raise):
                    continue  # what a raise builds runs only when validation fails
                statement = inner[0]
            small = sole_small_statement(statement)
            if not (
                isinstance(small, cst.Assign)
                and len(small.targets) == 1
                and isinstance(small.targets[0].target, cst.Attribute)
                and _is_name(small.targets[0].target.value, self_name)
                and self._reads_only(small.value, names, fields_of=self_name)
            ):
                return False
        return True

    def _reads_only(
        self, expr: cst.BaseExpression, names: set[str], fields_of: str | None
    ) -> bool:
        """Is `expr` built only of what the module's docstring lists, reading `names`
        and the attributes of `fields_of` (the instance an after-validator builds)?"""
        allowed = names | self.constants | {"None", "True", "False"}
        skip: set[int] = set()
        for node in [expr, *walk(expr)]:
            if id(node) in skip:
                continue
            if isinstance(node, cst.Name):
                if node.value not in allowed:
                    return False
            elif isinstance(node, cst.Attribute):
                if not _is_name(node.value, fields_of):
                    return False
                skip.add(id(node.attr))
            elif isinstance(node, cst.Call):
                if not self._pure_call(node):
                    return False
                skip.update(id(arg.keyword) for arg in node.args if arg.keyword)
                if _is_name(node.func, "isinstance"):
                    types = node.args[1].value
                    skip.update(id(n) for n in [node.func, types, *walk(types)])
                else:  # `.format`: its receiver is a literal or a constant
                    skip.update({id(node.func), id(node.func.attr)})
            elif not isinstance(node, (*_PURE, *_LITERALS)):
                return False
        return True

    def _pure_call(self, call: cst.Call) -> bool:
        if any(arg.star for arg in call.args):
            return False
        func = call.func
        if _is_name(func, "isinstance") and "isinstance" not in self.shadowed:
            return (
                len(call.args) == 2
                and all(arg.keyword is None for arg in call.args)
                and self._builtin_types(call.args[1].value)
            )
        # `'...{user_id}'.format(user_id=self.id)`, of a literal or a module constant
        return (
            isinstance(func, cst.Attribute)
            and func.attr.value == "format"
            and (
                isinstance(func.value, (cst.SimpleString, cst.ConcatenatedString))
                or (
                    isinstance(func.value, cst.Name)
                    and func.value.value in self.constants
                )
            )
        )

    def _builtin_types(self, expr: cst.BaseExpression) -> bool:
        if isinstance(expr, cst.Tuple):
            return all(self._builtin_types(e.value) for e in expr.elements)
        return (
            isinstance(expr, cst.Name)
            and expr.value in _BUILTIN_TYPES
            and expr.value not in self.shadowed
        )


def _work(function: cst.FunctionDef) -> list[cst.BaseStatement]:
    if not isinstance(function.body, cst.IndentedBlock):
        return []
    body = list(function.body.body)
    return body[1:] if body and is_docstring(body[0]) else body


def _plain_params(function: cst.FunctionDef) -> list[str] | None:
    """The parameter names, when all are plain (no defaults, no `*`, no `**`)."""
    params = function.params
    if (
        params.posonly_params
        or params.kwonly_params
        or params.star_kwarg is not None
        or isinstance(params.star_arg, cst.Param)
    ):
        return None
    if any(p.default is not None for p in params.params):
        return None
    return [p.name.value for p in params.params]


def _field_arguments(decorator: cst.Call) -> bool:
    """`field_validator('a', 'b', mode='before')`: field names, then a literal mode."""
    for arg in decorator.args:
        if arg.star:
            return False
        if arg.keyword is None:
            if not isinstance(arg.value, cst.SimpleString):
                return False
        elif arg.keyword.value == "mode":
            if _string(arg.value) not in _FIELD_MODES:
                return False
        elif arg.keyword.value == "check_fields":
            if not _is_name(arg.value, "True") and not _is_name(arg.value, "False"):
                return False
        else:
            return False
    return True


def _after_mode(decorator: cst.Call) -> bool:
    return (
        len(decorator.args) == 1
        and decorator.args[0].keyword is not None
        and decorator.args[0].keyword.value == "mode"
        and _string(decorator.args[0].value) == "after"
    )


def _string(value: cst.BaseExpression) -> str | None:
    if isinstance(value, cst.SimpleString):
        evaluated = value.evaluated_value
        return evaluated if isinstance(evaluated, str) else None
    return None


def _is_name(node, name: str | None) -> bool:
    return name is not None and isinstance(node, cst.Name) and node.value == name


def _module_constants(module: cst.Module) -> set[str]:
    """Names the module binds once, at its top level, to a string or a number, and that
    nothing rebinds: no other binding at the top level, no `global` of it anywhere."""
    bound: dict[str, int] = {}
    constant: set[str] = set()
    for statement in module.body:
        for name in _top_level_bindings(statement):
            bound[name] = bound.get(name, 0) + 1
        small = (
            sole_small_statement(statement)
            if isinstance(statement, cst.SimpleStatementLine)
            else None
        )
        if (
            isinstance(small, cst.Assign)
            and len(small.targets) == 1
            and isinstance(small.targets[0].target, cst.Name)
            and isinstance(small.value, _CONSTANTS)
        ):
            constant.add(small.targets[0].target.value)
    if any(isinstance(node, cst.ImportStar) for node in walk(module, into_scopes=True)):
        return set()  # `from x import *` may bind any name
    declared_global = {
        name.name.value
        for node in walk(module, into_scopes=True)
        if isinstance(node, cst.Global)
        for name in node.names
    }
    return {n for n in constant if bound.get(n) == 1 and n not in declared_global}


def _top_level_bindings(statement: cst.BaseStatement) -> list[str]:
    """Every name a top-level statement binds (in any of its branches), not looking
    into the bodies of the functions and classes it defines (their own scopes)."""
    names: list[str] = []
    pending: list[cst.CSTNode] = [statement]
    while pending:
        node = pending.pop()
        if isinstance(node, (cst.FunctionDef, cst.ClassDef)):
            names.append(node.name.value)
            continue
        if isinstance(
            node,
            (cst.Lambda, cst.ListComp, cst.SetComp, cst.DictComp, cst.GeneratorExp),
        ):
            continue  # scopes of their own
        if isinstance(
            node,
            (cst.AssignTarget, cst.AugAssign, cst.AnnAssign, cst.For, cst.NamedExpr),
        ):
            names.extend(target_names(node.target))
        elif isinstance(node, cst.AsName):
            names.extend(target_names(node.name))
        elif isinstance(node, cst.ImportAlias) and node.asname is None:
            names.append(cst.Module([]).code_for_node(node.name).partition(".")[0])
        elif isinstance(node, cst.Del):
            names.extend(target_names(node.target))
        pending.extend(node.children)
    return names
