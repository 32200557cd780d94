"""The shared `ClaimFilter`: what its choices contain and what its queries cost."""

import pytest
from django.utils import timezone

from claims.choices import ClaimStatus
from claims.filters import CLAIMANT_SUGGESTIONS_FROM, ClaimFilter, claimant_suggestions
from claims.models import Claim, Claimant, Rating, Topic
from tests.factories import ClaimantFactory, ClaimFactory, TopicFactory

pytestmark = pytest.mark.django_db


def test_rating_filter_keeps_one_row_per_claim_without_distinct():
    falsch = ClaimFactory()
    richtig = ClaimFactory(rating=Rating.objects.get(scale__is_default=True, slug="richtig"))
    filterset = ClaimFilter({"rating": ["falsch", "richtig"]}, queryset=Claim.objects.published())
    assert filterset.is_valid()
    # A claim has one rating; DISTINCT would make PostgreSQL sort every matching row before the first page.
    assert not filterset.qs.query.distinct
    assert sorted(filterset.qs.values_list("pk", flat=True)) == sorted([falsch.pk, richtig.pk])


def test_public_topics_are_the_topics_of_public_claims_only():
    shared, public_only = TopicFactory(name="Energie"), TopicFactory(name="Migration")
    TopicFactory(name="Unbenutzt")
    ClaimFactory().topics.add(shared, public_only)
    hidden = [
        ClaimFactory(status=ClaimStatus.DRAFT),
        ClaimFactory(status=ClaimStatus.IN_REVIEW),
        ClaimFactory(status=ClaimStatus.WITHDRAWN),
        ClaimFactory(published_at=timezone.now() + timezone.timedelta(days=1)),
    ]
    for number, claim in enumerate(hidden):
        claim.topics.add(shared, TopicFactory(name=f"Intern {number}"))
    assert list(Topic.objects.public().order_by("name").values_list("name", flat=True)) == ["Energie", "Migration"]


def test_claimant_suggestions_are_the_claimants_of_the_newest_public_claims():
    now = timezone.now()
    oldest = ClaimFactory(claimant=ClaimantFactory(name="Alte Bekannte"), published_at=now - timezone.timedelta(days=30))
    newest = [
        ClaimFactory(claimant=ClaimantFactory(name=f"Neu {number:02}"), published_at=now - timezone.timedelta(hours=number))
        for number in range(CLAIMANT_SUGGESTIONS_FROM)
    ]
    ClaimFactory(status=ClaimStatus.DRAFT, claimant=ClaimantFactory(name="Nur im Entwurf"))
    ClaimFactory(claimant=ClaimantFactory(name="Erst morgen"), published_at=now + timezone.timedelta(days=1))
    assert [claimant.name for claimant in claimant_suggestions()] == sorted(claim.claimant.name for claim in newest)
    # Older claimants are no suggestion, but stay a valid choice: the slug is looked up, not listed.
    assert Claimant.objects.public().filter(pk=oldest.claimant_id).exists()
    filterset = ClaimFilter({"claimant": oldest.claimant.slug}, queryset=Claim.objects.published())
    assert list(filterset.qs) == [oldest]


@pytest.mark.parametrize(
    "url", ["/faktenchecks/?rating=", "/faktenchecks/?q=&rating=&claimant=&topic=&date_from=&date_to=", "/api/v1/claims/?rating="]
)
def test_an_empty_rating_parameter_filters_nothing(client, url):
    claim = ClaimFactory()
    response = client.get(url)
    assert response.status_code == 200
    assert claim.text in response.content.decode()
