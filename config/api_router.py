"""URL root of the partner API (/api/v1/): each app registers its viewsets in <app>/api/urls.py."""

from django.urls import include, path

urlpatterns = [
    path("", include("claims.api.urls")),
    path("", include("sources.api.urls")),
]
