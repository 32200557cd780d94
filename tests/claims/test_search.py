import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

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


def test_lexeme_frequencies_are_reused_for_a_while(db, settings, django_assert_num_queries):
    from django.db import connection

    from claims import search

    for number in range(30):
        ClaimFactory(text=f"Die Ukraine meldet Angriff Nummer {number}")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE claims_claim")
    settings.LEXEME_FREQUENCIES_SECONDS = 300
    search._frequencies.clear()
    with django_assert_num_queries(1):
        first = search.lexeme_frequencies()
    assert first["ukrain"] > 0.9  # every claim says it
    with django_assert_num_queries(0):
        assert search.lexeme_frequencies() == first
    # Expired (or switched off): read again.
    search._frequencies["expires"] = 0.0
    with django_assert_num_queries(1):
        assert search.lexeme_frequencies() == first
    settings.LEXEME_FREQUENCIES_SECONDS = 0
    search._frequencies.clear()
    with django_assert_num_queries(2):
        search.lexeme_frequencies()
        search.lexeme_frequencies()


def test_any_lookup_matches_like_in_with_one_parameter(db):
    claims = [ClaimFactory() for _ in range(3)]
    wanted = [claims[0].pk, claims[2].pk]
    assert sorted(Claim.objects.filter(pk__any=wanted).values_list("pk", flat=True)) == sorted(wanted)
    assert not Claim.objects.filter(pk__any=[]).exists()
    sql, params = Claim.objects.filter(pk__any=list(range(1, 201))).query.sql_with_params()
    assert "= ANY(%s)" in sql and params == (list(range(1, 201)),)


def test_search_window_reaches_postgresql_as_one_array(db):
    for number in range(5):
        ClaimFactory(text=f"Windkraft liefert {number} Prozent")
    with CaptureQueriesContext(connection) as queries:
        ranked = list(search_claims(Claim.objects.published(), "Windkraft"))
    assert len(ranked) == 5
    assert any("= ANY(" in query["sql"] for query in queries.captured_queries)
    assert all(" IN (" not in query["sql"] for query in queries.captured_queries)
