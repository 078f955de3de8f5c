"""Django's own models in the model index: the built-in table of `django.contrib.auth`
and `django.contrib.contenttypes` (checked against the installed Django's source), the
user model (`settings.AUTH_USER_MODEL`, `get_user_model()`), and names bound by
`get_model(...)` (django-oscar's loader, Django's `apps.get_model`)."""

from __future__ import annotations

import ast
import importlib.util
import textwrap
from pathlib import Path

import pytest

from n1fix.engine.survey import survey_file
from n1fix.orm.dialect import MANY_TO_MANY, MANY_TO_ONE
from n1fix.orm.django_contrib import contrib_classes
from n1fix.orm.django_facts import DjangoClassFacts, extract_django
from n1fix.orm.django_models import with_django_models
from n1fix.orm.models import ModelIndex


def _installed(module: str) -> dict[str, DjangoClassFacts]:
    spec = importlib.util.find_spec(module)
    assert spec is not None and spec.origin is not None
    tree = ast.parse(Path(spec.origin).read_text())
    return {
        f.qualname: f
        for f in extract_django(tree, module)
        if isinstance(f, DjangoClassFacts)
    }


def test_the_table_is_what_djangos_source_declares() -> None:
    installed: dict[str, DjangoClassFacts] = {}
    for module in (
        "django.contrib.auth.base_user",
        "django.contrib.auth.models",
        "django.contrib.contenttypes.models",
    ):
        installed.update(_installed(module))
    for ours in contrib_classes():
        theirs = installed[ours.qualname]
        assert ours.bases == theirs.bases, ours.qualname
        assert ours.fields == theirs.fields, ours.qualname
        assert ours.managers == theirs.managers, ours.qualname
        assert (ours.abstract, ours.ordering, ours.unique_together, ours.db_table) == (
            theirs.abstract,
            theirs.ordering,
            theirs.unique_together,
            theirs.db_table,
        ), ours.qualname
        # every method the table names is Django's, and so are its save/delete overrides
        assert set(ours.methods) <= set(theirs.methods), ours.qualname
        assert {"save", "delete"} & set(theirs.methods) == {"save", "delete"} & set(
            ours.methods
        ), ours.qualname


def _index(tmp_path: Path, files: dict[str, str]) -> ModelIndex:
    for name, text in files.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text))
    surveys = [survey_file(p, tmp_path, {}) for p in sorted(tmp_path.rglob("*.py"))]
    facts = [fact for survey in surveys for fact in survey.models]
    return with_django_models(
        ModelIndex.from_facts(facts),
        [fact for survey in surveys for fact in survey.django_models],
        facts,
    )


LIBRARY = {
    "blog/__init__.py": "",
    "blog/models.py": """
        from django.conf import settings
        from django.contrib.auth.models import Group
        from django.db import models


        class Post(models.Model):
            author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
            team = models.ForeignKey(Group, null=True, on_delete=models.SET_NULL)
    """,
    "blog/views.py": """
        from django.contrib.auth import get_user_model
        from django.apps import apps

        User = get_user_model()
        UserModel = get_user_model()
        Post = apps.get_model("blog", "Post")
        Article = apps.get_model("blog.Post")
    """,
}


def test_a_project_without_the_setting_uses_auth_user(tmp_path: Path) -> None:
    index = _index(tmp_path, LIBRARY)
    post = index.get("blog.models.Post")
    author = post.relationship("author")
    assert author.direction == MANY_TO_ONE
    assert author.target == "django.contrib.auth.models.User"
    user = index.get("django.contrib.auth.models.User")
    assert user.table == "auth_user" and user.is_unique("username")
    assert not user.is_unique("email")
    assert user.relationship("groups").direction == MANY_TO_MANY
    assert user.relationship("post_set").target == "blog.models.Post"
    # the site may swap the user model: its manager and ordering are not known
    assert user.django.manager_filters("objects")
    assert not user.django.ordering_known
    assert ("save", "django.contrib.auth.base_user.AbstractBaseUser") in (
        user.django.overrides
    )


def test_contrib_models_the_project_uses(tmp_path: Path) -> None:
    index = _index(tmp_path, LIBRARY)
    group = index.get("django.contrib.auth.models.Group")
    assert group.table == "auth_group" and group.is_unique("name")
    assert not group.django.manager_filters("objects")
    assert group.relationship("user_set").target == "django.contrib.auth.models.User"
    assert index.get("blog.models.Post").relationship("team").target == (
        "django.contrib.auth.models.Group"
    )
    permission = index.get("django.contrib.auth.models.Permission")
    assert permission.django.ordering == (
        "content_type__app_label",
        "content_type__model",
        "codename",
    )
    assert permission.is_unique_together(["content_type_id", "codename"])
    content_type = index.get("django.contrib.contenttypes.models.ContentType")
    assert content_type.table == "django_content_type"


def test_names_bound_by_django_loading(tmp_path: Path) -> None:
    index = _index(tmp_path, LIBRARY)
    user = "django.contrib.auth.models.User"
    assert index.resolve("User", {}, "blog.views").qualname == user
    assert index.resolve("UserModel", {}, "blog.views").qualname == user
    assert index.resolve("Post", {}, "blog.views").qualname == "blog.models.Post"
    assert index.resolve("Article", {}, "blog.views").qualname == "blog.models.Post"
    assert "UserModel" in index.django_model_names()


def test_unused_contrib_models_stay_out(tmp_path: Path) -> None:
    index = _index(
        tmp_path,
        {
            "shop/__init__.py": "",
            "shop/models.py": """
                from django.db import models


                class Item(models.Model):
                    name = models.CharField(max_length=10)
            """,
        },
    )
    assert set(index.models) == {"shop.models.Item"}


SWAPPED = {
    "config/__init__.py": "",
    "config/settings.py": 'AUTH_USER_MODEL = "accounts.Member"\n',
    "accounts/__init__.py": "",
    "accounts/models.py": """
        from django.conf import settings
        from django.contrib.auth.models import AbstractUser, Group as DjangoGroup
        from django.db import models


        class Member(AbstractUser):
            nickname = models.CharField(max_length=20)


        class Group(models.Model):
            label = models.CharField(max_length=20)


        class Note(models.Model):
            owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    """,
    "accounts/views.py": """
        from django.contrib.auth import get_user_model

        User = get_user_model()
    """,
}


def test_a_swapped_user_model(tmp_path: Path) -> None:
    index = _index(tmp_path, SWAPPED)
    assert "django.contrib.auth.models.User" not in index
    member = index.get("accounts.models.Member")
    assert member is not None and member.is_unique("username")
    assert member.column("nickname") is not None
    assert not member.django.manager_filters("objects")
    assert index.get("accounts.models.Note").relationship("owner").target == (
        "accounts.models.Member"
    )
    assert index.resolve("User", {}, "accounts.views").qualname == (
        "accounts.models.Member"
    )


def test_a_project_model_keeps_its_name(tmp_path: Path) -> None:
    # `Group.objects` is matched by class name: with both, it would name either
    index = _index(tmp_path, SWAPPED)
    assert [m.qualname for m in index.by_name("Group")] == ["accounts.models.Group"]
    # the mixin's `groups` relation leads to a model n1fix leaves out: unknown
    assert index.get("accounts.models.Member").relationship("groups").target not in (
        index
    )


@pytest.mark.parametrize(
    "settings",
    ['AUTH_USER_MODEL = "accounts.Member"\nAUTH_USER_MODEL = "accounts.Other"\n'],
)
def test_settings_that_disagree_name_no_user_model(
    tmp_path: Path, settings: str
) -> None:
    index = _index(tmp_path, {**SWAPPED, "config/settings.py": settings})
    assert index.get("accounts.models.Note").relationship("owner").target not in index
    assert index.resolve("User", {}, "accounts.views") is None


FORKABLE = {
    "pyproject.toml": "[project]\nname = 'x'\nversion = '0'\n",
    "shop/__init__.py": "",
    "shop/loading.py": """
        def is_model_registered(app_label, model_name): ...
        def get_model(app_label, model_name): ...
    """,
    "shop/abstract_models.py": """
        from django.db import models


        class AbstractCharge(models.Model):
            name = models.CharField(max_length=10)

            class Meta:
                abstract = True
    """,
    "shop/models.py": """
        from shop.abstract_models import AbstractCharge
        from shop.loading import is_model_registered

        if not is_model_registered("shop", "Charge"):

            class Charge(AbstractCharge):
                pass
    """,
    "shop/service.py": """
        from shop.loading import get_model

        Charge = get_model("shop", "Charge")


        def add(names):
            for name in names:
                Charge.objects.create(name=name)
    """,
}


def test_a_model_a_project_may_fork_gets_no_safe_bulk_write(tmp_path: Path) -> None:
    from n1fix.config import load_config
    from n1fix.engine.runner import run
    from n1fix.rules.base import Applicability

    index = _index(tmp_path, FORKABLE)
    charge = index.resolve("Charge", {}, "shop.service")
    assert charge is not None and charge.django.forkable
    # the whole project: the service imports no models module, it loads by name
    result = run([tmp_path], tmp_path, load_config(tmp_path), jobs=1)
    found = [f for f in result.findings if f.rule == "write-in-loop"]
    assert len(found) == 1
    assert found[0].applicability is Applicability.UNSAFE, found[0].message
    assert "is_model_registered" in found[0].message
