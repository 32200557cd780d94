from datetime import timedelta

import pytest
from django.contrib.postgres.search import SearchRank
from django.db import connection
from django.db.models import F
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from claims.models import Claim
from claims.search import (
    _compound_query,
    clean_query,
    excluded_words,
    reader_query,
    search_claims,
    search_window,
    search_words,
    similar_claims,
    web_query,
    without_compound_phrases,
)
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


def test_the_window_ranks_as_the_whole_search_does_equal_ranks_newest_first(db):
    now = timezone.now()
    older = ClaimFactory(text="Windkraft liefert Strom", published_at=now - timedelta(days=2))
    newer = ClaimFactory(text="Windkraft liefert Strom", published_at=now - timedelta(days=1))
    best = ClaimFactory(text="Windkraft, Windkraft und nochmals Windkraft", published_at=now - timedelta(days=3))
    in_conclusion = ClaimFactory(text="Kohle bleibt", conclusion="Windkraft ersetzt sie nicht.", published_at=now)
    ClaimFactory(text="Nichts davon")
    published = Claim.objects.published()
    assert search_window(published, "Windkraft") == [best.pk, newer.pk, older.pk, in_conclusion.pk]
    assert search_window(published, "Windkraft") == list(search_claims(published, "Windkraft").values_list("pk", flat=True))
    # The window is the newest matches, ranked.
    assert search_window(published, "Windkraft", window=2) == [newer.pk, in_conclusion.pk]
    assert search_window(published, "   ") == []


@pytest.mark.parametrize(
    ("tsquery", "expected"),
    [
        ("'kita-platz' <-> 'kita' <-> 'platz'", "'kita-platz'"),
        ("'kita-platz' <-> 'kita' <-> 'platz' & 'brussel'", "'kita-platz' & 'brussel'"),
        ("'cdu-chef' <-> 'cdu' <-> 'chef' | 'spd-chefin' <-> 'spd' <-> 'chefin'", "'cdu-chef' | 'spd-chefin'"),
        ("!( 'kita-platz' <-> 'kita' <-> 'platz' ) & 'rent'", "! ( 'kita-platz' ) & 'rent'"),
        # A stop word inside the compound widens a step; the phrase still ends with the word.
        ("'made-in-germany' <-> 'mad' <2> 'germany'", "'made-in-germany'"),
        # Phrases that say more than the compound stay whole.
        ("'kita-platz' <-> 'kita' <-> 'platz' <-> 'fehl'", "'kita-platz' <-> 'kita' <-> 'platz' <-> 'fehl'"),
        ("'x' <-> 'y-z' <-> 'y' <-> 'z'", "'x' <-> 'y-z' <-> 'y' <-> 'z'"),
        ("'heizkost' <-> 'steig'", "'heizkost' <-> 'steig'"),
        ("'e-autos':* <-> 'e' <-> 'autos'", "'e-autos':* <-> 'e' <-> 'autos'"),
        ("'o''neil-bericht' <-> 'o''neil' <-> 'bericht'", "'o''neil-bericht'"),
    ],
)
def test_hyphenated_words_standing_alone_become_whole_words(tsquery, expected):
    assert without_compound_phrases(tsquery) == expected


@pytest.mark.parametrize(
    "text", ["Kita-Plätze", '"Kita-Plätze"', "Kita-Plätze Berlin", "Kita-Plätze OR Rente", "Rente -Kita-Plätze", '"Kita-Plätze fehlen"']
)
def test_hyphenated_words_find_exactly_what_the_phrase_finds(text):
    ClaimFactory(text="In Berlin fehlen Kita-Plätze, sagt der Senat")
    ClaimFactory(text="Kita-Plätze fehlen überall")
    ClaimFactory(text="Die Rente steigt, Kita Plätze fehlen")  # no hyphen: not the compound
    ClaimFactory(text="Mehr Plätze in der Kita als je zuvor")
    ClaimFactory(text="Die Rente steigt im Juli")
    # The same claims in the same order: found by the whole word, ranked as readers wrote it.
    query = web_query(text)
    written = Claim.objects.filter(search_vector=query).annotate(rank=SearchRank(F("search_vector"), query, normalization=1))
    found = search_claims(Claim.objects.all(), text)
    assert list(found) == list(written.order_by("-rank", "-published_at", "-id"))


def test_hyphenated_words_are_looked_up_once_per_text(django_assert_num_queries):
    ClaimFactory(text="Kita-Plätze fehlen überall")
    _compound_query.cache_clear()
    with django_assert_num_queries(1):
        assert reader_query("Bus-Spuren").query == "'bus-spur'"
    with django_assert_num_queries(0):
        reader_query("Bus-Spuren")


WORDS = st.sampled_from(
    ["Kita-Plätze", "Kita", "Plätze", "CDU-Chef", "Nord-Süd-Gefälle", "Made-in-Germany", "fehlen", "Berlin", "O'Neil-Bericht"]
)
SYNTAX = st.sampled_from([" ", " ", " OR ", " -", '"', "-", "\\", "'", "(", ")", "!", "<->", ":*", "&"])


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=st.lists(st.one_of(WORDS, SYNTAX), max_size=9).map("".join))
def test_any_input_finds_with_the_whole_word_what_the_phrase_finds(db, text):
    if not Claim.objects.exists():
        for claim_text in ("Kita-Plätze fehlen in Berlin", "Der CDU-Chef sagt Made-in-Germany", "Nord-Süd-Gefälle: O'Neil-Bericht"):
            ClaimFactory(text=claim_text)
    text = clean_query(text)
    assert set(Claim.objects.filter(search_vector=reader_query(text))) == set(Claim.objects.filter(search_vector=web_query(text)))


@pytest.mark.parametrize(
    ("query", "words", "excluded"),
    [
        ("Wladimir Putin", ["Wladimir", "Putin"], []),
        ('"Putin" OR Kreml -Moskau', ["Putin", "Kreml"], ["Moskau"]),
        ("Putin, Selenskyj. (Kreml)", ["Putin", "Selenskyj", "Kreml"], []),
        ("Nato-Staaten ORF or", ["Nato-Staaten", "ORF", "or"], []),
        ("Trupen -entsenden -", ["Trupen"], ["entsenden"]),
        ("\x00 OR -", [], []),
    ],
)
def test_search_words_leave_out_the_web_search_syntax(query, words, excluded):
    assert search_words(query) == words
    assert excluded_words(query) == excluded
