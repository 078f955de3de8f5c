"""What building a model's row in a loop does: which columns it sets from which keyword,
and whether it can bring anything else into the session.

`session.add(TokenRealm(token_id=token.id, realm_id=realm.id))` adds one new row when
the class builds it from columns alone. SQLAlchemy's own constructor sets each keyword
as the attribute of that name; a relationship among them would cascade its object (and
the rows behind it) into the session. Many applications write their own `__init__`
(privacyidea's models all do), which may do anything. It is read, and trusted only
when it is shown to:

- take no `*args`/`**kwargs`, carry no decorator, and call no method of `self` nor
  `super()` (either could run code n1fix has not read);
- use `self` only as `self.<column>`: no method of what it holds is called
  (`self.groups.append(Group(...))` cascades the new group in), and `self` is passed
  to nothing (a helper handed it may set a relationship on it);
- assign only columns of the model on `self` (no relationship, no other attribute);
- write nothing, itself or through the project functions it calls a few calls deep:
  no session method that adds, deletes, flushes or commits, no INSERT/UPDATE/DELETE
  statement (a read, `select(...)` run on the session, changes no row);

and then a column counts as copied from its keyword when the body sets it once, at its
top level, to the parameter of the same name, which the body never rebinds.
"""

from __future__ import annotations

from dataclasses import dataclass

import libcst as cst

from n1fix.cst.method_syntax import named_params
from n1fix.cst.syntax import target_names, walk
from n1fix.rules.query_in_loop.shared_session import calls_reached
from n1fix.rules.query_in_loop.wrapper_calls import _project_module

# Called on anything in the constructor, these write, or may: no trust.
_WRITING_CALLS = {
    "add",
    "add_all",
    "merge",
    "delete",
    "flush",
    "commit",
    "rollback",
    "refresh",
    "expire",
    "expire_all",
    "expunge",
    "begin",
    "begin_nested",
    "bulk_save_objects",
    "bulk_insert_mappings",
    "bulk_update_mappings",
    "insert",
    "update",
    "save",
    "setattr",
    "exec_driver_sql",
}
_CONSTRUCTOR_DEPTH = 3  # project calls followed below the constructor


@dataclass(frozen=True)
class BuiltRow:
    """A constructor shown to build one row from its columns and to write nothing."""

    keywords: frozenset[str] | None  # the keywords it takes; None: any column
    positional: int  # how many arguments it takes by position
    copied: frozenset[str]  # columns set to the keyword of their name, always
    own_init: bool  # the model's own `__init__`, not SQLAlchemy's


def built_row(ctx, model, call: cst.Call) -> BuiltRow | None:
    """The constructor `call` (of `model`) runs, when it builds a row of `model` from
    columns alone and writes nothing; None when that is not shown."""
    if any(arg.star for arg in call.args):
        return None
    if model.constructor is None:
        if any(arg.keyword is None for arg in call.args):
            return None  # SQLAlchemy's constructor takes keywords only
        if any(model.column(arg.keyword.value) is None for arg in call.args):
            return None  # a relationship would cascade its object in
        columns = frozenset(model.columns)
        return BuiltRow(columns, 0, columns, own_init=False)
    if model.constructor != model.name:
        return None  # a base's or an unread class's `__init__`
    facts = _own_init(ctx, model)
    if facts is None:
        return None
    positional = [arg for arg in call.args if arg.keyword is None]
    if len(positional) > facts.positional or any(
        arg.keyword.value not in facts.keywords
        for arg in call.args
        if arg.keyword is not None
    ):
        return None  # the call fails, or fills what n1fix did not read
    return facts


def _own_init(ctx, model) -> BuiltRow | None:
    module = _project_module(ctx, model.module)
    if module is None:
        return None
    classes = [
        s
        for s in module.tree.body
        if isinstance(s, cst.ClassDef) and s.name.value == model.name
    ]
    if len(classes) != 1 or not isinstance(classes[0].body, cst.IndentedBlock):
        return None
    inits = [
        s
        for s in classes[0].body.body
        if isinstance(s, cst.FunctionDef) and s.name.value == "__init__"
    ]
    if len(inits) != 1:
        return None
    init = inits[0]
    params = init.params
    if (
        init.decorators
        or params.posonly_params
        or isinstance(params.star_arg, cst.Param)
        or params.star_kwarg is not None
        or not params.params
    ):
        return None
    this = params.params[0].name.value
    names = [p.name.value for p in named_params(params)][1:]
    if not _only_sets_columns(init, this, model) or _writes(ctx, module, init):
        return None
    return BuiltRow(
        frozenset(names),
        len(params.params) - 1,
        frozenset(_copied(init, this, set(names), model)),
        own_init=True,
    )


def _only_sets_columns(init: cst.FunctionDef, this: str, model) -> bool:
    """Every attribute set on the object is a column; `super()` is not called, and the
    object is used only as `self.<column>`, read or set: no method of it or of what it
    holds is called (`self.groups.append(...)` grows a relationship), and it is passed
    to nothing (a function handed `self` may set a relationship on it)."""
    for node in walk(init.body):
        if isinstance(node, (cst.AssignTarget, cst.AugAssign, cst.AnnAssign)):
            for target in [node.target, *walk(node.target)]:
                if (
                    isinstance(target, cst.Attribute)
                    and isinstance(target.value, cst.Name)
                    and target.value.value == this
                    and model.column(target.attr.value) is None
                ):
                    return False
        if isinstance(node, cst.Call):
            func = node.func
            if isinstance(func, cst.Name) and func.value == "super":
                return False
        if isinstance(node, (cst.FunctionDef, cst.Lambda, cst.ClassDef)):
            return False  # code defined here runs who knows when
    return _object_used_as_columns(init, this, model)


def _object_used_as_columns(init: cst.FunctionDef, this: str, model) -> bool:
    """Every use of the name `this` is `this.<column>`, neither called nor reached
    through (`this.column.method()`, `this.column.x`)."""
    nodes = list(walk(init.body))
    not_variables = set()  # `x.this`, `f(this=...)`: names, not the variable
    passed_on = set()  # called, or the base of a further attribute or subscript
    for node in nodes:
        if isinstance(node, cst.Attribute):
            not_variables.add(id(node.attr))
            passed_on.add(id(node.value))
        elif isinstance(node, cst.Subscript):
            passed_on.add(id(node.value))
        elif isinstance(node, cst.Call):
            passed_on.add(id(node.func))
        elif isinstance(node, cst.Arg) and node.keyword is not None:
            not_variables.add(id(node.keyword))
    column_uses = {
        id(node.value)
        for node in nodes
        if isinstance(node, cst.Attribute)
        and isinstance(node.value, cst.Name)
        and node.value.value == this
        and model.column(node.attr.value) is not None
        and id(node) not in passed_on
    }
    return not any(
        isinstance(node, cst.Name)
        and node.value == this
        and id(node) not in not_variables
        and id(node) not in column_uses
        for node in nodes
    )


def _writes(ctx, module, init: cst.FunctionDef) -> bool:
    for call in calls_reached(ctx, (module, init), _CONSTRUCTOR_DEPTH):
        func = call.func
        name = (
            func.attr.value
            if isinstance(func, cst.Attribute)
            else func.value
            if isinstance(func, cst.Name)
            else None
        )
        if name is None or name in _WRITING_CALLS:
            return True
        if name == "text" and isinstance(func, cst.Name):
            return True  # SQL n1fix does not read
    return False


def _copied(init: cst.FunctionDef, this: str, params: set[str], model) -> set[str]:
    """Columns the body sets once, at its top level, to the unrebound parameter of the
    same name."""
    rebound = set()
    set_count: dict[str, int] = {}
    for node in walk(init.body):
        if isinstance(node, (cst.AssignTarget, cst.AugAssign, cst.AnnAssign)):
            rebound |= target_names(node.target)
            target = node.target
            if (
                isinstance(target, cst.Attribute)
                and isinstance(target.value, cst.Name)
                and target.value.value == this
            ):
                set_count[target.attr.value] = set_count.get(target.attr.value, 0) + 1
        elif isinstance(node, (cst.For, cst.CompFor, cst.NamedExpr)):
            rebound |= target_names(node.target)
    copied = set()
    body = init.body.body if isinstance(init.body, cst.IndentedBlock) else []
    for statement in body:
        if not (
            isinstance(statement, cst.SimpleStatementLine)
            and len(statement.body) == 1
            and isinstance(statement.body[0], cst.Assign)
            and len(statement.body[0].targets) == 1
        ):
            continue
        assign = statement.body[0]
        target, value = assign.targets[0].target, assign.value
        if (
            isinstance(target, cst.Attribute)
            and isinstance(target.value, cst.Name)
            and target.value.value == this
            and isinstance(value, cst.Name)
            and value.value == target.attr.value
            and value.value in params
            and value.value not in rebound
            and set_count.get(target.attr.value) == 1
            and model.column(target.attr.value) is not None
        ):
            copied.add(target.attr.value)
    return copied
