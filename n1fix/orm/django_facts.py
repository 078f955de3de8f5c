"""Per-file facts about Django models, managers and signal receivers, read with `ast`.

`extract_django` looks at one module on its own, without importing it or Django: every
module-level class (whether it is a model, an abstract base, a manager or a QuerySet is
only known across modules), its fields as the class body spells them, its `Meta`
options, its managers, the methods it defines, and the signal receivers the module
connects (`@receiver(post_save, sender=Book)`, `post_save.connect(f, sender=Book)`).
Names are qualified through the module's imports; `n1fix.orm.django_models` joins the
facts of all modules into `ModelInfo`s.

`DjangoModel` is what the joined index keeps for a model beyond the neutral facts every
dialect fills (ordering, managers, overrides, receivers): the Django codemods read it.

The facts are frozen dataclasses of strings, booleans and tuples, so they pickle and
cache (as JSON) like the SQLAlchemy ones.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass

from n1fix.cst.astwalk import ast_dotted_name, called_name, nodes_of
from n1fix.orm.imports import import_map
from n1fix.orm.model_facts import module_statements

__all__ = [
    "RELATION_FIELDS",
    "USER_MODEL_REF",
    "DjangoBindingFacts",
    "DjangoClassFacts",
    "DjangoFacts",
    "DjangoFieldFacts",
    "DjangoManagerFacts",
    "DjangoModel",
    "DjangoReceiverFacts",
    "extract_django",
    "mentions_django",
]

# Field classes that relate two models; the rest of `*Field` calls are columns.
RELATION_FIELDS = {"ForeignKey", "OneToOneField", "ManyToManyField"}
# Field calls that are no column of the model's table.
_NOT_COLUMNS = {"GenericForeignKey", "GenericRelation"}
# Keyword arguments of a field call that are read; any other is irrelevant here.
_FLAGS = ("null", "unique", "primary_key", "db_index", "auto_now", "auto_now_add")
_UNKNOWN = "?"  # an option given, but not as a literal
_USER_MODEL_SETTING = "AUTH_USER_MODEL"
# What a relation to the user model is written as (`settings.AUTH_USER_MODEL`, also the
# target of `ForeignKey(get_user_model(), ...)`).
USER_MODEL_REF = "django.conf.settings.AUTH_USER_MODEL"


@dataclass(frozen=True)
class DjangoFieldFacts:
    """One field of a class body: `author = models.ForeignKey(Author, ...)`.

    Flags are None when not given, "?"-valued strings when not literal (read as unknown).
    """

    attr: str
    kind: str  # the field class's last name: ForeignKey, CharField, MyCustomField
    target: str | None = (
        None  # relation target as written: "Author", "app.Author", "self"
    )
    target_ref: str | None = None  # a class reference qualified through the imports
    related_name: str | None = None
    related_query_name: str | None = None
    db_column: str | None = None
    to_field: str | None = None
    through: str | None = None  # qualified or as written
    null: bool | None = None
    unique: bool | None = None
    primary_key: bool | None = None
    db_index: bool | None = None
    auto_now: bool | None = None
    auto_now_add: bool | None = None
    unreadable: bool = False  # `**kwargs` or a non-literal flag: treat as unknown


@dataclass(frozen=True)
class DjangoManagerFacts:
    """A manager assignment in a class body: `objects = X.as_manager()`, `objects =
    BookManager()`, `objects = Manager.from_queryset(BookQuerySet)()`.

    `manager` and `queryset` are qualified class names (None when not said); `unknown`
    when the right-hand side cannot be read as one of these spellings.
    """

    attr: str
    manager: str | None = None
    queryset: str | None = None
    unknown: bool = False


@dataclass(frozen=True)
class DjangoClassFacts:
    qualname: str
    name: str
    module: str
    bases: tuple[str, ...]  # qualified through the module's imports
    fields: tuple[DjangoFieldFacts, ...] = ()
    managers: tuple[DjangoManagerFacts, ...] = ()
    methods: tuple[str, ...] = ()  # the methods the class body defines itself
    has_meta: bool = False
    meta_bases: tuple[str, ...] = ()  # `class Meta(Parent.Meta)`, as written
    abstract: bool = False
    proxy: bool = False
    db_table: str | None = None  # "?" when not a literal
    app_label: str | None = None
    # Meta.ordering: None when not set here; ("?",) alone when not a literal list of
    # strings (an ordering that cannot be read orders in an unknown way).
    ordering: tuple[str, ...] | None = None
    unique_together: tuple[tuple[str, ...], ...] = ()
    # The fields each unique alone by a `UniqueConstraint` of `Meta.constraints` without
    # a condition or expressions (what Django's `Options.total_unique_constraints`
    # holds, of one field): None when this `Meta` sets no `constraints`, () when it sets
    # them but none such can be read.
    total_unique_fields: tuple[str, ...] | None = None
    # Declared under `if not is_model_registered("app", "Model"):` (django-oscar): a
    # project that forks the app declares its own class instead.
    forkable: bool = False
    # Every name the class body binds (fields, managers, methods, properties, plain
    # attributes, nested classes): what an instance already has under that name.
    attributes: tuple[str, ...] = ()
    # Meta.default_manager_name ("?" when not a literal string), None when not set here.
    default_manager_name: str | None = None


@dataclass(frozen=True)
class DjangoReceiverFacts:
    """A signal receiver: `signal` qualified (`django.db.models.signals.post_save`),
    `sender` qualified, or None when the receiver takes every sender."""

    signal: str
    sender: str | None
    module: str
    line: int


@dataclass(frozen=True)
class DjangoBindingFacts:
    """A module-level name bound to a model by Django's loading, or the user-model
    setting:

    - `User = get_user_model()`: kind "user_model";
    - `Product = get_model("catalogue", "Product")` (django-oscar's loader, Django's
      `apps.get_model`, also `get_model("catalogue.Product")`): kind "get_model", `value`
      the model's label ("catalogue.Product");
    - `AUTH_USER_MODEL = "users.User"` (a settings module): kind "setting", `value`
      the label.
    """

    module: str
    name: str
    kind: str
    value: str = ""


DjangoFacts = DjangoClassFacts | DjangoReceiverFacts | DjangoBindingFacts


@dataclass(frozen=True)
class DjangoModel:
    """What a Django model's `ModelInfo` carries beyond the neutral facts.

    `ordering`: the effective `Meta.ordering` (None: none; contains "?" when it cannot
    be read). `default_manager`: the manager `Model.objects` is (its attribute, its
    manager and QuerySet classes when the project defines them), `filtering_managers`:
    the managers whose `get_queryset` the project overrides (their rows may be a subset).
    `overrides`: (method, defining class) for `save` / `delete` the model or a project
    base defines. `receivers`: (signal, "module:line") of the receivers connected for it
    (or for every sender). `auto_now`: fields with `auto_now=True`.
    """

    app_label: str
    abstract: bool = False
    proxy: bool = False
    ordering: tuple[str, ...] | None = None
    managers: tuple[DjangoManagerFacts, ...] = ()
    filtering_managers: tuple[str, ...] = ()
    overrides: tuple[tuple[str, str], ...] = ()
    receivers: tuple[tuple[str, str], ...] = ()
    auto_now: tuple[str, ...] = ()
    # Manager attributes whose classes or QuerySets cannot be read (a library's, say).
    opaque_managers: tuple[str, ...] = ()
    # A project may replace the class with its own (`DjangoClassFacts.forkable`).
    forkable: bool = False
    # Fields unique alone by a total `UniqueConstraint` of the model's own `Meta` (as
    # Django inherits it: from abstract parents only), `DjangoClassFacts`' sense.
    total_unique_fields: tuple[str, ...] = ()
    # The names the model's class bodies bind, its own and its project bases'
    # (`DjangoClassFacts.attributes`); `bases_known`: every base is a project class or
    # Django's `Model`, so no other class adds names.
    attributes: tuple[str, ...] = ()
    bases_known: bool = False
    # Meta.default_manager_name as Django inherits it ("?": unreadable), None: not set.
    default_manager_name: str | None = None

    def manager_filters(self, attr: str) -> bool:
        """Whether `Model.<attr>` may return fewer rows than the table holds (or unknown)."""
        return attr in self.filtering_managers or attr in self.opaque_managers

    @property
    def ordering_known(self) -> bool:
        return self.ordering is None or "?" not in self.ordering


def mentions_django(text: str, module_name: str = "") -> bool:
    """Whether a file may hold Django models, managers or receivers: a cheap test before
    the `ast` walk. A module that names django, or any `models` module (django-oscar's
    concrete models subclass abstract ones from another module, naming no django), a
    module that loads models by name (`get_model(...)`), or a settings module that sets
    the user model."""
    return (
        "django" in text
        or "models" in module_name.split(".")
        or "get_model(" in text
        or _USER_MODEL_SETTING in text
    )


def extract_django(
    tree: ast.Module,
    module_name: str,
    is_package: bool = False,
    text: str | None = None,
) -> list[DjangoFacts]:
    """Facts about every module-level class and signal receiver of one module (`text`,
    when given, spares the walk for receivers in a module that names none)."""
    names = import_map(tree, module_name, is_package)
    facts: list[DjangoFacts] = []
    # Through module-level `if` / `try` blocks: django-oscar's concrete models are
    # defined under `if not is_model_registered(...)`.
    forkable = {
        id(inner)
        for stmt in tree.body
        if isinstance(stmt, ast.If) and _unless_registered(stmt.test)
        for inner in stmt.body
    }
    for stmt in module_statements(tree.body):
        if isinstance(stmt, ast.ClassDef) and stmt.bases:
            facts.append(
                _class_facts(stmt, module_name, names, forkable=id(stmt) in forkable)
            )
        elif (binding := _binding(stmt, module_name)) is not None:
            facts.append(binding)
    if text is None or "receiver" in text or ".connect(" in text:
        facts.extend(_receivers(tree, module_name, names))
    return facts


def _unless_registered(test: ast.expr) -> bool:
    """`not is_model_registered(...)`: django-oscar's guard for forkable models."""
    return (
        isinstance(test, ast.UnaryOp)
        and isinstance(test.op, ast.Not)
        and isinstance(test.operand, ast.Call)
        and called_name(test.operand.func) == "is_model_registered"
    )


def _qualify(dotted: str, module: str, names: dict[str, str]) -> str:
    first, dot, rest = dotted.partition(".")
    if first in names:
        return names[first] + dot + rest
    return f"{module}.{dotted}"


def _literal(node: ast.AST | None) -> object:
    if isinstance(node, ast.Constant):
        return node.value
    return _UNKNOWN


def _keywords(call: ast.Call) -> dict[str, ast.expr]:
    return {k.arg: k.value for k in call.keywords if k.arg is not None}


def _class_facts(
    node: ast.ClassDef, module: str, names: dict[str, str], forkable: bool = False
) -> DjangoClassFacts:
    bases = tuple(
        _qualify(dotted, module, names)
        for base in node.bases
        if (dotted := ast_dotted_name(base)) is not None
    )
    fields: list[DjangoFieldFacts] = []
    managers: list[DjangoManagerFacts] = []
    methods: list[str] = []
    meta: dict[str, object] = {}
    attributes = _class_body_names(node)
    for stmt in node.body:
        if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)):
            methods.append(stmt.name)
        elif isinstance(stmt, ast.ClassDef) and stmt.name == "Meta":
            meta = _meta(stmt)
        elif (target := _assigned_name(stmt)) is not None:
            value = stmt.value  # type: ignore[attr-defined]
            if isinstance(value, ast.Call):
                field = _field(target, value, module, names)
                if field is not None:
                    fields.append(field)
                    continue
                manager = _manager(target, value, module, names)
                if manager is not None:
                    managers.append(manager)
    return DjangoClassFacts(
        qualname=f"{module}.{node.name}",
        name=node.name,
        module=module,
        bases=bases,
        fields=tuple(fields),
        managers=tuple(managers),
        methods=tuple(methods),
        has_meta="present" in meta,
        meta_bases=meta.get("bases", ()),  # type: ignore[arg-type]
        abstract=meta.get("abstract") is True,
        proxy=meta.get("proxy") is True,
        db_table=meta.get("db_table"),  # type: ignore[arg-type]
        app_label=meta.get("app_label"),  # type: ignore[arg-type]
        ordering=meta.get("ordering"),  # type: ignore[arg-type]
        unique_together=meta.get("unique_together", ()),  # type: ignore[arg-type]
        total_unique_fields=meta.get("constraints"),  # type: ignore[arg-type]
        forkable=forkable,
        attributes=attributes,
        default_manager_name=meta.get("default_manager_name"),  # type: ignore[arg-type]
    )


def _class_body_names(node: ast.ClassDef) -> tuple[str, ...]:
    """The names a class body binds at its top level (not `Meta`)."""
    names = []
    for stmt in node.body:
        if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            if stmt.name != "Meta":
                names.append(stmt.name)
        elif isinstance(stmt, (ast.Assign, ast.AnnAssign, ast.AugAssign)):
            targets = stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target]
            for target in targets:
                names.extend(n.id for n in ast.walk(target) if isinstance(n, ast.Name))
    return tuple(dict.fromkeys(names))


def _binding(stmt: ast.stmt, module: str) -> DjangoBindingFacts | None:
    name = _assigned_name(stmt)
    if name is None:
        return None
    value = stmt.value  # type: ignore[attr-defined]
    if name == _USER_MODEL_SETTING:
        literal = _literal(value)
        if isinstance(literal, str) and literal.count(".") == 1:
            return DjangoBindingFacts(module, name, "setting", literal)
        return None  # `getattr(settings, "AUTH_USER_MODEL", ...)`: a read, no setting
    if not isinstance(value, ast.Call) or value.keywords:
        return None
    called = called_name(value.func)
    if called == "get_user_model" and not value.args:
        return DjangoBindingFacts(module, name, "user_model")
    if called == "get_model":
        label = _model_label(value.args)
        if label is not None:
            return DjangoBindingFacts(module, name, "get_model", label)
    return None


def _model_label(args: list[ast.expr]) -> str | None:
    """ "app.Model" from `get_model("app", "Model")` or `get_model("app.Model")`."""
    parts = [_literal(arg) for arg in args]
    if not all(isinstance(part, str) for part in parts):
        return None
    if len(parts) == 2 and "." not in parts[0] and "." not in parts[1]:  # type: ignore[operator]
        return f"{parts[0]}.{parts[1]}"
    if len(parts) == 1 and parts[0].count(".") == 1:  # type: ignore[union-attr]
        return parts[0]  # type: ignore[return-value]
    return None


def _assigned_name(stmt: ast.stmt) -> str | None:
    if (
        isinstance(stmt, ast.Assign)
        and len(stmt.targets) == 1
        and isinstance(stmt.targets[0], ast.Name)
    ):
        return stmt.targets[0].id
    if (
        isinstance(stmt, ast.AnnAssign)
        and isinstance(stmt.target, ast.Name)
        and stmt.value is not None
    ):
        return stmt.target.id
    return None


def _strings(node: ast.AST) -> tuple[str, ...] | None:
    """A literal list/tuple of strings, else None."""
    if not isinstance(node, (ast.List, ast.Tuple)):
        return None
    if all(
        isinstance(element, ast.Constant) and isinstance(element.value, str)
        for element in node.elts
    ):
        return tuple(element.value for element in node.elts)  # type: ignore[attr-defined]
    return None


def _meta(node: ast.ClassDef) -> dict[str, object]:
    meta: dict[str, object] = {
        "present": True,
        "bases": tuple(
            dotted for base in node.bases if (dotted := ast_dotted_name(base))
        ),
    }
    for stmt in node.body:
        target = _assigned_name(stmt)
        if target is None:
            continue
        value = stmt.value  # type: ignore[attr-defined]
        if target in ("abstract", "proxy"):
            meta[target] = _literal(value) is True or (
                _UNKNOWN if not isinstance(value, ast.Constant) else False
            )
        elif target in ("db_table", "app_label", "default_manager_name"):
            literal = _literal(value)
            meta[target] = literal if isinstance(literal, str) else _UNKNOWN
        elif target == "ordering":
            meta[target] = _strings(value) or (
                ()
                if isinstance(value, (ast.List, ast.Tuple)) and not value.elts
                # A name, a call or a list holding expressions (`F("x").asc()`):
                # ordered, but in a way not read here.
                else (_UNKNOWN,)
            )
        elif target == "constraints":
            meta[target] = _total_unique_fields(value)
        elif target == "unique_together":
            single = _strings(value)
            if single is not None:
                meta[target] = (single,)
            elif isinstance(value, (ast.List, ast.Tuple)):
                meta[target] = tuple(
                    group
                    for element in value.elts
                    if (group := _strings(element)) is not None
                )
    return meta


def _total_unique_fields(value: ast.expr) -> tuple[str, ...]:
    """The fields `Meta.constraints` makes unique alone for every row:
    `UniqueConstraint(fields=["slug"], name=...)` without `condition` or expressions
    (a partial or functional constraint is none Django's `in_bulk()` accepts). A
    constraint list that is not a literal shows none."""
    if not isinstance(value, (ast.List, ast.Tuple)):
        return ()
    found = []
    for element in value.elts:
        if not (
            isinstance(element, ast.Call)
            and called_name(element.func) == "UniqueConstraint"
            and not element.args
            and all(k.arg is not None for k in element.keywords)
        ):
            continue
        keywords = _keywords(element)
        fields = _strings(keywords["fields"]) if "fields" in keywords else None
        if (
            fields is not None
            and len(fields) == 1
            and "condition" not in keywords
            and "expressions" not in keywords
        ):
            found.append(fields[0])
    return tuple(found)


def _field(
    attr: str, call: ast.Call, module: str, names: dict[str, str]
) -> DjangoFieldFacts | None:
    kind = called_name(call.func)
    if not (kind.endswith(("Field", "ForeignKey"))):
        return None
    if kind in _NOT_COLUMNS:
        return DjangoFieldFacts(attr=attr, kind=kind)
    keywords = _keywords(call)
    unreadable = any(k.arg is None for k in call.keywords)
    flags: dict[str, bool | None] = {}
    for flag in _FLAGS:
        if flag in keywords:
            value = _literal(keywords[flag])
            if isinstance(value, bool):
                flags[flag] = value
            else:
                unreadable = True
    target = target_ref = through = None
    relation = kind in RELATION_FIELDS or kind.endswith("ForeignKey")
    if relation:
        written = call.args[0] if call.args else keywords.get("to")
        if isinstance(written, ast.Constant) and isinstance(written.value, str):
            target = written.value
        elif (
            isinstance(written, ast.Call)
            and called_name(written.func) == "get_user_model"
        ):
            target = target_ref = USER_MODEL_REF
        elif written is not None and (dotted := ast_dotted_name(written)):
            target = dotted
            target_ref = _qualify(dotted, module, names)
        if "through" in keywords:
            through_node = keywords["through"]
            if isinstance(through_node, ast.Constant):
                through = str(through_node.value)
            elif dotted := ast_dotted_name(through_node):
                through = _qualify(dotted, module, names)
    return DjangoFieldFacts(
        attr=attr,
        kind=kind,
        target=target,
        target_ref=target_ref,
        related_name=_text(keywords.get("related_name")),
        related_query_name=_text(keywords.get("related_query_name")),
        db_column=_text(keywords.get("db_column")),
        to_field=_text(keywords.get("to_field")),
        through=through,
        unreadable=unreadable,
        **flags,
    )


def _text(node: ast.AST | None) -> str | None:
    if node is None:
        return None
    value = _literal(node)
    return value if isinstance(value, str) else _UNKNOWN


def _manager(
    attr: str, call: ast.Call, module: str, names: dict[str, str]
) -> DjangoManagerFacts | None:
    func = call.func
    # `X.as_manager()`
    if isinstance(func, ast.Attribute) and func.attr == "as_manager":
        dotted = ast_dotted_name(func.value)
        return DjangoManagerFacts(
            attr,
            queryset=_qualify(dotted, module, names) if dotted else None,
            unknown=dotted is None,
        )
    # `Manager.from_queryset(QS)()` / `Manager.from_queryset(QS)(...)`
    if (
        isinstance(func, ast.Call)
        and isinstance(func.func, ast.Attribute)
        and func.func.attr == "from_queryset"
    ):
        manager = ast_dotted_name(func.func.value)
        queryset = ast_dotted_name(func.args[0]) if func.args else None
        return DjangoManagerFacts(
            attr,
            manager=_qualify(manager, module, names) if manager else None,
            queryset=_qualify(queryset, module, names) if queryset else None,
            unknown=manager is None or queryset is None,
        )
    dotted = ast_dotted_name(func)
    if dotted is not None and dotted.rsplit(".", 1)[-1].endswith("Manager"):
        return DjangoManagerFacts(attr, manager=_qualify(dotted, module, names))
    return None


_SIGNAL_MODULES = ("django.db.models.signals.", "django.db.models.")


def _receivers(
    tree: ast.Module, module: str, names: dict[str, str]
) -> list[DjangoReceiverFacts]:
    # The walk below, in its order, only where a receiver it finds gives a fact: the
    # same tests on the nodes the index holds first. (Testing for any decorated
    # function instead, a `@property` sent most model modules through the walk; and
    # a project's `@receiver(...)` of its own signals, which give no fact, sent
    # pretix's signal modules through it.)
    if not any(
        _decorator_facts(node, decorator, module, names)
        for node in nodes_of(tree, ast.FunctionDef, ast.AsyncFunctionDef)
        for decorator in node.decorator_list
    ) and not any(
        _connect_facts(node, module, names) for node in nodes_of(tree, ast.Call)
    ):
        return []
    found: list[DjangoReceiverFacts] = []
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            for decorator in node.decorator_list:
                found.extend(_decorator_facts(node, decorator, module, names))
        else:
            found.extend(_connect_facts(node, module, names))
    return found


def _decorator_facts(
    function: ast.FunctionDef | ast.AsyncFunctionDef,
    decorator: ast.expr,
    module: str,
    names: dict[str, str],
) -> list[DjangoReceiverFacts]:
    """The receivers `@receiver(signal_or_signals, sender=...)` connects, if it is one."""
    if not _receiver_decorator(decorator):
        return []
    signals = decorator.args[0]  # type: ignore[attr-defined]
    elements = signals.elts if isinstance(signals, (ast.List, ast.Tuple)) else [signals]
    sender = _keywords(decorator).get("sender")  # type: ignore[arg-type]
    return [
        fact
        for signal in elements
        for fact in _receiver(signal, sender, module, names, function.lineno)
    ]


def _connect_facts(
    node: ast.AST, module: str, names: dict[str, str]
) -> list[DjangoReceiverFacts]:
    """The receiver `signal.connect(f, sender=...)` connects, if `node` is one."""
    if not _connects(node):
        return []
    sender = _keywords(node).get("sender")  # type: ignore[arg-type]
    return _receiver(node.func.value, sender, module, names, node.lineno)  # type: ignore[attr-defined]


def _receiver_decorator(decorator: ast.expr) -> bool:
    """`@receiver(signal, ...)`"""
    return (
        isinstance(decorator, ast.Call)
        and called_name(decorator.func) == "receiver"
        and bool(decorator.args)
    )


def _connects(node: ast.AST) -> bool:
    """`signal.connect(...)`"""
    return (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == "connect"
    )


def _receiver(
    signal: ast.AST,
    sender: ast.AST | None,
    module: str,
    names: dict[str, str],
    line: int,
) -> list[DjangoReceiverFacts]:
    dotted = ast_dotted_name(signal)
    if dotted is None:
        return []
    qualified = _qualify(dotted, module, names)
    last = qualified.rsplit(".", 1)[-1]
    if not qualified.startswith(_SIGNAL_MODULES) and last not in _MODEL_SIGNALS:
        return []  # another signal (a project's own, request_started, ...)
    sender_name = None
    if sender is not None:
        written = ast_dotted_name(sender)
        # A sender that is no plain class reference (`get_model(...)`, a string): it
        # may be any model.
        sender_name = _qualify(written, module, names) if written else None
    signal_name = f"django.db.models.signals.{last}"
    return [DjangoReceiverFacts(signal_name, sender_name, module, line)]


_MODEL_SIGNALS = {
    "pre_init",
    "post_init",
    "pre_save",
    "post_save",
    "pre_delete",
    "post_delete",
    "m2m_changed",
}
