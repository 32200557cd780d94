"""How fresh the public site is: the validators behind conditional GET (ETag, Last-Modified).

Every public page is derived from published claims and what they show. One query reads the
public revision (`PublicRevision`, counted up after every committed change to public content:
claims, appearances, corrections, claimants, ratings, scales, topics, sources, outlets,
deletions included) and four index-backed maxima that also move with changes made in SQL
(an edit or workflow step bumps `Claim.updated_at`, a new appearance or correction adds a
row). A scheduled claim becoming due moves the latest due `published_at` without any write.

Each worker reuses the version it read for `PUBLIC_FRESHNESS_SECONDS` (1 s by default, far
below the minute browsers and CDNs may keep a page without asking) to answer `304`: a burst
of readers revalidating costs one query per second and worker, not one per request. A page
that is rendered reads the version afresh, so its validators never predate its content (a
page stored in the page cache answers revalidations for minutes). A change committed by a
worker clears the remembered version of that worker at once; the others notice within that
second.
"""

import hashlib
import time
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from django.conf import settings
from django.db import connections, router
from django.utils import timezone
from django.utils.cache import get_conditional_response, patch_vary_headers
from django.utils.http import http_date, parse_http_date_safe, quote_etag
from django.utils.translation import get_language

from config.prepared import prepared_cursor

from .cache import add_public_cache_headers
from .choices import ClaimStatus
from .models import Appearance, Claim, Correction, PublicRevision


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
    revision: int | None
    revision_changed: datetime | None
    claims_updated: datetime | None
    latest_due: datetime | None
    last_correction_id: int | None
    last_appearance_id: int | None

    @property
    def last_modified(self) -> datetime | None:
        """Latest time at which something public changed (the HTTP Last-Modified)."""
        stamps = [stamp for stamp in (self.revision_changed, self.claims_updated, self.latest_due) if stamp is not None]
        return max(stamps) if stamps else None

    def etag(self, *parts: str) -> str:
        """A strong validator for one representation: the site version plus what selects the page."""
        digest = hashlib.sha256(repr((self, TEMPLATES_FINGERPRINT, *parts)).encode())
        return digest.hexdigest()[:32]


# (database alias, version, monotonic time until which it is reused), one for the whole process.
_remembered: tuple[str, "SiteVersion", float] | None = None


def forget_site_version() -> None:
    """Drop this worker's remembered version (after it committed a change to public content)."""
    global _remembered
    _remembered = None


def site_version(*, fresh: bool = False) -> SiteVersion:
    """The current `SiteVersion`: remembered for `PUBLIC_FRESHNESS_SECONDS`, else (or when
    `fresh`) read from the database."""
    global _remembered
    alias = router.db_for_read(Claim)
    ttl = settings.PUBLIC_FRESHNESS_SECONDS
    now = time.monotonic()
    remembered = _remembered
    if not fresh and ttl > 0 and remembered is not None and remembered[0] == alias and remembered[2] > now:
        return remembered[1]
    version = read_site_version(alias)
    if ttl > 0:
        _remembered = (alias, version, now + ttl)
    return version


def read_site_version(alias: str) -> SiteVersion:
    """The current `SiteVersion`, read in one query from indexes (no table scans)."""
    connection = connections[alias]
    claim_table = connection.ops.quote_name(Claim._meta.db_table)
    revision_table = connection.ops.quote_name(PublicRevision._meta.db_table)
    sql = f"""
        SELECT
            (SELECT number FROM {revision_table} WHERE id = 1),
            (SELECT changed_at FROM {revision_table} WHERE id = 1),
            (SELECT max(updated_at) FROM {claim_table}),
            (SELECT max(published_at) FROM {claim_table} WHERE status = %s AND published_at <= %s),
            (SELECT max(id) FROM {connection.ops.quote_name(Correction._meta.db_table)}),
            (SELECT max(id) FROM {connection.ops.quote_name(Appearance._meta.db_table)})
    """
    # Prepared: PostgreSQL took longer to plan these six index lookups than to run them.
    with prepared_cursor(alias) as cursor:
        cursor.execute(sql, [ClaimStatus.PUBLISHED, timezone.now()])
        return SiteVersion(*cursor.fetchone())


def names_no_copy(request) -> bool:
    """Whether the request's validators could match a page that does not exist: `If-None-Match: *`
    or an `If-Modified-Since` in the future. Before the view ran, nobody knows whether the
    page exists (a claim may be unknown or a draft), so these get the view's answer, not 304."""
    if request.META.get("HTTP_IF_NONE_MATCH", "").strip() == "*":
        return True
    since = parse_http_date_safe(request.META.get("HTTP_IF_MODIFIED_SINCE", ""))
    return since is not None and since > time.time()


def is_conditional(request) -> bool:
    return "HTTP_IF_NONE_MATCH" in request.META or "HTTP_IF_MODIFIED_SINCE" in request.META


def validators(request, version: SiteVersion, language: str | None = None) -> tuple[str, int | None]:
    """`(etag, last_modified)` of the page `request` asks for, in the site version `version`."""
    etag = quote_etag(version.etag(request.get_full_path(), language or get_language() or ""))
    return etag, int(version.last_modified.timestamp()) if version.last_modified else None


def conditional_response(request, version: SiteVersion, language: str | None = None):
    """`(304 response or None, etag, last_modified)` for an anonymous GET/HEAD of a public page."""
    etag, last_modified = validators(request, version, language)
    if names_no_copy(request):
        return None, etag, last_modified
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
    A page is served with the version read just before (`request.public_site_version`); the
    page cache stores it only if the version is still the same afterwards, and a stored
    page keeps the validators it was stored with.
    """

    def dispatch(self, request, *args, **kwargs):
        if request.method not in ("GET", "HEAD") or request.user.is_authenticated:
            return super().dispatch(request, *args, **kwargs)
        if is_conditional(request):
            response, etag, last_modified = conditional_response(request, site_version())
            if response is not None:
                add_public_cache_headers(response, [])
                add_validators(response, etag, last_modified)
                return response
        request.public_site_version = version = site_version(fresh=True)
        response = super().dispatch(request, *args, **kwargs)
        if response.status_code != 200 or "no-store" in response.get("Cache-Control", "") or response.has_header("ETag"):
            return response
        add_validators(response, *validators(request, version))
        return response
