from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from .models import Outlet, Source


@admin.register(Outlet)
class OutletAdmin(admin.ModelAdmin):
    list_display = ["name", "domain"]
    search_fields = ["name", "domain"]


@admin.register(Source)
class SourceAdmin(admin.ModelAdmin):
    list_display = ["title", "outlet", "agency", "published_at", "imported_at", "is_latest"]
    list_filter = ["outlet", "agency", "language", "is_latest", ("published_at", admin.DateFieldListFilter)]
    search_fields = ["title", "body", "url", "author"]
    autocomplete_fields = ["outlet"]
    readonly_fields = ["content_hash", "imported_at", "previous_version", "raw_content_type", "slug"]
    date_hierarchy = "imported_at"
    list_select_related = ["outlet"]
    fieldsets = [
        (None, {"fields": ["title", "url", "outlet", "agency", "author", "published_at", "language"]}),
        (_("Text"), {"fields": ["teaser", "body"]}),
        (_("Archiv"), {"fields": ["slug", "content_hash", "imported_at", "raw_content_type", "previous_version"]}),
    ]

    def get_readonly_fields(self, request, obj=None):
        # The archived text is immutable once stored: quotes are anchored in it.
        if obj is not None:
            return [*self.readonly_fields, "body", "teaser", "url"]
        return self.readonly_fields
