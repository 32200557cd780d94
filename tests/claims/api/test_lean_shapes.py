"""The lean list and export say exactly what the list and detail serializers say, in constant queries."""

import datetime
import threading
import time

import orjson
import pytest
from django.db import OperationalError, connection, transaction
from rest_framework.renderers import JSONRenderer

from claims.api import lean as export
from claims.api.serializers import ClaimDetailSerializer, ClaimListSerializer
from claims.api.views import with_detail
from claims.choices import ClaimStatus
from claims.models import Claim
from tests import factories

TRICKY = 'Er sagte: "Nein\\Ja"\nZeile\tzwei \x01 – Übergröße 🇩🇪 \u2028 </script>'


def serializer_lines(queryset):
    claims = with_detail(queryset).order_by("id")
    return [orjson.loads(JSONRenderer().render(ClaimDetailSerializer(claim).data)) for claim in claims]


@pytest.fixture
def archive(db, other_rating):
    topic_b, topic_a = factories.TopicFactory(name="Wirtschaft"), factories.TopicFactory(name="Energie")
    undated = factories.SourceFactory(published_at=None, outlet=None, agency="", author="Anna Weber")
    claims = []
    for number in range(5):
        claim = factories.ClaimFactory(text_long=f"Ausführlich {number}", claim_date=f"2025-03-0{number + 1}")
        claim.topics.set([topic_b, topic_a][: number % 3])
        factories.AppearanceFactory(claim=claim)
        factories.AppearanceFactory(claim=claim, is_first=True)
        if number == 1:
            factories.AppearanceFactory(claim=claim, source=undated)
        claims.append(claim)
    factories.CorrectionFactory(claim=claims[2], kind="verdict", old_rating=claims[2].rating, new_rating=other_rating)
    factories.CorrectionFactory(claim=claims[2], note="Zweite Korrektur.")
    Claim.objects.filter(pk=claims[3].pk).update(claimant=None, duplicate_of=claims[0])
    factories.ClaimFactory(status=ClaimStatus.DRAFT, text="GEHEIM-ENTWURF")
    return claims


def test_lean_export_equals_the_detail_serializer(archive):
    lines = [orjson.loads(line) for line in b"".join(export.export_lines(Claim.objects.published())).splitlines()]
    assert lines == serializer_lines(Claim.objects.published())
    assert len(lines) == 5 and all(line["status"] == "published" for line in lines)


def test_lean_export_lines_are_byte_for_byte_the_serialized_detail(archive):
    expected = [orjson.dumps(ClaimDetailSerializer(claim).data) + b"\n" for claim in with_detail(Claim.objects.published()).order_by("id")]
    assert b"".join(export.export_lines(Claim.objects.published())) == b"".join(expected)


def test_lean_export_keeps_special_characters_and_times_as_the_serializer_writes_them(db):
    source = factories.SourceFactory(
        body=f"Vorspann. {TRICKY} Schluss.",
        title=TRICKY,
        author="Zoë \\ O'Brien",
        published_at=datetime.datetime(1890, 5, 17, 8, 0, tzinfo=datetime.UTC),
    )
    claim = factories.ClaimFactory(
        text=TRICKY[:75],
        text_long=TRICKY,
        context=TRICKY,
        conclusion=f"„{TRICKY}“"[:300],
        published_at=datetime.datetime(2024, 2, 29, 23, 59, 58, 120, tzinfo=datetime.UTC),
    )
    factories.AppearanceFactory(claim=claim, source=source, quote=TRICKY)
    factories.CorrectionFactory(claim=claim, note=TRICKY, date=datetime.datetime(2025, 1, 1, 0, 0, 0, 999999, tzinfo=datetime.UTC))
    Claim.objects.filter(pk=claim.pk).update(updated_at=datetime.datetime(2025, 3, 1, 12, 0, tzinfo=datetime.UTC))

    line = b"".join(export.export_lines(Claim.objects.published()))
    assert line == orjson.dumps(ClaimDetailSerializer(with_detail(Claim.objects.all()).get(pk=claim.pk)).data) + b"\n"
    item = orjson.loads(line)
    assert item["appearances"][0]["quote"] == TRICKY
    assert (item["published_at"], item["updated_at"]) == ("2024-02-29T23:59:58.000120Z", "2025-03-01T12:00:00Z")
    assert item["corrections"][0]["date"] == "2025-01-01T00:00:00.999999Z"
    assert item["appearances"][0]["source"]["published_at"] == "1890-05-17T08:00:00Z"


def test_export_endpoint_applies_the_list_filters(archive, client, other_rating):
    topic = archive[1].topics.get()
    Claim.objects.filter(pk=archive[4].pk).update(rating=other_rating)
    for query, expected in [
        (f"?topic={topic.slug}", Claim.objects.published().filter(topics=topic)),
        (f"?rating={other_rating.slug}", Claim.objects.published().filter(rating=other_rating)),
        (f"?claimant={archive[0].claimant.slug}", Claim.objects.published().filter(pk=archive[0].pk)),
        (f"?q=Windkraft&rating={other_rating.slug}", Claim.objects.published().filter(pk=archive[4].pk)),
    ]:
        response = client.get(f"/api/v1/claims/export/{query}")
        assert response.status_code == 200, query
        lines = [orjson.loads(line) for line in b"".join(response.streaming_content).splitlines()]
        assert lines == serializer_lines(expected), query
        assert 0 < len(lines) < len(archive), query


def test_export_never_contains_drafts_or_claims_scheduled_for_later(archive, client):
    factories.ClaimFactory(text="ZUKUNFT-GEPLANT", published_at=datetime.datetime(2999, 1, 1, tzinfo=datetime.UTC))
    factories.ClaimFactory(status=ClaimStatus.IN_REVIEW, text="IN-PRUEFUNG", published_at=None, rating=None, conclusion="")
    body = b"".join(client.get("/api/v1/claims/export/").streaming_content)
    assert b"GEHEIM-ENTWURF" not in body and b"ZUKUNFT-GEPLANT" not in body and b"IN-PRUEFUNG" not in body
    assert len(body.splitlines()) == len(archive)


def test_lean_export_reads_in_chunks_by_id(archive, monkeypatch):
    monkeypatch.setattr(export, "CHUNK_SIZE", 2)
    slugs = [orjson.loads(line)["slug"] for line in b"".join(export.export_lines(Claim.objects.published())).splitlines()]
    assert slugs == list(Claim.objects.published().order_by("id").values_list("slug", flat=True))


def test_lean_export_queries_do_not_grow_with_the_claims_in_a_chunk(archive, django_assert_num_queries):
    # One query finds the chunks, one per chunk writes its lines.
    with django_assert_num_queries(2):
        assert b"".join(export.export_lines(Claim.objects.published())).count(b"\n") == 5
    factories.ClaimFactory.create_batch(10)
    with django_assert_num_queries(2):
        assert b"".join(export.export_lines(Claim.objects.published())).count(b"\n") == 15


def test_lean_export_costs_one_query_per_chunk(archive, monkeypatch, django_assert_num_queries):
    monkeypatch.setattr(export, "CHUNK_SIZE", 2)
    with django_assert_num_queries(1 + 3):  # 2 + 2 + 1 claims
        assert b"".join(export.export_lines(Claim.objects.published())).count(b"\n") == 5
    factories.ClaimFactory()
    with django_assert_num_queries(1 + 3):  # 2 + 2 + 2, no empty chunk after the last
        assert b"".join(export.export_lines(Claim.objects.published())).count(b"\n") == 6
    with django_assert_num_queries(1):
        assert list(export.export_lines(Claim.objects.published().filter(text="gibt es nicht"))) == []


def open_connections(*, expected: int | None = None) -> int:
    """Backends on the test database; with `expected`, waits up to 5 s for that many
    (a closed connection's backend leaves pg_stat_activity a moment later)."""
    deadline = time.monotonic() + 5
    while True:
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()")
            count = cursor.fetchone()[0]
        if expected is None or count == expected or time.monotonic() > deadline:
            return count
        time.sleep(0.05)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_lean_export_writes_two_chunks_at_once_on_two_connections(monkeypatch):
    # Outside a transaction a helper thread writes every second chunk on a connection of its own.
    for _ in range(7):
        factories.AppearanceFactory(claim=factories.ClaimFactory())
    factories.ClaimFactory(status=ClaimStatus.DRAFT, text="GEHEIM-ENTWURF")
    monkeypatch.setattr(export, "CHUNK_SIZE", 2)
    threads = []
    chunk = export._chunk
    monkeypatch.setattr(export, "_chunk", lambda *args, **kwargs: threads.append(threading.current_thread().name) or chunk(*args, **kwargs))
    before = open_connections()

    body = b"".join(export.export_lines(Claim.objects.published()))

    assert body == b"".join(
        orjson.dumps(ClaimDetailSerializer(claim).data) + b"\n" for claim in with_detail(Claim.objects.published()).order_by("id")
    )
    # Four chunks: two written here, two by the helper.
    main = threading.current_thread().name
    assert threads.count(main) == 2 and len(threads) == 4 and len(set(threads)) == 2
    assert open_connections(expected=before) == before  # the helper's connection is closed
    # Inside a transaction only this connection sees its rows: one connection writes every chunk.
    threads.clear()
    with transaction.atomic():
        factories.ClaimFactory(text="NEU-IN-DER-TRANSAKTION")
        body = b"".join(export.export_lines(Claim.objects.published()))
    assert body.count(b"\n") == 8 and b"NEU-IN-DER-TRANSAKTION" in body
    assert set(threads) == {threading.current_thread().name}


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_lean_export_closes_the_helper_connection_when_the_client_goes_away(monkeypatch):
    factories.ClaimFactory.create_batch(6)
    monkeypatch.setattr(export, "CHUNK_SIZE", 2)
    before = open_connections()
    lines = export.export_lines(Claim.objects.published())
    assert next(lines).count(b"\n") == 2
    lines.close()
    assert open_connections(expected=before) == before


def test_export_endpoint_streams_the_lean_lines(archive, client):
    response = client.get("/api/v1/claims/export/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/x-ndjson"
    body = b"".join(response.streaming_content)
    assert [orjson.loads(line) for line in body.splitlines()] == serializer_lines(Claim.objects.published())
    assert b"GEHEIM-ENTWURF" not in body


def test_lean_list_pages_equal_the_list_serializer(archive, client):
    expected = [
        orjson.loads(JSONRenderer().render(ClaimListSerializer(claim).data))
        for claim in Claim.objects.published().select_related("claimant", "rating__scale").order_by("-published_at", "-id")
    ]
    first = client.get("/api/v1/claims/?page_size=3").json()
    second = client.get(first["next"]).json()
    assert first["results"] + second["results"] == expected
    assert second["next"] is None


@pytest.mark.parametrize(("narrowing", "queries"), [("", 1), ("&language=de", 2)])
def test_lean_list_queries_do_not_grow_with_the_page(archive, client, django_assert_num_queries, narrowing, queries):
    # Unfiltered pages choose their claims and write their items in one statement; filtered
    # pages choose them by the filter's query, then write them.
    client.get(f"/api/v1/claims/?page_size=2{narrowing}")
    factories.ClaimFactory.create_batch(20, language="de")
    with django_assert_num_queries(queries):
        first = client.get(f"/api/v1/claims/?page_size=2{narrowing}").json()
    with django_assert_num_queries(queries):
        assert len(client.get(first["next"]).json()["results"]) == 2
    with django_assert_num_queries(queries):
        assert len(client.get(f"/api/v1/claims/?page_size=20{narrowing}").json()["results"]) == 20


def test_api_detail_equals_the_detail_serializer(archive, client, django_assert_num_queries):
    for claim in archive:
        # The line is written by PostgreSQL, like the export's.
        with django_assert_num_queries(1):
            response = client.get(f"/api/v1/claims/{claim.slug}/")
        assert response.status_code == 200
        assert response.json() == serializer_lines(Claim.objects.filter(pk=claim.pk))[0]
        assert f"claim-{claim.pk}" in response["Surrogate-Key"].split()


def test_api_detail_of_a_draft_is_a_json_404(archive, client):
    draft = Claim.objects.get(text="GEHEIM-ENTWURF")
    response = client.get(f"/api/v1/claims/{draft.slug}/")
    assert response.status_code == 404
    assert "GEHEIM" not in response.content.decode()
    assert response["Content-Type"].startswith("application/json")


def test_published_detail_runs_the_published_rule_compiled_once(archive):
    scheduled = factories.ClaimFactory(published_at=datetime.datetime.now(datetime.UTC) + datetime.timedelta(days=1))
    draft = Claim.objects.get(text="GEHEIM-ENTWURF")
    for claim in archive:
        # Byte for byte what the general path writes for `Claim.objects.published()`.
        assert export.published_claim_detail(claim.slug) == export.claim_detail(Claim.objects.published().filter(slug=claim.slug))
    assert export.published_claim_detail(draft.slug) is None
    assert export.published_claim_detail(scheduled.slug) is None
    assert export.published_claim_detail("gibt-es-nicht") is None
    # Due now: the moment is a parameter of each run, not of the compiled SQL.
    Claim.objects.filter(pk=scheduled.pk).update(published_at=datetime.datetime.now(datetime.UTC) - datetime.timedelta(seconds=1))
    assert export.published_claim_detail(scheduled.slug)[0] == scheduled.pk


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_lean_export_is_complete_when_the_helper_connection_fails(monkeypatch, caplog):
    factories.ClaimFactory.create_batch(7)
    monkeypatch.setattr(export, "CHUNK_SIZE", 2)
    chunk = export._chunk
    main = threading.current_thread()

    def no_second_connection(*args, **kwargs):
        if threading.current_thread() is not main:
            raise OperationalError("too many clients already")
        return chunk(*args, **kwargs)

    monkeypatch.setattr(export, "_chunk", no_second_connection)
    body = b"".join(export.export_lines(Claim.objects.published()))
    ids = [orjson.loads(line)["slug"] for line in body.splitlines()]
    assert ids == list(Claim.objects.published().order_by("id").values_list("slug", flat=True))
    assert len(ids) == 7
    assert "helper connection failed" in caplog.text
