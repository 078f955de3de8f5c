"""unbounded-fetch: what counts as a page (the evidence), what counts as every row of a
table, and the findings that join the two across the files of a project."""

from __future__ import annotations

import ast
import textwrap
from pathlib import Path

import pytest

from n1fix.config import Config
from n1fix.engine.runner import run
from n1fix.rules.unbounded_fetch.analysis import runs_by_hand
from n1fix.rules.unbounded_fetch.sites import fetch_sites, paging_sites


def pages(source: str) -> list[tuple[str, str]]:
    facts = paging_sites(ast.parse(textwrap.dedent(source)))
    return [(p["ref"], p["how"]) for p in facts.get("pages", [])]


def fetches(source: str) -> list[tuple[int, str]]:
    tree = ast.parse(textwrap.dedent(source))
    return [(f.node.lineno, f.head.ref) for f in fetch_sites(tree)]


# -- the evidence: a page


@pytest.mark.parametrize(
    "code, expected",
    [
        ("q = session.query(Render).offset(20 * page)", [("Render", ".offset()")]),
        ("q = Render.query.paginate(page=2)", [("Render", ".paginate()")]),
        (
            "q = db.paginate(select(Render).order_by(Render.id))",
            [("Render", "paginate()")],
        ),
        ("p = Paginator(Book.objects.all(), 20)", [("Book", "Paginator()")]),
        ("r = Book.objects.order_by('id')[start:start + 20]", [("Book", "a slice")]),
        ("s = select(Render.id).offset(n)", [("Render", ".offset()")]),
        # the top n rows are not a page
        ("q = session.query(Render).limit(10).all()", []),
        ("r = Book.objects.order_by('-id')[:10]", []),
        ("r = Book.objects.order_by('-id')[0:10]", []),
    ],
)
def test_what_pages_a_table(code, expected):
    assert pages(code) == expected


def test_a_statement_paged_through_a_name():
    assert pages(
        """
        def page(session, n):
            stmt = select(Render).where(Render.status == "done")
            stmt = stmt.order_by(Render.id)
            return session.scalars(stmt.offset(n * 20).limit(20)).all()
        """
    ) == [("Render", ".offset()")]


def test_either_branch_of_a_conditional_query():
    assert pages(
        """
        def page(paginate):
            query = session_query(Certificate) if paginate else Certificate.query
            return query.offset(10).all()
        """
    ) == [("Certificate", ".offset()")]


def test_a_paginated_view():
    assert pages(
        """
        class BookList(ListView):
            model = Book
            paginate_by = 25

        class ReviewSet(ModelViewSet):
            queryset = Review.objects.all()
            pagination_class = PageNumberPagination

        class Unpaged(ModelViewSet):
            queryset = Sale.objects.all()
            pagination_class = None
        """
    ) == [("Book", "a paginated view"), ("Review", "a paginated view")]


def test_a_helper_that_pages_the_query_it_is_given():
    facts = paging_sites(
        ast.parse(
            textwrap.dedent(
                """
                def window(query, args):
                    query = find_all(query, args)
                    return query.offset(args["start"]).limit(20).all()

                class Repo:
                    def chunk(self, query, n):
                        return query.offset(n).all()

                def listing(repo):
                    query = Certificate.query.filter(Certificate.active)
                    window(query, {})
                    repo.chunk(Domain.query, 3)
                    sort_and_page(query, Certificate, {})
                    paginated_select(statement=select(Log), offset=0)
                    homepage(Log.query)
                """
            )
        )
    )
    assert sorted((p["name"], p["param"]) for p in facts["pagers"]) == [
        ("chunk", 0),
        ("window", 0),
    ]
    handed = {(h["callee"], h["arg"], h["ref"]) for h in facts["handed"]}
    assert handed == {
        ("window", 0, "Certificate"),  # a page: `window` pages its first parameter
        ("chunk", 0, "Domain"),
        ("sort_and_page", -1, "Certificate"),  # named for paging: a page
        ("paginated_select", -1, "Log"),
        ("homepage", 0, "Log"),  # not named for it, and pages nothing
    }


# -- every row of a table


@pytest.mark.parametrize(
    "code, found",
    [
        ("rows = session.scalars(select(Render)).all()", True),
        ("rows = session.execute(select(Render)).scalars().all()", True),
        ("rows = (await session.execute(select(Render))).scalars().all()", True),
        ("rows = session.scalars(select(Render).order_by(Render.id)).all()", True),
        ("rows = session.query(Render).all()", True),
        ("rows = Render.query.order_by(Render.id).all()", True),
        ("rows = list(session.query(Render))", True),
        ("rows = list(Book.objects.all())", True),
        ("rows = [b for b in Book.objects.select_related('author')]", True),
        # narrowed, bounded, streamed, or not loaded here
        ("rows = session.scalars(select(Render).where(Render.id > 3)).all()", False),
        ("rows = session.query(Render).filter_by(status='done').all()", False),
        ("rows = session.query(Render).join(Render.project).all()", False),
        ("rows = session.scalars(select(Render).limit(50)).all()", False),
        ("rows = session.scalars(select(Render.id)).all()", False),
        ("rows = session.query(Render.id, Render.status).all()", False),
        ("rows = session.query(Render).yield_per(100)", False),
        ("qs = Book.objects.all()", False),
        ("rows = list(Book.objects.all()[:10])", False),
        ("rows = list(Book.objects.iterator())", False),
        ("rows = list(Book.objects)", False),
        # another rule's: counted, or the first row read
        ("n = len(session.query(Render).all())", False),
        ("r = session.query(Render).all()[0]", False),
        ("n = len(Book.objects.all())", False),
    ],
)
def test_what_fetches_every_row(code, found):
    assert bool(fetches(code)) is found


def test_a_statement_held_in_a_name_bound_once():
    assert fetches(
        """
        def everything(session):
            stmt = select(Render).order_by(Render.id)
            return {r.id: r for r in session.scalars(stmt).all()}

        def filtered(session, status):
            stmt = select(Render)
            if status:
                stmt = stmt.where(Render.status == status)
            return session.scalars(stmt).all()
        """
    ) == [(4, "Render")]


def test_a_loop_that_may_stop_early_is_left_alone():
    assert fetches(
        """
        def first_failed(session):
            for render in session.query(Render).all():
                if render.failed:
                    return render

        def until(session):
            for render in session.query(Render):
                if render.failed:
                    break

        def inner_break_only(session):
            for render in Render.query.all():
                for step in render.steps:
                    if step.failed:
                        break
        """
    ) == [(13, "Render")]


def test_one_finding_per_fetch():
    assert fetches(
        """
        for book in Book.objects.all():
            print(book)
        for render in session.query(Render).all():
            print(render)
        """
    ) == [(2, "Book"), (4, "Render")]


@pytest.mark.parametrize(
    "path, by_hand",
    [
        ("app/management/commands/export.py", True),
        ("zou/app/commands/sync.py", True),
        ("migrations/versions/0001_init.py", True),
        ("scripts/backfill.py", True),
        ("app/cli.py", True),
        ("flaskbb/management/forms.py", False),  # flaskbb's admin: it serves requests
        ("app/views.py", False),
    ],
)
def test_tools_and_scripts(path, by_hand):
    assert runs_by_hand(path) is by_hand


# -- the findings, across the files of a project

MODELS = """\
from sqlalchemy import String
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


class Render(Base):
    __tablename__ = "renders"
    id: Mapped[int] = mapped_column(primary_key=True)
    status: Mapped[str] = mapped_column(String(20))


class Status(Base):
    __tablename__ = "statuses"
    id: Mapped[int] = mapped_column(primary_key=True)
"""


def scan(tmp_path: Path, files: dict[str, str]):
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "app"\n')
    (tmp_path / "app").mkdir()
    (tmp_path / "app" / "__init__.py").write_text("")
    (tmp_path / "app" / "models.py").write_text(MODELS)
    for name, text in files.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text))
    config = Config(select=["unbounded-fetch"], cache=False)
    result = run([tmp_path], tmp_path, config, jobs=1)
    assert not result.errors
    return sorted(
        (Path(f.path).as_posix().split("app/", 1)[-1], f.line, f.message)
        for f in result.findings
    )


def test_paged_in_one_file_loaded_whole_in_another(tmp_path):
    found = scan(
        tmp_path,
        {
            "app/pages.py": """\
                from sqlalchemy import select
                from app.models import Render

                def page(session, n):
                    return session.scalars(select(Render).offset(20 * n).limit(20)).all()
                """,
            "app/export.py": """\
                from sqlalchemy import select
                from app.models import Render, Status

                def export(session):
                    return [(r.id, r.status) for r in session.scalars(select(Render))]

                def statuses(session):
                    return {s.id: s for s in session.scalars(select(Status)).all()}
                """,
            "app/commands/backfill.py": """\
                from app.models import Render

                def backfill(session):
                    return session.query(Render).all()
                """,
        },
    )
    assert len(found) == 1
    path, line, message = found[0]
    assert (path, line) == ("export.py", 5)
    assert "`renders`" in message and "pages.py:5` (.offset())" in message


def test_no_page_no_finding(tmp_path):
    assert (
        scan(
            tmp_path,
            {
                "app/export.py": """\
                    from sqlalchemy import select
                    from app.models import Render

                    def export(session):
                        return {r.id: r for r in session.scalars(select(Render))}

                    def latest(session):
                        return session.scalars(select(Render).limit(10)).all()
                    """,
            },
        )
        == []
    )


def test_an_accessor_that_only_returns_the_rows_is_left_alone():
    assert (
        fetches(
            """
            def get_all_api_keys():
                return ApiKey.query.all()

            def get_pools(session):
                pools = session.scalars(select(Pool)).all()
                return pools
            """
        )
        == []
    )
    assert fetches(
        """
        def pool_names(session):
            pools = session.scalars(select(Pool)).all()
            return [pool.name for pool in pools]
        """
    ) == [(3, "Pool")]


DJANGO_MODELS = """\
from django.db import models


class Review(models.Model):
    reviewer = models.CharField(max_length=100)
"""


def test_django_paginated_view_and_a_queryset_iterated(tmp_path):
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "shop"\n')
    app = tmp_path / "shop"
    app.mkdir()
    (app / "__init__.py").write_text("")
    (app / "models.py").write_text(DJANGO_MODELS)
    (app / "views.py").write_text(
        textwrap.dedent(
            """\
            from django.views.generic import ListView

            from shop.models import Review


            class ReviewList(ListView):
                paginate_by = 20

                def get_queryset(self):
                    return Review.objects.order_by("-id")


            def reviewers(request):
                names = sorted({review.reviewer for review in Review.objects.all()})
                return ", ".join(names)
            """
        )
    )
    config = Config(select=["unbounded-fetch"], cache=False)
    result = run([tmp_path], tmp_path, config, jobs=1)
    assert not result.errors
    assert [(Path(f.path).name, f.line) for f in result.findings] == [("views.py", 14)]
    assert "views.py:6` (a paginated view)" in result.findings[0].message


def test_the_audit_lists_each_table_with_its_paging_sites(tmp_path):
    import io

    from n1fix.report import data_volume

    (tmp_path / "pyproject.toml").write_text('[project]\nname = "app"\n')
    (tmp_path / "app").mkdir()
    (tmp_path / "app" / "__init__.py").write_text("")
    (tmp_path / "app" / "models.py").write_text(MODELS)
    (tmp_path / "app" / "views.py").write_text(
        textwrap.dedent(
            """\
            from sqlalchemy import select
            from app.models import Render

            def page(session, n):
                return session.scalars(select(Render).offset(20 * n)).all()

            def export(session):
                return {r.id: r for r in session.scalars(select(Render)).all()}

            def how_many(session):
                return len(session.scalars(select(Render)).all())
            """
        )
    )
    config = Config(select=["unbounded-fetch", "count-via-len"], cache=False)
    result = run([tmp_path], tmp_path, config, jobs=1)
    out = io.StringIO()
    data_volume.write(out, result.findings, result.project)
    text = out.getvalue()
    assert "## Data volume review" in text
    assert "- `renders`: loaded whole at `" in text
    assert "views.py:8`; paged at `" in text and "views.py:5` (.offset())" in text
    assert "views.py:11`: rows loaded only to be counted (`count-via-len`)" in text
