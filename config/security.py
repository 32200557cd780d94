"""Request-level safety nets: the Content-Security-Policy and a fast 503 without a database."""

import ipaddress
import logging
import sys

from csp.constants import HEADER, HEADER_REPORT_ONLY, UNSAFE_INLINE
from csp.middleware import CheckableLazyObject, CSPMiddleware, PolicyParts
from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.db.utils import InterfaceError, OperationalError
from django.http import HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.utils.cache import add_never_cache_headers
from django.utils.html import escape
from django.utils.translation import gettext as _
from django.views import defaults
from rest_framework.throttling import BaseThrottle

logger = logging.getLogger("faktencheck.database")


class ContentSecurityPolicyMiddleware(CSPMiddleware):
    """The site-wide policy (no inline script, no inline style) with one exception.

    Django's admin sets a few `style` attributes in its own templates; the editors' back
    office may use inline *styles* there, never inline scripts.
    """

    admin_prefix = "/admin/"

    # Set by django-csp's decorators on a response; a nonce is set on the request when used.
    per_response = ("_csp_config", "_csp_update", "_csp_replace", "_csp_config_ro", "_csp_update_ro", "_csp_replace_ro")

    def get_policy_parts(self, request, response, report_only=False) -> PolicyParts:
        parts = super().get_policy_parts(request, response, report_only=report_only)
        if not report_only and request.path_info.startswith(self.admin_prefix):
            parts.update = {**(parts.update or {}), "style-src": [UNSAFE_INLINE]}
        return parts

    def __init__(self, get_response):
        super().__init__(get_response)
        self._headers = {}

    def process_response(self, request, response):
        """django-csp builds the headers from the settings for every response; without a nonce,
        a decorator or a debug error page they are the same each time, so each worker builds
        them once (for the admin and for the rest of the site) and reuses them."""
        varies = (
            getattr(request, "_csp_nonce", None) is not None
            or any(hasattr(response, name) for name in self.per_response)
            or (settings.DEBUG and response.status_code in (500, 404))
        )
        if varies:
            return super().process_response(request, response)
        configured = (settings.CONTENT_SECURITY_POLICY, getattr(settings, "CONTENT_SECURITY_POLICY_REPORT_ONLY", None))
        is_admin = request.path_info.startswith(self.admin_prefix)
        cached = self._headers.get(is_admin)
        if cached is None or cached[0] is not configured[0] or cached[1] is not configured[1]:
            built = super().process_response(request, HttpResponse())
            cached = self._headers[is_admin] = (*configured, {name: built[name] for name in (HEADER, HEADER_REPORT_ONLY) if name in built})
        for name, value in cached[2].items():
            # As django-csp does: never over a header the view set, on exempt responses or excluded paths.
            report_only = name == HEADER_REPORT_ONLY
            exempt = getattr(response, "_csp_exempt_ro" if report_only else "_csp_exempt", False)
            config = configured[1] if report_only else configured[0]
            excluded = request.path_info.startswith(tuple((config or {}).get("EXCLUDE_URL_PREFIXES") or ()))
            if name not in response and not exempt and not excluded:
                response[name] = value
        # As django-csp does: a nonce asked for after the header is written is an error.
        request.csp_nonce = CheckableLazyObject(self._csp_nonce_post_response)
        return response


def client_address(request) -> str | None:
    """The client's address: the one the trusted proxy appended to X-Forwarded-For
    (API_TRUSTED_PROXIES, DRF's NUM_PROXIES), else REMOTE_ADDR. The API rates count by it,
    and so does the login lockout: behind a proxy, REMOTE_ADDR is the proxy's for everybody,
    and five wrong passwords from anywhere would lock an editor out.

    An address or none: the lockout stores it in an address column. A port the proxy added is
    dropped ("203.0.113.5:4711", "[2001:db8::7]:443"); anything else that is no address (what a
    client reaching the site directly wrote into the header) counts as REMOTE_ADDR, or as none."""
    ident = (BaseThrottle().get_ident(request) or "").strip()
    if ident.startswith("[") and "]" in ident:
        ident = ident[1 : ident.index("]")]
    elif ident.count(":") == 1:
        ident = ident.split(":", 1)[0]
    try:
        return str(ipaddress.ip_address(ident))
    except ValueError:
        return request.META.get("REMOTE_ADDR") or None


def wants_json(request) -> bool:
    """Whether an error should be answered in JSON: partners' API requests and clients that ask for JSON."""
    return request.path.startswith("/api/") or "application/json" in request.headers.get("Accept", "")


def page_not_found(request, exception=None):
    """handler404: JSON under /api/ (partners parse every error), else the site's own page (templates/404.html)."""
    if wants_json(request):
        return JsonResponse({"detail": str(_("Nicht gefunden."))}, status=404)
    return defaults.page_not_found(request, exception)


def _bare_page(status: int, heading: str, message: str) -> HttpResponse:
    """A short page for requests refused before any view runs (templates/bare_error.html): no
    base layout and no lookups, as the request may be for a host the site does not serve."""
    return HttpResponse(render_to_string("bare_error.html", {"heading": heading, "message": message}), status=status)


def bad_request(request, exception=None):
    """handler400 (refused host, too many fields, body too large): JSON under /api/, else a short page."""
    if not wants_json(request):
        return _bare_page(400, _("Ungültige Anfrage"), _("Die Anfrage war zu groß oder fehlerhaft und wurde nicht bearbeitet."))
    if isinstance(exception, RequestDataTooBig):
        return JsonResponse({"detail": str(_("Die Anfrage ist zu groß."))}, status=413)
    return JsonResponse({"detail": str(_("Ungültige Anfrage."))}, status=400)


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
    if wants_json(request):
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


def csrf_failure(request, reason=""):
    """CSRF_FAILURE_VIEW: a form refused by the CSRF check (expired, or its cookie blocked) says what to do."""
    return _bare_page(
        403,
        _("Formular nicht angenommen"),
        _(
            "Das Formular war abgelaufen oder der Browser hat das Sicherheits-Cookie nicht mitgeschickt. Bitte die Seite neu "
            "laden und noch einmal absenden; Cookies dieser Website müssen erlaubt sein."
        ),
    )
