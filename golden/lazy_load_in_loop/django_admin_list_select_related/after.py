from django.contrib import admin

from djrender.models import Render


@admin.register(Render)
class RenderAdmin(admin.ModelAdmin):
    list_display = ("prompt", "status", "project", "chain")
    list_select_related = ("chain", "project__user", "user")
    list_per_page = 20
