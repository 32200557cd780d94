import pytest
from django.urls import reverse

from sources.checkworthy import short_claim_text, split_sentences, suggest_for_source, suggest_sentences
from tests.factories import ClaimantFactory, SourceFactory

ARTICLE = """Ukraine-Hilfe: Klingbeil warnt vor Illusionen
Stand: 05.09.2025 16:33 Uhr
Vizekanzler Lars Klingbeil hat am Mittwoch in Berlin gesprochen. Das Wetter war gut.
Gleichzeitig betonte Klingbeil die Verantwortung Deutschlands. Berlin sei bereits der größte Unterstützer der Ukraine.
Nach Angaben des Ministeriums flossen 2024 rund 7,1 Mrd. Euro an Militärhilfe, 40 Prozent mehr als im Vorjahr.
„Wir werden die Ukraine nicht im Stich lassen“, sagte er.
Wie geht es weiter?
Die Sitzung dauerte lange."""


def texts(suggestions):
    return [s.text for s in suggestions]


def test_sentences_are_split_with_offsets_into_the_original_text():
    sentences = split_sentences(ARTICLE)
    for sentence in sentences:
        assert ARTICLE[sentence.start : sentence.end] == sentence.text
    assert "Berlin sei bereits der größte Unterstützer der Ukraine." in [s.text for s in sentences]
    # "Mrd." is an abbreviation, not the end of a sentence.
    assert any(s.text.startswith("Nach Angaben") and s.text.endswith("Vorjahr.") for s in sentences)


def test_numbers_quotes_attributions_and_superlatives_are_suggested_best_first():
    suggestions = suggest_sentences(ARTICLE)
    found = texts(suggestions)
    assert found[0].startswith("Nach Angaben des Ministeriums flossen 2024")
    assert "Berlin sei bereits der größte Unterstützer der Ukraine." in found
    assert "„Wir werden die Ukraine nicht im Stich lassen“, sagte er." in found
    first = suggestions[0]
    assert {"number", "quantity", "speech", "comparison"} <= set(first.features)
    assert "Zahl" in first.labels


def test_plain_questions_headlines_and_filler_are_not_suggested():
    found = texts(suggest_sentences(ARTICLE))
    assert "Das Wetter war gut." not in found
    assert "Wie geht es weiter?" not in found
    assert "Die Sitzung dauerte lange." not in found
    assert not any(text.startswith("Stand:") for text in found)


@pytest.mark.django_db
def test_claimant_is_guessed_from_the_sentence_or_the_one_before():
    klingbeil = ClaimantFactory(name="Lars Klingbeil", role="SPD-Chef, Vizekanzler")
    ClaimantFactory(name="Friedrich Merz", role="Bundeskanzler")
    source = SourceFactory(body=ARTICLE)
    by_text = {s.text: s for s in suggest_for_source(source)}
    assert by_text["Berlin sei bereits der größte Unterstützer der Ukraine."].claimant == klingbeil
    assert by_text["„Wir werden die Ukraine nicht im Stich lassen“, sagte er."].claimant == klingbeil


def test_short_claim_text_fits_the_field():
    long = "Nach Angaben des Ministeriums flossen 2024 rund 7,1 Mrd. Euro an Militärhilfe, 40 Prozent mehr als im Vorjahr."
    short = short_claim_text(long, 75)
    assert len(short) <= 75 and short.endswith("…")
    assert short_claim_text("„Wir sind bereit.“", 75) == "Wir sind bereit"


@pytest.mark.django_db
def test_admin_lists_check_worthy_sentences_with_prefilled_create_links(client, reporter):
    klingbeil = ClaimantFactory(name="Lars Klingbeil", role="SPD-Chef, Vizekanzler")
    source = SourceFactory(body=ARTICLE)
    client.force_login(reporter)
    change = client.get(reverse("admin:sources_source_change", args=[source.pk])).content.decode()
    url = reverse("admin:sources_source_checkworthy", args=[source.pk])
    assert url in change
    response = client.get(url)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Berlin sei bereits der größte Unterstützer der Ukraine." in html
    assert "Faktencheck mit diesem Zitat anlegen" in html
    row = next(r for r in response.context["rows"] if r["suggestion"].text.startswith("Berlin sei"))
    create = client.get(row["create_url"]).content.decode()
    assert 'value="Berlin sei bereits der größte Unterstützer der Ukraine"' in create
    assert f'<option value="{klingbeil.pk}" selected>' in create
    assert f'<option value="{source.pk}" selected>' in create


@pytest.mark.django_db
def test_checkworthy_view_needs_admin_login(client):
    source = SourceFactory(body=ARTICLE)
    response = client.get(reverse("admin:sources_source_checkworthy", args=[source.pk]))
    assert response.status_code == 302
