"""The golden Django project's URLconf: the default admin site's URLs.

`urlpatterns` is made when Django's URL resolver asks for it (after
`django.urls.clear_url_caches()`, see golden_django.admin_registrations), not when this
module is imported: the admin site's URLs are those of the models registered then, and
the case modules register theirs when they are loaded, after this import.
"""

from __future__ import annotations

from typing import Any


def __getattr__(name: str) -> Any:
    if name == "urlpatterns":
        from django.contrib import admin
        from django.urls import path

        return [path("admin/", admin.site.urls)]
    raise AttributeError(name)
