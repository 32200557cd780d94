from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from django.views.decorators.csrf import csrf_exempt
from django.views.i18n import set_language

from .admin_views import AutocompleteView
from .health import healthz

admin.site.site_header = f"{settings.SITE_NAME} – Redaktion"
admin.site.site_title = settings.SITE_NAME
admin.site.index_title = "Faktenchecks verwalten"

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("admin/autocomplete/", admin.site.admin_view(AutocompleteView.as_view(admin_site=admin.site)), name="admin-autocomplete"),
    path("admin/", admin.site.urls),
    path("api/v1/", include("config.api_router")),
    # Choosing the display language changes nothing but a preference cookie; without a CSRF
    # token in the language form every public page is identical for all readers and cacheable.
    path("i18n/setlang/", csrf_exempt(set_language), name="set_language"),
    path("quellen/", include("sources.urls")),
    path("", include("claims.urls")),
]

handler400 = "config.security.bad_request"
handler404 = "config.security.page_not_found"
handler500 = "config.security.server_error"

if settings.BENCH_BASELINES:
    urlpatterns.insert(0, path("__bench__/", include("bench.baselines")))
