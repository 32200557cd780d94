import pytest

from claims.models import Claim
from claims.search import search_claims, similar_claims
from tests.factories import ClaimFactory

pytestmark = pytest.mark.django_db


def test_websearch_syntax_phrase_or_and_exclusion():
    wind = ClaimFactory(text="Windkraft liefert die Hälfte des Stroms")
    sun = ClaimFactory(text="Solarstrom ist teurer als Kohlestrom")
    assert list(search_claims(Claim.objects.all(), '"Hälfte des Stroms"')) == [wind]
    assert set(search_claims(Claim.objects.all(), "Windkraft OR Solarstrom")) == {wind, sun}
    assert list(search_claims(Claim.objects.all(), "Strom -Windkraft")) == []


def test_search_is_umlaut_insensitive():
    claim = ClaimFactory(text="Größter Unterstützer der Ukraine")
    assert list(search_claims(Claim.objects.all(), "grosster unterstutzer")) == [claim]


def test_similar_claims_finds_reworded_statement():
    original = ClaimFactory(text="Russland nennt ausländische Truppen legitime Ziele")
    ClaimFactory(text="Die Inflation lag im Mai bei drei Prozent")
    matches = similar_claims("Ausländische Truppen wären für Russland legitime Angriffsziele")
    assert matches and matches[0] == original
    assert 0 < matches[0].score <= 1.5
