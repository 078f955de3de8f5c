"""Django's own models that projects use without defining them: `django.contrib.auth`'s
`User`, `Group` and `Permission` (and the abstract `AbstractBaseUser`,
`PermissionsMixin` and `AbstractUser` a project's user model builds on), and
`django.contrib.contenttypes`' `ContentType`.

They are not in the project's source, so the model index gets them from here: the class
bodies below are Django's own declarations (`django/contrib/auth/base_user.py`,
`django/contrib/auth/models.py`, `django/contrib/contenttypes/models.py`), trimmed to
what the index reads (fields with the options it reads, managers, `Meta`, the names of
the methods the classes define). They are the same in every Django release from 4.2 LTS
to 5.2; `tests/test_django_contrib.py` checks them against the installed Django's source.
They are read by the same `extract_django` as the project's own modules.

`User` is swappable: a project that sets `AUTH_USER_MODEL` to its own model has no
`auth.User` table, and `get_user_model()` / `settings.AUTH_USER_MODEL` name that model
instead (`n1fix.orm.django_models` decides which).
"""

from __future__ import annotations

import ast
import functools
import textwrap

from n1fix.orm.django_facts import DjangoClassFacts, extract_django
from n1fix.orm.imports import import_map
from n1fix.orm.model_facts import ModuleFacts

__all__ = [
    "CONTRIB_MODELS",
    "STOCK_CONTRIB_MANAGERS",
    "USER",
    "contrib_classes",
    "contrib_modules",
]

USER = "django.contrib.auth.models.User"
# The concrete contrib models by qualified name, with their labels.
CONTRIB_MODELS = {
    USER: "auth.User",
    "django.contrib.auth.models.Group": "auth.Group",
    "django.contrib.auth.models.Permission": "auth.Permission",
    "django.contrib.contenttypes.models.ContentType": "contenttypes.ContentType",
}
# Their managers: none overrides `get_queryset` or a QuerySet method the rewrites use
# (they add `get_by_natural_key`, `create_user`, the content-type cache).
STOCK_CONTRIB_MANAGERS = {
    "django.contrib.auth.base_user.BaseUserManager",
    "django.contrib.auth.models.UserManager",
    "django.contrib.auth.models.GroupManager",
    "django.contrib.auth.models.PermissionManager",
    "django.contrib.contenttypes.models.ContentTypeManager",
}

_SOURCES = {
    "django.contrib.contenttypes.models": """
        from django.db import models


        class ContentTypeManager(models.Manager):
            def get_by_natural_key(self, app_label, model): ...
            def get_for_model(self, model, for_concrete_model=True): ...
            def get_for_models(self, *models, for_concrete_models=True): ...
            def get_for_id(self, id): ...
            def clear_cache(self): ...


        class ContentType(models.Model):
            app_label = models.CharField(max_length=100)
            model = models.CharField(max_length=100)
            objects = ContentTypeManager()

            class Meta:
                db_table = "django_content_type"
                unique_together = [["app_label", "model"]]

            def model_class(self): ...
            def get_object_for_this_type(self, using=None, **kwargs): ...
            def get_all_objects_for_this_type(self, **kwargs): ...
            def natural_key(self): ...
    """,
    "django.contrib.auth.base_user": """
        from django.db import models


        class BaseUserManager(models.Manager):
            def normalize_email(cls, email): ...
            def get_by_natural_key(self, username): ...


        class AbstractBaseUser(models.Model):
            password = models.CharField(max_length=128)
            last_login = models.DateTimeField(blank=True, null=True)

            class Meta:
                abstract = True

            def save(self, *args, **kwargs): ...
            def get_username(self): ...
            def natural_key(self): ...
            def set_password(self, raw_password): ...
            def check_password(self, raw_password): ...
    """,
    "django.contrib.auth.models": """
        from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
        from django.contrib.contenttypes.models import ContentType
        from django.db import models


        class PermissionManager(models.Manager):
            def get_by_natural_key(self, codename, app_label, model): ...


        class Permission(models.Model):
            name = models.CharField(max_length=255)
            content_type = models.ForeignKey(ContentType, models.CASCADE)
            codename = models.CharField(max_length=100)
            objects = PermissionManager()

            class Meta:
                unique_together = [["content_type", "codename"]]
                ordering = ["content_type__app_label", "content_type__model", "codename"]

            def natural_key(self): ...


        class GroupManager(models.Manager):
            def get_by_natural_key(self, name): ...


        class Group(models.Model):
            name = models.CharField(max_length=150, unique=True)
            permissions = models.ManyToManyField(Permission, blank=True)
            objects = GroupManager()

            def natural_key(self): ...


        class UserManager(BaseUserManager):
            def create_user(self, username, email=None, password=None, **extra_fields): ...
            def create_superuser(self, username, email=None, password=None, **extra): ...
            def with_perm(self, perm, is_active=True, include_superusers=True): ...


        class PermissionsMixin(models.Model):
            is_superuser = models.BooleanField(default=False)
            groups = models.ManyToManyField(
                Group, blank=True, related_name="user_set", related_query_name="user"
            )
            user_permissions = models.ManyToManyField(
                Permission, blank=True, related_name="user_set", related_query_name="user"
            )

            class Meta:
                abstract = True

            def has_perm(self, perm, obj=None): ...


        class AbstractUser(AbstractBaseUser, PermissionsMixin):
            username = models.CharField(max_length=150, unique=True)
            first_name = models.CharField(max_length=150, blank=True)
            last_name = models.CharField(max_length=150, blank=True)
            email = models.EmailField(blank=True)
            is_staff = models.BooleanField(default=False)
            is_active = models.BooleanField(default=True)
            date_joined = models.DateTimeField()
            objects = UserManager()

            class Meta:
                abstract = True

            def clean(self): ...
            def get_full_name(self): ...
            def get_short_name(self): ...
            def email_user(self, subject, message, from_email=None, **kwargs): ...


        class User(AbstractUser):
            class Meta(AbstractUser.Meta):
                swappable = "AUTH_USER_MODEL"
    """,
}


@functools.cache
def _parsed() -> dict[str, ast.Module]:
    return {
        module: ast.parse(textwrap.dedent(text)) for module, text in _SOURCES.items()
    }


@functools.cache
def contrib_classes() -> tuple[DjangoClassFacts, ...]:
    """The contrib classes' facts, as `extract_django` reads Django's source."""
    return tuple(
        fact
        for module, tree in _parsed().items()
        for fact in extract_django(tree, module)
        if isinstance(fact, DjangoClassFacts)
    )


@functools.cache
def contrib_modules() -> tuple[ModuleFacts, ...]:
    """What the contrib modules' names stand for: `django.contrib.auth.models`
    re-exports `AbstractBaseUser` from `base_user`, which projects import from either."""
    return tuple(
        ModuleFacts(module, tuple(sorted(import_map(tree, module).items())))
        for module, tree in _parsed().items()
    )
