"""The JSON Lines export, built from `values()` rows instead of model instances and serializers.

Partners sync the whole archive: at 100,000 claims the serializer path (instances, nested
serializers, one per claim) spends milliseconds per line. Here each chunk of claims costs
four flat queries (claims, appearances with their sources, topics, corrections) plus one
for claimants not seen before, and Python only assembles dicts for orjson. Memory stays
flat: chunks are read by keyset (`id > last`) and nothing outlives its chunk except the
small claimant and rating tables.

Every line has exactly the shape of `ClaimDetailSerializer` (the API's detail view);
`tests/claims/api/test_export_lean.py` compares the two on the same claims.
"""

from collections import defaultdict

import orjson
from django.conf import settings
from django.db.models import F
from django.db.models.functions import Substr
from django.urls import reverse
from django.utils import timezone

from ..models import Appearance, Claim, Claimant, Correction, Rating

CHUNK_SIZE = 500
_SLUG = "--slug--"


def _url_template(name: str) -> str:
    return settings.SITE_URL + reverse(name, kwargs={"slug": _SLUG})


def _datetime(value, zone):
    """Like DRF's DateTimeField: in the current time zone `zone`, ISO 8601, UTC as Z."""
    if value is None:
        return None
    text = value.astimezone(zone).isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


def _date(value):
    return None if value is None else value.isoformat()


class LeanExport:
    def __init__(self, queryset):
        self.queryset = queryset.order_by()
        self.claim_url = _url_template("claims:claim-detail")
        self.claimant_url = _url_template("claims:claimant-detail")
        self.source_url = _url_template("sources:source-detail")
        self.ratings = {
            rating["id"]: {
                "slug": rating["slug"],
                "label": rating["label"],
                "label_en": rating["label_en"],
                "value": rating["value"],
                "colour": rating["colour"],
                "scale": rating["scale__slug"],
            }
            for rating in Rating.objects.values("id", "slug", "label", "label_en", "value", "colour", "scale__slug")
        }
        self.claimants: dict[int, dict] = {}
        # Looked up once: the thread-local lookup per timestamp costs more than the conversion.
        self.zone = timezone.get_current_timezone()

    def lines(self):
        """Yield one encoded JSON line per claim, in id order."""
        last = 0
        while True:
            rows = list(
                self.queryset.filter(pk__gt=last)
                .order_by("pk")
                .values(
                    "id",
                    "slug",
                    "text",
                    "claimant_id",
                    "claim_date",
                    "language",
                    "rating_id",
                    "conclusion",
                    "published_at",
                    "updated_at",
                    "valid_as_of",
                    "version",
                    "text_long",
                    "status",
                    "context",
                    "context_html",
                    "duplicate_of__slug",
                )[:CHUNK_SIZE]
            )
            if not rows:
                return
            yield from self._chunk(rows)
            last = rows[-1]["id"]

    def _chunk(self, rows):
        # Related rows are read by the chunk's id range (an index range scan, and no list of
        # thousands of parameters); rows of claims outside the queryset are simply not used.
        ids = (rows[0]["id"], rows[-1]["id"])
        self._load_claimants({row["claimant_id"] for row in rows} - self.claimants.keys() - {None})
        topics = defaultdict(list)
        for link in (
            Claim.topics.through.objects.filter(claim_id__gte=ids[0], claim_id__lte=ids[1])
            .order_by("topic__name")
            .values("claim_id", "topic__slug", "topic__name")
        ):
            topics[link["claim_id"]].append({"slug": link["topic__slug"], "name": link["topic__name"]})
        appearances = defaultdict(list)
        for appearance in self._appearances(ids):
            appearances[appearance.pop("claim_id")].append(appearance)
        corrections = defaultdict(list)
        for correction in self._corrections(ids):
            corrections[correction.pop("claim_id")].append(correction)
        for row in rows:
            pk = row["id"]
            yield (
                orjson.dumps(
                    {
                        "slug": row["slug"],
                        "text": row["text"],
                        "claimant": self.claimants.get(row["claimant_id"]),
                        "claim_date": _date(row["claim_date"]),
                        "language": row["language"],
                        "topics": topics.get(pk, []),
                        "rating": self.ratings.get(row["rating_id"]),
                        "conclusion": row["conclusion"],
                        "published_at": _datetime(row["published_at"], self.zone),
                        "updated_at": _datetime(row["updated_at"], self.zone),
                        "valid_as_of": _date(row["valid_as_of"]),
                        "version": row["version"],
                        "url": self.claim_url.replace(_SLUG, row["slug"]),
                        "text_long": row["text_long"],
                        "status": row["status"],
                        "context": row["context"],
                        "context_html": row["context_html"],
                        "duplicate_of": row["duplicate_of__slug"],
                        "appearances": appearances.get(pk, []),
                        "corrections": corrections.get(pk, []),
                    }
                )
                + b"\n"
            )

    def _load_claimants(self, ids):
        for claimant in Claimant.objects.filter(pk__in=ids).values("id", "slug", "name", "kind", "role", "description"):
            pk = claimant.pop("id")
            claimant["url"] = self.claimant_url.replace(_SLUG, claimant["slug"])
            self.claimants[pk] = claimant

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
    return LeanExport(queryset).lines()
