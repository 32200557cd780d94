"""The API's hot read paths, written by PostgreSQL: list pages, claim details, the export.

DRF's nested serializers build the same JSON one model instance at a time. Here one query
per list page, per detail and per chunk of the export lets PostgreSQL write the JSON, and
Python passes the text on: list items are a JSON array for the ids the cursor page chose
(each item stored per claim, `ClaimListItem`), a detail is one line (stored there too), the
export streams chunks of those lines. Export memory stays flat: chunks are ranges of ids,
and at most two are in memory at once.

The output has exactly the shapes of `ClaimListSerializer` and `ClaimDetailSerializer`,
which stay the documented schema; `tests/claims/api/test_lean_shapes.py` compares both
on the same claims, byte for byte.
"""

import functools
import itertools
import logging
from concurrent.futures import ThreadPoolExecutor

from django.conf import settings
from django.db import DatabaseError, connections, router, transaction
from django.db.models import Q
from django.urls import get_script_prefix
from django.utils import timezone
from psycopg.types.string import TextLoader

from config.links import around_slug
from config.prepared import ANY_SLUG, ANY_TIME, compiled_with_slots, filled, plain_cursor, prepared_cursor

from ..choices import ClaimStatus

CHUNK_SIZE = 500
logger = logging.getLogger(__name__)


def _url_parts() -> tuple[str, ...]:
    """Prefix and suffix around the slug of the claimant, claim and source URLs."""
    return _url_parts_under(settings.SITE_URL, get_script_prefix())


@functools.cache
def _url_parts_under(site_url: str, script_prefix: str) -> tuple[str, ...]:
    names = ("claims:claimant-detail", "claims:claim-detail", "sources:source-detail")
    return tuple(part for before, after in map(around_slug, names) for part in (site_url + before, after))


def _utc(column: str) -> str:
    """SQL for a timestamp as the API's DateTimeField writes it: UTC, ISO 8601 with Z, and
    microseconds only when there are any (as `datetime.isoformat()`); NULL stays NULL."""
    return f"""replace(to_char({column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'), '.000000Z', 'Z')"""


# PostgreSQL writes the API's JSON for list pages, details and the export. `row_to_json`
# writes compact JSON with the keys in column order, strings escaped as orjson escapes them;
# dates come out as ISO 8601 on their own. Nested lists are arrays of objects: `json_agg`
# would separate them with ", \n ". Parameters: first those of the ids, then the %s of the URL
# templates around the slug (prefix, suffix): claimant and claim (list), plus source (detail).
CLAIMANT_RATING_JOINS = """
LEFT JOIN claims_claimant claimant ON claimant.id = claim.claimant_id
LEFT JOIN claims_rating rating ON rating.id = claim.rating_id
LEFT JOIN claims_ratingscale scale ON scale.id = rating.scale_id
"""
# What the detail shape reads besides the claim. The claim it duplicates is named only while
# that one is public (a withdrawn or draft original stays internal); its status changes
# re-store the lines of its duplicates (`_store_for_claim`, trigger of migration 0012).
DETAIL_JOINS = f"""{CLAIMANT_RATING_JOINS}
LEFT JOIN claims_claim duplicate ON duplicate.id = claim.duplicate_of_id
    AND duplicate.status = '{ClaimStatus.PUBLISHED.value}' AND duplicate.published_at <= now()
"""

# The list shape (`ClaimListSerializer`).
LIST_COLUMNS = f"""
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
        %s || claim.slug || %s AS url
"""

# The detail shape (`ClaimDetailSerializer`): the list shape and more.
DETAIL_COLUMNS = f"""{LIST_COLUMNS},
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
            WHERE correction.claim_id = claim.id AND correction.kind <> 'withdrawal'
        ), '[]') AS corrections
"""


def _compact(sql: str) -> str:
    """`sql` on one line. Its string literals hold no whitespace; psycopg parses a statement
    of up to 4 KB once per process, a longer one on every run (the detail query is 4.3 KB
    indented, 3.3 KB compact)."""
    return " ".join(sql.split())


# One claim in the detail shape, written afresh: the claim `chunk.pk`.
DETAIL_LINE_SQL = f"""
SELECT row_to_json(line)::text
FROM claims_claim claim {DETAIL_JOINS}
CROSS JOIN LATERAL (SELECT {DETAIL_COLUMNS}) line
WHERE claim.id = chunk.pk
"""

# The detail line of every claim the ids query selects (`id`, `line`): the stored line where
# there is a current one (`ClaimListItem.detail`), else written afresh. OFFSET 0 keeps the
# sort on the ids alone. Parameters: the URL templates, those of the ids, the URL key.
LINES_SQL = f"""
SELECT chunk.pk AS id, coalesce(item.detail, ({DETAIL_LINE_SQL})) AS line
FROM ({{ids}} OFFSET 0) chunk
LEFT JOIN claims_claimlistitem item ON item.claim_id = chunk.pk AND item.urls = %s
"""

# The whole chunk as one text: how many claims, the last id, the lines joined in id order.
EXPORT_SQL = _compact(f"""
SELECT count(*), max(id), string_agg(line, E'\\n' ORDER BY id) || E'\\n'
FROM ({LINES_SQL}) lines
""")

# The detail of the claim the ids query selects: its id and line.
DETAIL_SQL = _compact(LINES_SQL)

# One claim in the list shape, written afresh: the claim `chunk.pk`.
ITEM_SQL = f"""
SELECT row_to_json(line)::text
FROM claims_claim claim {CLAIMANT_RATING_JOINS}
CROSS JOIN LATERAL (SELECT {LIST_COLUMNS}) line
WHERE claim.id = chunk.pk
"""


def _list_sql(ids: str, *, backwards: bool = False) -> str:
    """The items of the claims in the array `ids` (SQL) as a JSON array, in the array's order
    (or backwards): the stored item where there is a current one (`ClaimListItem`), else
    written afresh. Parameters: the URL templates of ITEM_SQL, those of `ids`, the URL key."""
    return f"""
SELECT '[' || coalesce(string_agg(coalesce(item.body, ({ITEM_SQL})), ',' ORDER BY chunk.position{" DESC" if backwards else ""}), '') || ']'
FROM unnest({ids}) WITH ORDINALITY AS chunk(pk, position)
LEFT JOIN claims_claimlistitem item ON item.claim_id = chunk.pk AND item.urls = %s
"""


# The items of a list page for the ids given. Parameters: URL templates, ids, URL key.
LIST_SQL = _compact(_list_sql("%s::bigint[]"))


@functools.lru_cache(maxsize=256)
def list_page_sql(page_sql: str, *, backwards: bool) -> str:
    """One statement for a whole list page: the ids and positions (`id`, `position`) that the
    cursor's query `page_sql` selects, and the items of the first `size` of them as JSON, in
    that order or backwards. Parameters: URL templates, `size`, URL key, those of `page_sql`.

    Saves the round trip between choosing the ids and writing their items. The page query
    orders and limits its rows, so the arrays keep its order.
    """
    items = _list_sql("page.ids[1:%s]", backwards=backwards)
    return _compact(f"""
SELECT page.ids, page.positions, ({items})
FROM (SELECT array_agg(chosen.id) AS ids, array_agg(chosen.position) AS positions FROM ({page_sql}) chosen) page
""")


# Before writing items, lock their claims (ids): as the triggers of migration 0009 do before
# deleting items. Whoever comes second waits, and then reads what the first committed.
LOCK_SQL = "SELECT id FROM claims_claim WHERE id = ANY(%s) ORDER BY id FOR NO KEY UPDATE"

# Claims (ids) whose detail changes by itself later: the claim they duplicate is scheduled, and
# its slug appears in their detail when it falls due, with no write that could store it afresh.
# They are not stored; reads write their lines afresh until something stores them again.
WAITING_SQL = f"""
SELECT waiting.id FROM claims_claim waiting
JOIN claims_claim original ON original.id = waiting.duplicate_of_id
WHERE waiting.id = ANY(%s) AND original.status = '{ClaimStatus.PUBLISHED.value}' AND original.published_at > now()
"""
FORGET_WAITING_SQL = _compact(f"DELETE FROM claims_claimlistitem WHERE claim_id IN ({WAITING_SQL})")

# Write the list items and detail lines of the claims (ids). Parameters: the URL key, ITEM_SQL's
# URL templates, DETAIL_LINE_SQL's, the ids (twice).
STORE_SQL = _compact(f"""
INSERT INTO claims_claimlistitem (claim_id, urls, body, detail)
SELECT chunk.pk, %s, ({ITEM_SQL}), ({DETAIL_LINE_SQL})
FROM unnest(%s::bigint[]) AS chunk(pk)
WHERE EXISTS (SELECT FROM claims_claim WHERE id = chunk.pk) AND chunk.pk NOT IN ({WAITING_SQL})
ON CONFLICT (claim_id) DO UPDATE SET urls = EXCLUDED.urls, body = EXCLUDED.body, detail = EXCLUDED.detail
""")

# Claims without a current item.
MISSING_SQL = """
SELECT claim.id FROM claims_claim claim
WHERE NOT EXISTS (SELECT FROM claims_claimlistitem item WHERE item.claim_id = claim.id AND item.urls = %s)
ORDER BY claim.id
"""


# The export's chunks: the last id of every CHUNK_SIZE-th claim in id order, and of the last claim.
RANGES_SQL = """
SELECT pk FROM (
    SELECT ids.pk, row_number() OVER (ORDER BY ids.pk) AS n, count(*) OVER () AS total FROM ({ids}) ids
) numbered
WHERE n %% %s = 0 OR n = total
ORDER BY pk
"""


class _RawText(TextLoader):
    """Text from PostgreSQL as the UTF-8 bytes it arrives in: the export sends it on as it is."""

    def load(self, data) -> bytes:
        return bytes(data)


def _fetch_row(sql: str, params, *, using: str, prepared: bool) -> tuple:
    """The one row of `sql`, its text columns as raw UTF-8 bytes."""
    with (prepared_cursor if prepared else plain_cursor)(using) as cursor:
        cursor.cursor.adapters.register_loader("text", _RawText)
        cursor.execute(sql, params)
        return cursor.fetchone()


def _chunk(ids, urls: tuple[tuple[str, ...], str]) -> tuple[int, int | None, bytes | None]:
    """`(count, last id, JSON Lines)` of the claims `ids` (a `values("pk")` queryset) selects: one query.

    `urls` are the URL templates and their key (`_stored_urls()`)."""
    ids_sql, ids_params = ids.query.get_compiler(ids.db).as_sql()
    parts, key = urls
    # A chunk of a thousand claims runs much longer than it is planned: it is not prepared.
    return _fetch_row(EXPORT_SQL.format(ids=ids_sql), (*parts, *ids_params, key), using=ids.db, prepared=False)


def _chunk_ranges(queryset) -> list[tuple[int, int]]:
    """The export's chunks as id ranges `(after, up to)` of CHUNK_SIZE claims each: one query.

    The ranges end at the last claim the export starts with; claims created while it runs
    come in the next export.
    """
    ids_sql, ids_params = queryset.values("pk").query.get_compiler(queryset.db).as_sql()
    with plain_cursor(queryset.db) as cursor:
        cursor.execute(RANGES_SQL.format(ids=ids_sql), (*ids_params, CHUNK_SIZE))
        ends = [end for (end,) in cursor.fetchall()]
    return list(itertools.pairwise([0, *ends]))


def export_lines(queryset):
    """Yield JSON Lines (detail shape, encoded) of every claim in `queryset`, in id order.

    `queryset` is already restricted to what the caller may see; its filters decide which
    ids each chunk takes, PostgreSQL writes the lines. Two connections write chunks at once
    (see `_on_two_connections`), except inside a transaction, whose rows only its own
    connection sees.
    """
    queryset = queryset.order_by()
    # URLs are built here: the script prefix belongs to this thread's request.
    urls = _stored_urls()

    def lines(after: int, up_to: int) -> bytes | None:
        return _chunk(queryset.filter(pk__gt=after, pk__lte=up_to).order_by("pk").values("pk"), urls)[2]

    ranges = _chunk_ranges(queryset)
    if len(ranges) > 1 and not connections[queryset.db].in_atomic_block:
        yield from _on_two_connections(lines, ranges)
        return
    for bounds in ranges:
        if chunk := lines(*bounds):
            yield chunk


def _on_two_connections(lines, ranges: list):
    """Yield `lines(*bounds)` for every range, in order, computing two at a time.

    A helper thread, with a database connection of its own, writes every second chunk
    while this thread writes the others; PostgreSQL then works on two chunks at once. At
    most one chunk waits in memory, and the helper's connection is closed at the end (also
    when the client goes away mid-stream). If the helper fails (no second connection to be
    had, say), this thread writes its chunks: the export is slower, never incomplete.
    """
    helper = ThreadPoolExecutor(max_workers=1, thread_name_prefix="export")
    ahead = {}

    def hand_over(index: int) -> None:
        if index < len(ranges):
            ahead[index] = helper.submit(lines, *ranges[index])

    try:
        hand_over(1)
        for index, bounds in enumerate(ranges):
            chunk, written = None, False
            if (future := ahead.pop(index, None)) is not None:
                try:
                    chunk, written = future.result(), True
                except DatabaseError:
                    logger.warning("Export: the helper connection failed; writing the rest on one connection.", exc_info=True)
                else:
                    hand_over(index + 2)
            if not written:
                chunk = lines(*bounds)
            if chunk:
                yield chunk
    finally:
        for future in ahead.values():
            future.cancel()
        # The pool has one thread: this runs on the helper's connection.
        helper.submit(connections.close_all)
        helper.shutdown(wait=True)


def _detail(sql: str, ids_params, *, using: str) -> tuple[int, bytes] | None:
    """Run `sql` (DETAIL_SQL around an ids query, prepared): `(id, JSON of the detail shape)`, or None."""
    parts, key = _stored_urls()
    found = _fetch_row(sql, (*parts, *ids_params, key), using=using, prepared=True)
    return tuple(found) if found else None


def claim_detail(queryset) -> tuple[int, bytes] | None:
    """`(id, JSON of the detail shape)` of the claim `queryset` selects (already restricted to
    what the caller may see), or None: one query."""
    ids = queryset.order_by().values("pk")[:1]
    ids_sql, ids_params = ids.query.get_compiler(ids.db).as_sql()
    return _detail(DETAIL_SQL.format(ids=ids_sql), ids_params, using=ids.db)


@functools.cache
def _published_detail_query(using: str) -> tuple[str, tuple, tuple]:
    """`claim_detail`'s SQL for `Claim.objects.published().filter(slug=…)` on the database
    `using`, compiled once (`compiled_with_slots`): the moment and the slug go in per call."""
    from ..models import Claim

    ids = Claim.objects.published(at=ANY_TIME).filter(slug=ANY_SLUG).order_by().values("pk")[:1]
    ids_sql, params, names = compiled_with_slots(ids, using, {ANY_TIME: "at", ANY_SLUG: "slug"})
    return DETAIL_SQL.format(ids=ids_sql), params, names


def published_claim_detail(slug: str) -> tuple[int, bytes] | None:
    """`claim_detail(Claim.objects.published().filter(slug=slug))`, without building the queryset."""
    from ..models import Claim

    using = router.db_for_read(Claim)
    sql, params, names = _published_detail_query(using)
    return _detail(sql, filled(params, names, {"at": timezone.now(), "slug": slug}), using=using)


def _stored_urls() -> tuple[tuple[str, ...], str]:
    """The URL templates around the slug of claimant, claim and source URLs, and the key that
    says which templates a stored item and detail line were written with."""
    parts = _url_parts()
    return parts, "\n".join(parts)


def _list_urls() -> tuple[tuple[str, ...], str]:
    """The URL templates of the list shape's two links (claimant and claim), and the key."""
    parts, key = _stored_urls()
    return parts[:4], key


def list_json(ids: list[int], *, using: str) -> bytes:
    """The items of a list page (list shape, JSON array) for the claims `ids`, in that order: one query."""
    parts, key = _list_urls()
    return _fetch_row(LIST_SQL, (*parts, ids, key), using=using, prepared=True)[0]


def list_page(page_sql: str, page_params, *, size: int, backwards: bool, using: str) -> tuple[list, list, bytes]:
    """Run `list_page_sql`: the ids and positions the page query chose, and the JSON array of
    the items of the first `size` (backwards: in the opposite order)."""
    parts, key = _list_urls()
    sql = list_page_sql(page_sql, backwards=backwards)
    with prepared_cursor(using) as cursor:
        cursor.execute(sql, (*parts, size, key, *page_params))
        ids, positions, items = cursor.fetchone()
    return ids or [], positions or [], items.encode()


def store_list_items(ids, *, using: str) -> None:
    """Store the list items and detail lines of the claims `ids` (`ClaimListItem`), written
    from what is committed.

    Runs in the caller's transaction when there is one. The claims are locked first: a
    transaction that changes one of them or anything they show waits, or is waited for, so
    an item is never written from a state that another transaction has just replaced.
    """
    ids = sorted(set(ids))
    if not ids:
        return
    parts, key = _stored_urls()
    with transaction.atomic(using=using), plain_cursor(using) as cursor:
        cursor.execute(LOCK_SQL, [ids])
        cursor.execute(FORGET_WAITING_SQL, [ids])
        cursor.execute(STORE_SQL, (key, *parts[:4], *parts, ids, ids))


def store_missing_list_items(*, using: str = "default", batch: int = 1000) -> int:
    """Store the list item and detail line of every claim that has no current ones; how many were written."""
    _, key = _stored_urls()
    with plain_cursor(using) as cursor:
        cursor.execute(MISSING_SQL, [key])
        missing = [pk for (pk,) in cursor.fetchall()]
    for start in range(0, len(missing), batch):
        store_list_items(missing[start : start + batch], using=using)
    return len(missing)


def _store_for_claim(sender, instance, using, **kwargs) -> None:
    # The details of the claims marked as its duplicates show its slug.
    duplicates = sender.objects.using(using).filter(duplicate_of=instance).values_list("pk", flat=True)
    store_list_items([instance.pk, *duplicates], using=using)


def _store_for_topics(sender, instance, action, reverse, pk_set, using, **kwargs) -> None:
    if action not in ("post_add", "post_remove", "post_clear"):
        return
    if not reverse:
        store_list_items([instance.pk], using=using)
    elif pk_set:
        store_list_items(pk_set, using=using)
    else:  # a topic's claims all removed: which they were is gone with the links
        store_missing_list_items(using=using)


def _store_for_related(sender, instance, using, **kwargs) -> None:
    from ..models import Claim, Claimant, Rating, Topic

    claims = Claim.objects.using(using)
    if sender is Claimant:
        claims = claims.filter(claimant=instance)
    elif sender is Topic:
        claims = claims.filter(topics=instance)
    elif sender is Rating:
        # Corrections in a detail name the ratings they changed from and to.
        claims = claims.filter(Q(rating=instance) | Q(corrections__old_rating=instance) | Q(corrections__new_rating=instance))
    else:
        claims = claims.filter(rating__scale=instance)
    store_list_items(claims.values_list("pk", flat=True).distinct(), using=using)


def _store_after_topic_deleted(sender, instance, using, **kwargs) -> None:
    # Deleting a topic took it from its claims without an m2m signal; which claims they were is gone.
    store_missing_list_items(using=using)


def _store_for_part(sender, instance, using, **kwargs) -> None:
    # An appearance or correction is part of one claim's detail.
    store_list_items([instance.claim_id], using=using)


def _store_after_part_deleted(sender, instance, using, **kwargs) -> None:
    # After the commit: when the claim is being deleted with its appearances, an item stored
    # now would outlive it.
    claim_id = instance.claim_id
    transaction.on_commit(lambda: store_list_items([claim_id], using=using), using=using)


def _store_for_source(sender, instance, using, created=False, **kwargs) -> None:
    from sources.models import Outlet

    from ..models import Claim

    if created:  # quoted by no claim yet (imports create many)
        return
    link = "appearances__source__outlet" if sender is Outlet else "appearances__source"
    claims = Claim.objects.using(using).filter(**{link: instance}).order_by().values_list("pk", flat=True).distinct()
    store_list_items(claims, using=using)


def connect_signals() -> None:
    """Stored list items and detail lines follow every save of what they show. (The triggers
    of migrations 0009 and 0010 have deleted the old ones by then, also for writes that send
    no signal.)"""
    from django.db.models.signals import m2m_changed, post_delete, post_save

    from sources.models import Outlet, Source

    from ..models import Appearance, Claim, Claimant, Correction, Rating, RatingScale, Topic

    post_save.connect(_store_for_claim, sender=Claim, dispatch_uid="list-item-claim")
    m2m_changed.connect(_store_for_topics, sender=Claim.topics.through, dispatch_uid="list-item-claim-topics")
    for model in (Claimant, Topic, Rating, RatingScale):
        post_save.connect(_store_for_related, sender=model, dispatch_uid=f"list-item-save-{model._meta.label}")
    # Claimants, ratings, scales, sources and outlets cannot be deleted while a claim shows them
    # (PROTECT): deleting one changes no stored item or line.
    post_delete.connect(_store_after_topic_deleted, sender=Topic, dispatch_uid="list-item-delete-claims.Topic")
    for model in (Appearance, Correction):
        post_save.connect(_store_for_part, sender=model, dispatch_uid=f"list-item-save-{model._meta.label}")
        post_delete.connect(_store_after_part_deleted, sender=model, dispatch_uid=f"list-item-delete-{model._meta.label}")
    for model in (Source, Outlet):
        post_save.connect(_store_for_source, sender=model, dispatch_uid=f"list-item-save-{model._meta.label}")
