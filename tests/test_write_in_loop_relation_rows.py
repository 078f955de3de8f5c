"""write-in-loop turns away, once the model index is known, a file its gate let through
only for an item's `.save()` / `.delete()` in loops over `owner.rel` where no model has a
relationship named `rel` (`gate.relation_rows`, `WriteInLoop.project_turns_away`):
`item_model` finds the items' model there only through such a relationship. Findings
with and without the gates are the same on tricky spellings (a related_name, a
reverse accessor, async, a nested function, a class body, a decorated method), and a
file turned away is checked again once a model gains that relationship.
"""

from __future__ import annotations

import ast
import textwrap
from collections import Counter
from pathlib import Path

import pytest

import n1fix.engine.runner as runner
from n1fix.config import Config
from n1fix.rules.write_in_loop.rule import WriteInLoop

MODELS = """\
from django.db import models


class Author(models.Model):
    name = models.CharField(max_length=100)


class Book(models.Model):
    author = models.ForeignKey(Author, on_delete=models.CASCADE, related_name="books")
    title = models.CharField(max_length=100)


class Chapter(models.Model):
    book = models.ForeignKey(Book, on_delete=models.CASCADE)
    number = models.IntegerField()
"""

FILES = {
    "related_name.py": """
        from app.models import Author

        def touch(author: Author):
            for b in author.books:
                b.save()
    """,
    "reverse_accessor.py": """
        from app import models as m

        def drop(book: m.Book):
            for c in book.chapter_set:
                c.delete()
    """,
    "async_save.py": """
        from app.models import Author

        async def touch(author: Author):
            async for b in author.books:
                await b.asave()
    """,
    "nested_function.py": """
        from app.models import Author

        def outer():
            def touch(author: Author):
                for b in author.books:
                    b.save()
            return touch
    """,
    "decorated_method.py": """
        import functools

        from app.models import Book

        class Shelf:
            @functools.cache
            def drop(self, book: Book):
                for c in book.chapter_set:
                    c.delete()
    """,
    # turned away: no model has a relationship `forms` / `plugin_forms`
    "view_forms.py": """
        class View:
            def post(self):
                for f in self.forms:
                    f.save()
                for p in self.plugin_forms:
                    p.delete()
    """,
    "author_forms.py": """
        from app.models import Author

        def post(author: Author):
            for f in author.forms:
                f.save()
    """,
    "mixed.py": """
        from app.models import Author

        class View:
            def post(self, author: Author):
                for f in self.forms:
                    f.save()
                for b in author.books:
                    b.save()
    """,
}
TURNED_AWAY = {"view_forms.py", "author_forms.py"}
FOUND = {
    "related_name.py",
    "reverse_accessor.py",
    "async_save.py",
    "nested_function.py",
    "decorated_method.py",
    "mixed.py",
}


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'x'\nversion = '0'\n")
    app = tmp_path / "app"
    app.mkdir()
    (app / "__init__.py").write_text("")
    (app / "models.py").write_text(MODELS)
    for name, text in FILES.items():
        (app / name).write_text(textwrap.dedent(text))
    return tmp_path


@pytest.fixture
def checked(monkeypatch) -> Counter:
    """The files the precise pass checks for write-in-loop, by name."""
    counts: Counter = Counter()
    work = runner._work

    def counted(task):
        if task[3] is None or "write-in-loop" in task[3]:
            counts[task[0].name] += 1
        return work(task)

    monkeypatch.setattr(runner, "_work", counted)
    return counts


def _config(cache: bool = False) -> Config:
    return Config(select=["write-in-loop"], cache=cache)


def _found(result) -> list[str]:
    return sorted(
        f"{f.path.rsplit('/', 1)[-1]}:{f.line}"
        for f in result.findings
        if f.rule == "write-in-loop"
    )


def test_turned_away_files_hold_no_finding(project: Path, checked: Counter) -> None:
    gated = runner.run([project / "app"], project, _config(), jobs=1)
    turned = set(checked)
    ungated = runner.run([project / "app"], project, _config(), jobs=1, use_gate=False)
    assert _found(gated) == _found(ungated)
    assert {name.partition(":")[0] for name in _found(gated)} == FOUND
    assert not turned & TURNED_AWAY, turned
    assert FOUND <= turned


def test_the_survey_names_the_relationships_only_when_nothing_else_passes() -> None:
    rule = WriteInLoop()

    def survey(source: str):
        source = textwrap.dedent(source)
        tree = ast.parse(source)
        return rule.gate(tree, source), rule.survey(tree, source)

    assert survey(FILES["view_forms.py"]) == (True, ["forms", "plugin_forms"])
    assert survey(FILES["related_name.py"]) == (True, ["books"])
    assert survey(FILES["mixed.py"]) == (True, ["books", "forms"])
    # any other write the gate passes keeps the file whatever the index says
    assert survey(
        "for b in Book.objects.all():\n    b.save()\nfor f in self.forms:\n    f.save()\n"
    ) == (True, None)
    assert survey("for f in self.forms:\n    Book.objects.create(f=f)\n") == (
        True,
        None,
    )
    assert survey("for f in self.forms:\n    g.save()\n") == (False, None)


@pytest.mark.parametrize("memo", [False, True])
def test_a_file_turned_away_is_checked_once_a_model_has_the_relationship(
    project: Path, checked: Counter, memo: bool
) -> None:
    """With the results cache and the run memo on: author_forms.py's own survey still
    says its gate let it through, and the project is asked again."""
    config = _config(cache=True)
    before = runner.run([project / "app"], project, config, jobs=1, memo=memo)
    assert not any(name.startswith("author_forms.py") for name in _found(before))
    checked.clear()
    warm = runner.run([project / "app"], project, config, jobs=1, memo=memo)
    assert _found(warm) == _found(before) and not checked
    models = project / "app" / "models.py"
    models.write_text(
        MODELS
        + textwrap.dedent(
            """

            class Form(models.Model):
                view = models.ForeignKey(Author, on_delete=models.CASCADE,
                                         related_name="forms")
            """
        )
    )
    checked.clear()
    after = runner.run([project / "app"], project, config, jobs=1, memo=memo)
    assert "author_forms.py" in checked
    fresh = runner.run([project / "app"], project, _config(), jobs=1, use_gate=False)
    assert _found(after) == _found(fresh)
    assert any(name.startswith("author_forms.py") for name in _found(after))
