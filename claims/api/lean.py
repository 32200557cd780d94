"""The API's hot read paths, built from `values()` rows instead of model instances and serializers.

The claim list (50 per page) and the JSON Lines export of the whole archive spend most of
their time in DRF's nested serializers, one instance at a time. Here Python only assembles
dicts from flat rows, with claimant and rating joined into the claim row: the list costs
two queries per page (claims, topics); the export four per chunk of claims (claims, topics,
appearances with their sources, corrections). Export memory stays flat: chunks are read by
keyset (`id > last`) and nothing outlives its chunk.

The output has exactly the shapes of `ClaimListSerializer` and `ClaimDetailSerializer`,
which stay the documented schema; `tests/claims/api/test_lean_shapes.py` compares both
on the same claims.
"""

import datetime
from collections import defaultdict

import orjson
from django.conf import settings
from django.db.models import F
from django.db.models.functions import Substr
from django.urls import reverse

from ..models import Appearance, Claim, Correction

CHUNK_SIZE = 500
_SLUG = "--slug--"


def _url_template(name: str) -> str:
    return settings.SITE_URL + reverse(name, kwargs={"slug": _SLUG})


def _datetime(value, zone):
    """Like the API's DateTimeField: in `zone` (UTC), ISO 8601, UTC as Z."""
    if value is None:
        return None
    text = value.astimezone(zone).isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


def _date(value):
    return None if value is None else value.isoformat()


# Columns of the list shape, as `values()` reads them (claimant and rating joined in).
CLAIMANT_VALUES = ("claimant__slug", "claimant__name", "claimant__kind", "claimant__role", "claimant__description")
RATING_VALUES = ("rating__slug", "rating__label", "rating__label_en", "rating__value", "rating__colour", "rating__scale__slug")
LIST_VALUES = (
    "id",
    "slug",
    "text",
    "claimant_id",
    *CLAIMANT_VALUES,
    "claim_date",
    "language",
    "rating_id",
    *RATING_VALUES,
    "conclusion",
    "published_at",
    "updated_at",
    "valid_as_of",
    "version",
)
DETAIL_VALUES = (*LIST_VALUES, "text_long", "status", "context", "context_html", "duplicate_of__slug")


class ClaimShapes:
    """Turns claim rows into the API's list and detail dicts."""

    def __init__(self):
        self.claim_url = _url_template("claims:claim-detail")
        self.claimant_url = _url_template("claims:claimant-detail")
        self.source_url = _url_template("sources:source-detail")
        # Looked up once: the thread-local lookup per timestamp costs more than the conversion.
        self.zone = datetime.UTC  # as the serializers: API times are UTC

    def list_item(self, row: dict, topics: list) -> dict:
        claimant = rating = None
        if row["claimant_id"] is not None:
            claimant = {
                "slug": row["claimant__slug"],
                "name": row["claimant__name"],
                "kind": row["claimant__kind"],
                "role": row["claimant__role"],
                "description": row["claimant__description"],
                "url": self.claimant_url.replace(_SLUG, row["claimant__slug"]),
            }
        if row["rating_id"] is not None:
            rating = {
                "slug": row["rating__slug"],
                "label": row["rating__label"],
                "label_en": row["rating__label_en"],
                "value": row["rating__value"],
                "colour": row["rating__colour"],
                "scale": row["rating__scale__slug"],
            }
        return {
            "slug": row["slug"],
            "text": row["text"],
            "claimant": claimant,
            "claim_date": _date(row["claim_date"]),
            "language": row["language"],
            "topics": topics,
            "rating": rating,
            "conclusion": row["conclusion"],
            "published_at": _datetime(row["published_at"], self.zone),
            "updated_at": _datetime(row["updated_at"], self.zone),
            "valid_as_of": _date(row["valid_as_of"]),
            "version": row["version"],
            "url": self.claim_url.replace(_SLUG, row["slug"]),
        }

    def list_items(self, rows: list[dict]) -> list[dict]:
        """The list shape for one page of `LIST_VALUES` rows."""
        if not rows:
            return []
        topics = self._topics(Claim.topics.through.objects.filter(claim_id__in=[row["id"] for row in rows]))
        return [self.list_item(row, topics.get(row["id"], [])) for row in rows]

    def export_lines(self, queryset):
        """Yield one encoded JSON line (detail shape) per claim of `queryset`, in id order."""
        queryset = queryset.order_by()
        last = 0
        while True:
            rows = list(queryset.filter(pk__gt=last).order_by("pk").values(*DETAIL_VALUES)[:CHUNK_SIZE])
            if not rows:
                return
            yield from self._chunk(rows)
            last = rows[-1]["id"]

    def _topics(self, links) -> dict[int, list]:
        topics = defaultdict(list)
        for link in links.order_by("topic__name").values("claim_id", "topic__slug", "topic__name"):
            topics[link["claim_id"]].append({"slug": link["topic__slug"], "name": link["topic__name"]})
        return topics

    def detail(self, queryset) -> tuple[int, dict] | None:
        """`(id, detail shape)` of the one claim in `queryset`, or None: four queries."""
        rows = list(queryset.order_by().values(*DETAIL_VALUES)[:1])
        if not rows:
            return None
        return rows[0]["id"], next(self._details(rows))

    def _chunk(self, rows):
        for item in self._details(rows):
            yield orjson.dumps(item) + b"\n"

    def _details(self, rows):
        # Related rows are read by the chunk's id range (an index range scan, and no list of
        # thousands of parameters); rows of claims outside the queryset are simply not used.
        ids = (rows[0]["id"], rows[-1]["id"])
        topics = self._topics(Claim.topics.through.objects.filter(claim_id__gte=ids[0], claim_id__lte=ids[1]))
        appearances = defaultdict(list)
        for appearance in self._appearances(ids):
            appearances[appearance.pop("claim_id")].append(appearance)
        corrections = defaultdict(list)
        for correction in self._corrections(ids):
            corrections[correction.pop("claim_id")].append(correction)
        for row in rows:
            pk = row["id"]
            item = self.list_item(row, topics.get(pk, []))
            item.update(
                text_long=row["text_long"],
                status=row["status"],
                context=row["context"],
                context_html=row["context_html"],
                duplicate_of=row["duplicate_of__slug"],
                appearances=appearances.get(pk, []),
                corrections=corrections.get(pk, []),
            )
            yield item

    def _appearances(self, ids):
        rows = (
            Appearance.objects.filter(claim_id__gte=ids[0], claim_id__lte=ids[1])
            .order_by("claim_id", "-is_first", F("source__published_at").asc(nulls_last=True), "id")
            .annotate(exact_quote=Substr("source__body", F("start") + 1, F("end") - F("start")))
            .values(
                "claim_id",
                "exact_quote",
                "start",
                "end",
                "is_first",
                "source__slug",
                "source__title",
                "source__url",
                "source__outlet__name",
                "source__agency",
                "source__author",
                "source__published_at",
                "source__language",
            )
        )
        for row in rows:
            yield {
                "claim_id": row["claim_id"],
                "source": {
                    "slug": row["source__slug"],
                    "title": row["source__title"],
                    "url": row["source__url"],
                    "outlet": row["source__outlet__name"] or "",
                    "agency": row["source__agency"],
                    "author": row["source__author"],
                    "published_at": _datetime(row["source__published_at"], self.zone),
                    "language": row["source__language"],
                    "archive_url": self.source_url.replace(_SLUG, row["source__slug"]),
                },
                "quote": row["exact_quote"],
                "start": row["start"],
                "end": row["end"],
                "is_first": row["is_first"],
            }

    def _corrections(self, ids):
        rows = (
            Correction.objects.filter(claim_id__gte=ids[0], claim_id__lte=ids[1])
            .order_by("claim_id", "-date", "-id")
            .values(
                "claim_id",
                "id",
                "date",
                "kind",
                "note",
                "old_rating__slug",
                "new_rating__slug",
                "old_conclusion",
                "new_conclusion",
            )
        )
        for row in rows:
            yield {
                "claim_id": row["claim_id"],
                "id": row["id"],
                "date": _datetime(row["date"], self.zone),
                "kind": row["kind"],
                "note": row["note"],
                "old_rating": row["old_rating__slug"],
                "new_rating": row["new_rating__slug"],
                "old_conclusion": row["old_conclusion"],
                "new_conclusion": row["new_conclusion"],
            }


def export_lines(queryset):
    """JSON Lines of every claim in `queryset` (already restricted to what the caller may see)."""
    return ClaimShapes().export_lines(queryset)


def claim_detail(queryset) -> tuple[int, dict] | None:
    """`(id, detail shape)` of the claim `queryset` selects (already restricted to what the caller may see)."""
    return ClaimShapes().detail(queryset)


def list_items(rows: list[dict]) -> list[dict]:
    """The list shape of a page of `LIST_VALUES` rows."""
    return ClaimShapes().list_items(rows)
