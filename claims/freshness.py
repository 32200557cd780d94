"""How fresh the public site is: the validators behind conditional GET (ETag, Last-Modified).

Every public page is derived from published claims, their appearances and corrections. One
query reads four index-backed maxima; together they change whenever anything a reader can
see changes (an edit or workflow step bumps `Claim.updated_at`, a scheduled claim becoming
due moves the latest due `published_at`, a new appearance or correction adds a row).

Each worker reuses the version it read for `PUBLIC_FRESHNESS_SECONDS` (1 s by default, far
below the minute browsers and CDNs may keep a page without asking): a burst of readers
revalidating costs one query per second and worker, not one per request. A change committed
by a worker clears its own copy at once; other workers notice within that second.
"""

import hashlib
import threading
import time
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from django.conf import settings
from django.db import connections, router
from django.utils import timezone
from django.utils.cache import get_conditional_response, patch_vary_headers
from django.utils.http import http_date, quote_etag
from django.utils.translation import get_language

from .cache import add_public_cache_headers
from .choices import ClaimStatus
from .models import Appearance, Claim, Correction


def _templates_fingerprint() -> str:
    """Hash of the templates and stylesheets, so a deployment with new markup changes every ETag."""
    digest = hashlib.sha256()
    roots = [Path(settings.BASE_DIR) / "templates", Path(settings.BASE_DIR) / "static"]
    for root in roots:
        for path in sorted(root.rglob("*")):
            if path.is_file():
                digest.update(path.relative_to(settings.BASE_DIR).as_posix().encode())
                digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


TEMPLATES_FINGERPRINT = _templates_fingerprint()


@dataclass(frozen=True)
class SiteVersion:
    claims_updated: datetime | None
    latest_due: datetime | None
    last_correction_id: int | None
    last_appearance_id: int | None

    @property
    def last_modified(self) -> datetime | None:
        """Latest time at which something public changed (the HTTP Last-Modified)."""
        stamps = [stamp for stamp in (self.claims_updated, self.latest_due) if stamp is not None]
        return max(stamps) if stamps else None

    def etag(self, *parts: str) -> str:
        """A strong validator for one representation: the site version plus what selects the page."""
        digest = hashlib.sha256(repr((self, TEMPLATES_FINGERPRINT, *parts)).encode())
        return digest.hexdigest()[:32]


_remembered = threading.local()


def forget_site_version() -> None:
    """Drop this worker's remembered version (after it committed a change to public content)."""
    _remembered.__dict__.clear()


def site_version() -> SiteVersion:
    """The current `SiteVersion`: remembered for `PUBLIC_FRESHNESS_SECONDS`, else read from the database."""
    alias = router.db_for_read(Claim)
    ttl = settings.PUBLIC_FRESHNESS_SECONDS
    if ttl <= 0:
        return read_site_version(alias)
    now = time.monotonic()
    if getattr(_remembered, "alias", None) == alias and getattr(_remembered, "expires", 0.0) > now:
        return _remembered.version
    version = read_site_version(alias)
    _remembered.alias, _remembered.version, _remembered.expires = alias, version, now + ttl
    return version


def read_site_version(alias: str) -> SiteVersion:
    """The current `SiteVersion`, read in one query from indexes (no table scans)."""
    connection = connections[alias]
    claim_table = connection.ops.quote_name(Claim._meta.db_table)
    sql = f"""
        SELECT
            (SELECT max(updated_at) FROM {claim_table}),
            (SELECT max(published_at) FROM {claim_table} WHERE status = %s AND published_at <= %s),
            (SELECT max(id) FROM {connection.ops.quote_name(Correction._meta.db_table)}),
            (SELECT max(id) FROM {connection.ops.quote_name(Appearance._meta.db_table)})
    """
    with connection.cursor() as cursor:
        cursor.execute(sql, [ClaimStatus.PUBLISHED, timezone.now()])
        return SiteVersion(*cursor.fetchone())


def conditional_response(request, version: SiteVersion, language: str | None = None):
    """`(304 response or None, etag, last_modified)` for an anonymous GET/HEAD of a public page."""
    etag = quote_etag(version.etag(request.get_full_path(), language or get_language() or ""))
    last_modified = int(version.last_modified.timestamp()) if version.last_modified else None
    return get_conditional_response(request, etag=etag, last_modified=last_modified), etag, last_modified


def add_validators(response, etag: str, last_modified: int | None) -> None:
    response["ETag"] = etag
    if last_modified:
        response["Last-Modified"] = http_date(last_modified)
    patch_vary_headers(response, ["Accept-Language", "Cookie"])


def not_modified(request, language: str):
    """`304 Not Modified` with the public caching headers when the reader's copy is current, else None."""
    response, etag, last_modified = conditional_response(request, site_version(), language)
    if response is not None:
        add_public_cache_headers(response, [])
        add_validators(response, etag, last_modified)
    return response


class ConditionalGetMixin:
    """ETag and Last-Modified on public pages, and `304 Not Modified` when nothing changed.

    Runs before the shared page cache: a reader whose copy is current costs one indexed query
    and no rendering. Only anonymous GET/HEAD requests take part; the ETag names the site
    version, the full URL and the language, so each representation has its own validator.
    """

    def dispatch(self, request, *args, **kwargs):
        if request.method not in ("GET", "HEAD") or request.user.is_authenticated:
            return super().dispatch(request, *args, **kwargs)
        response, etag, last_modified = conditional_response(request, site_version())
        if response is None:
            response = super().dispatch(request, *args, **kwargs)
            if response.status_code != 200 or "no-store" in response.get("Cache-Control", ""):
                return response
        else:
            add_public_cache_headers(response, [])
        add_validators(response, etag, last_modified)
        return response
