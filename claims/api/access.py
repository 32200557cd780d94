"""Who may use the partner API, and how often.

Partners send `Authorization: Api-Key <prefix>.<secret>`. A valid key identifies the
partner (`request.auth`) but no user: partners read exactly what anonymous readers read,
only more often. Editors write with their own session (and CSRF token).
"""

import logging
import re
from datetime import timedelta

from django.contrib.auth.models import AnonymousUser
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.authentication import SessionScheme
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions, permissions, throttling
from rest_framework_api_key.permissions import KeyParser

from config.redis_cache import CACHE_ERRORS

from ..models import PartnerKey

logger = logging.getLogger(__name__)

# Authorization schemes of proxies and intranet logins in front of the site: not meant for the API.
PROXY_SCHEMES = frozenset({"basic", "digest", "negotiate", "ntlm"})
SCHEME_NAME = re.compile(r"[A-Za-z][A-Za-z-]{0,19}")
# Writing `last_used_at` on every request would turn each read into a write.
LAST_USED_RESOLUTION = timedelta(minutes=1)


class PartnerKeyAuthentication(authentication.BaseAuthentication):
    """Identify a partner by API key; a wrong, revoked or expired key is refused (401), never ignored."""

    keyword = KeyParser.keyword

    def authenticate(self, request):
        key = KeyParser().get(request)
        if key is None:
            # A partner who writes "Bearer <key>" or forgets the key must hear so, not be served at the
            # anonymous rate. Schemes a proxy or an intranet login adds (Basic, Digest, Negotiate, NTLM) pass.
            scheme = request.META.get("HTTP_AUTHORIZATION", "").split(" ", 1)[0]
            if scheme and scheme.lower() not in PROXY_SCHEMES:
                # Named only when it looks like a scheme: a bare key must not be echoed.
                named = scheme if SCHEME_NAME.fullmatch(scheme) and scheme.lower() != self.keyword.lower() else "…"
                raise exceptions.AuthenticationFailed(
                    _("Unbekanntes Anmeldeverfahren „%(scheme)s“: Partner senden „Authorization: Api-Key <Schlüssel>“.") % {"scheme": named}
                )
            return None
        if "\x00" in key:  # PostgreSQL takes no NUL in a string: such a key is nobody's
            raise exceptions.AuthenticationFailed(_("Unbekannter oder gesperrter API-Schlüssel."))
        try:
            partner_key = PartnerKey.objects.get_from_key(key)
        except PartnerKey.DoesNotExist:
            raise exceptions.AuthenticationFailed(_("Unbekannter oder gesperrter API-Schlüssel.")) from None
        if partner_key.has_expired:
            raise exceptions.AuthenticationFailed(_("Dieser API-Schlüssel ist abgelaufen."))
        now = timezone.now()
        if partner_key.last_used_at is None or partner_key.last_used_at < now - LAST_USED_RESOLUTION:
            PartnerKey.objects.filter(pk=partner_key.pk).filter(
                Q(last_used_at__isnull=True) | Q(last_used_at__lt=now - LAST_USED_RESOLUTION)
            ).update(last_used_at=now)
        return AnonymousUser(), partner_key

    def authenticate_header(self, request):
        return self.keyword


class SessionAuthentication(authentication.SessionAuthentication):
    """DRF's session authentication (editors writing from the browser), with its CSRF refusal in German."""

    def enforce_csrf(self, request):
        try:
            super().enforce_csrf(request)
        except exceptions.PermissionDenied:
            raise exceptions.PermissionDenied(
                _(
                    "CSRF-Prüfung fehlgeschlagen: Schreibzugriffe mit einer Sitzung senden das Token aus dem "
                    "Cookie „csrftoken“ im Header „X-CSRFToken“."
                )
            ) from None


class NewsroomSessionScheme(SessionScheme):
    """The session scheme in the OpenAPI schema, as for DRF's own class."""

    target_class = SessionAuthentication


class PartnerKeyScheme(OpenApiAuthenticationExtension):
    target_class = PartnerKeyAuthentication
    name = "partnerKey"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "Partner-Schlüssel als `Api-Key <schlüssel>` / partner key sent as `Api-Key <key>`.",
        }


def partner_key_of(request) -> PartnerKey | None:
    return request.auth if isinstance(request.auth, PartnerKey) else None


class IsStaffOrReadOnly(permissions.BasePermission):
    """Anyone reads; only newsroom staff write, and the workflow services decide what exactly."""

    message = _("Schreibzugriff nur für angemeldete Redaktionsmitglieder.")

    def has_permission(self, request, view):
        if request.method in permissions.SAFE_METHODS:
            return True
        return bool(request.user and request.user.is_authenticated and request.user.is_staff)


class SharedCacheThrottleMixin:
    """The request counts live in the shared cache; while it is unreachable, requests pass."""

    def allow_request(self, request, view):
        try:
            return super().allow_request(request, view)
        except CACHE_ERRORS:  # an unreachable cache must not take the API down
            logger.exception("Shared cache unreachable; request not throttled.")
            return True


class AnonymousReadThrottle(SharedCacheThrottleMixin, throttling.AnonRateThrottle):
    """Low rate for callers without key or login, per client address."""

    scope = "anon"

    def get_cache_key(self, request, view):
        if partner_key_of(request) is not None:
            return None
        return super().get_cache_key(request, view)


class PartnerKeyThrottle(SharedCacheThrottleMixin, throttling.SimpleRateThrottle):
    """Higher rate per partner key, whichever address the partner calls from."""

    scope = "partner"

    def get_cache_key(self, request, view):
        partner_key = partner_key_of(request)
        if partner_key is None:
            return None
        return self.cache_format % {"scope": self.scope, "ident": partner_key.prefix}


class StaffThrottle(SharedCacheThrottleMixin, throttling.UserRateThrottle):
    """Logged-in newsroom members, per user."""

    scope = "staff"

    def get_cache_key(self, request, view):
        if not (request.user and request.user.is_authenticated):
            return None
        return super().get_cache_key(request, view)
