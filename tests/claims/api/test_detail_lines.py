"""Stored API detail lines (`ClaimListItem.detail`): read when current, never stale, whoever writes."""

from datetime import timedelta

import orjson
import pytest
from django.db import connection
from django.db.models import ProtectedError
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from claims.api import lean
from claims.api.serializers import ClaimDetailSerializer
from claims.api.views import with_detail
from claims.models import Appearance, Claim, ClaimListItem, ClaimStatus, Correction, Rating
from sources.models import Outlet, Source
from tests import factories
from tests.claims.api.concurrent import stored_after_concurrent_change


def serialized(claim) -> bytes:
    return orjson.dumps(ClaimDetailSerializer(with_detail(Claim.objects.all()).get(pk=claim.pk)).data)


def detailed(client, claim) -> dict:
    response = client.get(f"/api/v1/claims/{Claim.objects.get(pk=claim.pk).slug}/")
    assert response.status_code == 200
    return response.json()


def stored() -> dict[int, str]:
    _, key = lean._stored_urls()
    return dict(ClaimListItem.objects.filter(urls=key).values_list("claim_id", "detail"))


@pytest.fixture
def claims(db, other_rating):
    made = []
    for _ in range(3):
        claim = factories.ClaimFactory()
        factories.AppearanceFactory(claim=claim, is_first=True)
        factories.AppearanceFactory(claim=claim, source__outlet=made[0].appearances.first().source.outlet if made else None)
        made.append(claim)
    factories.CorrectionFactory(claim=made[1], kind="verdict", old_rating=made[1].rating, new_rating=other_rating)
    made[2].duplicate_of = made[0]
    made[2].save()
    return made


def test_every_saved_claim_stores_its_detail_byte_for_byte_as_the_serializer_writes_it(claims):
    assert set(stored()) == {claim.pk for claim in claims}
    for claim in claims:
        assert stored()[claim.pk].encode() == serialized(claim)


def test_the_api_detail_reads_the_stored_line(claims, client):
    ClaimListItem.objects.filter(claim=claims[0]).update(detail='{"stored":true}')
    assert detailed(client, claims[0]) == {"stored": True}


def test_a_stored_line_of_an_unpublished_claim_is_never_served(claims, client):
    draft = factories.ClaimFactory(status=ClaimStatus.DRAFT, text="GEHEIM-ENTWURF")
    assert draft.pk in stored()
    ClaimListItem.objects.filter(claim=draft).update(detail='{"leaked":true}')
    response = client.get(f"/api/v1/claims/{draft.slug}/")
    assert response.status_code == 404
    assert b"leaked" not in response.content and b"GEHEIM" not in response.content


def test_a_missing_line_is_written_afresh_in_the_same_query(claims, client, django_assert_num_queries):
    ClaimListItem.objects.all().delete()
    for claim in claims:
        expected = orjson.loads(serialized(claim))
        with django_assert_num_queries(1):
            response = client.get(f"/api/v1/claims/{claim.slug}/")
        assert response.json() == expected


def exported(client) -> list[bytes]:
    response = client.get("/api/v1/claims/export/")
    assert response.status_code == 200
    return b"".join(response.streaming_content).splitlines()


def test_the_export_reads_the_stored_lines(claims, client):
    ClaimListItem.objects.filter(claim=claims[0]).update(detail='{"stored":true}')
    assert exported(client) == [b'{"stored":true}', serialized(claims[1]), serialized(claims[2])]


def test_the_export_writes_missing_lines_afresh(claims, client):
    ClaimListItem.objects.filter(claim=claims[1]).delete()
    assert exported(client) == [serialized(claim) for claim in claims]


def test_a_stored_line_of_an_unpublished_claim_never_reaches_the_export(claims, client):
    draft = factories.ClaimFactory(status=ClaimStatus.DRAFT)
    ClaimListItem.objects.filter(claim=draft).update(detail='{"leaked":true}')
    lines = exported(client)
    assert len(lines) == len(claims) and b'{"leaked":true}' not in lines


def test_lines_written_with_other_urls_are_not_used(claims, client, settings):
    settings.SITE_URL = "https://faktencheck.example.org"
    detail = detailed(client, claims[0])
    assert detail == orjson.loads(serialized(claims[0]))
    assert detail["appearances"][0]["source"]["archive_url"].startswith("https://faktencheck.example.org/")
    assert exported(client) == [serialized(claim) for claim in claims]
    assert stored() == {}


def saved(instance, **values) -> None:
    for name, value in values.items():
        setattr(instance, name, value)
    instance.save()


def first_source(claims) -> Source:
    return claims[0].appearances.first().source


@pytest.mark.parametrize(
    ("change", "changed"),
    [
        pytest.param(lambda claims: factories.AppearanceFactory(claim=claims[0]), 0, id="add-appearance"),
        pytest.param(lambda claims: saved(claims[0].appearances.first(), is_first=False), 0, id="edit-appearance"),
        pytest.param(lambda claims: saved(first_source(claims), title="Ein neuer Titel"), 0, id="retitle-source"),
        pytest.param(lambda claims: saved(first_source(claims).outlet, name="Neue Zeitung"), 1, id="rename-outlet"),
        pytest.param(lambda claims: factories.CorrectionFactory(claim=claims[0], note="Quelle ergänzt."), 0, id="add-correction"),
        pytest.param(lambda claims: saved(claims[1].corrections.get(), note="Anders formuliert."), 1, id="edit-correction"),
        pytest.param(lambda claims: saved(claims[1].corrections.get().new_rating, slug="stimmt"), 1, id="reslug-corrected-rating"),
        pytest.param(lambda claims: saved(claims[0], slug="neue-adresse"), 2, id="reslug-duplicated-claim"),
    ],
)
def test_after_a_save_the_lines_are_stored_again_and_current(claims, client, change, changed):
    before = detailed(client, claims[changed])
    change(claims)
    assert set(stored()) == {claim.pk for claim in claims}
    for claim in claims:
        assert stored()[claim.pk].encode() == serialized(claim)
    assert detailed(client, claims[changed]) != before


def test_after_an_appearance_is_deleted_its_claim_line_is_stored_again(claims, client, django_capture_on_commit_callbacks):
    before = detailed(client, claims[0])
    with django_capture_on_commit_callbacks(execute=True):
        claims[0].appearances.first().delete()
    assert stored()[claims[0].pk].encode() == serialized(claims[0])
    assert len(detailed(client, claims[0])["appearances"]) == len(before["appearances"]) - 1


def test_what_a_claim_shows_cannot_be_deleted_and_deleting_the_rest_stores_nothing(claims):
    shown = [claims[0].claimant, claims[0].rating, claims[1].appearances.last().source, claims[1].appearances.last().source.outlet]
    for thing in shown:
        with pytest.raises(ProtectedError):
            thing.delete()
    unused = [factories.ClaimantFactory(), factories.SourceFactory(), factories.OutletFactory()]
    with CaptureQueriesContext(connection) as queries:
        for thing in unused:
            thing.delete()
    # No search for claims without a stored line (a scan of every claim: 47 ms at 100,000 claims).
    assert not [query["sql"] for query in queries.captured_queries if "claims_claimlistitem" in query["sql"]]
    assert set(stored()) == {claim.pk for claim in claims}


def test_deleting_a_topic_stores_the_lines_of_its_former_claims_again(claims, client):
    topic = factories.TopicFactory()
    topic.claims.add(claims[0], claims[2])
    topic.delete()  # the links go without an m2m signal
    assert set(stored()) == {claim.pk for claim in claims}
    assert stored()[claims[0].pk].encode() == serialized(claims[0])
    assert detailed(client, claims[0])["topics"] == []


def move_appearance_in_sql(claims):
    Appearance.objects.filter(claim=claims[0]).update(is_first=False)


def retitle_source_in_sql(claims):
    with connection.cursor() as cursor:
        cursor.execute("UPDATE sources_source SET title = 'Per SQL' WHERE id = %s", [claims[0].appearances.first().source_id])


def rename_outlet_in_sql(claims):
    Outlet.objects.filter(pk=claims[0].appearances.first().source.outlet_id).update(name="Per SQL")


def edit_correction_in_sql(claims):
    Correction.objects.filter(claim=claims[1]).update(note="Per SQL")


def reslug_rating_in_sql(claims):
    Rating.objects.filter(pk=claims[1].corrections.get().new_rating_id).update(slug="per-sql")


def reslug_duplicated_claim_in_sql(claims):
    Claim.objects.filter(pk=claims[0].pk).update(slug="per-sql")


def delete_source_links_in_sql(claims):
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM claims_appearance WHERE claim_id = %s AND NOT is_first", [claims[0].pk])


@pytest.mark.parametrize(
    ("change", "changed"),
    [
        (move_appearance_in_sql, 0),
        (retitle_source_in_sql, 0),
        (rename_outlet_in_sql, 1),
        (edit_correction_in_sql, 1),
        (reslug_rating_in_sql, 1),
        (reslug_duplicated_claim_in_sql, 2),
        (delete_source_links_in_sql, 0),
    ],
)
def test_writes_that_send_no_signal_delete_the_lines_they_change(claims, client, change, changed):
    before = detailed(client, claims[changed])
    change(claims)
    assert claims[changed].pk not in stored()
    for claim in claims:
        assert detailed(client, claim) == orjson.loads(serialized(claim))
    assert detailed(client, claims[changed]) != before


@pytest.mark.parametrize(
    "hide", [{"status": ClaimStatus.WITHDRAWN}, {"status": ClaimStatus.DRAFT}, {"published_at": timezone.now() + timedelta(days=1)}]
)
def test_a_duplicated_claim_that_is_no_longer_public_is_no_longer_named(claims, client, hide):
    assert detailed(client, claims[2])["duplicate_of"] == claims[0].slug
    Claim.objects.filter(pk=claims[0].pk).update(**hide)  # in SQL: the trigger forgets the line
    assert claims[2].pk not in stored()
    assert detailed(client, claims[2])["duplicate_of"] is None
    assert detailed(client, claims[2]) == orjson.loads(serialized(claims[2]))


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_deleting_a_claim_with_its_appearances_leaves_no_stored_row():
    claim = factories.AppearanceFactory().claim
    factories.AppearanceFactory(claim=claim)
    assert ClaimListItem.objects.filter(claim=claim).exists()
    source = claim.appearances.first().source
    claim.delete()
    assert not ClaimListItem.objects.filter(claim_id=claim.pk).exists()
    # The source stays; deleting it too stores nothing for the claim that is gone.
    Source.objects.filter(pk=source.pk).delete()
    assert ClaimListItem.objects.count() == 0


def test_store_api_list_items_writes_the_missing_lines(claims):
    ClaimListItem.objects.all().delete()
    assert lean.store_missing_list_items() == len(claims)
    assert {pk: line.encode() for pk, line in stored().items()} == {claim.pk: serialized(claim) for claim in claims}


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_line_is_written_from_what_a_concurrent_change_commits():
    claim = factories.AppearanceFactory(source__title="Alter Titel").claim
    item = stored_after_concurrent_change(claim, lambda: Source.objects.filter(appearances__claim=claim).update(title="Neuer Titel"))
    assert orjson.loads(item.detail)["appearances"][0]["source"]["title"] == "Neuer Titel"
