"""Partner API for archived articles: only those quoted by a published claim."""

from django.db.models import Prefetch
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import permissions, viewsets

from claims.api.docs import READ_ERRORS
from claims.api.serializers import SourceDetailSerializer, SourceSerializer
from claims.cache import CachedReadMixin
from claims.models import Appearance, Claim
from config.api import ConditionalGetMixin, StableCursorPagination
from config.api_filters import FilterBackend

from ..filters import SourceFilter
from ..models import Source


class ImportedPagination(StableCursorPagination):
    # `published_at` may be empty (undated articles); the import time never is.
    ordering = ("-imported_at", "-id")


@extend_schema_view(
    list=extend_schema(summary="Quellen / archived sources", responses={200: SourceSerializer(many=True), **READ_ERRORS}),
    retrieve=extend_schema(
        summary="Quelle mit Text und Zitaten / source with text and quotes", responses={200: SourceDetailSerializer, **READ_ERRORS}
    ),
)
class SourceViewSet(CachedReadMixin, ConditionalGetMixin, viewsets.ReadOnlyModelViewSet):
    lookup_field = "slug"
    lookup_value_regex = r"[-a-zA-Z0-9_]+"
    permission_classes = [permissions.AllowAny]
    pagination_class = ImportedPagination
    filter_backends = [FilterBackend]
    filterset_class = SourceFilter

    def get_queryset(self):
        queryset = Source.objects.public().select_related("outlet")
        if self.action == "list":
            return queryset.defer("body", "raw")
        public_appearances = Appearance.objects.filter(claim__in=Claim.objects.published()).select_related("claim").order_by("start", "id")
        return queryset.defer("raw").prefetch_related(Prefetch("appearances", queryset=public_appearances, to_attr="public_appearances"))

    def get_serializer_class(self):
        return SourceSerializer if self.action == "list" else SourceDetailSerializer
