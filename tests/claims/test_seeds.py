from datetime import datetime, time

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


def test_every_seed_claim_is_dated_from_the_corpus_not_from_the_day_it_was_loaded():
    load_seeds(log=lambda message: None)
    for claim in Claim.objects.select_related("claimant"):
        quoted = [appearance.source.published_at for appearance in claim.appearances.select_related("source")]
        newest = max((moment for moment in quoted if moment), default=None)
        day = timezone.localdate(claim.published_at)
        assert day < timezone.localdate() and day.year in (2025, 2026), claim.slug
        if newest is not None and timezone.localtime(newest).time() != time(0):
            assert claim.published_at == newest, claim.slug
        elif newest is not None:
            # An article dated by its day only: that day at 10:00, never a midnight that reads as a real time.
            assert timezone.localtime(claim.published_at).replace(tzinfo=None) == datetime.combine(timezone.localdate(newest), time(10))
    undated = Claim.objects.get(slug="kreis-der-willigen-auch-kanada-australien")
    assert timezone.localtime(undated.published_at).isoformat() == "2026-01-09T10:00:00+01:00"


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
