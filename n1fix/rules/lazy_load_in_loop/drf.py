"""lazy-load-in-loop in Django REST framework: a list view serializes each row of its
`queryset` with a `ModelSerializer` whose fields read relations the queryset does not load.

    class BookViewSet(viewsets.ModelViewSet):
        queryset = Book.objects.all()          # -> Book.objects.select_related("author")
        serializer_class = BookSerializer

    class BookSerializer(serializers.ModelSerializer):
        author = AuthorSerializer()                          # select_related("author")
        publisher = serializers.CharField(source="author.publisher.name")
                                                             # select_related("author__publisher")
        tags = TagSerializer(many=True)                      # prefetch_related("tags")
        class Meta:
            model = Book
            fields = ["title", "author", "publisher", "tags", "shelves"]
                                                             # shelves, a many-to-many:
                                                             # prefetch_related("shelves")

Read per row: a nested serializer (`many=True`: a to-many relation), a field's dotted
`source` through foreign keys, `StringRelatedField` / `SlugRelatedField` (the related
object itself), `PrimaryKeyRelatedField(many=True)` and the like, and a to-many relation
`Meta.fields` names without declaring it (ModelSerializer makes it a
`PrimaryKeyRelatedField(many=True)`, which runs `.all()` per row). A single
`PrimaryKeyRelatedField` reads the foreign key column only: no query.

Only DRF's own list views are read (`ListAPIView`, `ListCreateAPIView`, `ModelViewSet`,
`ReadOnlyModelViewSet`) with a `queryset` and a `serializer_class` as class attributes and
neither `get_serializer` nor `list` overridden (a `get_queryset` whose every return starts
from `super().get_queryset()`: what its calls load counts too; a `get_serializer_class`
returning serializers by name: each is read, and the fix is unsafe);
the serializer is a `ModelSerializer` of the queryset's model, in this module or one the
view imports, with no `depth` and no `to_representation` of its own. Each relation read is
a finding on the view's `queryset`, with the `select_related` / `prefetch_related` the
Django dialect writes there.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable

import libcst as cst

from n1fix.analysis.row_sources import row_source
from n1fix.cst.chains import dotted_name
from n1fix.cst.syntax import walk
from n1fix.orm.dialect import MANY_TO_ONE, Loading, ManagerRead
from n1fix.rules.lazy_load_in_loop.gate import LIST_VIEWS

_OWN_ROWS = {"get_queryset", "get_serializer_class", "get_serializer", "list"}
_MODEL_SERIALIZERS = {"ModelSerializer", "HyperlinkedModelSerializer"}
# Related fields that read the related object (not only its key) when not `many`.
_OBJECT_FIELDS = {"StringRelatedField", "SlugRelatedField"}
# Related fields that, with `many=True`, run `.all()` on the relation per row.
_MANY_FIELDS = {
    "StringRelatedField",
    "SlugRelatedField",
    "PrimaryKeyRelatedField",
    "HyperlinkedRelatedField",
    "ManyRelatedField",
}


@dataclass(frozen=True)
class FieldRead:
    """A serializer field that reads `path` (relation names) per row."""

    path: tuple[str, ...]
    field: str  # the serializer field's name
    how: str  # words for the finding


def find_drf(ctx, rule, loop_finding) -> Iterable:
    """Findings for the list views of this module. `loop_finding(source, read_path,
    relationships, loop_node, message)` builds the finding the way the loop rule does."""
    for statement in ctx.module.body:
        if isinstance(statement, cst.ClassDef) and _is_list_view(statement):
            yield from _check_view(ctx, statement, loop_finding)


def _is_list_view(cls: cst.ClassDef) -> bool:
    names = [(dotted_name(base.value) or "").rsplit(".", 1)[-1] for base in cls.bases]
    return any(name in LIST_VIEWS for name in names) and all(
        name in LIST_VIEWS or name.endswith("Mixin") for name in names
    )


def _class_attributes(cls: cst.ClassDef):
    assigned: dict[str, cst.BaseExpression] = {}
    methods: set[str] = set()
    for statement in cls.body.body:
        if isinstance(statement, cst.FunctionDef):
            methods.add(statement.name.value)
        elif isinstance(statement, cst.SimpleStatementLine):
            for small in statement.body:
                if isinstance(small, cst.Assign) and len(small.targets) == 1:
                    target = small.targets[0].target
                    if isinstance(target, cst.Name):
                        assigned[target.value] = small.value
                elif (
                    isinstance(small, cst.AnnAssign)
                    and isinstance(small.target, cst.Name)
                    and small.value is not None
                ):
                    assigned[small.target.value] = small.value
    return assigned, methods


def _check_view(ctx, view: cst.ClassDef, loop_finding) -> Iterable:
    assigned, methods = _class_attributes(view)
    if methods & _OWN_ROWS - {"get_queryset", "get_serializer_class"}:
        return
    defs = {s.name.value: s for s in view.body.body if isinstance(s, cst.FunctionDef)}
    queryset = assigned.get("queryset")
    if queryset is None:
        return
    narrowed = []  # what `get_queryset` returns: the class's queryset, and more calls
    if "get_queryset" in defs:
        narrowed = _narrowed_sources(ctx, defs["get_queryset"], queryset, view)
        if narrowed is None:
            return
    names = _serializer_names(assigned, defs.get("get_serializer_class"))
    if not names:
        return
    chosen = "get_serializer_class" in defs
    source = row_source(ctx, queryset, [ctx.module, view], follow=False)
    if source is None or source.options.opaque:
        return
    seen: set[tuple[str, ...]] = set()
    for serializer_name in names:
        serializer = _serializer_class(ctx, serializer_name)
        if serializer is None:
            continue
        reads = _serializer_reads(ctx, serializer, source.model)
        for read in reads or ():
            if read.path in seen:
                continue
            relationships = _relationships(ctx, source.model, read.path)
            if relationships is None:
                continue
            loadings = [
                ctx.orm.loading(source.options, read.path[:k], rel)
                for k, rel in enumerate(relationships, start=1)
            ]
            if loadings[-1] is not Loading.LAZY or any(
                _method_loads(ctx, source, rows, read.path, relationships)
                for rows in narrowed
            ):
                continue
            seen.add(read.path)
            message = (
                f"`{serializer_name}.{read.field}` ({read.how}) reads"
                f" `{'.'.join(read.path)}` once per row of `{view.name.value}`'s list"
                " (1 + N round trips)"
            )
            unsafe = (
                f"`{view.name.value}.get_serializer_class()` chooses the serializer per"
                f" request: the queryset loads `{'.'.join(read.path)}` for every"
                " request, also those whose serializer does not read it"
                if chosen
                else None
            )
            yield from loop_finding(
                source, read.path, relationships, loadings, queryset, message, unsafe
            )


def _narrowed_sources(ctx, method: cst.FunctionDef, queryset, view) -> list | None:
    """The rows of each `return` of `get_queryset` when every one starts from
    `super().get_queryset()` (the class's `queryset`, narrowed): that return read with
    the `queryset` in place of the call, so that what it loads is seen
    (`super().get_queryset().prefetch_related("tags")`). None otherwise: the view's
    rows are its own."""
    returns = [n for n in walk(method.body) if isinstance(n, cst.Return)]
    if not returns:
        return None
    sources = []
    for ret in returns:
        call = _super_queryset(ret.value)
        if call is None:
            return None
        rows = row_source(
            ctx, ret.value.visit(_Replace(call, queryset)), [ctx.module, view], False
        )
        if rows is None or rows.options.opaque:
            return None
        sources.append(rows)
    return sources


def _keeps_queryset(method: cst.FunctionDef) -> bool:
    """`get_queryset` whose every `return` starts from `super().get_queryset()`: the
    class's `queryset`, narrowed."""
    returns = [n for n in walk(method.body) if isinstance(n, cst.Return)]
    return bool(returns) and all(_super_queryset(r.value) is not None for r in returns)


def _super_queryset(value: cst.BaseExpression | None) -> cst.Call | None:
    """The `super().get_queryset()` call a returned chain starts from."""
    base = value
    while isinstance(base, cst.Call) and isinstance(base.func, cst.Attribute):
        if (
            base.func.attr.value == "get_queryset"
            and isinstance(base.func.value, cst.Call)
            and isinstance(base.func.value.func, cst.Name)
            and base.func.value.func.value == "super"
        ):
            return base
        base = base.func.value
    return None


class _Replace(cst.CSTTransformer):
    def __init__(self, old: cst.CSTNode, new: cst.CSTNode) -> None:
        self.old, self.new = old, new

    def on_leave(self, original, updated):
        return self.new if original is self.old else updated


def _method_loads(ctx, source, rows, path: tuple[str, ...], relationships) -> bool:
    """Does `get_queryset` (its returned `rows`) load the read at `path`, or a relation
    on its way, that the class's queryset (`source`) does not? There the loading is the
    method's own: n1fix adds none to the class's queryset, where a second lookup of the
    same relation may clash with it."""
    return any(
        ctx.orm.loading(rows.options, path[:k], rel) is not Loading.LAZY
        and ctx.orm.loading(source.options, path[:k], rel) is Loading.LAZY
        for k, rel in enumerate(relationships, start=1)
    )


def _serializer_names(assigned, chooser: cst.FunctionDef | None) -> list[str]:
    """The serializers a view may use: its `serializer_class`, and each class its
    `get_serializer_class` returns by name (`super()`'s: the `serializer_class`)."""
    names = []
    ref = assigned.get("serializer_class")
    if isinstance(ref, cst.Name):
        names.append(ref.value)
    if chooser is None:
        return names
    for ret in (n for n in walk(chooser.body) if isinstance(n, cst.Return)):
        if isinstance(ret.value, cst.Name):
            names.append(ret.value.value)
        elif not (
            isinstance(ret.value, cst.Call)
            and isinstance(ret.value.func, cst.Attribute)
            and ret.value.func.attr.value == "get_serializer_class"
        ):
            return []  # a serializer n1fix cannot name
    return list(dict.fromkeys(names))


def _serializer_class(ctx, name: str) -> cst.ClassDef | None:
    """The serializer class `name` names: defined in this module, or imported from a
    module of the project."""
    qualified = ctx.imports.get(name)
    module = ctx.module
    if qualified is not None:
        module_name, _, name = qualified.rpartition(".")
        module = ctx.project_module(module_name)
        if module is None:
            return None
    found = [
        s for s in module.body if isinstance(s, cst.ClassDef) and s.name.value == name
    ]
    return found[0] if len(found) == 1 else None


def _serializer_reads(ctx, serializer: cst.ClassDef, model) -> list[FieldRead] | None:
    """What the serializer reads per row, or None when n1fix cannot tell (not a plain
    ModelSerializer of `model`)."""
    bases = [
        (dotted_name(base.value) or "").rsplit(".", 1)[-1] for base in serializer.bases
    ]
    if not bases or any(base not in _MODEL_SERIALIZERS for base in bases):
        return None
    assigned, methods = _class_attributes(serializer)
    if "to_representation" in methods:
        return None
    meta = next(
        (
            s
            for s in serializer.body.body
            if isinstance(s, cst.ClassDef) and s.name.value == "Meta"
        ),
        None,
    )
    if meta is None:
        return None
    meta_assigned, _ = _class_attributes(meta)
    meta_model = meta_assigned.get("model")
    if meta_model is None or "depth" in meta_assigned:
        return None
    if (dotted_name(meta_model) or "").rsplit(".", 1)[-1] != model.name:
        return None
    reads: list[FieldRead] = []
    declared: set[str] = set()
    for name, value in assigned.items():
        if not isinstance(value, cst.Call):
            continue
        declared.add(name)
        read = _field_read(ctx, name, value, model)
        if read is not None:
            reads.append(read)
    fields = _meta_fields(meta_assigned)
    if fields is None:
        return reads
    for name in fields:
        if name in declared:
            continue
        rel = model.relationship(name)
        if rel is not None and ctx.orm.manager_read(rel, "all") is ManagerRead.ROWS:
            reads.append(
                FieldRead((name,), name, "a to-many relation in `Meta.fields`")
            )
    return reads


def _meta_fields(meta: dict[str, cst.BaseExpression]) -> list[str] | None:
    fields = meta.get("fields")
    if isinstance(fields, (cst.List, cst.Tuple)):
        names = [
            e.value.evaluated_value
            for e in fields.elements
            if isinstance(e.value, cst.SimpleString)
        ]
        return [str(n) for n in names]
    return None  # "__all__", `exclude`, or not a literal: only declared fields are read


def _keyword(call: cst.Call, name: str) -> cst.BaseExpression | None:
    return next(
        (
            a.value
            for a in call.args
            if a.keyword is not None and a.keyword.value == name
        ),
        None,
    )


def _field_read(ctx, name: str, call: cst.Call, model) -> FieldRead | None:
    kind = (dotted_name(call.func) or "").rsplit(".", 1)[-1]
    if kind == "SerializerMethodField":
        return None
    many = _keyword(call, "many")
    is_many = isinstance(many, cst.Name) and many.value == "True"
    if many is not None and not isinstance(many, cst.Name):
        return None
    source_value = _keyword(call, "source")
    if source_value is not None:
        if not isinstance(source_value, cst.SimpleString):
            return None
        source = str(source_value.evaluated_value)
        if source == "*":
            return None
    else:
        source = name
    steps = source.split(".")
    path = _foreign_key_prefix(ctx, model, steps)
    last_rel = _relationship_at(ctx, model, steps)
    if (
        kind.endswith("Serializer")
        or kind in _OBJECT_FIELDS
        or (is_many and kind in _MANY_FIELDS)
    ):
        if last_rel is None:
            return None
        if is_many != (ctx.orm.manager_read(last_rel, "all") is ManagerRead.ROWS):
            return None  # `many` does not match the relation: n1fix reads it wrong
        path = tuple(steps)
        how = "a nested serializer" if kind.endswith("Serializer") else f"a `{kind}`"
        return FieldRead(path, name, how + (", many=True" if is_many else ""))
    if (
        last_rel is not None
        and len(path) == len(steps) - 1
        and last_rel.uselist is False
        and last_rel.lazy == "select"
    ):
        path = tuple(steps)  # `source="author.publisher"`: the object itself, as text
    if len(steps) > 1 and path:
        return FieldRead(path, name, f'`source="{source}"`')
    return None


def _relationship_at(ctx, model, steps: list[str]):
    """The relationship the whole dotted path ends at, through foreign keys."""
    current = model
    rel = None
    for i, step in enumerate(steps):
        if current is None:
            return None
        rel = current.relationship(step)
        if rel is None:
            return None
        if i < len(steps) - 1:
            if rel.direction != MANY_TO_ONE or rel.uselist is not False:
                return None
            current = ctx.project.models.get(rel.target) if rel.target else None
    return rel


def _foreign_key_prefix(ctx, model, steps: list[str]) -> tuple[str, ...]:
    """The foreign key steps a dotted `source` goes through before its last attribute."""
    path: tuple[str, ...] = ()
    current = model
    for step in steps[:-1]:
        rel = current.relationship(step) if current is not None else None
        if rel is None or rel.uselist is not False or rel.lazy != "select":
            break
        path += (step,)
        current = ctx.project.models.get(rel.target) if rel.target else None
    return path


def _relationships(ctx, model, path: tuple[str, ...]):
    rels = []
    current = model
    for step in path:
        rel = current.relationship(step) if current is not None else None
        if rel is None:
            return None
        rels.append(rel)
        current = ctx.project.models.get(rel.target) if rel.target else None
    return tuple(rels)
