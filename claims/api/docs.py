"""Error responses as documented in the OpenAPI schema: every error body is JSON with `detail`."""

from drf_spectacular.utils import OpenApiResponse, inline_serializer
from rest_framework import serializers

ErrorSerializer = inline_serializer(
    name="Error",
    fields={
        "detail": serializers.CharField(help_text="Lesbare Fehlermeldung / readable error message"),
        "errors": serializers.JSONField(required=False, help_text="Fehler je Feld / errors per field"),
    },
)


def _error(description: str) -> OpenApiResponse:
    return OpenApiResponse(response=ErrorSerializer, description=description)


ERRORS = {
    400: _error("Ungültige Eingabe / invalid input"),
    401: _error("API-Schlüssel ungültig, gesperrt oder abgelaufen / API key invalid, revoked or expired"),
    429: _error("Zu viele Anfragen; Retry-After beachten / too many requests, see Retry-After"),
}
READ_ERRORS = {
    **ERRORS,
    404: _error("Nicht gefunden – auch für Entwürfe / not found, also for drafts"),
}
WRITE_ERRORS = {
    **READ_ERRORS,
    403: _error("Keine Berechtigung für diesen Arbeitsschritt / not permitted"),
    409: _error("Inzwischen von jemand anderem geändert / changed by someone else meanwhile"),
}
