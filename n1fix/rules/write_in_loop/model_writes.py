"""Writes through a model's own API, one row per item of a loop (Django).

`Model.objects.create(...)` per item becomes one `bulk_create([...])`; `obj.save()` per
item, with the fields it writes shown, one `bulk_update(objs, fields)` (or, when every
row gets the same loop-invariant values, one `queryset.update(...)`); `obj.delete()` per
row of a queryset one `queryset.delete()`. `get_or_create` / `update_or_create` per item
are reported without a fix. The facts each fix relies on are listed in the rule's docs
("Django"); what cannot be shown leaves the finding without a fix.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Iterable

import libcst as cst

from n1fix.analysis.item_facts import bindings, item_model, reiterable
from n1fix.cst.chains import dotted_name
from n1fix.cst.loop_frames import loop_words
from n1fix.cst.syntax import SCOPES, children, names_read, target_names, walk
from n1fix.orm.dialect import Cardinality, ModelWrite
from n1fix.rules.base import Applicability, Finding
from n1fix.rules.write_in_loop.analysis import (
    _for_loops,
    _frame,
    _only_statement,
    _own_statement,
    _placement_blocker,
)
from n1fix.rules.write_in_loop.loop_body import body_blocker, other_statements_may_raise


class ModelWriteForm(str, enum.Enum):
    """The one call the per-item writes become."""

    BULK_CREATE = "bulk_create"
    BULK_UPDATE = "bulk_update"
    UPDATE = "update"  # the same values on every row of the loop's queryset
    DELETE = "delete"  # every row of the loop's queryset


@dataclass
class ModelWritePlan:
    """Everything the codemod needs; it re-derives nothing."""

    form: ModelWriteForm
    loop: cst.For
    statement: cst.SimpleStatementLine  # the write's line in the loop body
    replace_loop: bool  # the loop goes (it did nothing else that must stay)
    manager: str  # `Review.objects`, as the bulk call's receiver
    model_name: str  # the model's class name, for the names of generated lists
    scope: cst.CSTNode  # function or module, for fresh names
    instance: str = ""  # BULK_CREATE: `Review(book=book, ...)`
    fields: str = ""  # BULK_UPDATE: the fields list as code, `["price"]`
    # BULK_UPDATE: the loop's own list (`books`), or None: the queryset the loop
    # iterates is listed into a new name first.
    objects: str | None = None
    queryset: cst.BaseExpression | None = None  # UPDATE / DELETE; BULK_UPDATE to list
    values: tuple[tuple[str, cst.BaseExpression], ...] = ()  # UPDATE: field=value
    removed: tuple[cst.CSTNode, ...] = field(default=())  # lines the rewrite drops


# Signals that fire per object on save() / delete() and that the bulk forms skip.
_SAVE_SIGNALS = {"pre_save", "post_save", "m2m_changed"}
_DELETE_SIGNALS = {"pre_delete", "post_delete", "m2m_changed"}
# QuerySet methods after which `update()` / `delete()` run on the same rows.
_PLAIN_CHAIN = {
    "all",
    "filter",
    "exclude",
    "order_by",
    "select_related",
    "prefetch_related",
    "only",
    "defer",
    "using",
}
# Django field classes whose `pre_save()` returns the attribute as it is (or, for the
# date and time fields, sets it only with `auto_now`, read apart): save() and the bulk
# forms write the same value. A FileField's `pre_save()` stores the file first.
_PLAIN_FIELDS = {
    "AutoField",
    "BigAutoField",
    "SmallAutoField",
    "BigIntegerField",
    "BinaryField",
    "BooleanField",
    "NullBooleanField",
    "CharField",
    "DateField",
    "DateTimeField",
    "DecimalField",
    "DurationField",
    "EmailField",
    "FloatField",
    "GenericIPAddressField",
    "IPAddressField",
    "IntegerField",
    "JSONField",
    "PositiveBigIntegerField",
    "PositiveIntegerField",
    "PositiveSmallIntegerField",
    "SlugField",
    "SmallIntegerField",
    "TextField",
    "TimeField",
    "URLField",
    "UUIDField",
    "ForeignKey",
    "OneToOneField",
}
# Value computations that, like int() and str() for the SQLAlchemy rule, are taken not
# to stop a loop part-way.
_VALUE_CALLS = frozenset({"Decimal", "quantize"})


def find_model_writes(ctx, rule) -> Iterable[Finding]:
    for loop, ancestry in _for_loops(ctx.module):
        for node, path in _calls_in(loop):
            write = ctx.orm.model_write(node)
            if write is not None:
                finding = _analyze(rule, ctx, loop, ancestry, write, path)
                if finding is not None:
                    yield finding


def _calls_in(loop: cst.For) -> list[tuple[cst.CSTNode, list[cst.CSTNode]]]:
    """Calls (and awaited calls) in the loop body, outermost first, with their path from
    the body; nested loops and functions are left to their own analysis."""
    found = []
    stack: list[tuple[cst.CSTNode, list[cst.CSTNode]]] = [(loop.body, [])]
    while stack:
        node, path = stack.pop()
        if isinstance(node, (*SCOPES, cst.For, cst.While)) and path:
            continue
        if isinstance(node, (cst.Call, cst.Await)):
            found.append((node, path))
        here = [*path, node]
        stack.extend((child, here) for child in reversed(list(children(node))))
    return found


def _analyze(rule, ctx, loop: cst.For, ancestry, write: ModelWrite, path):
    frame = _frame(loop, ancestry)
    if not names_read(write.node) & frame.varying:
        return None  # the same write every time: not a row per item
    if any(isinstance(node, cst.Return) for node in path):
        return None  # `return M.objects.create(...)`: the loop ends at the first write
    where = loop_words(ctx, frame)
    receiver = ctx.code(write.receiver)
    model = None
    if write.entity is not None:
        model = ctx.model_for(write.entity)
    elif write.kind in ("save", "delete"):
        if not (
            isinstance(write.receiver, cst.Name)
            and write.receiver.value in frame.targets
        ):
            return None  # another object's save(): not shown to be a row per item
        model = item_model(ctx, frame, ancestry)
        if model is None or model.django is None:
            return None  # a form's save(), a file's delete(): no model shown
        if _at_most_one_row(ctx, loop, ancestry, model):
            return None  # `filter(pk=x)` iterated: one write, not one per item
    what = {
        "create": f"`{receiver}.create()` inserts a row",
        "get_or_create": f"`{receiver}.get_or_create()` reads (and may insert) a row",
        "update_or_create": f"`{receiver}.update_or_create()` reads and writes a row",
        "save": f"`{receiver}.save()` writes a row",
        "delete": f"`{receiver}.delete()` deletes a row",
        "update": "a queryset `update()` runs",
        "delete_rows": "a queryset `delete()` runs",
    }[write.kind]
    message = f"{what} once per item of {where} (N round trips)"

    def finding(applicability, note, plan=None, words=""):
        fork = _fork_note(model)
        if applicability is Applicability.SAFE and fork:
            applicability, note = Applicability.UNSAFE, fork
        text = message
        if applicability is Applicability.SAFE:
            text += f"; fix: {words}"
        elif applicability is Applicability.UNSAFE:
            text += f"; unsafe fix ({words}): {note}"
        else:
            text += f"; no fix: {note}"
        return rule.finding_at(
            ctx, write.node, text, applicability, note, plan, loop=loop
        )

    def no_fix(reason: str) -> Finding:
        return finding(Applicability.NONE, reason)

    if write.kind in ("get_or_create", "update_or_create"):
        return no_fix(
            f"`{write.kind}()` looks each row up before it writes and tells whether it"
            " created one; a bulk_create(ignore_conflicts / update_conflicts) needs a"
            " unique constraint on the lookup and tells neither"
        )
    if write.kind in ("update", "delete_rows"):
        if not any(
            p.attr and names_read(p.value) & frame.varying
            for p in write.query.predicates
        ):
            return None  # a chunk of keys per item, not a row: already batched
        return no_fix(
            "one queryset for every item's rows (`filter(key__in=keys)`) is not"
            " written for Django yet"
        )
    if write.is_async or loop.asynchronous is not None:
        return no_fix("n1fix batches the writes of a sync loop only")
    if model is None or model.django is None:
        named = ctx.code(write.entity) if write.entity is not None else receiver
        return no_fix(
            f"`{named}` is no model n1fix knows (its class is not in the project's"
            " model index), so its save() / delete() overrides and signal receivers"
            " are unknown"
        )
    statement = _own_statement(path)
    reason = _placement_blocker(loop, None, path, statement)
    if reason:
        if statement is None and write.kind in ("create", "save", "delete"):
            reason = f"the loop uses what `{write.kind}()` returns"
        return no_fix(reason)
    reason = _model_blocker(model, write.kind)
    if reason:
        return no_fix(reason)
    reason = _body_blocker(ctx, loop, write, model, frame, ancestry)
    if reason:
        return no_fix(reason)
    scope = next(
        (n for n in reversed(ancestry) if isinstance(n, cst.FunctionDef)), ctx.module
    )
    if write.kind == "create":
        return _create(ctx, loop, write, model, statement, scope, finding)
    if write.kind == "save":
        return _save(
            ctx, loop, ancestry, frame, write, model, statement, scope, finding
        )
    return _delete(ctx, loop, ancestry, frame, write, model, statement, scope, finding)


def _at_most_one_row(ctx, loop, ancestry, model) -> bool:
    """The loop's queryset compares a unique column to one value: it has one row."""
    iterable = loop.iter
    if isinstance(iterable, cst.Name):
        found = bindings(iterable.value, ancestry)
        if len(found) != 1 or found[0][0] is None:
            return False
        iterable = found[0][0]
    if not isinstance(iterable, cst.Call):
        return False
    shape = ctx.orm.query_shape(iterable)
    return shape is not None and any(
        p.attr and model.is_unique(p.attr) for p in shape.predicates
    )


def _fork_note(model) -> str | None:
    """Why a bulk form is not proven for a model a project may replace."""
    if model is None or model.django is None or not model.django.forkable:
        return None
    return (
        f"`{model.name}` is declared under `if not is_model_registered(...)`: a project"
        " that forks its app declares its own class, whose `save()` overrides or"
        " receivers n1fix cannot see"
    )


def _model_blocker(model, kind: str) -> str | None:
    """What the model does per object that the bulk forms skip."""
    django = model.django
    method = "delete" if kind == "delete" else "save"
    overrides = [owner for name, owner in django.overrides if name == method]
    if overrides:
        return (
            f"`{model.name}` overrides `{method}()` (`{overrides[0]}`), which the bulk"
            " forms do not call"
        )
    signals = _DELETE_SIGNALS if kind == "delete" else _SAVE_SIGNALS
    receivers = [(s, at) for s, at in django.receivers if s in signals]
    if receivers:
        signal, at = receivers[0]
        return (
            f"a `{signal}` receiver for `{model.name}` ({at}) runs per object, and the"
            " bulk forms send no such signal"
        )
    return None


def _body_blocker(ctx, loop, write: ModelWrite, model, frame, ancestry) -> str | None:
    """What else the loop does that could see the writes moved, or change the rows."""
    inside = {id(write.node), *(id(n) for n in walk(write.node))}
    for node in walk(loop.body):
        if id(node) in inside:
            continue
        if isinstance(node, (cst.Call, cst.Await)):
            other = ctx.orm.model_write(node) or (
                isinstance(node, cst.Call) and ctx.orm.loop_write(node)
            )
            if other:
                return (
                    f"the loop writes again (`{_short(ctx.code(node))}`); batching would"
                    " change the order of the writes"
                )
        if not isinstance(node, cst.Call):
            continue
        func = node.func
        root = _root_name(func.value) if isinstance(func, cst.Attribute) else None
        if (
            root is not None
            and root in frame.targets
            and write.kind != "create"
            and not _column_value(func.value, model)
        ):
            return (
                f"the loop calls `{_short(ctx.code(func))}()` on the object, which may"
                " change or write it"
            )
        if write.kind != "create" and any(
            _root_name(arg.value) in frame.targets for arg in node.args
        ):
            name = dotted_name(func) or "a function"
            if name not in ("str", "int", "len", "repr", "print", "isinstance"):
                return (
                    f"the loop passes the object to `{name}()`, which may change or"
                    " save it"
                )
    return body_blocker(ctx, loop, write.node, "\0", ancestry)


def _column_value(expr: cst.BaseExpression, model) -> bool:
    """`book.price`: a column's value (its methods compute, they do not write)."""
    return (
        isinstance(expr, cst.Attribute)
        and isinstance(expr.value, cst.Name)
        and model.column(expr.attr.value) is not None
    )


def _root_name(expr: cst.BaseExpression) -> str | None:
    while isinstance(expr, (cst.Attribute, cst.Subscript, cst.Call)):
        expr = expr.func if isinstance(expr, cst.Call) else expr.value
    return expr.value if isinstance(expr, cst.Name) else None


# --------------------------------------------------------------------- create


def _create(ctx, loop, write: ModelWrite, model, statement, scope, finding):
    """`Model.objects.create(**fields)` per item -> `bulk_create([Model(**fields) ...])`."""
    args = write.call.args
    if any(arg.keyword is None and arg.star != "**" for arg in args):
        return finding(Applicability.NONE, "create() is given positional arguments")
    if model.inherits is not None:
        return finding(
            Applicability.NONE,
            f"`{model.name}` inherits a concrete model (multi-table inheritance), which"
            " bulk_create() refuses",
        )
    manager = write.receiver.attr.value
    if manager in model.django.opaque_managers:
        return finding(
            Applicability.NONE,
            f"`{model.name}.{manager}` is a manager n1fix cannot read; its create() or"
            " bulk_create() may do more",
        )
    # `Model(...)` with the arguments as the author laid them out
    instance = cst.Module([]).code_for_node(write.call.with_changes(func=write.entity))
    replace = _only_statement(loop, statement)
    unsafe = _related_reads(ctx, loop, write)
    if not replace:
        risk = other_statements_may_raise(loop.body, statement, _VALUE_CALLS)
        if risk:
            unsafe.append(risk)
    plan = ModelWritePlan(
        form=ModelWriteForm.BULK_CREATE,
        loop=loop,
        statement=statement,
        replace_loop=replace,
        manager=ctx.code(write.receiver),
        model_name=model.name,
        scope=scope,
        instance=instance,
    )
    words = (
        "one `bulk_create([...])` of the objects in loop order (it sets their primary"
        " keys on PostgreSQL, MariaDB 10.5+ and SQLite 3.35+, which the loop does not"
        " read)"
    )
    if unsafe:
        return finding(Applicability.UNSAFE, "; ".join(unsafe), plan, words)
    return finding(Applicability.SAFE, None, plan, words)


# QuerySet methods: called on a related manager (`event.items.get(...)`), a query.
_QUERY_METHODS = {
    "get",
    "filter",
    "exclude",
    "all",
    "first",
    "last",
    "count",
    "exists",
    "values",
    "values_list",
    "aggregate",
    "in_bulk",
    "earliest",
    "latest",
    "iterator",
}


def _related_reads(ctx, loop: cst.For, write: ModelWrite) -> list[str]:
    """Calls in the loop (the write's arguments included) that may query through a
    related manager: `x.<name>.get(...)` where `<name>` is a relation of some model of
    the project. The dialect does not read related managers as queries; such a read
    ran between the writes, it now runs before all of them (and one that raises
    part-way had let the items before it be written)."""
    relations = _relation_names(ctx.project.models)
    for node in walk(loop.body):
        if node is write.call or not isinstance(node, cst.Call):
            continue
        func = node.func
        if (
            isinstance(func, cst.Attribute)
            and func.attr.value in _QUERY_METHODS
            and isinstance(func.value, cst.Attribute)
            and func.value.attr.value in relations
        ):
            return [
                f"`{_short(ctx.code(func))}()` may query a related manager, which now"
                " runs before the writes instead of between them"
            ]
    return []


_RELATIONS: list = [None, frozenset()]


def _relation_names(models) -> frozenset[str]:
    if _RELATIONS[0] is not models:
        _RELATIONS[:] = [
            models,
            frozenset(
                name
                for model in models.models.values()
                if model.django is not None
                for name in model.relationships
            ),
        ]
    return _RELATIONS[1]


# --------------------------------------------------------------------- save


def _save(ctx, loop, ancestry, frame, write, model, statement, scope, finding):
    """`obj.save(...)` per item -> `bulk_update(objs, fields)`, or `queryset.update(...)`
    when every row gets the same values."""

    def no_fix(reason: str) -> Finding:
        return finding(Applicability.NONE, reason)

    target = write.receiver.value
    assigned = _assignments(loop.body, target)
    if assigned is None:
        return no_fix(
            f"the loop changes `{target}` in ways n1fix does not follow (not only"
            f" `{target}.field = value`)"
        )
    fresh = _fresh_rows(ctx, loop, ancestry)
    update_fields = _update_fields(write.call)
    if update_fields is None and not write.call.args and model.django.auto_now:
        return no_fix(
            f"`{model.name}.{model.django.auto_now[0]}` has `auto_now=True`: save() sets"
            " it, a bulk update would leave it as it was"
        )
    if update_fields is None:
        if any(
            arg.keyword is not None and arg.keyword.value == "force_insert"
            for arg in write.call.args
        ):
            return no_fix(
                "`save(force_insert=True)` inserts a row per item; n1fix does not turn"
                " it into one bulk_create() yet"
            )
        if write.call.args:
            return no_fix(
                "save() is given arguments other than a literal `update_fields`"
            )
        if fresh is None:
            return no_fix(
                "a plain save() writes every field, and the objects come from outside"
                " the loop's function, so which fields differ from the rows is not shown"
                " (pass `update_fields=[...]`)"
            )
        fields = list(assigned)
        if not fields:
            return no_fix("the loop changes no field n1fix can see before save()")
        auto_now = list(model.django.auto_now)
    else:
        fields = update_fields
        auto_now = [name for name in model.django.auto_now if name in fields]
    if auto_now:
        return no_fix(
            f"`{model.name}.{auto_now[0]}` has `auto_now=True`: save() sets it, a"
            " bulk update would leave it as it was"
        )
    unsafe: list[str] = []
    for name in fields:
        column = model.column(name) or model.column(f"{name}_id")
        if column is None:
            return no_fix(f"`{name}` is not a column of `{model.name}` n1fix knows")
        if column.primary_key:
            return no_fix(f"save() writes the primary key `{name}`")
        if column.type in ("FileField", "ImageField"):
            return no_fix(
                f"`{model.name}.{name}` is a `{column.type}`, whose pre_save() stores"
                " the file; the bulk forms do not call it"
            )
        if column.type not in _PLAIN_FIELDS:
            unsafe.append(
                f"`{model.name}.{name}` is a `{column.type}`, whose pre_save() n1fix has"
                " not read (save() calls it, the bulk forms do not)"
            )
    if not _unconditional(loop, statement):
        return no_fix(
            "save() does not run for every item (it sits under a condition, or the loop"
            " may `continue` or `break`), and a bulk update writes every object"
        )
    if _f_expression(ctx, assigned) and fresh is None:
        return no_fix(
            "a value is an `F()` expression and the objects may repeat: the loop applied"
            " it once per repeat, a bulk update once"
        )
    manager = _manager(model)
    if manager is None:
        return no_fix(
            f"`{model.name}` has no plain `objects` manager to run the bulk update on"
        )
    spelled = _spelling(ctx, model)
    if spelled is None:
        return no_fix(f"`{model.name}` is not imported in this module")
    common = dict(
        loop=loop,
        statement=statement,
        manager=f"{spelled}.{manager}",
        model_name=model.name,
        scope=scope,
    )
    invariant = _invariant_values(ctx, loop, statement, assigned, fields, frame)
    if (
        invariant is not None
        and fresh is not None
        and isinstance(loop.iter, cst.Call)
        and _plain_chain(fresh)
        and not _read_after(loop, target, ancestry)
        and not unsafe
    ):
        plan = ModelWritePlan(
            form=ModelWriteForm.UPDATE,
            replace_loop=True,
            queryset=loop.iter,
            values=tuple(invariant),
            **common,
        )
        return finding(
            Applicability.SAFE,
            None,
            plan,
            "one `update(...)` of the loop's queryset: every row gets the same values",
        )
    if isinstance(loop.iter, cst.Name) and (
        reiterable(loop.iter, ancestry, frame.index) or fresh is not None
    ):
        objects = loop.iter.value
    elif isinstance(loop.iter, cst.Call) and fresh is not None:
        objects = None  # listed into a new name before the loop
    else:
        return no_fix(
            "the objects are not kept in a list that bulk_update() could take after the"
            " loop"
        )
    replace = _only_statement(loop, statement)
    unsafe.extend(_related_reads(ctx, loop, write))
    if not replace:
        risk = other_statements_may_raise(loop.body, statement, _VALUE_CALLS)
        if risk:
            unsafe.append(risk)
    plan = ModelWritePlan(
        form=ModelWriteForm.BULK_UPDATE,
        replace_loop=replace,
        fields=_fields_code(write.call, fields),
        objects=objects,
        queryset=loop.iter if objects is None else None,
        **common,
    )
    words = "one `bulk_update(objects, fields)` after the loop"
    if unsafe:
        return finding(Applicability.UNSAFE, "; ".join(unsafe), plan, words)
    return finding(Applicability.SAFE, None, plan, words)


def _assignments(body: cst.CSTNode, target: str) -> dict[str, cst.CSTNode] | None:
    """Field name -> the assignment of `target.field = value` in the loop; None when the
    loop binds the target's attributes any other way (a tuple target, a walrus)."""
    found: dict[str, cst.CSTNode] = {}
    for node in walk(body):
        if isinstance(node, cst.Assign):
            targets = [t.target for t in node.targets]
        elif isinstance(node, (cst.AugAssign, cst.AnnAssign)):
            targets = [node.target]
        else:
            continue
        for written in targets:
            if isinstance(written, cst.Attribute) and _root_name(written) == target:
                if not (
                    isinstance(written.value, cst.Name)
                    and written.value.value == target
                ):
                    return None  # `book.author.name = ...`: another object
                found[written.attr.value] = node
            elif target in target_names(written):
                return None  # the target rebound
    return found


def _update_fields(call: cst.Call) -> list[str] | None:
    if len(call.args) != 1 or call.args[0].keyword is None:
        return None
    arg = call.args[0]
    if arg.keyword.value != "update_fields" or not isinstance(
        arg.value, (cst.List, cst.Tuple)
    ):
        return None
    names = []
    for element in arg.value.elements:
        if not isinstance(element.value, cst.SimpleString):
            return None
        names.append(element.value.evaluated_value)
    return names or None


def _fields_code(call: cst.Call, fields: list[str]) -> str:
    if call.args and isinstance(call.args[0].value, cst.List):
        return cst.Module([]).code_for_node(call.args[0].value)
    return "[" + ", ".join(f'"{name}"' for name in fields) + "]"


def _fresh_rows(ctx, loop, ancestry):
    """The query shape whose rows the loop iterates when they are loaded for the loop
    alone: the queryset written as the iterable, or a name bound once to one and read
    by this loop only. Such objects hold what the rows held until the loop changes them,
    and no two are the same row."""
    iterable = loop.iter
    if isinstance(iterable, cst.Name):
        found = bindings(iterable.value, ancestry)
        if len(found) != 1 or found[0][0] is None:
            return None
        scope = next(
            (n for n in reversed(ancestry) if isinstance(n, cst.FunctionDef)), None
        )
        reads = (
            sum(
                1
                for n in walk(scope)
                if isinstance(n, cst.Name) and n.value == iterable.value
            )
            if scope is not None
            else 0
        )
        if reads != 2:  # the binding and the loop
            return None
        iterable = found[0][0]
    if not isinstance(iterable, cst.Call):
        return None
    shape = ctx.orm.query_shape(iterable)
    if shape is None or shape.cardinality is not Cardinality.LIST:
        return None
    return shape


def _plain_chain(shape) -> bool:
    """A queryset `update()` / `delete()` runs on as it was iterated (no slice, no
    `distinct()`, `values()`, `iterator()`, nothing n1fix does not read)."""
    if shape.terminal is not None or shape.opaque:
        return False
    return all(mc.name in _PLAIN_CHAIN for mc in shape.statement_calls)


def _unconditional(loop: cst.For, statement) -> bool:
    body = loop.body
    if not isinstance(body, cst.IndentedBlock) or statement not in body.body:
        return False
    return not any(
        isinstance(node, (cst.Continue, cst.Break))
        for node in _walk_same_loop(loop.body)
    )


def _walk_same_loop(node: cst.CSTNode):
    for child in children(node):
        if isinstance(child, (cst.For, cst.While, *SCOPES)):
            continue
        yield child
        yield from _walk_same_loop(child)


def _f_expression(ctx, assigned: dict[str, cst.CSTNode]) -> bool:
    for node in assigned.values():
        if isinstance(node, cst.AugAssign):
            continue
        for name in names_read(node.value):
            qualified = ctx.imports.get(name, "")
            if name == "F" or qualified.endswith(".F"):
                return True
    return False


def _invariant_values(ctx, loop, statement, assigned, fields, frame):
    """`[(field, value)]` when the loop body is only `obj.field = value` lines and the
    save, every saved field assigned a value that is the same for every item and costs
    nothing to evaluate once instead of per item; else None."""
    body = loop.body
    if not isinstance(body, cst.IndentedBlock):
        return None
    for line in body.body:
        if line is statement:
            continue
        if not (
            isinstance(line, cst.SimpleStatementLine)
            and len(line.body) == 1
            and isinstance(line.body[0], cst.Assign)
            and len(line.body[0].targets) == 1
            and line.body[0] in assigned.values()
        ):
            return None
    values = []
    for name in fields:
        node = assigned.get(name)
        if not isinstance(node, cst.Assign):
            return None
        if names_read(node.value) & frame.varying or not _pure(node.value):
            return None
        values.append((name, node.value))
    return values


def _pure(expr: cst.BaseExpression) -> bool:
    """Literals, names and attributes, and operators on them: no call."""
    if isinstance(
        expr,
        (
            cst.Integer,
            cst.Float,
            cst.SimpleString,
            cst.ConcatenatedString,
            cst.Name,
        ),
    ):
        return True
    if isinstance(expr, cst.Attribute):
        return _pure(expr.value)
    if isinstance(expr, cst.UnaryOperation):
        return _pure(expr.expression)
    if isinstance(expr, cst.BinaryOperation):
        return _pure(expr.left) and _pure(expr.right)
    return False


def _read_after(loop: cst.For, target: str, ancestry) -> bool:
    """The loop's target is read outside the loop (after it, the last item)."""
    scope = next(
        (n for n in reversed(ancestry) if isinstance(n, cst.FunctionDef)), None
    )
    if scope is None:
        return True
    inside = {id(n) for n in walk(loop)}
    return any(
        isinstance(n, cst.Name) and n.value == target and id(n) not in inside
        for n in walk(scope)
    )


def _manager(model) -> str | None:
    """`objects` when `Model.objects` is Django's own manager, unfiltered."""
    django = model.django
    declared = {m.attr for m in django.managers}
    if declared and "objects" not in declared:
        return None
    if django.manager_filters("objects"):
        return None
    return "objects"


def _spelling(ctx, model) -> str | None:
    """A name this module has for `model`: an import of it, or its own class."""
    candidates = [local for local in ctx.imports if "." not in local]
    candidates += [s.name.value for s in ctx.module.body if isinstance(s, cst.ClassDef)]
    return next(
        (name for name in candidates if ctx.model_for(cst.Name(name)) == model), None
    )


# --------------------------------------------------------------------- delete


def _delete(ctx, loop, ancestry, frame, write, model, statement, scope, finding):
    """`obj.delete()` per row of a queryset -> `queryset.delete()`."""
    if write.call.args:
        return finding(Applicability.NONE, "delete() is given arguments")
    fresh = _fresh_rows(ctx, loop, ancestry)
    if fresh is None or not isinstance(loop.iter, cst.Call):
        return finding(
            Applicability.NONE,
            "the objects are not the rows of a queryset the loop iterates, which one"
            " `queryset.delete()` could delete",
        )
    if not _plain_chain(fresh):
        return finding(
            Applicability.NONE,
            "the queryset has calls after which `delete()` is refused or deletes"
            " other rows",
        )
    if not _only_statement(loop, statement):
        return finding(
            Applicability.NONE,
            "the loop does more than delete its rows; n1fix only replaces a loop that"
            " does nothing else",
        )
    if _read_after(loop, write.receiver.value, ancestry):
        return finding(
            Applicability.NONE, "the loop's last object is read after the loop"
        )
    plan = ModelWritePlan(
        form=ModelWriteForm.DELETE,
        loop=loop,
        statement=statement,
        replace_loop=True,
        manager="",
        model_name=model.name,
        scope=scope,
        queryset=loop.iter,
    )
    return finding(
        Applicability.SAFE,
        None,
        plan,
        "one `delete()` of the loop's queryset (Django's collector deletes the rows"
        " and their cascades together)",
    )


def _short(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= 60 else text[:57] + "..."
