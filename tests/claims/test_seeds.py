import pytest
from django.utils import timezone

from claims.models import Appearance, Claim
from claims.seeding import load_seeds
from sources.models import Source

pytestmark = pytest.mark.django_db


def test_seeds_load_articles_and_published_claims():
    created = load_seeds(log=lambda message: None)
    assert created["sources"] == 5
    assert created["claims"] >= 8
    assert Claim.objects.published().count() == created["claims"]
    for claim in Claim.objects.all():
        assert claim.claimant and claim.rating and claim.conclusion and claim.context
        assert claim.appearances.filter(is_first=True).count() == 1
        assert claim.author != claim.approved_by


def test_seeds_are_idempotent():
    load_seeds(log=lambda message: None)
    counts = (Source.objects.count(), Claim.objects.count(), Appearance.objects.count())
    again = load_seeds(log=lambda message: None)
    assert again == {"sources": 0, "claims": 0, "appearances": 0}
    assert (Source.objects.count(), Claim.objects.count(), Appearance.objects.count()) == counts


def test_legitimate_targets_claim_appears_in_three_articles_with_different_wording():
    load_seeds(log=lambda message: None)
    claim = Claim.objects.get(slug="putin-auslaendische-truppen-legitime-ziele")
    quotes = [appearance.exact_quote for appearance in claim.appearances.all()]
    assert len({appearance.source_id for appearance in claim.appearances.all()}) == 3
    assert any("gesetzmäßige Ziele" in quote for quote in quotes)
    assert any("rechtmäßigen Zielen" in quote for quote in quotes)
    assert any("legitime Kampfziele" in quote for quote in quotes)
    # The earliest article (5 September 2025) is the first appearance.
    assert timezone.localdate(claim.first_appearance.source.published_at).isoformat() == "2025-09-05"


def test_contradicting_sources_are_named_in_the_claim():
    load_seeds(log=lambda message: None)
    claim = Claim.objects.get(slug="litauen-hat-truppen-zugesagt")
    assert claim.rating.slug == "unbelegt"
    assert "widersprechen" in claim.conclusion
    assert claim.appearances.count() == 2
