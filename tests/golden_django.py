"""Run Django golden cases: the same before/after checks as the SQLAlchemy cases.

A case whose `case.toml` says `orm = "django"` runs its before.py and after.py against
the Django apps of the golden tree (`DJANGO_APPS`, e.g. golden/djbooks/). Its scenario's
`run(module)` (and `run_empty(module)`) calls the case's code; there is no session to hand
over: the code reaches the database through Django's default connection, as it would in a
project. An `async def run` is driven with asgiref's `async_to_sync`, so the ORM's
thread-sensitive work stays on this thread and its connection.

Django's settings can be configured once per process. `configure()` does it (the golden
apps installed, and the contrib apps the admin's changelist needs, with templates and a
URLconf, golden_django_urls) and is called only when a Django case runs, never at import:
a process that runs no Django case never imports Django. Whatever `DATABASES` says, the
runs do not use it: each backend gets a database of its own in this process (an in-memory
SQLite database; a database in the run's shared PostgreSQL cluster, named after this
process), made once, with the apps' tables created by the schema editor (no migrations)
and seeded once. A run puts that database's connection in as Django's `default`
connection, runs the scenario inside a transaction and rolls it back afterwards (as
Django's TestCase does), so every run starts from the seed. Sequences are put back past
the seed before each run (a rollback does not rewind them on PostgreSQL), so rows the
code creates get the same ids in the before and the after.

Round trips are counted with `connection.execute_wrapper`, which sees every statement the
code sends (an executemany once), including the SAVEPOINTs of an inner `atomic()`.
Model instances built while the scenario runs (Django's `post_init`) are its rows loaded.
What a run gives back is the scenario's normalised result and every table's rows in
primary key order (`database_state`), read in the run's transaction before the rollback.
"""

from __future__ import annotations

import contextlib
import importlib
import os
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

from golden_support import (
    RunOutcome,
    _case_module,
    ensure_golden_on_path,
    forget_module,
    load_module,
    normalize,
)

DJANGO_APPS = ("djbooks", "djrender")
# What the admin's changelist needs to render (the admin cases). The simple config: no
# autodiscovery, so the admin site holds only what a case module registers. None of
# their tables is made: a changelist for a superuser reads none of them.
CONTRIB_APPS = (
    "django.contrib.admin.apps.SimpleAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
)


def configure() -> None:
    """Configure Django for this process with the golden apps, once."""
    import django
    from django.apps import apps
    from django.conf import settings

    ensure_golden_on_path()
    if not settings.configured:
        settings.configure(
            INSTALLED_APPS=[*CONTRIB_APPS, *DJANGO_APPS],
            DATABASES={
                "default": {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}
            },
            USE_TZ=True,
            TIME_ZONE="UTC",
            DEFAULT_AUTO_FIELD="django.db.models.AutoField",
            SECRET_KEY="golden-cases-only",
            ROOT_URLCONF="golden_django_urls",
            STATIC_URL="/static/",
            # the admin and the template cases render the apps' templates/ folders
            TEMPLATES=[
                {
                    "BACKEND": "django.template.backends.django.DjangoTemplates",
                    "APP_DIRS": True,
                    "OPTIONS": {
                        "context_processors": [
                            "django.template.context_processors.request",
                            "django.contrib.auth.context_processors.auth",
                            "django.contrib.messages.context_processors.messages",
                        ]
                    },
                }
            ],
            # The DRF cases' list views answer JSON to anyone: no authentication to run.
            REST_FRAMEWORK={
                "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
                "DEFAULT_AUTHENTICATION_CLASSES": [],
                "DEFAULT_PERMISSION_CLASSES": [],
                "UNAUTHENTICATED_USER": None,
            },
        )
        django.setup()
        return
    missing = [app for app in DJANGO_APPS if not apps.is_installed(app)]
    if missing:
        raise RuntimeError(
            f"Django was configured in this process without the golden apps {missing}:"
            " configure it through tests/golden_django.configure()"
        )


def golden_models() -> list[Any]:
    """Every model of the golden apps, many-to-many tables included, in app order."""
    from django.apps import apps

    return [
        model
        for app in DJANGO_APPS
        for model in apps.get_app_config(app).get_models(include_auto_created=True)
    ]


# --------------------------------------------------------------------------- databases


class DjangoDatabase:
    """One database of this process: its connection, tables created and seeded once."""

    def __init__(self, name: str, settings_dict: dict[str, Any]) -> None:
        from django.db import connections
        from django.db.utils import load_backend

        self.name = name
        settings_dict = connections.configure_settings({"default": settings_dict})
        backend = load_backend(settings_dict["default"]["ENGINE"])
        # Its alias is `default`: code that names no database (`transaction.atomic()`,
        # `django.db.connection`) must reach this one while it is in use.
        self.connection = backend.DatabaseWrapper(settings_dict["default"], "default")
        with self.in_use():
            self._create_and_seed()

    def _create_and_seed(self) -> None:
        from django.db import transaction

        with self.connection.schema_editor() as editor:
            for model in golden_models():
                if not model._meta.auto_created:  # create_model makes the m2m tables
                    editor.create_model(model)
        with transaction.atomic():
            for app in DJANGO_APPS:
                importlib.import_module(f"{app}.seed").seed()

    @contextlib.contextmanager
    def in_use(self) -> Iterator[Any]:
        """Make this database Django's default connection (in this thread) meanwhile."""
        from django.db import connections

        previous = connections["default"]
        connections["default"] = self.connection
        try:
            yield self.connection
        finally:
            connections["default"] = previous

    def reset_sequences(self) -> None:
        """Point the id sequences past the rows there are (PostgreSQL keeps them across
        a rollback; SQLite's AUTOCOMMIT counters roll back, and it needs nothing)."""
        from django.core.management.color import no_style

        statements = self.connection.ops.sequence_reset_sql(no_style(), golden_models())
        if statements:
            with self.connection.cursor() as cursor:
                for statement in statements:
                    cursor.execute(statement)

    def close(self) -> None:
        self.connection.close()


_databases: dict[str, DjangoDatabase] = {}  # backend key -> this process's database


def database_for(backend: Any) -> DjangoDatabase:
    """This process's database on `backend` (golden_support's SQLiteBackend or
    PostgresServer), made and seeded on first use."""
    configure()
    if backend.name == "sqlite":
        key = "sqlite"
    elif backend.name == "postgresql":
        key = f"postgresql:{backend.dir}"
    else:
        raise ValueError(f"no Django database for backend {backend.name!r}")
    if key not in _databases:
        if backend.name == "sqlite":
            _databases[key] = DjangoDatabase(
                "sqlite",
                {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"},
            )
        else:
            _databases[key] = _postgres_database(backend)
    return _databases[key]


def _postgres_database(server: Any) -> DjangoDatabase:
    from sqlalchemy import text

    name = f"django_{os.getpid()}"
    with server.admin().connect() as conn:
        conn.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        conn.execute(text(f"CREATE DATABASE {name}"))
    return DjangoDatabase(
        "postgresql",
        {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": name,
            "USER": "postgres",
            "HOST": str(server.dir),  # a directory: the unix socket's
            "PORT": str(server.port),
        },
    )


# --------------------------------------------------------------------------- counting


class QueryCounter:
    """Statements the code sends (an executemany counts once), and model instances built
    (`rows`), while `active`; the same interface as golden_support.RoundTripCounter."""

    def __init__(self) -> None:
        self.statements: list[str] = []
        self.rows = 0
        self.active = False

    def __call__(self, execute, sql, params, many, context):
        if self.active:
            self.statements.append(sql)
        return execute(sql, params, many, context)

    def built(self, sender, instance, **kwargs) -> None:
        if self.active:
            self.rows += 1

    @property
    def count(self) -> int:
        return len(self.statements)

    @contextlib.contextmanager
    def counting(self, connection: Any) -> Iterator[None]:
        from django.db.models.signals import post_init

        post_init.connect(self.built, weak=False)
        try:
            with connection.execute_wrapper(self):
                self.active = True
                try:
                    yield
                finally:
                    self.active = False
        finally:
            post_init.disconnect(self.built)


def database_state() -> dict[str, list[tuple]]:
    """Every golden table's rows, ordered by primary key, as plain data."""
    state = {}
    for model in golden_models():
        columns = [field.attname for field in model._meta.concrete_fields]
        rows = model._base_manager.order_by("pk").values_list(*columns)
        state[model._meta.db_table] = [tuple(normalize(v) for v in row) for row in rows]
    return state


# --------------------------------------------------------------------------- runs


def run_django_scenario(
    path: Path, which: str, backend: Any, entry: str = "run"
) -> tuple[RunOutcome, QueryCounter]:
    """Run `which` (before, after, rejected) of the Django case at `path` on this
    process's database for `backend`, in a transaction rolled back afterwards."""
    from django.db import transaction

    database = database_for(backend)
    label = f"{path.parent.name}_{path.name}"
    source = path / f"{which}.py"
    if not source.exists():
        raise FileNotFoundError(source)
    scenario = load_module(path / "scenario.py", f"{label}_scenario")
    try:
        with (
            admin_registrations(),
            _case_module(path, source, which, label) as module,
            database.in_use() as connection,
            transaction.atomic(),
        ):
            database.reset_sequences()
            counter = QueryCounter()
            with counter.counting(connection):
                result = _call(getattr(scenario, entry), module)
            returned = _normalize_result(scenario, result)
            outcome = RunOutcome(returned, database_state())
            transaction.set_rollback(True)
        return outcome, counter
    finally:
        forget_module(scenario)


@contextlib.contextmanager
def admin_registrations() -> Iterator[None]:
    """The default admin site's registrations are put back afterwards: a case module
    registers its ModelAdmin when loaded (`@admin.register(Render)`), and the next run
    loads another module that registers the same model. The URLconf
    (golden_django_urls) is read anew each time: its admin URLs are the models
    registered now."""
    from django.contrib import admin
    from django.urls import clear_url_caches

    registered = dict(admin.site._registry)
    clear_url_caches()
    try:
        yield
    finally:
        admin.site._registry.clear()
        admin.site._registry.update(registered)
        clear_url_caches()


def _call(run: Any, module: ModuleType) -> Any:
    import inspect

    if inspect.iscoroutinefunction(run):
        from asgiref.sync import async_to_sync

        return async_to_sync(run)(module)
    return run(module)


def _normalize_result(scenario: ModuleType, result: Any) -> Any:
    custom = getattr(scenario, "normalize", None)
    if custom is not None:
        result = custom(result)
    return normalize(result)
