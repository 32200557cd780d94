from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.db import transaction
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import permissions, status
from rest_framework.exceptions import ValidationError
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from claims.api.access import SessionAuthentication
from claims.api.docs import WRITE_ERRORS, ErrorSerializer
from config.api import JSONParser

from ..ingest import IngestError, import_source
from .serializers import ImportReportSerializer, SourceImportSerializer


class CanImportSources(permissions.BasePermission):
    """Newsroom staff allowed to add sources in the admin."""

    message = _("Nur Redaktionsmitglieder mit dem Recht, Quellen anzulegen, dürfen Artikel importieren.")

    def has_permission(self, request, view):
        user = request.user
        return bool(user and user.is_authenticated and user.is_staff and user.has_perm("sources.add_source"))


# Fetches over the network and stores article by article: not one request transaction (config/conflicts.py).
@method_decorator(transaction.non_atomic_requests, name="dispatch")
class SourceImportView(APIView):
    """Import articles from text, an uploaded .txt/.html file, an article URL or a feed URL.

    201 when at least one article was newly archived, 200 when everything was already
    archived; 400 with a readable `detail` (and nothing stored) when nothing could be imported.
    Feed entries that fail are listed in `failures`.
    """

    # Newsroom logins only: partner keys read published material, they never write.
    authentication_classes = [SessionAuthentication]
    permission_classes = [CanImportSources]
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    def handle_exception(self, exc):
        # Raised while reading the body (also by the CSRF check during authentication).
        if isinstance(exc, RequestDataTooBig):
            return Response({"detail": _("Die Anfrage ist zu groß.")}, status=status.HTTP_413_REQUEST_ENTITY_TOO_LARGE)
        return super().handle_exception(exc)

    @extend_schema(
        request=SourceImportSerializer,
        responses={
            201: ImportReportSerializer,
            200: ImportReportSerializer,
            **WRITE_ERRORS,
            413: OpenApiResponse(response=ErrorSerializer, description="Anfrage zu groß / request too large"),
        },
    )
    def post(self, request):
        serializer = SourceImportSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            report = import_source(**serializer.import_arguments(), feed_seconds=settings.SOURCE_FEED_IMPORT_SECONDS)
        except IngestError as error:
            raise ValidationError({"detail": " ".join(error.messages)}) from error
        return Response(ImportReportSerializer(report).data, status=status.HTTP_201_CREATED if report.created else status.HTTP_200_OK)
