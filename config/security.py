"""Request-level safety nets: the Content-Security-Policy and a fast 503 without a database."""

import logging
import sys

from csp.constants import UNSAFE_INLINE
from csp.middleware import CSPMiddleware, PolicyParts
from django.db.utils import InterfaceError, OperationalError
from django.http import HttpResponse, JsonResponse
from django.utils.cache import add_never_cache_headers
from django.utils.html import escape
from django.utils.translation import gettext as _

logger = logging.getLogger("faktencheck.database")


class ContentSecurityPolicyMiddleware(CSPMiddleware):
    """The site-wide policy (no inline script, no inline style) with one exception.

    Django's admin sets a few `style` attributes in its own templates; the editors' back
    office may use inline *styles* there, never inline scripts.
    """

    admin_prefix = "/admin/"

    def get_policy_parts(self, request, response, report_only=False) -> PolicyParts:
        parts = super().get_policy_parts(request, response, report_only=report_only)
        if not report_only and request.path_info.startswith(self.admin_prefix):
            parts.update = {**(parts.update or {}), "style-src": [UNSAFE_INLINE]}
        return parts


def server_error(request):
    """handler500: an unreachable database is a 503 with Retry-After, anything else a plain 500.

    Django calls this inside its exception handler, for errors raised in views and in
    middleware alike. The connect timeout (DATABASE_CONNECT_TIMEOUT) bounds how long the
    request waited; Django closes the broken connection at the end of the request, so the
    worker reconnects as soon as PostgreSQL is back.
    """
    error = sys.exc_info()[1]
    if isinstance(error, (OperationalError, InterfaceError)):
        logger.warning("Database unavailable for %s %s: %s", request.method, request.path, error.__class__.__name__)
        return _error_response(
            request, 503, _("Der Dienst ist vorübergehend nicht erreichbar. Bitte in wenigen Sekunden erneut versuchen.")
        )
    return _error_response(request, 500, _("Ein interner Fehler ist aufgetreten. Die Redaktion wurde benachrichtigt."))


def _error_response(request, status: int, message: str) -> HttpResponse:
    # No template and no database access: this must work while everything else is down.
    if request.path.startswith("/api/") or "application/json" in request.headers.get("Accept", ""):
        response = JsonResponse({"detail": message}, status=status)
    else:
        response = HttpResponse(
            f'<!DOCTYPE html><html lang="de"><head><meta charset="utf-8"><title>{status}</title></head>'
            f"<body><h1>{status}</h1><p>{escape(message)}</p></body></html>",
            status=status,
            content_type="text/html; charset=utf-8",
        )
    if status == 503:
        response["Retry-After"] = "5"
    add_never_cache_headers(response)
    return response
