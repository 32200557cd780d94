"""Stored API list items (`ClaimListItem`): read when current, never stale, whoever writes."""

import io
import time

import orjson
import pytest
from django.core.management import call_command
from django.db import connection
from django.utils import timezone
from rest_framework.renderers import JSONRenderer

from claims.api import lean
from claims.api.serializers import ClaimListSerializer
from claims.models import Claim, Claimant, ClaimListItem, Rating, RatingScale, Topic
from tests import factories
from tests.claims.api.concurrent import stored_after_concurrent_change


def serialized(claims) -> list:
    claims = Claim.objects.filter(pk__in=[claim.pk for claim in claims]).select_related("claimant", "rating__scale")
    return [orjson.loads(JSONRenderer().render(ClaimListSerializer(claim).data)) for claim in claims.order_by("-published_at", "-id")]


def listed(client) -> list:
    response = client.get("/api/v1/claims/?page_size=50")
    assert response.status_code == 200
    return response.json()["results"]


def stored_ids() -> set[int]:
    _, key = lean._list_urls()
    return set(ClaimListItem.objects.filter(urls=key).values_list("claim_id", flat=True))


@pytest.fixture
def claims(db):
    energy, economy = factories.TopicFactory(name="Energie"), factories.TopicFactory(name="Wirtschaft")
    claimant = factories.ClaimantFactory(name="Erika Muster")
    made = []
    for number in range(4):
        claim = factories.ClaimFactory(claimant=claimant if number < 3 else factories.ClaimantFactory())
        claim.topics.set([energy, economy][: number % 3])
        made.append(claim)
    return made


def test_every_saved_claim_has_its_item_stored_as_the_serializer_writes_it(claims):
    assert stored_ids() == {claim.pk for claim in claims}
    for claim in serialized(claims):
        item = ClaimListItem.objects.get(claim__slug=claim["slug"])
        assert orjson.loads(item.body) == claim


def test_list_pages_read_the_stored_items(claims, client):
    ClaimListItem.objects.filter(claim=claims[0]).update(body='{"stored":true}')
    assert {"stored": True} in listed(client)


def test_a_missing_item_is_written_afresh_for_the_page(claims, client):
    ClaimListItem.objects.all().delete()
    assert listed(client) == serialized(claims)


def test_items_written_with_other_urls_are_not_used(claims, client, settings):
    settings.SITE_URL = "https://faktencheck.example.org"
    results = listed(client)
    assert results == serialized(claims)
    assert all(result["url"].startswith("https://faktencheck.example.org/") for result in results)
    assert stored_ids() == set()
    assert lean.store_missing_list_items() == len(claims)
    assert stored_ids() == {claim.pk for claim in claims}


def rename_claimant(claims):
    claimant = claims[0].claimant
    claimant.name = "Erika Neu"
    claimant.save()


def rename_topic(claims):
    topic = Topic.objects.get(name="Energie")
    topic.name = "Energiepolitik"
    topic.save()


def relabel_rating(claims):
    rating = claims[0].rating
    rating.label = "Ganz falsch"
    rating.save()


def rename_scale(claims):
    scale = RatingScale.objects.get(ratings=claims[0].rating)
    scale.slug = "neue-skala"
    scale.save()


def add_topic(claims):
    claims[0].topics.add(factories.TopicFactory(name="Außenpolitik"))


def remove_claim_from_topic(claims):
    Topic.objects.get(name="Energie").claims.remove(claims[1])


def clear_topic(claims):
    Topic.objects.get(name="Energie").claims.clear()


def delete_topic(claims):
    Topic.objects.get(name="Wirtschaft").delete()


def edit_claim(claims):
    claims[1].text = "Eine neue Fassung der Behauptung."
    claims[1].save()


@pytest.mark.parametrize(
    "change",
    [
        rename_claimant,
        rename_topic,
        relabel_rating,
        rename_scale,
        add_topic,
        remove_claim_from_topic,
        clear_topic,
        delete_topic,
        edit_claim,
    ],
)
def test_after_a_save_the_items_are_stored_again_and_current(claims, client, change):
    before = listed(client)
    change(claims)
    assert stored_ids() == {claim.pk for claim in claims}
    assert listed(client) == serialized(claims) != before


def update_claim_text(claims):
    Claim.objects.filter(pk=claims[1].pk).update(text="Per Massenänderung geändert.")


def update_claimant_in_sql(claims):
    with connection.cursor() as cursor:
        cursor.execute("UPDATE claims_claimant SET name = 'Per SQL' WHERE id = %s", [claims[0].claimant_id])


def update_topic_links_in_sql(claims):
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM claims_claim_topics WHERE claim_id = %s", [claims[2].pk])


def update_rating_in_sql(claims):
    Rating.objects.filter(pk=claims[0].rating_id).update(colour="#000000")


@pytest.mark.parametrize("change", [update_claim_text, update_claimant_in_sql, update_topic_links_in_sql, update_rating_in_sql])
def test_writes_that_send_no_signal_delete_the_items_they_change(claims, client, change):
    before = listed(client)
    change(claims)
    assert stored_ids() < {claim.pk for claim in claims}
    assert listed(client) == serialized(claims) != before


def test_the_list_still_takes_one_query_with_missing_items(claims, client, django_assert_num_queries):
    ClaimListItem.objects.filter(claim=claims[0]).delete()
    with django_assert_num_queries(1):
        assert len(listed(client)) == len(claims)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_an_item_is_written_from_what_a_concurrent_change_commits():
    claim = factories.ClaimFactory(claimant=factories.ClaimantFactory(name="Alter Name"))
    item = stored_after_concurrent_change(claim, lambda: Claimant.objects.filter(pk=claim.claimant_id).update(name="Neuer Name"))
    assert orjson.loads(item.body)["claimant"]["name"] == "Neuer Name"


def test_store_api_list_items_command_writes_the_missing_items(claims):
    ClaimListItem.objects.filter(claim__in=claims[:2]).delete()
    out = io.StringIO()
    call_command("store_api_list_items", stdout=out)
    assert stored_ids() == {claim.pk for claim in claims}
    assert "für 2 Faktenchecks" in out.getvalue()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)  # PostgreSQL's now() moves on between transactions only
def test_a_duplicate_names_its_original_once_the_scheduled_original_is_due(client):
    original = factories.ClaimFactory(published_at=timezone.now() + timezone.timedelta(seconds=1))
    duplicate = factories.ClaimFactory(duplicate_of=original)
    # Its detail changes when the original falls due, without a write: it is not stored meanwhile.
    assert not ClaimListItem.objects.filter(claim=duplicate).exists()
    assert client.get(f"/api/v1/claims/{duplicate.slug}/").json()["duplicate_of"] is None
    time.sleep(1.1)
    assert client.get(f"/api/v1/claims/{duplicate.slug}/").json()["duplicate_of"] == original.slug
    assert f'"duplicate_of":"{original.slug}"' in next(lean.export_lines(Claim.objects.filter(pk=duplicate.pk))).decode()
    # Once due, storing it again keeps it.
    lean.store_list_items([duplicate.pk], using="default")
    assert original.slug in ClaimListItem.objects.get(claim=duplicate).detail
