"""The results cache re-checks a file when what its check read of the project changed,
and only then: a model's change re-checks the files that asked about that model, a
change to a file nobody reads re-checks that file alone, and the findings are always
those of a run without the cache."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
from n1fix_project import MODELS, PYPROJECT, SERVICE, n1fix

import n1fix.engine.runner as runner
from n1fix.config import Config

# Reads one model only (Tag): a change to User or Project is not its business.
TAGS = """\
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.tags import Tag


def tags_by_name(session: Session, names: list[str]) -> dict[str, Tag]:
    return {name: session.scalars(select(Tag).where(Tag.name == name)).one() for name in names}
"""

TAG_MODEL = """\
from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from app.models import Base


class Tag(Base):
    __tablename__ = "tags"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(50), unique=True)
"""

# A loop with a raw statement per row: checked, but it asks about no model.
LEAF = """\
from sqlalchemy import text


def touch_all(session, ids):
    for i in ids:
        session.execute(text("update t set n = n + 1 where id = :i"), {"i": i})
"""


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = tmp_path / "proj"
    (root / "app").mkdir(parents=True)
    (root / "pyproject.toml").write_text(PYPROJECT)
    files = {
        "__init__.py": "",
        "models.py": MODELS,
        "tags.py": TAG_MODEL,
        "service.py": SERVICE,
        "tag_service.py": TAGS,
        "leaf.py": LEAF,
    }
    for name, text in files.items():
        (root / "app" / name).write_text(text)
    return root


@pytest.fixture
def checked(monkeypatch) -> Counter:
    """The files the precise pass checks, by name."""
    counts: Counter = Counter()
    work = runner._work

    def counted(task):
        counts[task[0].name] += 1
        return work(task)

    monkeypatch.setattr(runner, "_work", counted)
    return counts


def _scan(project: Path, checked: Counter) -> tuple[set[str], list]:
    checked.clear()
    result = runner.run([project / "app"], project, Config(), jobs=1)
    names = set(checked) - {"__init__.py"}
    fresh = runner.run([project / "app"], project, Config(cache=False), jobs=1)
    assert [f.to_json() for f in result.findings] == [
        f.to_json() for f in fresh.findings
    ]
    checked.clear()
    return names, result.findings


def test_an_unchanged_tree_checks_nothing(project: Path, checked: Counter) -> None:
    cold, findings = _scan(project, checked)
    assert {"service.py", "tag_service.py", "leaf.py"} <= cold
    assert {f.path.rsplit("/", 1)[-1] for f in findings} >= {
        "service.py",
        "tag_service.py",
    }
    warm, _ = _scan(project, checked)
    assert warm == set()


def test_a_change_to_a_file_nobody_reads_checks_that_file_only(
    project: Path, checked: Counter
) -> None:
    _scan(project, checked)
    leaf = project / "app" / "leaf.py"
    leaf.write_text(LEAF + "\n\ndef other():\n    return 1\n")
    after, _ = _scan(project, checked)
    assert after == {"leaf.py"}


def test_a_model_change_checks_the_files_that_use_the_model(
    project: Path, checked: Counter
) -> None:
    _scan(project, checked)
    models = project / "app" / "models.py"
    # Project.user_id becomes nullable: the loop over users in service.py may now meet
    # rows without one; tag_service.py and leaf.py never asked about Project.
    models.write_text(MODELS.replace("nullable=False", "nullable=True"))
    after, _ = _scan(project, checked)
    assert "service.py" in after
    assert not after & {"tag_service.py", "leaf.py"}, after


def test_a_comment_added_to_a_model_file_checks_that_file_only(
    project: Path, checked: Counter
) -> None:
    """The bench's "one changed file" row: a model file edited without changing its
    facts re-checks it alone (nothing its users read changed), and the findings are
    those of a run without cache on the changed tree (`_scan`)."""
    _scan(project, checked)
    models = project / "app" / "models.py"
    models.write_text(MODELS + "# a comment\n")
    after, findings = _scan(project, checked)
    assert after <= {"models.py"}, after
    assert {f.path.rsplit("/", 1)[-1] for f in findings} >= {
        "service.py",
        "tag_service.py",
    }


def test_a_change_to_another_model_file_checks_its_users_only(
    project: Path, checked: Counter
) -> None:
    _scan(project, checked)
    tags = project / "app" / "tags.py"
    tags.write_text(TAG_MODEL.replace("unique=True", "unique=False"))
    after, findings = _scan(project, checked)
    assert "tag_service.py" in after
    assert not after & {"service.py", "leaf.py"}, after


def test_a_warm_run_reports_the_fixes_of_cached_findings(project: Path) -> None:
    """A run whose findings all come from the cache never chooses the dialect for a check;
    SARIF, which plans each fix again, still gets it."""
    cold = n1fix("scan", "app", "--format", "sarif", cwd=project)
    warm = n1fix("scan", "app", "--format", "sarif", cwd=project)
    assert (warm.code, warm.out, warm.err) == (cold.code, cold.out, cold.err)
    assert '"fixes"' in warm.out


def test_a_crafted_read_is_a_miss_and_calls_nothing(
    project: Path, checked: Counter
) -> None:
    """The cache sits in the scanned tree: a recorded read naming a private method (or a
    file outside the project) is not replayed; the entry is a miss."""
    import json

    from n1fix.engine.cache import CACHE_DIR

    _scan(project, checked)
    cache = next((project / CACHE_DIR).glob("results-*.json"))
    data = json.loads(cache.read_text())
    for entry in data["findings"].values():
        reads = entry["reads"]
        reads["calls"] = {
            "models": {json.dumps(["__init__", [{}], {}]): "x"},
        }
        reads["files"] = {"/etc/hostname": "x"}
    cache.write_text(json.dumps(data))
    after, _ = _scan(project, checked)  # findings equal to a fresh run's (in `_scan`)
    assert {"service.py", "tag_service.py", "leaf.py"} <= after


def test_a_change_to_the_dependency_files_checks_the_raw_sql_file(
    project: Path, checked: Counter
) -> None:
    """raw-sql-in-loop offers an executemany only when the project does not install
    psycopg 2 (one statement per row there): a requirements file that adds it must not
    replay the cached fix."""
    _, before = _scan(project, checked)
    assert [f.applicability.value for f in before if f.path.endswith("leaf.py")] == [
        "safe"
    ]
    (project / "requirements.txt").write_text("psycopg2-binary>=2.9\n")
    after, findings = _scan(project, checked)
    assert after == {"leaf.py"}
    assert [f.applicability.value for f in findings if f.path.endswith("leaf.py")] == [
        "none"
    ]


DJANGO_MODELS = """\
from django.db import models


class Author(models.Model):
    name = models.CharField(max_length=100)


class Book(models.Model):
    title = models.CharField(max_length=200)
    author = models.ForeignKey(Author, on_delete=models.CASCADE, related_name="books")


class Tag(models.Model):
    name = models.CharField(max_length=50)
"""

SERIALIZERS = """\
from rest_framework import serializers

from app.models import Author, Book


class AuthorSerializer(serializers.ModelSerializer):
    class Meta:
        model = Author
        fields = ["name"]


class BookSerializer(serializers.ModelSerializer):
    author = AuthorSerializer()

    class Meta:
        model = Book
        fields = ["title", "author"]
"""

VIEWS = """\
from rest_framework import viewsets

from app.models import Book
from app.serializers import BookSerializer


class BookViewSet(viewsets.ModelViewSet):
    queryset = Book.objects.all()
    serializer_class = BookSerializer
"""

# A lazy load per row through Book.author, and an author's reverse accessor per row.
REPORTS = """\
from app.models import Author, Book


def titles_with_authors():
    return [(book.title, book.author.name) for book in Book.objects.all()]


def book_counts():
    return {author.name: len(list(author.books.all())) for author in Author.objects.all()}
"""

# A query per name that asks about Tag only.
TAG_LOOKUP = """\
from app.models import Tag


def tags_named(names):
    return [Tag.objects.filter(name=name).first() for name in names]
"""


@pytest.fixture
def django_project(tmp_path: Path) -> Path:
    root = tmp_path / "djproj"
    (root / "app").mkdir(parents=True)
    (root / "pyproject.toml").write_text(PYPROJECT)
    files = {
        "__init__.py": "",
        "models.py": DJANGO_MODELS,
        "serializers.py": SERIALIZERS,
        "views.py": VIEWS,
        "reports.py": REPORTS,
        "tag_lookup.py": TAG_LOOKUP,
    }
    for name, text in files.items():
        (root / "app" / name).write_text(text)
    return root


def _messages(findings: list, name: str) -> list[str]:
    return sorted(f.message for f in findings if f.path.endswith(name))


def test_a_serializer_change_checks_the_view_that_names_it(
    django_project: Path, checked: Counter
) -> None:
    """A Django REST framework view's findings come from the serializer module it
    imports (read through `FileContext.project_module`): that module's change re-checks
    the view, which no longer reports the author its serializer stopped reading."""
    cold, findings = _scan(django_project, checked)
    assert "views.py" in cold
    assert any("BookSerializer.author" in m for m in _messages(findings, "views.py"))
    serializers = django_project / "app" / "serializers.py"
    serializers.write_text(
        SERIALIZERS.replace("    author = AuthorSerializer()\n", "").replace(
            '"title", "author"', '"title"'
        )
    )
    after, findings = _scan(django_project, checked)
    assert "views.py" in after
    assert _messages(findings, "views.py") == []


def test_a_django_model_change_checks_the_files_that_use_the_model(
    django_project: Path, checked: Counter
) -> None:
    cold, findings = _scan(django_project, checked)
    assert {"reports.py", "tag_lookup.py"} <= cold
    assert len(_messages(findings, "reports.py")) == 2
    assert _messages(findings, "tag_lookup.py")
    models = django_project / "app" / "models.py"
    # Author's reverse accessor is renamed: `author.books` is no relationship any more.
    models.write_text(
        DJANGO_MODELS.replace('related_name="books"', 'related_name="written"')
    )
    after, findings = _scan(django_project, checked)
    assert "reports.py" in after
    assert len(_messages(findings, "reports.py")) == 1
    assert "tag_lookup.py" not in after, after


def test_a_new_django_model_checks_the_files_whose_queries_the_dialect_now_reads(
    django_project: Path, checked: Counter
) -> None:
    """The Django dialect reads `Widget.objects.filter(...)` as a query only when the
    project defines a model Widget: its question to the model index is one of the file's
    reads too."""
    widgets = django_project / "app" / "widgets.py"
    widgets.write_text(TAG_LOOKUP.replace("Tag", "Widget"))
    _, findings = _scan(django_project, checked)
    assert _messages(findings, "widgets.py") == []
    models = django_project / "app" / "models.py"
    models.write_text(DJANGO_MODELS + WIDGET_MODEL)
    after, findings = _scan(django_project, checked)
    assert "widgets.py" in after
    assert _messages(findings, "widgets.py")


WIDGET_MODEL = """

class Widget(models.Model):
    name = models.CharField(max_length=50)
"""


def test_findings_cached_from_another_folder_name_files_as_seen_from_this_one(
    project: Path,
) -> None:
    """A message names the file a call queries in (`queries.py:6`) as seen from the
    folder n1fix runs in: findings cached from the project's root are not shown from
    its `app/` folder."""
    (project / "app" / "queries.py").write_text(
        "from sqlalchemy import select\n\nfrom app.models import User\n\n\n"
        "def load_user(session, user_id):\n"
        "    return session.scalars(select(User).where(User.id == user_id)).one()\n"
    )
    (project / "app" / "loop.py").write_text(
        "from app.queries import load_user\n\n\n"
        "def users(session, ids):\n"
        "    return [load_user(session, i) for i in ids]\n"
    )
    n1fix("scan", "--format", "json", "app", cwd=project)
    warm = n1fix("scan", "--format", "json", ".", cwd=project / "app")
    cold = n1fix("scan", "--format", "json", "--no-cache", ".", cwd=project / "app")
    assert "(queries.py:6)" in cold.out
    assert (warm.code, warm.out) == (cold.code, cold.out)


GOLDEN = Path(__file__).resolve().parent.parent / "golden"

# Another data-access module: its async functions are in the session-use index too.
OTHER_DAL = """\
from renderapp.async_dal import async_session
from renderapp.models import User


async def count_users() -> int:
    async with async_session() as session:
        return len((await session.scalars(User.__table__.select())).all())
"""


@pytest.fixture
def async_project(tmp_path: Path) -> Path:
    """The golden renderapp package, with the profile-stats function of the
    sequential-awaits case (four DAL reads, each asked about through the session-use
    index: `resolve`, then `effects` and `raises` of the function found)."""
    root = tmp_path / "asyncproj"
    package = root / "renderapp"
    package.mkdir(parents=True)
    (root / "pyproject.toml").write_text(PYPROJECT)
    for name in ("__init__.py", "models.py", "async_dal.py"):
        (package / name).write_text((GOLDEN / "renderapp" / name).read_text())
    stats = GOLDEN / "sequential_awaits" / "profile_stats" / "before.py"
    (package / "stats.py").write_text(stats.read_text())
    (package / "other_dal.py").write_text(OTHER_DAL)
    return root


def _scan_async(root: Path, checked: Counter) -> tuple[set[str], list]:
    checked.clear()
    result = runner.run([root / "renderapp"], root, Config(), jobs=1)
    names = set(checked)
    fresh = runner.run([root / "renderapp"], root, Config(cache=False), jobs=1)
    assert [f.to_json() for f in result.findings] == [
        f.to_json() for f in fresh.findings
    ]
    checked.clear()
    return names, result.findings


def test_a_session_function_moved_elsewhere_does_not_recheck_its_non_callers(
    async_project: Path, checked: Counter
) -> None:
    """The check of stats.py asks what each DAL function it awaits does (`effects`,
    `raises`): those reads name the function, so a new async function in another
    module, which moves that module's functions down a line, is not its business."""
    cold, findings = _scan_async(async_project, checked)
    assert "stats.py" in cold
    assert _messages(findings, "stats.py")
    other = async_project / "renderapp" / "other_dal.py"
    other.write_text(
        OTHER_DAL.replace(
            "\n\nasync def count_users",
            "\n\nasync def no_users() -> int:\n    return 0\n\n\nasync def count_users",
        )
    )
    after, _ = _scan_async(async_project, checked)
    assert "stats.py" not in after, after


def test_a_change_to_what_an_awaited_function_does_rechecks_its_caller(
    async_project: Path, checked: Counter
) -> None:
    """`BillingDAL.get_credits` now writes: the awaits of stats.py may no longer run
    together, and the file is checked again (its findings those of a fresh run)."""
    _scan_async(async_project, checked)
    dal = async_project / "renderapp" / "async_dal.py"
    text = dal.read_text()
    old = "            return balance or 0\n"
    assert old in text
    dal.write_text(text.replace(old, "            await session.commit()\n" + old))
    after, _ = _scan_async(async_project, checked)
    assert "stats.py" in after


# A keyed query function of the project (in its function index) that nobody calls.
UNCALLED = """\
from sqlalchemy import select

from app.models import Render


def render_by_id(session, render_id: int):
    return session.scalars(select(Render).where(Render.id == render_id)).one()
"""


def test_a_batch_variant_planned_by_the_check_itself_is_not_keyed_by_the_project(
    tmp_path: Path, checked: Counter
) -> None:
    """service.py's fix plans a batch variant of `RendersDAL.by_project`: the plan is
    made by its own check (a miss in the run's plans), from reads that are noted, so a
    change elsewhere in the function index does not re-check it."""
    from test_batch_variant import SERVICE
    from test_call_batch import _project

    root = _project(tmp_path, SERVICE)
    (root / "app" / "uncalled.py").write_text(UNCALLED)
    cold, findings = _scan(root, checked)
    assert "service.py" in cold
    assert [f.applicability.value for f in findings] == ["safe"]
    (root / "app" / "uncalled.py").write_text("# moved down a line\n" + UNCALLED)
    after, _ = _scan(root, checked)
    assert "service.py" not in after, after


# What the plan of `RendersDAL.by_project`'s batch method reads of app/dal.py: the
# method itself, its class, the module's imports and names. Each edit below changes
# one of them; a comment after the last line of code changes none.
def _batched(tmp_path: Path, checked: Counter) -> tuple[Path, list]:
    from test_batch_variant import SERVICE
    from test_call_batch import _project

    root = _project(tmp_path, SERVICE)
    cold, findings = _scan(root, checked)
    assert "service.py" in cold
    assert [(f.path.rsplit("/", 1)[-1], f.applicability.value) for f in findings] == [
        ("service.py", "safe")
    ]
    return root, findings


@pytest.mark.parametrize(
    "appended",
    [
        "# a comment at the end\n",
        "\n\n# two lines\n   # and an indented one\n\n",
        "        # in the last method's block\n",
    ],
)
def test_a_comment_after_the_last_line_of_a_planned_module_leaves_its_callers_cached(
    tmp_path: Path, checked: Counter, appended: str
) -> None:
    """The bench's "one changed file" row on open-webui: service.py's fix plans a
    batch method in app/dal.py, and the plan reads that module without the comment
    lines after its last line of code, so such a comment does not re-check service.py
    (the findings those of a run without cache: `_scan`)."""
    root, before = _batched(tmp_path, checked)
    dal = root / "app" / "dal.py"
    dal.write_text(dal.read_text() + appended)
    after, findings = _scan(root, checked)
    assert after <= {"dal.py"}, after
    assert [f.to_json() for f in findings] == [f.to_json() for f in before]


@pytest.mark.parametrize(
    "old, new, applicability",
    [
        # the callee commits: one transaction per call, no batch method
        (
            "    def by_project(session: Session, project_id: int, limit: int = 10) -> list[Render]:\n",
            "    def by_project(session: Session, project_id: int, limit: int = 10) -> list[Render]:\n"
            "        session.commit()\n",
            "none",
        ),
        # the batch method's name is taken by another method: n1fix cannot reuse it
        (
            "    @staticmethod\n    def live_by_project(",
            "    @staticmethod\n    def by_projects(session: Session, project_ids):\n"
            "        return []\n\n    @staticmethod\n    def live_by_project(",
            "none",
        ),
        # the query skips rows: batching would change what each key gets (no line moves,
        # and the function index answers as before: only the plan read it)
        (".limit(limit))", ".limit(limit).offset(0))", "none"),
        # a line the plan reads though its answer stays (a module-level name)
        ("log = logging.getLogger(__name__)", "log = logging.getLogger('x')", "safe"),
        # a comment in the middle of the module: not after its last line of code, so
        # read (the findings stay as they were)
        ("\n\nclass RendersDAL:", "\n# renders\n\nclass RendersDAL:", "safe"),
        # code after a trailing comment: the comment is no longer trailing
        ("", "# a comment\nLIMIT = 10\n", "safe"),
        # the module's imports: the batch method's names come from them
        ("import functools\n", "import functools\nimport itertools\n", "safe"),
    ],
)
def test_an_edit_of_what_a_plan_reads_rechecks_the_file_whose_fix_planned_it(
    tmp_path: Path, checked: Counter, old: str, new: str, applicability: str
) -> None:
    """Each edit changes what the plan read of app/dal.py: service.py is checked again,
    and its finding is a run without cache's (`_scan`), whether the fix stays or goes."""
    root, _ = _batched(tmp_path, checked)
    dal = root / "app" / "dal.py"
    text = dal.read_text()
    if old:
        assert text.count(old) == 1, old
        text = text.replace(old, new)
    else:
        text += new
    dal.write_text(text)
    after, findings = _scan(root, checked)
    assert "service.py" in after, after
    assert [
        f.applicability.value for f in findings if f.path.endswith("service.py")
    ] == [applicability]


def test_a_crafted_module_read_outside_the_project_is_a_miss_and_not_read(
    tmp_path: Path, checked: Counter, monkeypatch
) -> None:
    """A module read noted in the cache is asked of `read_module` again only for a file
    of the project: an entry naming another file is a miss, that file not read."""
    import json

    from n1fix.engine.cache import CACHE_DIR

    root, _ = _batched(tmp_path, checked)
    cache = next((root / CACHE_DIR).glob("results-*.json"))
    data = json.loads(cache.read_text())
    outside = str(tmp_path.parent / "elsewhere.py")
    for entry in data["findings"].values():
        entry["reads"]["modules"] = {outside: ["x", "y"]}
    cache.write_text(json.dumps(data))
    read = []
    modules = runner._ProjectModules.__call__
    monkeypatch.setattr(
        runner._ProjectModules,
        "__call__",
        lambda self, path: read.append(str(path)) or modules(self, path),
    )
    after, _ = _scan(root, checked)
    assert "service.py" in after
    assert outside not in read
