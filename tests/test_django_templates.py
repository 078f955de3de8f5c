"""lazy-load-in-loop on Django templates: the template reader (syntax, where templates
live) and the views whose template reads a relation once per row of a queryset."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from n1fix.engine.api import fix_source, scan_source
from n1fix.rules.lazy_load_in_loop import template_syntax as ts
from n1fix.orm.django_template_places import (
    find_template,
    settings_dirs,
)

# -- the template reader ------------------------------------------------------------


def test_variables_filters_and_their_arguments():
    template = ts.parse("{{ book.author.name|upper|default:book.title }}\n{{ 'x' }}")
    first, second = template.nodes
    assert first.expr.value.lookup == ("book", "author", "name")
    assert first.expr.filters == (
        ("upper", None),
        ("default", ts.Value(("book", "title"))),
    )
    assert second.expr.value.lookup is None  # a literal
    assert second.line == 2


def test_for_if_with_include_and_comments():
    template = ts.parse(
        textwrap.dedent(
            """\
            {# a comment {{ book.author }} #}
            {% comment %}{{ book.author }}{% endcomment %}
            {% for book in books reversed %}
              {% if book.author and book.author.publisher %}x{% elif book.tags.all %}y{% else %}z{% endif %}
              {% with a=book.author %}{{ a.name }}{% endwith %}
              {% include "row.html" with item=book only %}
            {% empty %}none{% endfor %}
            """
        )
    )
    loop = next(n for n in template.nodes if isinstance(n, ts.ForNode))
    assert loop.targets == ("book",) and loop.line == 3
    assert loop.sequence.value.lookup == ("books",)
    branch, with_, include = loop.body
    (first, first_later), (second, second_later) = branch.branches[0][0]
    assert (first.value.lookup, first_later) == (("book", "author"), False)
    assert (second.value.lookup, second_later) == (
        ("book", "author", "publisher"),
        True,  # after `and`: only for some rows
    )
    assert branch.branches[1][0][0][1] is True  # an elif's test may not run
    assert list(with_.bindings) == ["a"]
    assert (include.name, include.only, list(include.bindings)) == (
        "row.html",
        True,
        ["item"],
    )
    assert not any(isinstance(n, ts.VarNode) for n in template.nodes)


def test_verbatim_is_text_and_unknown_block_tags_are_opaque():
    template = ts.parse(
        "{% verbatim %}{{ book.author }}{% endverbatim %}"
        "{% load mytags %}{% mytag x %}{{ book.author }}{% endmytag %}{% other y %}"
    )
    assert [type(n).__name__ for n in template.nodes] == [
        "ReadsNode",
        "OpaqueNode",
        "OpaqueNode",
    ]
    assert template.loads == ("mytags",)


@pytest.mark.parametrize(
    "text",
    [
        "{% for book in books %}",
        "{% if x %}{% endfor %}",
        "{{ book.author|}}",
        "{% for in books %}{% endfor %}",
        "{{ book._secret }}",
    ],
)
def test_a_template_n1fix_cannot_read(text):
    with pytest.raises(ts.TemplateSyntaxError):
        ts.parse(text)


def test_settings_dirs_from_base_dir(tmp_path):
    settings = tmp_path / "site" / "settings.py"
    text = textwrap.dedent(
        """
        import os
        from pathlib import Path

        BASE_DIR = Path(__file__).resolve().parent.parent
        OLD = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
        TEMPLATES = [
            {
                "BACKEND": "django.template.backends.django.DjangoTemplates",
                "DIRS": [BASE_DIR / "templates", os.path.join(OLD, "more")],
            }
        ]
        """
    )
    assert settings_dirs(text, settings) == [
        tmp_path / "templates",
        tmp_path / "more",
    ]
    assert (
        settings_dirs(text.replace('BASE_DIR / "templates"', "env()"), settings) is None
    )
    changed = text + '\nTEMPLATES[0]["DIRS"].append("x")\n'
    assert settings_dirs(changed, settings) is None


def test_settings_loaders_and_later_changes(tmp_path):
    settings = tmp_path / "site" / "settings.py"
    base = textwrap.dedent(
        """
        import os

        ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), os.pardir))
        TEMPLATES = [{"DIRS": [os.path.join(ROOT, "t")], "OPTIONS": {OPTIONS}}]
        """
    )
    plain = base.replace("{OPTIONS}", '{"debug": True}')
    assert settings_dirs(plain, settings) == [tmp_path / "t"]
    cached = base.replace(
        "{OPTIONS}",
        '{"loaders": [("django.template.loaders.cached.Loader",'
        ' ["django.template.loaders.app_directories.Loader"])]}',
    )
    assert settings_dirs(cached, settings) == [tmp_path / "t"]
    own = base.replace("{OPTIONS}", '{"loaders": ["site.loaders.Loader"]}')
    assert settings_dirs(own, settings) is None  # it may look anywhere
    builtins = plain + 'TEMPLATES[0]["OPTIONS"]["builtins"] = ["x.tags"]\n'
    assert settings_dirs(builtins, settings) == [tmp_path / "t"]
    loaders = plain + 'TEMPLATES[0]["OPTIONS"]["loaders"] = LOADERS\n'
    assert settings_dirs(loaders, settings) is None


def test_a_name_in_two_places_with_other_texts_is_unknown(tmp_path):
    for app, text in (("a", "one"), ("b", "two"), ("c", "one")):
        (tmp_path / app / "templates" / "x").mkdir(parents=True)
        (tmp_path / app / "__init__.py").write_text("")
        (tmp_path / app / "templates" / "x" / f"{app}.html").write_text(text)
    (tmp_path / "b" / "templates" / "x" / "a.html").write_text("other")
    (tmp_path / "c" / "templates" / "x" / "b.html").write_text("two")
    assert find_template(tmp_path, "x/a.html") is None
    assert find_template(tmp_path, "x/b.html") is not None  # the same text twice
    assert find_template(tmp_path, "x/c.html") == tmp_path / "c/templates/x/c.html"
    assert find_template(tmp_path, "../a/templates/x/a.html") is None


# -- the views ----------------------------------------------------------------------

MODELS = """
    from django.db import models


    class Publisher(models.Model):
        name = models.CharField(max_length=100)


    class Author(models.Model):
        name = models.CharField(max_length=100)
        publisher = models.ForeignKey(Publisher, on_delete=models.CASCADE, null=True)


    class Tag(models.Model):
        name = models.CharField(max_length=50)
        category = models.ForeignKey("Category", on_delete=models.CASCADE)


    class Category(models.Model):
        name = models.CharField(max_length=50)


    class Book(models.Model):
        title = models.CharField(max_length=200)
        author = models.ForeignKey(Author, on_delete=models.CASCADE, related_name="books")
        tags = models.ManyToManyField(Tag, related_name="books")


    class Review(models.Model):
        book = models.ForeignKey(Book, on_delete=models.CASCADE, related_name="reviews")
        rating = models.IntegerField()
"""

FUNCTION_VIEW = """
    from django.shortcuts import render

    from app.models import Book


    def book_list(request):
        books = Book.objects.filter(title__startswith="A")
        return render(request, "app/books.html", {"books": books})
"""


def project(tmp_path: Path, views: str, templates: dict[str, str]) -> Path:
    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'x'\nversion = '0'\n")
    app = tmp_path / "app"
    (app / "templates" / "app").mkdir(parents=True)
    (app / "__init__.py").write_text("")
    (app / "models.py").write_text(textwrap.dedent(MODELS))
    for name, text in templates.items():
        (app / "templates" / name).write_text(textwrap.dedent(text))
    path = app / "views.py"
    path.write_text(textwrap.dedent(views))
    return path


def findings(path: Path):
    return [
        f for f in scan_source(path, path.read_text()) if f.rule == "lazy-load-in-loop"
    ]


def summary(path: Path) -> list[tuple[str, str]]:
    """(template line, applicability) of each finding."""
    return sorted(
        (f.message.split(": ", 1)[0], f.applicability.value) for f in findings(path)
    )


def fixed(path: Path, unsafe: bool = False) -> str:
    return "".join(fix_source(path, path.read_text(), unsafe_fixes=unsafe).text.split())


def test_function_view_loads_what_its_template_reads(tmp_path):
    path = project(
        tmp_path,
        FUNCTION_VIEW,
        {
            "app/books.html": """\
                {% for book in books %}
                  {{ book.author.name|upper }}
                  {% for tag in book.tags.all %}{{ tag.category.name }}{% endfor %}
                  {{ book.reviews.count }}
                {% endfor %}
                """,
        },
    )
    found = findings(path)
    assert {f.line for f in found} == {8}  # the queryset in the view
    assert sorted(
        (f.message.split(": ", 1)[0], f.applicability.value) for f in found
    ) == [
        ("app/templates/app/books.html:2", "safe"),
        ("app/templates/app/books.html:3", "safe"),
        ("app/templates/app/books.html:3", "safe"),
        (
            "app/templates/app/books.html:4",
            "none",
        ),  # a count: the template would change
    ]
    assert "rendered by `book_list`" in found[0].message
    assert (
        'Book.objects.filter(title__startswith="A").select_related("author")'
        '.prefetch_related("tags__category")'
    ) in fixed(path)


def test_extends_blocks_and_include_with_the_row(tmp_path):
    path = project(
        tmp_path,
        FUNCTION_VIEW,
        {
            "app/base.html": "<main>{% block content %}{% endblock %}</main>",
            "app/books.html": """\
                {% extends "app/base.html" %}
                {% block content %}
                {% for book in books %}{% include "app/row.html" with item=book %}{% endfor %}
                {% endblock %}
                {% block never %}{{ books.0.author }}{% endblock %}
                """,
            "app/row.html": "{% with who=item.author %}{{ who.publisher }}{% endwith %}",
        },
    )
    assert summary(path) == [
        ("app/templates/app/row.html:1", "safe"),
        ("app/templates/app/row.html:1", "safe"),
    ]
    assert 'select_related("author__publisher")' in fixed(path)


@pytest.mark.parametrize(
    "template, why",
    [
        ("{% for book in books %}{{ book.title }}{% endfor %}", "no relation read"),
        ("{% for book in books %}{{ book.author_id }}{% endfor %}", "the key column"),
        ("{{ books.0.author }}", "one row, not a loop"),
        (
            '{% extends "app/missing.html" %}'
            "{% block c %}{% for book in books %}{{ book.author }}{% endfor %}{% endblock %}",
            "a parent n1fix cannot find",
        ),
        (
            "{% load mytags %}{% for book in books %}{% mytag as book %}"
            "{{ book.author }}{% endfor %}",
            "a custom tag may set the variable",
        ),
        (
            "{% for book in books %}{% mytag %}{{ book.author }}{% endmytag %}{% endfor %}",
            "a custom block tag's body may not render",
        ),
        (
            "{% for book in books %}{% cache 60 x %}{{ book.author }}{% endcache %}{% endfor %}",
            "a cached fragment renders only sometimes",
        ),
        ("{% for book in books %}{{ book.author }}", "a template n1fix cannot read"),
        (
            "{% for book in books %}{{ book.tags.all|my_filter }}{% endfor %}",
            "the rows handed to a filter n1fix does not know",
        ),
    ],
)
def test_no_finding(tmp_path, template, why):
    path = project(tmp_path, FUNCTION_VIEW, {"app/books.html": template})
    assert summary(path) == [], why


def test_template_not_found(tmp_path):
    path = project(tmp_path, FUNCTION_VIEW, {"app/other.html": "{{ x }}"})
    assert summary(path) == []


def test_already_loaded(tmp_path):
    view = FUNCTION_VIEW.replace(
        'filter(title__startswith="A")',
        'filter(title__startswith="A").select_related("author")',
    )
    path = project(
        tmp_path,
        view,
        {"app/books.html": "{% for book in books %}{{ book.author }}{% endfor %}"},
    )
    assert summary(path) == []


def test_a_read_under_if_is_unsafe_and_a_custom_tag_after_it_does_not_matter(tmp_path):
    path = project(
        tmp_path,
        FUNCTION_VIEW,
        {
            "app/books.html": """\
                {% load mytags %}
                {% for book in books %}
                  {% if book.title %}{{ book.author }}{% endif %}
                  {% firstof book.title book.tags.all %}
                  {% mytag book %}
                {% endfor %}
                """,
        },
    )
    assert summary(path) == [
        ("app/templates/app/books.html:3", "unsafe"),
        ("app/templates/app/books.html:4", "unsafe"),
    ]


def test_list_view_default_names_and_template(tmp_path):
    path = project(
        tmp_path,
        """
        from django.contrib.auth.mixins import LoginRequiredMixin
        from django.views.generic import ListView

        from app.models import Book


        class BookList(LoginRequiredMixin, ListView):
            queryset = Book.objects.all()
            paginate_by = 20
        """,
        {
            "app/book_list.html": """\
                {% for book in object_list %}{{ book.author }}{% endfor %}
                {% for book in book_list %}{{ book.tags.all|join:", " }}{% endfor %}
                {% for book in page_obj %}{{ book.author.publisher }}{% endfor %}
                {% for book in page_obj.object_list %}{{ book.tags.all.0 }}{% endfor %}
                """,
        },
    )
    assert summary(path) == [
        ("app/templates/app/book_list.html:1", "safe"),
        ("app/templates/app/book_list.html:2", "safe"),
        ("app/templates/app/book_list.html:3", "safe"),
    ]
    assert (
        'Book.objects.select_related("author__publisher").prefetch_related("tags")'
        in fixed(path)
    )


def test_list_view_with_get_queryset_and_context_object_name(tmp_path):
    path = project(
        tmp_path,
        """
        from django.views.generic import ListView

        from app.models import Book


        class BookList(ListView):
            template_name = "app/books.html"
            context_object_name = "books"

            def get_queryset(self):
                return Book.objects.filter(title__startswith=self.kwargs["p"])

            def get_context_data(self, **kwargs):
                context = super().get_context_data(**kwargs)
                context["title"] = "Books"
                return context
        """,
        {"app/books.html": "{% for book in books %}{{ book.author }}{% endfor %}"},
    )
    assert summary(path) == [("app/templates/app/books.html:1", "safe")]
    assert (
        'return(Book.objects.filter(title__startswith=self.kwargs["p"])'
        '.select_related("author"))' in fixed(path)
    )


def test_detail_view_reads_per_row_of_a_relation_only(tmp_path):
    path = project(
        tmp_path,
        """
        from django.views.generic import DetailView

        from app.models import Author


        class AuthorDetail(DetailView):
            queryset = Author.objects.all()
        """,
        {
            "app/author_detail.html": """\
                {{ object.publisher.name }}
                {% for book in author.books.all %}{{ book.tags.all|length }}{% endfor %}
                """,
        },
    )
    assert summary(path) == [("app/templates/app/author_detail.html:2", "safe")]
    assert 'Author.objects.prefetch_related("books__tags")' in fixed(path)


@pytest.mark.parametrize(
    "view",
    [
        # the template is chosen at runtime
        """
        class BookList(ListView):
            queryset = Book.objects.all()

            def get_template_names(self):
                return ["app/book_list.html"]
        """,
        # the context's rows replaced
        """
        class BookList(ListView):
            queryset = Book.objects.all()

            def get_context_data(self, **kwargs):
                context = super().get_context_data(**kwargs)
                context["book_list"] = []
                return context
        """,
        # a project base class
        """
        class BookList(BaseList, ListView):
            queryset = Book.objects.all()
        """,
        # get_queryset loads more itself
        """
        class BookList(ListView):
            queryset = Book.objects.all()

            def get_queryset(self):
                return super().get_queryset().select_related("author")
        """,
    ],
)
def test_class_view_without_a_finding(tmp_path, view):
    path = project(
        tmp_path,
        "from django.views.generic import ListView\n\nfrom app.base import BaseList\n"
        "from app.models import Book\n" + textwrap.dedent(view),
        {
            "app/book_list.html": "{% for book in book_list %}{{ book.author }}{% endfor %}"
        },
    )
    (tmp_path / "app" / "base.py").write_text("class BaseList:\n    pass\n")
    assert summary(path) == []


def test_model_only_view_gets_a_queryset(tmp_path):
    view = """
        from django.views.generic import ListView

        from app.models import Book


        class BookList(ListView):
            model = Book
            paginate_by = 10
        """
    template = (
        "{% for book in book_list %}{{ book.author }}"
        "{{ book.author.publisher.name }}"
        "{% for tag in book.tags.all %}{{ tag.category }}{% endfor %}"
        "{{ book.reviews.count }}{% endfor %}"
    )
    path = project(tmp_path, view, {"app/book_list.html": template})
    found = findings(path)
    assert sorted(f.applicability.value for f in found) == ["none", "safe"]
    text = fix_source(path, path.read_text()).text
    assert (
        "    model = Book\n"
        "    queryset = (\n"
        '        Book.objects.select_related("author__publisher")'
        '\n        .prefetch_related("tags__category")\n'
        "    )\n"
        "    paginate_by = 10\n"
    ) in text
    # a model whose first manager is not `objects`: its default manager, as Django's
    (tmp_path / "app" / "models.py").write_text(
        textwrap.dedent(MODELS).replace(
            '    tags = models.ManyToManyField(Tag, related_name="books")\n',
            '    tags = models.ManyToManyField(Tag, related_name="books")\n'
            "    published = models.Manager()\n"
            "    objects = models.Manager()\n",
        )
    )
    assert "Book._default_manager.select_related(" in fixed(path)


def test_a_template_change_checks_the_view_that_renders_it(tmp_path, monkeypatch):
    """The template a view renders (and its includes) is a file the view's check read:
    editing it re-checks the view, whose findings follow the template."""
    from n1fix.config import Config
    from n1fix.engine import runner

    path = project(
        tmp_path,
        FUNCTION_VIEW,
        {
            "app/books.html": '{% for book in books %}{% include "app/row.html" %}'
            "{% endfor %}",
            "app/row.html": "{{ book.author }}",
        },
    )
    checked: list[str] = []
    work = runner._work

    def counted(task):
        checked.append(task[0].name)
        return work(task)

    monkeypatch.setattr(runner, "_work", counted)

    def scan() -> list[str]:
        checked.clear()
        result = runner.run([tmp_path / "app"], tmp_path, Config(), jobs=1)
        return [f.message.split(": ", 1)[0] for f in result.findings]

    assert scan() == ["app/templates/app/row.html:1"]
    assert scan() == ["app/templates/app/row.html:1"] and "views.py" not in checked
    (path.parent / "templates" / "app" / "row.html").write_text("{{ book.title }}")
    assert scan() == [] and "views.py" in checked


def test_a_template_that_appears_is_read_though_the_memo_answered_before(
    tmp_path, monkeypatch
):
    """A view whose template is not found is turned away before LibCST (the check would
    find nothing): the places the project gate looked at key the run memo's answer, so
    that the template appearing there re-checks the view."""
    from n1fix.config import Config
    from n1fix.engine import run_memo, runner

    monkeypatch.setattr(run_memo, "RACY_NS", 0)  # files written just now
    project(tmp_path, FUNCTION_VIEW, {})
    checked: list[str] = []
    work = runner._work

    def counted(task):
        checked.append(task[0].name)
        return work(task)

    monkeypatch.setattr(runner, "_work", counted)

    def scan() -> list[str]:
        result = runner.run([tmp_path], tmp_path, Config(), jobs=1, memo=True)
        return [f.message.split(": ", 1)[0] for f in result.findings]

    assert scan() == [] and "views.py" not in checked
    template = tmp_path / "app" / "templates" / "app" / "books.html"
    template.write_text("{% for book in books %}{{ book.author }}{% endfor %}")
    assert scan() == ["app/templates/app/books.html:1"] and "views.py" in checked


def test_rows_rendered_under_an_if_and_a_queryset_used_elsewhere(tmp_path):
    view = FUNCTION_VIEW.replace(
        "        return render(",
        '        titles = books.only("title")\n        return render(',
    )
    template = (
        "{% if books %}{% for book in books %}{{ book.author }}{% endfor %}"
        "{% else %}none{% endif %}"
    )
    path = project(tmp_path, FUNCTION_VIEW, {"app/books.html": template})
    assert summary(path) == [("app/templates/app/books.html:1", "safe")]
    path.write_text(textwrap.dedent(view))
    assert summary(path) == [("app/templates/app/books.html:1", "unsafe")]


@pytest.mark.parametrize(
    "imports, call",
    [
        (
            "from django.template.response import TemplateResponse",
            'TemplateResponse(request, "app/books.html", context)',
        ),
        (
            "from django.template import loader",
            'loader.render_to_string("app/books.html", context=context)',
        ),
        (
            "from django.shortcuts import render",
            'render(request, template_name="app/books.html", context=context)',
        ),
    ],
)
def test_other_renderers_and_a_context_bound_once(tmp_path, imports, call):
    view = f"""
        {imports}

        from app.models import Book


        def book_list(request):
            books = Book.objects.all()
            context = {{"books": books}}
            return {call}
        """
    template = "{% for book in books %}{{ book.author }}{% endfor %}"
    path = project(tmp_path, view, {"app/books.html": template})
    assert summary(path) == [("app/templates/app/books.html:1", "safe")]
    changed = view.replace(
        "            return", '            context["books"] = []\n            return'
    )
    path.write_text(textwrap.dedent(changed))
    assert summary(path) == []


def test_get_queryset_narrowing_the_default_rows(tmp_path):
    """A view naming its model whose `get_queryset()` narrows `super()`'s and loads a
    first step (django-shapes 11.3): the loader there goes deeper."""
    path = project(
        tmp_path,
        """
        from django.views.generic import ListView

        from app.models import Book


        class BookList(ListView):
            model = Book

            def get_queryset(self):
                return super().get_queryset().filter(title="x").select_related("author")
        """,
        {
            "app/book_list.html": "{% for book in book_list %}{{ book.author.name }}"
            "{{ book.author.publisher.name }}{% endfor %}",
        },
    )
    assert summary(path) == [("app/templates/app/book_list.html:1", "safe")]
    assert (
        'super().get_queryset().filter(title="x").select_related("author__publisher")'
        in fixed(path)
    )


def test_a_custom_tag_before_the_loop_only_unbinds_what_it_sets(tmp_path):
    template = (
        "{% load mytags %}{% site_menu %}{% pick_books as shown %}"
        "{% for book in books %}{{ book.author }}{% endfor %}"
        "{% pick_books as books %}{% for book in books %}{{ book.tags.all }}{% endfor %}"
    )
    path = project(tmp_path, FUNCTION_VIEW, {"app/books.html": template})
    assert [f.message.split("`")[1] for f in findings(path)] == ["book.author"]


def test_a_custom_tag_in_a_branch_before_the_loop_unbinds_after_it(tmp_path):
    template = (
        "{% load mytags %}{% if x %}{% pick_books as books %}{% endif %}"
        "{% for book in books %}{{ book.author }}{% endfor %}"
    )
    path = project(tmp_path, FUNCTION_VIEW, {"app/books.html": template})
    assert findings(path) == []


# -- the cheap test for a view that renders a template ------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "return render(request, 'a.html')",
        "x.render(request)",
        "prerender(x)",
        "return TemplateResponse(request, 'a.html')",
        "MyTemplateResponse(request)",
        "render_to_string('a.html', {})",
        "loader.render_to_string('a.html')",
        "class V(ListView): pass",
        "class V(generic.DetailView): pass",
        "class V(ListViewMixin): pass",
        "SortedListView",
        "x.render( render(",
        "ListViews DetailView",
        "",
    ],
)
def test_renders_template_agrees_with_the_pattern(text):
    from n1fix.rules.lazy_load_in_loop.rule import _TEMPLATE_VIEW, renders_template

    assert renders_template(text) == bool(_TEMPLATE_VIEW.search(text))
