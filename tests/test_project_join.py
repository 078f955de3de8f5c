"""The project index is joined from what the files hold: Django's model join (and its
contrib models) only for a project that imports Django."""

from __future__ import annotations

from pathlib import Path

import pytest

import n1fix.orm.django_models as django_models
from n1fix.config import Config
from n1fix.engine.runner import run

# Classes in a `models` module (Django's convention) in a project without Django: the
# survey keeps their class facts, which can join to no Django model.
SETTINGS_MODELS = """\
from pydantic import BaseModel


class APISettings(BaseModel):
    url: str = "http://localhost"
"""

DJANGO_MODELS = """\
from django.db import models


class Author(models.Model):
    name = models.CharField(max_length=100)
"""

LOOP = """\
from app.models import {name}


def names(ids):
    return [{name}.objects.get(pk=i) for i in ids]
"""


def _project(tmp_path: Path, models: str, name: str) -> Path:
    (tmp_path / "app").mkdir()
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "p"\n')
    (tmp_path / "app" / "__init__.py").write_text("")
    (tmp_path / "app" / "models.py").write_text(models)
    (tmp_path / "app" / "loop.py").write_text(LOOP.format(name=name))
    return tmp_path


def _joins(monkeypatch) -> list:
    joined: list = []
    real = django_models.with_django_models

    def spy(*args):
        joined.append(args)
        return real(*args)

    monkeypatch.setattr(django_models, "with_django_models", spy)
    return joined


def test_a_project_without_django_joins_no_django_models(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = _project(tmp_path, SETTINGS_MODELS, "APISettings")
    joined = _joins(monkeypatch)
    result = run([root / "app"], root, Config(cache=False), jobs=1)
    assert joined == []
    assert result.project.models.resolve("APISettings", {}, "app.loop") is None


def test_a_django_project_joins_its_models(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = _project(tmp_path, DJANGO_MODELS, "Author")
    joined = _joins(monkeypatch)
    result = run([root / "app"], root, Config(cache=False), jobs=1)
    assert len(joined) == 1
    assert [f.rule for f in result.findings] == ["query-in-loop"]
