"""The API's hot read paths: the claim list from `values()` rows, the export built by PostgreSQL.

The claim list (50 per page) and the JSON Lines export of the whole archive spend most of
their time in DRF's nested serializers, one instance at a time. The list assembles dicts
from flat rows, with claimant and rating joined into the claim row: two queries per page
(claims, topics). The export and the detail let PostgreSQL write each JSON line (`EXPORT_SQL`): one query
per chunk of claims, and Python only joins the text. Export memory stays flat: chunks are
read by keyset (`id > last`) and nothing outlives its chunk.

The output has exactly the shapes of `ClaimListSerializer` and `ClaimDetailSerializer`,
which stay the documented schema; `tests/claims/api/test_lean_shapes.py` compares both
on the same claims.
"""

import datetime
from collections import defaultdict

from django.conf import settings
from django.db import connections
from django.urls import reverse
from psycopg.types.string import TextLoader

from ..models import Claim

CHUNK_SIZE = 1000
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


class ClaimShapes:
    """Turns claim rows into the API's list dicts."""

    def __init__(self):
        self.claim_url = _url_template("claims:claim-detail")
        self.claimant_url = _url_template("claims:claimant-detail")
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

    def _topics(self, links) -> dict[int, list]:
        topics = defaultdict(list)
        for link in links.order_by("topic__name").values("claim_id", "topic__slug", "topic__name"):
            topics[link["claim_id"]].append({"slug": link["topic__slug"], "name": link["topic__name"]})
        return topics


def _utc(column: str) -> str:
    """SQL for a timestamp as the API's DateTimeField writes it: UTC, ISO 8601 with Z, and
    microseconds only when there are any (as `datetime.isoformat()`); NULL stays NULL."""
    return f"""replace(to_char({column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'), '.000000Z', 'Z')"""


# One JSON line (text) per claim of a chunk, in the detail shape. `row_to_json` writes compact
# JSON with the keys in column order, strings escaped as orjson escapes them; dates come out
# as ISO 8601 on their own. Nested lists are arrays of objects: `json_agg` would separate
# them with ", \n ". The chunk's ids (in order, OFFSET 0 keeps the sort on the ids alone) come
# first with their parameters, then the %s of the URL templates around the slug (prefix, suffix).
LINES_SQL = f"""
SELECT claim.id, row_to_json(line)::text AS line
FROM ({{ids}} OFFSET 0) chunk JOIN claims_claim claim ON claim.id = chunk.pk
LEFT JOIN claims_claimant claimant ON claimant.id = claim.claimant_id
LEFT JOIN claims_rating rating ON rating.id = claim.rating_id
LEFT JOIN claims_ratingscale scale ON scale.id = rating.scale_id
LEFT JOIN claims_claim duplicate ON duplicate.id = claim.duplicate_of_id
CROSS JOIN LATERAL (
    SELECT
        claim.slug,
        claim.text,
        CASE WHEN claimant.id IS NOT NULL THEN (
            SELECT row_to_json(o) FROM (
                SELECT claimant.slug, claimant.name, claimant.kind, claimant.role, claimant.description,
                    %s || claimant.slug || %s AS url
            ) o
        ) END AS claimant,
        claim.claim_date,
        claim.language,
        coalesce((
            SELECT array_to_json(array_agg(row_to_json(o) ORDER BY topic.name))
            FROM claims_claim_topics link
            JOIN claims_topic topic ON topic.id = link.topic_id
            CROSS JOIN LATERAL (SELECT topic.slug, topic.name) o
            WHERE link.claim_id = claim.id
        ), '[]') AS topics,
        CASE WHEN rating.id IS NOT NULL THEN (
            SELECT row_to_json(o) FROM (
                SELECT rating.slug, rating.label, rating.label_en, rating.value, rating.colour, scale.slug AS scale
            ) o
        ) END AS rating,
        claim.conclusion,
        {_utc("claim.published_at")} AS published_at,
        {_utc("claim.updated_at")} AS updated_at,
        claim.valid_as_of,
        claim.version,
        %s || claim.slug || %s AS url,
        claim.text_long,
        claim.status,
        claim.context,
        claim.context_html,
        duplicate.slug AS duplicate_of,
        coalesce((
            SELECT array_to_json(array_agg(
                row_to_json(o) ORDER BY appearance.is_first DESC, source.published_at ASC NULLS LAST, appearance.id
            ))
            FROM claims_appearance appearance
            JOIN sources_source source ON source.id = appearance.source_id
            LEFT JOIN sources_outlet outlet ON outlet.id = source.outlet_id
            CROSS JOIN LATERAL (
                SELECT
                    (
                        SELECT row_to_json(s) FROM (
                            SELECT source.slug, source.title, source.url, coalesce(outlet.name, '') AS outlet,
                                source.agency, source.author, {_utc("source.published_at")} AS published_at,
                                source.language, %s || source.slug || %s AS archive_url
                        ) s
                    ) AS source,
                    appearance.passage AS quote,
                    appearance.start,
                    appearance."end",
                    appearance.is_first
            ) o
            WHERE appearance.claim_id = claim.id
        ), '[]') AS appearances,
        coalesce((
            SELECT array_to_json(array_agg(row_to_json(o) ORDER BY correction.date DESC, correction.id DESC))
            FROM claims_correction correction
            LEFT JOIN claims_rating old_rating ON old_rating.id = correction.old_rating_id
            LEFT JOIN claims_rating new_rating ON new_rating.id = correction.new_rating_id
            CROSS JOIN LATERAL (
                SELECT
                    correction.id,
                    {_utc("correction.date")} AS date,
                    correction.kind,
                    correction.note,
                    old_rating.slug AS old_rating,
                    new_rating.slug AS new_rating,
                    correction.old_conclusion,
                    correction.new_conclusion
            ) o
            WHERE correction.claim_id = claim.id
        ), '[]') AS corrections
) line
"""

# The whole chunk as one text: how many claims, the last id, the lines joined in id order.
EXPORT_SQL = f"""
SELECT count(*), max(id), string_agg(line, E'\\n' ORDER BY id) || E'\\n'
FROM ({LINES_SQL}) lines
"""


class _RawText(TextLoader):
    """Text from PostgreSQL as the UTF-8 bytes it arrives in: the export sends it on as it is."""

    def load(self, data) -> bytes:
        return bytes(data)


def _chunk(ids) -> tuple[int, int | None, bytes | None]:
    """`(count, last id, JSON Lines)` of the claims `ids` (a `values("pk")` queryset) selects: one query."""
    templates = [_url_template(name).split(_SLUG) for name in ("claims:claimant-detail", "claims:claim-detail", "sources:source-detail")]
    urls = [part for template in templates for part in template]
    ids_sql, ids_params = ids.query.get_compiler(ids.db).as_sql()
    with connections[ids.db].cursor() as cursor:
        cursor.cursor.adapters.register_loader("text", _RawText)
        cursor.execute(EXPORT_SQL.format(ids=ids_sql), (*ids_params, *urls))
        return cursor.fetchone()


def export_lines(queryset):
    """Yield JSON Lines (detail shape, encoded) of every claim in `queryset`, in id order.

    `queryset` is already restricted to what the caller may see; its filters decide which
    ids each chunk takes, PostgreSQL writes the lines.
    """
    queryset = queryset.order_by()
    last = 0
    while True:
        count, last, lines = _chunk(queryset.filter(pk__gt=last).order_by("pk").values("pk")[:CHUNK_SIZE])
        if not count:
            return
        yield lines
        if count < CHUNK_SIZE:
            return


def claim_detail(queryset) -> tuple[int, bytes] | None:
    """`(id, JSON of the detail shape)` of the claim `queryset` selects (already restricted to
    what the caller may see), or None: one query."""
    count, pk, line = _chunk(queryset.order_by().values("pk")[:1])
    return (pk, line) if count else None


def list_items(rows: list[dict]) -> list[dict]:
    """The list shape of a page of `LIST_VALUES` rows."""
    return ClaimShapes().list_items(rows)
