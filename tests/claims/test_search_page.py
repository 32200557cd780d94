import pytest
from django.urls import reverse
from django.utils import timezone

from claims.choices import ClaimStatus
from tests.factories import AppearanceFactory, ClaimantFactory, ClaimFactory, SourceFactory, UserFactory

pytestmark = pytest.mark.django_db

URL = reverse("claims:search")


def search(client, q, **params):
    return client.get(URL, {"q": q, **params})


@pytest.fixture
def staff_client(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


@pytest.mark.parametrize("as_staff", [False, True])
def test_only_published_and_due_claims_are_found(client, as_staff):
    if as_staff:
        client.force_login(UserFactory(is_staff=True, is_superuser=True))
    public = ClaimFactory(text="Windräder töten Millionen Vögel")
    ClaimFactory(text="Windräder töten Millionen Vögel im Entwurf", status=ClaimStatus.DRAFT, published_at=None)
    ClaimFactory(text="Windräder töten Millionen Vögel in Prüfung", status=ClaimStatus.IN_REVIEW, published_at=None)
    ClaimFactory(text="Windräder töten Millionen Vögel zurückgezogen", status=ClaimStatus.WITHDRAWN)
    ClaimFactory(text="Windräder töten Millionen Vögel geplant", published_at=timezone.now() + timezone.timedelta(days=1))
    response = search(client, "Windräder Vögel")
    assert response.status_code == 200
    assert list(response.context["claims"]) == [public]
    assert "zurückgezogen" not in response.content.decode()


def test_matches_are_highlighted_and_text_is_escaped(client):
    ClaimFactory(text="<b>Windräder</b> töten Vögel", context="Laut **Studie** sterben weniger Vögel an Windrädern.")
    html = search(client, "Windrad").content.decode()
    assert "&lt;b&gt;<mark>Windräder</mark>&lt;/b&gt;" in html
    assert "<mark>Windrädern</mark>" in html
    assert "**" not in html


def test_web_search_syntax_and_umlaut_spellings(client):
    wind = ClaimFactory(text="Deutschland ist der größte Unterstützer der Ukraine")
    ClaimFactory(text="Deutschland ist der größte Gasimporteur Europas")
    assert list(search(client, "groesster Unterstuetzer").context["claims"]) == [wind]
    assert list(search(client, '"größte Unterstützer"').context["claims"]) == [wind]
    assert list(search(client, "Deutschland -Gasimporteur").context["claims"]) == [wind]


def test_public_sources_are_listed_with_snippets_but_unused_articles_are_not(client):
    quoted = AppearanceFactory().source
    draft_only = AppearanceFactory(claim=ClaimFactory(status=ClaimStatus.DRAFT, published_at=None)).source
    unused = SourceFactory()
    response = search(client, "Energiepolitik")
    sources = response.context["sources"]
    assert sources == [quoted]
    assert draft_only not in sources and unused not in sources
    assert "<mark>Energiepolitik</mark>" in response.content.decode()


def test_a_claimants_name_finds_the_claimant(client):
    putin = ClaimantFactory(name="Wladimir Putin", role="Präsident Russlands")
    ClaimFactory(text="Ausländische Truppen wären legitime Ziele", claimant=putin)
    draft_only = ClaimantFactory(name="Wladimir Geheim")
    ClaimFactory(status=ClaimStatus.DRAFT, claimant=draft_only)
    ClaimFactory(claimant=ClaimantFactory(name="Wladimir Klitschko"))
    for text in ("Wladimir Putin", "putin", "Putin Truppen", '"Putin" OR Kreml -Moskau', "Putn"):
        response = search(client, text)
        assert response.context["claimants"][0] == putin, text
        assert (
            f'<a href="{putin.get_absolute_url()}">Wladimir Putin</a> (<span lang="de">Präsident Russlands</span>)'
            in response.content.decode()
        )
    assert search(client, "Selenskyj").context["claimants"] == []
    assert [claimant.name for claimant in search(client, "Wladimir").context["claimants"]] == ["Wladimir Klitschko", "Wladimir Putin"]
    assert "Geheim" not in search(client, "Wladimir").content.decode()


def test_a_search_without_matches_offers_claims_spelled_like_it(client):
    troops = ClaimFactory(text="26 Länder sind bereit, Truppen in die Ukraine zu entsenden")
    zelensky = ClaimFactory(text="Selenskyj fordert eine Waffenruhe vor Gesprächen")
    ClaimFactory(text="Truppen an der Grenze verdoppelt", status=ClaimStatus.DRAFT, published_at=None)
    ClaimFactory(text="Truppen ziehen sich zurück", published_at=timezone.now() + timezone.timedelta(days=1))
    ClaimFactory(text="Windkraft liefert die Hälfte des Stroms")
    response = search(client, "Trupen")
    assert response.context["paginator"].count == 0
    assert response.context["spelled_alike"] == [troops]
    html = response.content.decode()
    assert "Ähnlich geschrieben" in html and f'href="{troops.get_absolute_url()}"' in html
    assert "verdoppelt" not in html and "zurück" not in html
    assert search(client, "Selenski Waffenruhe").context["spelled_alike"] == [zelensky]
    # Operators are no search words; exclusions still exclude. Nothing alike, nothing offered.
    assert search(client, "Trupen -Windkraft").context["spelled_alike"] == [troops]
    assert search(client, "Trupen -entsenden").context["spelled_alike"] == []
    assert search(client, "Qqxzv").context["spelled_alike"] == []
    assert "Ähnlich geschrieben" not in search(client, "Qqxzv").content.decode()
    # A search with matches shows them, not guesses.
    assert search(client, "Truppen").context["spelled_alike"] == []


def test_results_are_paginated_with_the_query_kept(client):
    for number in range(23):
        ClaimFactory(text=f"Solarstrom ist teurer als Kohle ({number})", author=None)
    first = search(client, "Solarstrom")
    assert first.context["paginator"].count == 23
    assert len(first.context["claims"]) == 20
    assert "?q=Solarstrom&amp;seite=2" in first.content.decode()
    second = search(client, "Solarstrom", seite=2)
    assert len(second.context["claims"]) == 3
    assert second.context["sources"] == []
    # The older parameter name still leads to the same page.
    assert [claim.pk for claim in search(client, "Solarstrom", page=2).context["claims"]] == [
        claim.pk for claim in second.context["claims"]
    ]


def test_query_count_does_not_grow_with_results(client, django_assert_num_queries):
    for number in range(3):
        AppearanceFactory(claim=ClaimFactory(text=f"Energiepolitik kostet Milliarden ({number})", author=None))
    # The newest matches ranked (claims, then articles; no count: the window is counted),
    # the page's claims, their headlines, the claimants named, the sources, their snippets,
    # and the site version behind ETag/Last-Modified.
    with django_assert_num_queries(8):
        search(client, "Energiepolitik")
    for number in range(12):
        AppearanceFactory(claim=ClaimFactory(text=f"Energiepolitik kostet Milliarden ({number + 3})", author=None))
    with django_assert_num_queries(8):
        response = search(client, "Energiepolitik")
    assert len(response.context["claims"]) == 15


@pytest.mark.parametrize(
    ("params", "status"),
    [
        ({"q": ""}, 200),
        ({"q": "Wind\x00kraft"}, 200),
        ({"q": "x" * 5000}, 200),
        ({"q": '"" OR - -- !!! & | :*'}, 200),
        ({"q": "Windkraft", "seite": "abc"}, 400),
        ({"q": "Windkraft", "seite": "99"}, 400),
        ({"q": "Windkraft", "page": "0"}, 400),
    ],
)
def test_bad_input_never_breaks_the_page(client, params, status):
    ClaimFactory(text="Windkraft liefert die Hälfte des Stroms")
    response = client.get(URL, params)
    assert response.status_code == status
    if status == 400:
        html = response.content.decode()
        assert 'role="alert"' in html and "Diese Seite gibt es nicht" in html
        assert 'href="?q=Windkraft">Zur ersten Seite</a>' in html and 'id="search-q"' in html


def test_anonymous_results_may_be_cached_briefly(client):
    response = search(client, "Windkraft")
    assert "public" in response["Cache-Control"]


def test_a_snippet_cut_out_of_a_longer_text_says_so_with_ellipses(client):
    opening = "Die Regierung nannte zunächst keine Quelle für ihre Angaben zur Stromversorgung im vergangenen Winter."
    middle = "Erst später verwies ein Sprecher auf Zahlen der Bundesnetzagentur zur Windkraft im Norden."
    closing = "Unabhängige Fachleute halten diese Zahlen seit Jahren für zu optimistisch und fordern eine neue Erhebung."
    filler = " ".join(f"Satz {number} ohne Bezug zur Frage." for number in range(12))
    claim = ClaimFactory(text="Strom aus dem Norden", conclusion=opening, text_long="", context=f"{filler} {middle} {filler} {closing}")
    source_text = f"{opening} {filler} {middle} {filler} {closing}"
    AppearanceFactory(claim=claim, source=SourceFactory(body=source_text), quote="Erst später verwies ein Sprecher")
    response = search(client, "Bundesnetzagentur")
    (claim,) = response.context["claims"]
    (source,) = response.context["sources"]
    for snippet in (claim.snippet, source.snippet):
        assert "Bundesnetzagentur" in snippet
        assert snippet.startswith("… ") and snippet.endswith(" …"), snippet
    whole = search(client, "Regierung").context["claims"][0].snippet
    assert not whole.startswith("…"), whole


def test_a_snippet_that_is_the_whole_text_has_no_ellipses(client):
    ClaimFactory(text="Strom aus dem Norden", conclusion="Die Bundesnetzagentur widerspricht.", text_long="", context="")
    html = search(client, "Bundesnetzagentur").content.decode()
    assert '<p class="snippet" lang="de">Die <mark>Bundesnetzagentur</mark> widerspricht.</p>' in html
