"""How fresh the public site is: the validators behind conditional GET (ETag, Last-Modified).

Every public page is derived from published claims, their appearances and corrections. One
query reads four index-backed maxima; together they change whenever anything a reader can
see changes (an edit or workflow step bumps `Claim.updated_at`, a scheduled claim becoming
due moves the latest due `published_at`, a new appearance or correction adds a row).
"""

import hashlib
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


def site_version() -> SiteVersion:
    """The current `SiteVersion`, read in one query from indexes (no table scans)."""
    connection = connections[router.db_for_read(Claim)]
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


class ConditionalGetMixin:
    """ETag and Last-Modified on public pages, and `304 Not Modified` when nothing changed.

    Runs before the shared page cache: a reader whose copy is current costs one indexed query
    and no rendering. Only anonymous GET/HEAD requests take part; the ETag names the site
    version, the full URL and the language, so each representation has its own validator.
    """

    def dispatch(self, request, *args, **kwargs):
        if request.method not in ("GET", "HEAD") or request.user.is_authenticated:
            return super().dispatch(request, *args, **kwargs)
        version = site_version()
        etag = quote_etag(version.etag(request.get_full_path(), get_language() or ""))
        last_modified = int(version.last_modified.timestamp()) if version.last_modified else None
        response = get_conditional_response(request, etag=etag, last_modified=last_modified)
        if response is None:
            response = super().dispatch(request, *args, **kwargs)
            if response.status_code != 200 or "no-store" in response.get("Cache-Control", ""):
                return response
        else:
            add_public_cache_headers(response, [])
        response["ETag"] = etag
        if last_modified:
            response["Last-Modified"] = http_date(last_modified)
        patch_vary_headers(response, ["Accept-Language", "Cookie"])
        return response
