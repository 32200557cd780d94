import json
import re

import pytest
from django.db.models import Count
from django.forms.models import model_to_dict

from claims.choices import ClaimStatus
from claims.models import Appearance, Claim, Rating
from claims.seeding import load_seeds
from sources.models import Source
from tests.claims.test_admin_workflow import form_data
from tests.factories import ClaimantFactory, ClaimFactory, UserFactory

pytestmark = pytest.mark.django_db


def claim_form(source, quote, **overrides):
    data = {
        "text": "Russland lehnt ausländische Truppen ab",
        "text_long": "",
        "language": "de",
        "conclusion": "",
        "context": "",
        "appearances-TOTAL_FORMS": "1",
        "appearances-INITIAL_FORMS": "0",
        "appearances-MIN_NUM_FORMS": "0",
        "appearances-MAX_NUM_FORMS": "1000",
        "appearances-0-source": str(source.pk),
        "appearances-0-quote": quote,
    }
    data.update(overrides)
    return data


def test_reporter_creates_claim_with_quote_from_seeded_article(client, reporter):
    load_seeds(log=lambda message: None)
    source = Source.objects.get(title="Russland lehnt europäische Truppen in der Ukraine erneut ab")
    client.force_login(reporter)
    response = client.post(
        "/admin/claims/claim/add/",
        claim_form(source, "Moskau habe eine Präsenz ausländischer Streitkräfte auf ukrainischem Territorium stets abgelehnt."),
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    claim = Claim.objects.get(text="Russland lehnt ausländische Truppen ab")
    assert claim.status == ClaimStatus.DRAFT
    assert claim.author == reporter
    appearance = Appearance.objects.get(claim=claim)
    assert source.body[appearance.start : appearance.end].startswith("Moskau habe eine Präsenz")


def test_admin_rejects_quote_not_in_article_and_keeps_input(client, reporter):
    load_seeds(log=lambda message: None)
    source = Source.objects.get(title="Russland lehnt europäische Truppen in der Ukraine erneut ab")
    client.force_login(reporter)
    response = client.post("/admin/claims/claim/add/", claim_form(source, "Dieser Satz steht nicht im Artikel."))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Das Zitat steht nicht im Text von" in html
    assert "Dieser Satz steht nicht im Artikel." in html
    assert not Claim.objects.filter(text="Russland lehnt ausländische Truppen ab").exists()


def test_two_first_appearances_are_a_form_error_that_keeps_the_input(client, reporter):
    load_seeds(log=lambda message: None)
    source = Source.objects.get(title="Russland lehnt europäische Truppen in der Ukraine erneut ab")
    quote = "Moskau habe eine Präsenz ausländischer Streitkräfte auf ukrainischem Territorium stets abgelehnt."
    data = claim_form(source, quote, **{"appearances-TOTAL_FORMS": "2", "appearances-0-is_first": "on"})
    data.update({"appearances-1-source": str(source.pk), "appearances-1-quote": "Diese Haltung habe sich", "appearances-1-is_first": "on"})
    client.force_login(reporter)
    response = client.post("/admin/claims/claim/add/", data)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Nur eine Fundstelle kann das erste bekannte Auftreten sein" in html
    assert quote in html and "Diese Haltung habe sich" in html
    assert not Claim.objects.filter(text="Russland lehnt ausländische Truppen ab").exists()


def test_the_same_passage_twice_is_a_form_error(client, reporter):
    load_seeds(log=lambda message: None)
    source = Source.objects.get(title="Russland lehnt europäische Truppen in der Ukraine erneut ab")
    quote = "Moskau habe eine Präsenz ausländischer Streitkräfte auf ukrainischem Territorium stets abgelehnt."
    data = claim_form(source, quote, **{"appearances-TOTAL_FORMS": "2"})
    data.update({"appearances-1-source": str(source.pk), "appearances-1-quote": quote[:40]})
    client.force_login(reporter)
    response = client.post("/admin/claims/claim/add/", data)
    assert response.status_code == 200
    assert "Dieselbe Stelle desselben Artikels ist mehrfach als Fundstelle eingetragen." in response.content.decode()
    assert not Claim.objects.filter(text="Russland lehnt ausländische Truppen ab").exists()


def test_the_first_appearance_tick_moves_to_another_appearance(client, reporter):
    load_seeds(log=lambda message: None)
    source = Source.objects.get(title="Russland lehnt europäische Truppen in der Ukraine erneut ab")
    quote = "Moskau habe eine Präsenz ausländischer Streitkräfte auf ukrainischem Territorium stets abgelehnt."
    second = "Diese Haltung habe sich auch im Verlauf der bisherigen Gespräche nicht verändert."
    client.force_login(reporter)
    data = claim_form(source, quote, **{"appearances-TOTAL_FORMS": "2", "appearances-0-is_first": "on"})
    data.update({"appearances-1-source": str(source.pk), "appearances-1-quote": second})
    assert client.post("/admin/claims/claim/add/", data).status_code == 302
    claim = Claim.objects.get(text="Russland lehnt ausländische Truppen ab")
    first, other = claim.appearances.order_by("-is_first", "id")
    assert first.is_first and not other.is_first
    page = client.get(f"/admin/claims/claim/{claim.pk}/change/").content.decode()
    version = re.search(r'name="expected_version" value="(\d+)"', page).group(1)
    data = claim_form(source, quote, expected_version=version, **{"appearances-TOTAL_FORMS": "2", "appearances-INITIAL_FORMS": "2"})
    data.update({"appearances-0-id": str(first.pk), "appearances-0-claim": str(claim.pk)})
    data.update({"appearances-1-id": str(other.pk), "appearances-1-claim": str(claim.pk), "appearances-1-source": str(source.pk)})
    data.update({"appearances-1-quote": second, "appearances-1-is_first": "on"})
    response = client.post(f"/admin/claims/claim/{claim.pk}/change/", data)
    assert response.status_code == 302, response.content.decode()[:3000]
    assert list(claim.appearances.filter(is_first=True)) == [other]


def test_admin_is_german(client, editor):
    client.force_login(editor)
    html = client.get("/admin/claims/claim/").content.decode()
    assert "Faktenchecks" in html
    assert "Überprüfung fällig" in html
    # The topic picker's texts, which Django's German catalogue lacks, come from the project's.
    catalogue = client.get("/admin/jsi18n/").content.decode()
    assert json.loads(re.search(r'"Choose all %s": (".*?")', catalogue).group(1)) == "Alle %s auswählen"
    assert json.loads(re.search(r'"Remove selected %s": (".*?")', catalogue).group(1)) == "Markierte %s entfernen"


def test_admin_stays_german_for_an_english_browser_and_after_the_site_was_switched_to_english(client, editor):
    client.force_login(editor)
    client.cookies["django_language"] = "en"
    response = client.get("/admin/claims/claim/add/", HTTP_ACCEPT_LANGUAGE="en")
    html = response.content.decode()
    assert response["Content-Language"] == "de"
    assert '<html lang="de"' in html and "Faktencheck hinzufügen" in html and "Sichern" in html
    assert "Save and add another" not in html
    # The public site keeps the reader's choice.
    assert client.get("/", HTTP_ACCEPT_LANGUAGE="en")["Content-Language"] == "en"


def test_claimant_and_source_autocomplete(client, editor):
    load_seeds(log=lambda message: None)
    client.force_login(editor)
    response = client.get(
        "/admin/autocomplete/", {"app_label": "claims", "model_name": "appearance", "field_name": "source", "term": "Putin"}
    )
    assert response.status_code == 200
    titles = [item["text"] for item in response.json()["results"]]
    assert "Putin bekräftigt Widerstand gegen Präsenz ausländischer Streitkräfte in der Ukraine" in titles
    response = client.get(
        "/admin/autocomplete/", {"app_label": "claims", "model_name": "claim", "field_name": "claimant", "term": "Peskow"}
    )
    assert [item["text"] for item in response.json()["results"]] == ["Dmitri Peskow (Kremlsprecher)"]


@pytest.mark.parametrize(
    "query",
    ["claimant=abc", "claimant=99999999", "rating=abc", "claim_date=gestern", "topics=abc", "duplicate_of=abc", "text=%00", "language=zz"],
)
def test_add_form_prefilled_from_a_bad_query_string_still_opens(client, reporter, query):
    client.force_login(reporter)
    response = client.get(f"/admin/claims/claim/add/?{query}")
    assert response.status_code == 200
    assert 'id="claim_form"' in response.content.decode()


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/admin/claims/claim/add/?appearance_source=%C2%B2&appearance_quote=x", 200),
        ("/admin/claims/claim/add/?appearance_source=99999999999999999999999&appearance_quote=x", 200),
        ("/admin/claims/claim/aehnliche/?text=Truppen&exclude=%C2%B2", 400),
        ("/admin/claims/claim/aehnliche/?text=Truppen&exclude=99999999999999999999999", 400),
        ("/admin/claims/claim/{pk}/history/abc/", 404),
        ("/admin/claims/claim/{pk}/history/%C2%B2/", 404),
        ("/admin/claims/claim/abc/history/", 404),
        ("/admin/claims/claim/abc/history/1/", 404),
    ],
)
def test_odd_ids_in_admin_addresses_are_a_4xx(client, editor, path, status):
    # Superscript digits are digits to str.isdigit() but not to int(): these were server errors.
    client.force_login(editor)
    response = client.get(path.format(pk=ClaimFactory().pk))
    assert response.status_code == status


def test_claim_list_names_the_claimant_without_the_role(client, editor):
    ClaimFactory(claimant=ClaimantFactory(name="Lars Klingbeil", role="SPD-Chef, Vizekanzler und Bundesfinanzminister"))
    client.force_login(editor)
    html = client.get("/admin/claims/claim/").content.decode()
    assert '<td class="field-claimant_name">Lars Klingbeil</td>' in html
    assert "Vizekanzler" not in html


def test_a_claim_entered_in_the_admin_has_a_first_appearance_without_a_tick(client, reporter):
    load_seeds(log=lambda message: None)
    source = Source.objects.get(title="Russland lehnt europäische Truppen in der Ukraine erneut ab")
    client.force_login(reporter)
    quote = "Moskau habe eine Präsenz ausländischer Streitkräfte auf ukrainischem Territorium stets abgelehnt."
    assert client.post("/admin/claims/claim/add/", claim_form(source, quote)).status_code == 302
    claim = Claim.objects.get(text="Russland lehnt ausländische Truppen ab")
    assert claim.appearances.filter(is_first=True).count() == 1


def test_deleting_the_first_appearance_in_the_admin_passes_the_mark_to_the_next_one(client, editor):
    load_seeds(log=lambda message: None)
    claim = Claim.objects.filter(status=ClaimStatus.PUBLISHED).annotate(n=Count("appearances")).filter(n__gt=1).first()
    first = claim.appearances.get(is_first=True)
    client.force_login(editor)
    html = client.get(f"/admin/claims/claim/{claim.pk}/change/").content.decode()
    data = form_data(html)
    index = next(key.split("-")[1] for key, value in data.items() if key.endswith("-id") and value == str(first.pk))
    data[f"appearances-{index}-DELETE"] = "on"
    response = client.post(f"/admin/claims/claim/{claim.pk}/change/", data)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert not Appearance.objects.filter(pk=first.pk).exists()
    assert claim.appearances.filter(is_first=True).count() == 1


def test_a_published_claim_keeps_at_least_one_appearance_in_the_admin(client, editor):
    load_seeds(log=lambda message: None)
    claim = Claim.objects.filter(status=ClaimStatus.PUBLISHED).first()
    count = claim.appearances.count()
    client.force_login(editor)
    data = form_data(client.get(f"/admin/claims/claim/{claim.pk}/change/").content.decode())
    for key in [key for key in data if key.startswith("appearances-") and key.endswith("-id") and data[key]]:
        data[key.replace("-id", "-DELETE")] = "on"
    response = client.post(f"/admin/claims/claim/{claim.pk}/change/", data)
    assert response.status_code == 200
    assert "mindestens eine Fundstelle" in response.content.decode()
    assert claim.appearances.count() == count


@pytest.mark.parametrize(
    "field", ["app_label=claims&model_name=claim&field_name=duplicate_of", "app_label=claims&model_name=appearance&field_name=source"]
)
def test_admin_autocomplete_with_a_nul_byte_in_the_search_is_not_a_server_error(client, editor, field):
    ClaimFactory(text="Windkraft liefert die Hälfte")
    client.force_login(editor)
    response = client.get(f"/admin/autocomplete/?{field}&term=Wind%00kraft")
    assert response.status_code == 200


def test_a_rating_colour_that_is_no_hex_value_is_explained_in_the_admin(client, publisher):
    rating = Rating.objects.get(scale__is_default=True, slug="falsch")
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    data = {key: value for key, value in model_to_dict(rating).items() if value is not None}
    data["colour"] = "rot"
    response = client.post(f"/admin/claims/rating/{rating.pk}/change/", data)
    assert response.status_code == 200
    assert "Hex-Wert" in response.content.decode()
    assert "rating_colour_hex" not in response.content.decode()
