"""URL root of the partner API (/api/v1/): each app registers its viewsets in <app>/api/urls.py."""

from django.urls import include, path, re_path
from django.views.decorators.csrf import csrf_exempt
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.renderers import JSONRenderer

from config.security import page_not_found

app_name = "api"


class SchemaView(SpectacularAPIView):
    """The OpenAPI document (YAML or JSON); its errors are JSON like every other API error, not YAML."""

    def finalize_response(self, request, response, *args, **kwargs):
        if response.status_code >= 400:
            request.accepted_renderer, request.accepted_media_type = JSONRenderer(), JSONRenderer.media_type
        return super().finalize_response(request, response, *args, **kwargs)


@csrf_exempt  # changes nothing; a POST to a mistyped path is a JSON 404, not the CSRF page
def not_found(request, path=""):
    """Unknown API paths answer in JSON like every other API error (the site's 404 handler, also in debug mode)."""
    return page_not_found(request)


urlpatterns = [
    path("schema/", SchemaView.as_view(), name="schema"),
    path(
        "docs/",
        SpectacularSwaggerSplitView.as_view(url_name="api:schema", template_name="api/swagger_ui.html", metadata_class=None),
        name="docs",
    ),
    path("", include("claims.api.urls")),
    path("", include("sources.api.urls")),
    re_path(r"^(?P<path>.*)$", not_found),
]
