import re

from django.contrib import admin
from django.contrib.auth.models import User
from django.test import RequestFactory

from djrender.models import Render


def cells(row):
    """A row's columns as text (its first cell, the action checkbox, left out)."""
    return tuple(
        re.sub(r"<[^>]+>", "", cell).strip()
        for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)[1:]
    )


def run(module):
    # the changelist of the admin the case module registered, as a superuser sees it
    # (not saved: nothing on the page reads the user from the database)
    request = RequestFactory().get("/admin/djrender/render/")
    request.user = User(username="admin", is_active=True, is_staff=True, is_superuser=True)
    response = admin.site._registry[Render].changelist_view(request)
    page = response.render().content.decode()
    body = re.search(r"<tbody>(.*?)</tbody>", page, re.S).group(1)
    # eighteen renders, newest first; eight of them in a chain (three chains)
    return [cells(row) for row in re.findall(r"<tr>(.*?)</tr>", body, re.S)]
