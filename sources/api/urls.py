from django.urls import path
from rest_framework.routers import SimpleRouter

from .imports import SourceImportView
from .views import SourceViewSet

router = SimpleRouter()
router.register("sources", SourceViewSet, basename="source")

# Before the router: its "sources/<slug>/" route must not swallow "sources/import/".
urlpatterns = [
    path("sources/import/", SourceImportView.as_view(), name="source-import"),
    *router.urls,
]
