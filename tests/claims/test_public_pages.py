import itertools

import pytest
from django.template import engines
from django.test import Client
from django.urls import set_script_prefix
from django.utils import timezone

from claims.choices import ClaimStatus
from tests.factories import AppearanceFactory, ClaimFactory

pytestmark = pytest.mark.django_db


def test_home_page_is_german_and_lists_published_claims(client):
    claim = ClaimFactory(text="Windkraft liefert 42 Prozent")
    response = client.get("/")
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="de">' in html
    assert "Aktuelle Faktenchecks" in html
    assert "Windkraft liefert 42 Prozent" in html
    assert claim.get_absolute_url() in html


@pytest.mark.parametrize(
    ("status", "offset_days"),
    [(ClaimStatus.DRAFT, -1), (ClaimStatus.IN_REVIEW, -1), (ClaimStatus.WITHDRAWN, -1), (ClaimStatus.PUBLISHED, +2)],
)
def test_unpublished_claims_are_hidden_from_anonymous_readers(client, status, offset_days):
    claim = ClaimFactory(text="GEHEIM-ENTWURF-MARKER", status=status, published_at=timezone.now() + timezone.timedelta(days=offset_days))
    assert "GEHEIM-ENTWURF-MARKER" not in client.get("/").content.decode()
    assert "GEHEIM-ENTWURF-MARKER" not in client.get("/faktenchecks/").content.decode()
    assert client.get(claim.get_absolute_url()).status_code == 404


def test_staff_sees_draft_as_preview_that_is_never_cached(client, editor):
    claim = ClaimFactory(status=ClaimStatus.DRAFT, published_at=None, rating=None, conclusion="")
    client.force_login(editor)
    response = client.get(claim.get_absolute_url())
    assert response.status_code == 200
    assert "Vorschau – nicht öffentlich" in response.content.decode()
    assert "no-store" in response["Cache-Control"]


def test_claim_page_shows_quote_and_links_to_source(client):
    appearance = AppearanceFactory()
    response = client.get(appearance.claim.get_absolute_url())
    html = response.content.decode()
    assert "<mark>42 Prozent des Stroms im vergangenen Jahr aus Windkraft gewonnen worden</mark>" in html
    assert appearance.source.get_absolute_url() in html
    assert "Falsch" in html


def test_source_page_highlights_public_quotes_only(client):
    appearance = AppearanceFactory()
    draft = ClaimFactory(text="ENTWURF-ZUR-QUELLE", status=ClaimStatus.DRAFT)
    AppearanceFactory(claim=draft, source=appearance.source, quote="Die Debatte soll in der kommenden Woche fortgesetzt werden.")
    response = client.get(appearance.source.get_absolute_url())
    html = response.content.decode()
    assert response.status_code == 200
    assert f'<mark id="quote-{appearance.pk}">' in html
    assert "ENTWURF-ZUR-QUELLE" not in html


def test_source_quoted_only_by_drafts_is_not_public(client):
    draft = ClaimFactory(status=ClaimStatus.DRAFT)
    appearance = AppearanceFactory(claim=draft)
    assert client.get(appearance.source.get_absolute_url()).status_code == 404


def test_on_english_pages_german_claims_and_quotes_are_marked_german(client):
    appearance = AppearanceFactory()
    claim = appearance.claim
    client.cookies["django_language"] = "en"
    html = client.get(claim.get_absolute_url()).content.decode()
    assert '<html lang="en">' in html
    assert f'<h1 id="claim-heading" lang="de">{claim.text}</h1>' in html
    assert f'<span lang="de">{claim.conclusion}</span>' in html
    assert 'lang="de"><p><mark>' in html
    home = client.get("/").content.decode()
    assert f'<h3 lang="de"><a href="{claim.get_absolute_url()}">' in home


def test_rating_scale_page_names_and_explains_the_scale_in_the_readers_language(client):
    german = client.get("/bewertungen/").content.decode()
    assert "Faktencheck-Skala" in german and "Jede Behauptung wird nur auf Grundlage überprüfbarer Quellen bewertet." in german
    client.cookies["django_language"] = "en"
    english = client.get("/bewertungen/").content.decode()
    assert "Fact-check scale" in english and "Every claim is rated on the basis of verifiable sources only." in english
    assert "Faktencheck-Skala" not in english
    assert "The claim is demonstrably false." in english


def test_an_unknown_address_gets_the_sites_own_404_page_in_the_readers_language(client):
    withdrawn = ClaimFactory(status=ClaimStatus.WITHDRAWN)
    for path in ("/faktenchecks/gibt-es-nicht/", withdrawn.get_absolute_url(), "/nirgendwo/"):
        response = client.get(path)
        assert response.status_code == 404
        html = response.content.decode()
        assert "<h1>Seite nicht gefunden</h1>" in html and '<html lang="de">' in html
        assert 'action="/suche/"' in html and withdrawn.text not in html
    english = client.get("/nirgendwo/", headers={"accept-language": "en"}).content.decode()
    assert "<h1>Page not found</h1>" in english and '<html lang="en">' in english


def test_an_unknown_api_address_is_a_json_404():
    client = Client(enforce_csrf_checks=True)  # as a partner's HTTP library: no CSRF token
    for method, path in itertools.product(
        (client.get, client.post, client.delete), ("/api/v1/gibt-es-nicht/", "/api/v1/claims/x/y/", "/api/x/")
    ):
        response = method(path)
        assert response.status_code == 404
        assert response["Content-Type"] == "application/json"
        assert response.json() == {"detail": "Nicht gefunden."}


def test_layout_links_follow_the_script_prefix(client):
    """The layout's fixed links are reversed once per script prefix, not once for all."""
    page = engines["django"].from_string("{% load public %}{% fixed_url 'claims:claim-list' %}")
    try:
        set_script_prefix("/faktencheck/")
        assert page.render({}) == "/faktencheck/faktenchecks/"
        set_script_prefix("/")
        assert page.render({}) == "/faktenchecks/"
    finally:
        set_script_prefix("/")
