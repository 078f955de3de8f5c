"""The project's Django models, joined from the per-file facts of `n1fix.orm.django_facts`.

`django_models(facts, modules)` works out which classes are models (their bases lead,
through the project's classes, to `django.db.models.Model`), merges what abstract and
concrete parents contribute, and fills the neutral types every dialect shares:

- each concrete field is a `ColumnInfo` under its `attname` (`author_id` for the
  `ForeignKey` `author`; the primary key is the field with `primary_key=True`, else the
  implicit `id`, or `<parent>_ptr_id` for multi-table inheritance);
- a `ForeignKey` / `OneToOneField` is a MANY_TO_ONE `RelationshipInfo` (foreign key
  attribute: its `attname`), and its reverse on the target (`related_name`, else
  `<model>_set`, `<model>` for a one-to-one; none for a `+` name) is ONE_TO_MANY;
- a `ManyToManyField` is MANY_TO_MANY both ways (`secondary`: the join table).

Related managers (a reverse `ForeignKey`, both ends of a `ManyToManyField`) return a
query object rather than loading anything when read: their `lazy` is "dynamic", as for
SQLAlchemy's `lazy="dynamic"`. A forward `ForeignKey` / one-to-one loads on first read
(`lazy="select"`).

What only Django has (ordering, managers, `save()` / `delete()` overrides, signal
receivers, `auto_now` fields) goes into `ModelInfo.django` (`DjangoModel`).

Facts that cannot be read are recorded on the safe side, as for SQLAlchemy: a field with
`**kwargs` is nullable and not unique, an unreadable `Meta.ordering` is "?", a manager of
a library's class may filter.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from n1fix.orm.django_contrib import (
    CONTRIB_MODELS,
    STOCK_CONTRIB_MANAGERS,
    USER,
    contrib_classes,
    contrib_modules,
)
from n1fix.orm.django_facts import (
    RELATION_FIELDS,
    USER_MODEL_REF,
    DjangoBindingFacts,
    DjangoClassFacts,
    DjangoFacts,
    DjangoFieldFacts,
    DjangoManagerFacts,
    DjangoModel,
    DjangoReceiverFacts,
)
from n1fix.orm.model_facts import ModelFacts, ModuleFacts
from n1fix.orm.models import (
    MANY_TO_MANY,
    MANY_TO_ONE,
    ONE_TO_MANY,
    ColumnInfo,
    ModelIndex,
    ModelInfo,
    RelationshipInfo,
    _Symbols,
)

__all__ = ["django_models", "with_django_models"]

_MODEL_BASES = {"django.db.models.Model", "django.db.models.base.Model"}
_STOCK_MANAGERS = {
    "django.db.models.Manager",
    "django.db.models.manager.Manager",
    "django.db.models.QuerySet",
    "django.db.models.query.QuerySet",
    *STOCK_CONTRIB_MANAGERS,
}
# QuerySet methods a batch query or a bulk write relies on: a project QuerySet or manager
# overriding one of them makes its manager's answers unknown.
_QUERYSET_CORE = {
    "create",
    "bulk_create",
    "bulk_update",
    "update",
    "delete",
    "filter",
    "get",
    "in_bulk",
    "count",
    "values",
    "annotate",
    "order_by",
    "iterator",
    "_fetch_all",
    "__iter__",
    "all",
}
_WRITE_METHODS = ("save", "delete")


def with_django_models(
    index: ModelIndex, facts: Iterable[DjangoFacts], modules: Iterable[ModelFacts]
) -> ModelIndex:
    """`index` with the project's Django models added (`modules`: the SQLAlchemy facts,
    whose `ModuleFacts` say what each module's names stand for)."""
    facts = list(facts)
    if not any(isinstance(f, (DjangoClassFacts, DjangoBindingFacts)) for f in facts):
        return index
    models, aliases = django_models(facts, modules)
    if not models:
        return index
    return ModelIndex(
        {**index.models, **models},
        {**index.aliases, **aliases},
        index.session_query_classes,
        session_listeners=index.session_listeners,
        normalised_values=index.normalised_values,
    )


def django_models(
    facts: Iterable[DjangoFacts], modules: Iterable[ModelFacts] = ()
) -> tuple[dict[str, ModelInfo], dict[str, str]]:
    """The Django models of the project by qualified name, and other names they go by."""
    return _Builder(facts, modules).build()


@dataclass
class _Draft:
    facts: DjangoClassFacts
    app_label: str
    table: str
    fields: dict[str, tuple[DjangoFieldFacts, str]] = field(default_factory=dict)
    parent: str | None = None  # the concrete parent model (multi-table inheritance)
    columns: dict[str, ColumnInfo] = field(default_factory=dict)
    relationships: dict[str, RelationshipInfo] = field(default_factory=dict)


class _Builder:
    def __init__(
        self, facts: Iterable[DjangoFacts], modules: Iterable[ModelFacts]
    ) -> None:
        self.classes: dict[str, DjangoClassFacts] = {}
        self.receivers: list[DjangoReceiverFacts] = []
        self.bindings: list[DjangoBindingFacts] = []
        for fact in facts:
            if isinstance(fact, DjangoClassFacts):
                self.classes[fact.qualname] = fact
            elif isinstance(fact, DjangoBindingFacts):
                self.bindings.append(fact)
            else:
                self.receivers.append(fact)
        self.modules = {
            m.module: dict(m.names) for m in modules if isinstance(m, ModuleFacts)
        }
        self.project_modules = set(self.modules)
        # Django's own models, for the projects that use them (a project that defines
        # a class of the same qualified name keeps its own).
        for contrib in contrib_classes():
            self.classes.setdefault(contrib.qualname, contrib)
        for module in contrib_modules():
            self.modules.setdefault(module.module, dict(module.names))
        self.symbols = _Symbols(self.classes, self.modules)
        self._is_model: dict[str, bool] = {}
        self.drafts: dict[str, _Draft] = {}

    # -- which classes are models ----------------------------------------------------

    def bases(self, qualname: str) -> list[str]:
        facts = self.classes[qualname]
        return [self.symbols.canonical(base, facts.module) for base in facts.bases]

    def is_model(self, qualname: str) -> bool:
        if qualname not in self._is_model:
            self._is_model[qualname] = False  # a cycle is no model
            self._is_model[qualname] = any(
                base in _MODEL_BASES or (base in self.classes and self.is_model(base))
                for base in self.bases(qualname)
            )
        return self._is_model[qualname]

    def lineage(self, qualname: str) -> list[str]:
        """The project classes `qualname` inherits from, nearest first (a simple MRO)."""
        order: list[str] = []
        pending = [qualname]
        while pending:
            current = pending.pop(0)
            if current in order or current not in self.classes:
                continue
            order.append(current)
            pending.extend(self.bases(current))
        return order

    # -- fields ----------------------------------------------------------------------

    def _fields(
        self, qualname: str
    ) -> tuple[dict[str, tuple[DjangoFieldFacts, str]], str | None]:
        """Field name -> (facts, the class that declares it), and the concrete parent.

        Fields come from the model and its model parents (abstract ones contribute
        copies, concrete ones their own table's fields); a plain mixin's are not fields.
        """
        fields: dict[str, tuple[DjangoFieldFacts, str]] = {}
        for owner in reversed(self.lineage(qualname)):
            if owner != qualname and not self.is_model(owner):
                continue
            for field_facts in self.classes[owner].fields:
                fields[field_facts.attr] = (field_facts, owner)
        parents = [
            base
            for base in self.bases(qualname)
            if base in self.classes
            and self.is_model(base)
            and not self.classes[base].abstract
        ]
        return fields, parents[0] if parents else None

    def _app_label(self, facts: DjangoClassFacts) -> str:
        if facts.app_label and facts.app_label != "?":
            return facts.app_label
        parts = facts.module.split(".")
        if "models" in parts:
            index = len(parts) - 1 - parts[::-1].index("models")
            if index > 0:
                return parts[index - 1]
        return parts[-2] if len(parts) > 1 else parts[0]

    def _meta(self, qualname: str, option: str) -> object:
        """A `Meta` option as Django inherits it: from the model's own `Meta`, else from an
        abstract parent's (unless the model declares a `Meta` of its own that does not
        subclass it), else `ordering` from a concrete parent."""
        facts = self.classes[qualname]
        own = getattr(facts, option)
        if own is not None:
            return own
        for base in self.bases(qualname):
            if base not in self.classes or not self.is_model(base):
                continue
            parent = self.classes[base]
            if parent.abstract:
                if facts.has_meta and not facts.meta_bases:
                    continue
                inherited = self._meta(base, option)
            elif option == "ordering":
                inherited = self._meta(base, option)
            else:
                continue
            if inherited is not None:
                return inherited
        return None

    # -- Django's own models ---------------------------------------------------------

    def _user_settings(self) -> set[str]:
        """The `AUTH_USER_MODEL` labels the project's settings modules set."""
        return {b.value for b in self.bindings if b.kind == "setting"}

    def _contrib_models(self) -> set[str]:
        """The contrib models the project uses: imported, named as a relation's target
        (also through its user model's bases: `PermissionsMixin.groups`), or its user
        model; none whose class name a model of the project's own has (`Group.objects`
        would then name either), and no `auth.User` the settings swap out."""
        contrib = {c.qualname for c in contrib_classes()}
        own = [
            q
            for q in self.classes
            if q not in contrib and self.is_model(q) and not self.classes[q].abstract
        ]
        taken = {self.classes[q].name for q in own}
        by_label = {label.lower(): q for q, label in CONTRIB_MODELS.items()}
        settings = self._user_settings()
        user_is_contrib = not settings or {s.lower() for s in settings} == {"auth.user"}
        wanted: set[str] = set()
        for module in self.project_modules:
            for qualified in self.modules[module].values():
                found = self.symbols.canonical(qualified, module)
                if found in CONTRIB_MODELS:
                    wanted.add(found)
        if user_is_contrib and any(b.kind == "user_model" for b in self.bindings):
            wanted.add(USER)
        pending = list(own) + sorted(wanted)
        seen: set[str] = set()
        while pending:
            qualname = pending.pop()
            if qualname in seen:
                continue
            seen.add(qualname)
            for facts, _ in self._fields(qualname)[0].values():
                target: str | None = None
                if facts.target_ref is not None:
                    target = self.symbols.canonical(
                        facts.target_ref, self.classes[qualname].module
                    )
                    if target.rsplit(".", 1)[-1] == "AUTH_USER_MODEL":
                        target = USER if user_is_contrib else None
                elif facts.target is not None:
                    target = by_label.get(facts.target.lower())
                if target in CONTRIB_MODELS and target not in wanted:
                    wanted.add(target)
                    pending.append(target)
        return {
            q
            for q in wanted
            if self.classes[q].name not in taken and (q != USER or user_is_contrib)
        }

    def _user_model(self) -> str | None:
        """The model `get_user_model()` and `settings.AUTH_USER_MODEL` stand for: the
        one the project's settings name, else `auth.User` (Django's default); None when
        the settings name several or one n1fix cannot find."""
        settings = self._user_settings()
        if not settings:
            return USER if USER in self.drafts else None
        if len(settings) > 1:
            return None
        return self._by_model_label(settings.pop())

    def _by_model_label(self, label: str) -> str | None:
        """The model of "app_label.Model"; an app's label may be set in its `AppConfig`
        (pretix's "pretixbase"), which is not read: else the one model of that name."""
        app_label, _, name = label.partition(".")
        found = self._by_label.get((app_label.lower(), name.lower()))
        if found is None:
            candidates = self._by_name.get(name, [])
            found = candidates[0] if len(candidates) == 1 else None
        return found

    # -- build -----------------------------------------------------------------------

    def build(self) -> tuple[dict[str, ModelInfo], dict[str, str]]:
        contrib = self._contrib_models()
        for qualname, facts in sorted(self.classes.items()):
            if not self.is_model(qualname) or facts.abstract:
                continue
            if qualname in CONTRIB_MODELS and qualname not in contrib:
                continue
            app_label = self._app_label(facts)
            db_table = facts.db_table
            table = (
                db_table
                if db_table and db_table != "?"
                else f"{app_label}_{facts.name.lower()}"
            )
            fields, parent = self._fields(qualname)
            self.drafts[qualname] = _Draft(facts, app_label, table, fields, parent)
        self._by_label = {
            (d.app_label.lower(), d.facts.name.lower()): q
            for q, d in self.drafts.items()
        }
        self._by_name: dict[str, list[str]] = defaultdict(list)
        for qualname, draft in self.drafts.items():
            self._by_name[draft.facts.name].append(qualname)
        self.user_model = self._user_model()
        for qualname, draft in self.drafts.items():
            self._columns(qualname, draft)
        for qualname, draft in self.drafts.items():
            self._relations(qualname, draft)
            self._parent_link(qualname, draft)
        models = {
            qualname: ModelInfo(
                qualname=qualname,
                name=draft.facts.name,
                module=draft.facts.module,
                table=draft.table,
                columns=draft.columns,
                relationships=draft.relationships,
                bases=tuple(self.bases(qualname)),
                unique_sets=self._unique_sets(qualname, draft),
                inherits=draft.parent,
                django=self._django(qualname, draft),
            )
            for qualname, draft in self.drafts.items()
        }
        return models, self._aliases()

    def _target(self, draft: _Draft, facts: DjangoFieldFacts) -> str | None:
        if facts.target_ref is not None:
            found = self.symbols.canonical(facts.target_ref, draft.facts.module)
            if found in self.drafts:
                return found
            if found.rsplit(".", 1)[-1] == "AUTH_USER_MODEL":
                # `settings.AUTH_USER_MODEL`, or a library's re-read of it
                # (`AUTH_USER_MODEL = getattr(settings, "AUTH_USER_MODEL", ...)`)
                return self.user_model
            return None
        written = facts.target
        if written is None:
            return None
        if written == "self":
            return draft.facts.qualname
        label, dot, name = written.rpartition(".")
        if dot:
            return self._by_label.get((label.lower(), name.lower()))
        same_app = self._by_label.get((draft.app_label.lower(), name.lower()))
        if same_app is not None:
            return same_app
        candidates = self._by_name.get(name, [])
        return candidates[0] if len(candidates) == 1 else None

    def _pk(self, draft: _Draft) -> str:
        for attr, (facts, _) in draft.fields.items():
            if facts.primary_key:
                return f"{attr}_id" if facts.kind in RELATION_FIELDS else attr
        if draft.parent is not None:
            return f"{self.classes[draft.parent].name.lower()}_ptr_id"
        return "id"

    def _pk_type(self, draft: _Draft, depth: int = 0) -> str:
        """The field class of a model's primary key (what a foreign key to it holds)."""
        for facts, _ in draft.fields.values():
            if facts.primary_key:
                if facts.kind in RELATION_FIELDS and depth < 8:
                    target = self._target(draft, facts)
                    if target is not None:
                        return self._pk_type(self.drafts[target], depth + 1)
                return facts.kind
        if draft.parent is not None and draft.parent in self.drafts and depth < 8:
            return self._pk_type(self.drafts[draft.parent], depth + 1)
        return "AutoField"

    def _columns(self, qualname: str, draft: _Draft) -> None:
        pk = self._pk(draft)
        if pk == "id" and "id" not in draft.fields:
            draft.columns["id"] = ColumnInfo(
                "id", "id", "AutoField", True, True, False, True, None
            )
        if draft.parent is not None and pk.endswith("_ptr_id"):
            parent_table = (
                self.drafts[draft.parent].table if draft.parent in self.drafts else None
            )
            draft.columns[pk] = ColumnInfo(
                pk,
                pk,
                "OneToOneField",
                True,
                True,
                False,
                True,
                f"{parent_table}.{self._pk(self.drafts[draft.parent])}"
                if draft.parent in self.drafts
                else None,
            )
        for attr, (facts, _) in draft.fields.items():
            if facts.kind in (
                "ManyToManyField",
                "GenericForeignKey",
                "GenericRelation",
            ):
                continue
            relation = facts.kind in RELATION_FIELDS or facts.kind.endswith(
                "ForeignKey"
            )
            attname = f"{attr}_id" if relation else attr
            unknown = facts.unreadable
            foreign_key = None
            if relation:
                target = self._target(draft, facts)
                if target is not None:
                    to_field = (
                        facts.to_field if facts.to_field not in (None, "?") else None
                    )
                    foreign_key = f"{self.drafts[target].table}.{to_field or self._pk(self.drafts[target])}"
            if relation and target is not None:
                kind = self._pk_type(self.drafts[target])  # the key compared is its pk
            else:
                kind = facts.kind
            draft.columns[attname] = ColumnInfo(
                attr=attname,
                name=facts.db_column if facts.db_column not in (None, "?") else attname,
                type=kind,
                primary_key=bool(facts.primary_key) or attname == pk,
                unique=not unknown
                and bool(
                    facts.unique or facts.primary_key or facts.kind == "OneToOneField"
                ),
                nullable=unknown or bool(facts.null),
                index=bool(
                    facts.db_index or facts.unique or facts.primary_key or relation
                ),
                foreign_key=foreign_key,
            )

    def _relations(self, qualname: str, draft: _Draft) -> None:
        for attr, (facts, owner) in draft.fields.items():
            relation = facts.kind in RELATION_FIELDS or facts.kind.endswith(
                "ForeignKey"
            )
            if not relation:
                continue
            target = self._target(draft, facts)
            many = facts.kind == "ManyToManyField"
            one_to_one = facts.kind == "OneToOneField"
            # A concrete parent's relation keeps the parent's reverse name.
            named_by = self.drafts.get(owner, draft)
            reverse = self._reverse_name(named_by, facts, owner, one_to_one, many)
            attname = f"{attr}_id"
            draft.relationships[attr] = RelationshipInfo(
                attr=attr,
                target=target or facts.target,
                lazy="dynamic" if many else "select",
                uselist=many,
                back_populates=reverse,
                secondary=many,
                foreign_key_attrs=() if many else (attname,),
                direction=MANY_TO_MANY if many else MANY_TO_ONE,
            )
            inherited = owner != qualname and not self.classes[owner].abstract
            if target is None or reverse is None or inherited:
                continue  # a concrete parent's relation: its reverse is the parent's
            self.drafts[target].relationships.setdefault(
                reverse,
                RelationshipInfo(
                    attr=reverse,
                    target=qualname,
                    lazy="select" if one_to_one else "dynamic",
                    uselist=not one_to_one,
                    back_populates=attr,
                    secondary=many,
                    foreign_key_attrs=() if many else (attname,),
                    direction=MANY_TO_MANY if many else ONE_TO_MANY,
                    from_backref=True,
                    query_name=self._reverse_query_name(named_by, facts),
                ),
            )

    def _parent_link(self, qualname: str, draft: _Draft) -> None:
        """Multi-table inheritance: `<parent>_ptr` to the parent, `<child>` back."""
        parent = draft.parent
        if parent is None or parent not in self.drafts:
            return
        link = f"{self.classes[parent].name.lower()}_ptr"
        if f"{link}_id" not in draft.columns:
            return  # the model names its own parent link
        child = draft.facts.name.lower()
        draft.relationships[link] = RelationshipInfo(
            attr=link,
            target=parent,
            uselist=False,
            back_populates=child,
            foreign_key_attrs=(f"{link}_id",),
            direction=MANY_TO_ONE,
        )
        self.drafts[parent].relationships.setdefault(
            child,
            RelationshipInfo(
                attr=child,
                target=qualname,
                uselist=False,
                back_populates=link,
                foreign_key_attrs=(f"{link}_id",),
                direction=ONE_TO_MANY,
                from_backref=True,
            ),
        )

    def _reverse_query_name(self, draft: _Draft, facts: DjangoFieldFacts) -> str:
        """What lookups call a reverse relation: `related_query_name`, else
        `related_name`, else the model's name ("?": not a literal)."""
        name = facts.related_query_name or facts.related_name
        if name == "?":
            return "?"
        if name is None:
            return draft.facts.name.lower()
        return name.replace("%(class)s", draft.facts.name.lower()).replace(
            "%(app_label)s", draft.app_label.lower()
        )

    def _reverse_name(
        self,
        draft: _Draft,
        facts: DjangoFieldFacts,
        owner: str,
        one_to_one: bool,
        many: bool,
    ) -> str | None:
        name = facts.related_name
        if name == "?":
            return None
        if name is not None:
            if name.endswith("+"):
                return None
            return name.replace("%(class)s", draft.facts.name.lower()).replace(
                "%(app_label)s", draft.app_label.lower()
            )
        model = draft.facts.name.lower()
        return model if one_to_one else f"{model}_set"

    def _unique_sets(self, qualname: str, draft: _Draft) -> tuple[tuple[str, ...], ...]:
        together = self._meta(qualname, "unique_together") or ()
        sets = []
        for group in together:  # type: ignore[union-attr]
            attrs = []
            for name in group:
                if name in draft.columns:
                    attrs.append(name)
                elif f"{name}_id" in draft.columns:
                    attrs.append(f"{name}_id")
            if len(attrs) == len(group):
                sets.append(tuple(attrs))
        return tuple(sets)

    # -- what only Django has --------------------------------------------------------

    def _django(self, qualname: str, draft: _Draft) -> DjangoModel:
        lineage = self.lineage(qualname)
        managers: dict[str, DjangoManagerFacts] = {}
        for owner in lineage:
            for manager in self.classes[owner].managers:
                managers.setdefault(manager.attr, manager)
        filtering, opaque = [], []
        for attr, manager in managers.items():
            verdict = self._manager_verdict(manager, draft.facts.module)
            if verdict == "filters":
                filtering.append(attr)
            elif verdict == "opaque":
                opaque.append(attr)
        overrides = []
        for method in _WRITE_METHODS:
            owner = next(
                (o for o in lineage if method in self.classes[o].methods), None
            )
            if owner is not None:
                overrides.append((method, owner))
        ordering = self._meta(qualname, "ordering")
        if qualname == USER and not self._user_settings():
            # No settings module of the project sets AUTH_USER_MODEL (a library, or
            # settings outside the tree): the site may swap in a user model whose
            # manager and ordering differ from `auth.User`'s.
            opaque = sorted({*opaque, *(m.attr for m in managers.values())})
            ordering = ("?",)
        return DjangoModel(
            app_label=draft.app_label,
            proxy=draft.facts.proxy,
            ordering=tuple(ordering) if ordering is not None else None,  # type: ignore[arg-type]
            managers=tuple(managers.values()),
            filtering_managers=tuple(filtering),
            opaque_managers=tuple(opaque),
            overrides=tuple(overrides),
            receivers=self._receivers_for(qualname, draft.facts.module),
            auto_now=tuple(
                attr for attr, (facts, _) in draft.fields.items() if facts.auto_now
            ),
            forkable=draft.facts.forkable,
            total_unique_fields=self._meta(qualname, "total_unique_fields") or (),  # type: ignore[arg-type]
            attributes=tuple(
                dict.fromkeys(
                    name for owner in lineage for name in self.classes[owner].attributes
                )
            ),
            bases_known=all(
                base in self.classes or base in _MODEL_BASES
                for owner in lineage
                for base in self.bases(owner)
            ),
            default_manager_name=self._meta(qualname, "default_manager_name"),  # type: ignore[arg-type]
        )

    def _manager_verdict(self, manager: DjangoManagerFacts, module: str) -> str:
        """ "stock", "filters" (the project overrides `get_queryset`) or "opaque"."""
        if manager.unknown:
            return "opaque"
        verdict = "stock"
        for written in (manager.manager, manager.queryset):
            if written is None:
                continue
            name = self.symbols.canonical(written, module)
            if name in _STOCK_MANAGERS:
                continue
            if name not in self.classes:
                return "opaque"  # a library's manager: it may filter or order
            for owner in self.lineage(name):
                methods = set(self.classes[owner].methods)
                if methods & _QUERYSET_CORE:
                    return "opaque"
                if "get_queryset" in methods:
                    verdict = "filters"
            if not any(
                base in _STOCK_MANAGERS
                for owner in self.lineage(name)
                for base in self.bases(owner)
            ):
                return "opaque"
        return verdict

    def _receivers_for(self, qualname: str, module: str) -> tuple[tuple[str, str], ...]:
        found = []
        for receiver in self.receivers:
            sender = (
                None
                if receiver.sender is None
                else self.symbols.canonical(receiver.sender, receiver.module)
            )
            if (
                sender is None
                or sender == qualname
                or (
                    sender not in self.classes
                    and sender.rsplit(".", 1)[-1] == qualname.rsplit(".", 1)[-1]
                )
            ):
                signal = receiver.signal.rsplit(".", 1)[-1]
                found.append((signal, f"{receiver.module}:{receiver.line}"))
        return tuple(sorted(set(found)))

    def _aliases(self) -> dict[str, str]:
        aliases: dict[str, str] = {}
        for binding in self.bindings:
            target = None
            if binding.kind == "user_model":
                target = self.user_model
            elif binding.kind == "get_model":
                target = self._by_model_label(binding.value)
            if target is not None:
                aliases[f"{binding.module}.{binding.name}"] = target
        wanted = {draft.facts.name for draft in self.drafts.values()}
        for module, names in self.modules.items():
            for local, qualified in names.items():
                if qualified.rsplit(".", 1)[-1] not in wanted:
                    continue
                target = self.symbols.canonical(qualified, module)
                if target in self.drafts and target != f"{module}.{local}":
                    aliases[f"{module}.{local}"] = target
        return aliases
