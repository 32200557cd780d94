"""The shared `ClaimFilter`: what its choices contain and what its queries cost."""

import pytest

from claims.filters import ClaimFilter
from claims.models import Claim, Rating
from tests.factories import ClaimFactory

pytestmark = pytest.mark.django_db


def test_rating_filter_keeps_one_row_per_claim_without_distinct():
    falsch = ClaimFactory()
    richtig = ClaimFactory(rating=Rating.objects.get(scale__is_default=True, slug="richtig"))
    filterset = ClaimFilter({"rating": ["falsch", "richtig"]}, queryset=Claim.objects.published())
    assert filterset.is_valid()
    # A claim has one rating; DISTINCT would make PostgreSQL sort every matching row before the first page.
    assert not filterset.qs.query.distinct
    assert sorted(filterset.qs.values_list("pk", flat=True)) == sorted([falsch.pk, richtig.pk])
