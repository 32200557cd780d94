"""English pages mark every piece of German newsroom and archive text with lang="de".

Screen readers switch pronunciation by the language of the element a text is in; German
article text read with English rules is unintelligible (WCAG 3.1.2, language of parts).
"""

import itertools

import lxml.html
import pytest

from claims import services
from tests.factories import AppearanceFactory, ClaimantFactory, ClaimFactory, SourceFactory, TopicFactory

pytestmark = pytest.mark.django_db

ROLE = "Bundesministerin für Wirtschaft"
TOPIC = "Energiewende"
TITLE = "Bundestag streitet über Windkraftzahlen"
NOTE = "Die Quelle wurde nachgetragen."


def language_of(html: str, text: str) -> set[str]:
    """The languages (nearest lang attribute) of the page's visible elements whose own text contains `text`.

    Not checked: the document title, JSON-LD and the options of the filter form's selects.
    """
    found = set()
    for element in lxml.html.fromstring(html).find("body").iter():
        own_text = [element.text or ""] + [child.tail or "" for child in element]
        if isinstance(element.tag, str) and element.tag not in ("script", "option") and any(text in part for part in own_text):
            found.add(next(node.get("lang") for node in itertools.chain([element], element.iterancestors()) if node.get("lang")))
    assert found, f"{text!r} is not on the page"
    return found


@pytest.fixture
def german_fact_check(publisher):
    claimant = ClaimantFactory(role=ROLE)
    claim = ClaimFactory(claimant=claimant, text="Windkraft liefert 42 Prozent des Stroms")
    claim.topics.add(TopicFactory(name=TOPIC))
    appearance = AppearanceFactory(claim=claim, source=SourceFactory(title=TITLE))
    services.correct_claim(claim=claim, user=publisher, kind="correction", note=NOTE)
    claim.refresh_from_db()
    return claim, appearance.source


def english(client, path: str) -> str:
    client.cookies["django_language"] = "en"
    response = client.get(path)
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="en">' in html
    return html


def test_claim_page_in_english_marks_german_role_topic_source_title_and_correction(client, german_fact_check):
    claim, _source = german_fact_check
    html = english(client, claim.get_absolute_url())
    for text in (ROLE, TOPIC, TITLE, NOTE):
        assert language_of(html, text) == {"de"}, text


def test_claim_cards_in_english_mark_the_claimants_german_role(client, german_fact_check):
    claim, _source = german_fact_check
    for path in ("/", "/faktenchecks/", claim.claimant.get_absolute_url()):
        assert language_of(english(client, path), ROLE) == {"de"}, path


def test_source_page_in_english_marks_the_german_article(client, german_fact_check):
    claim, source = german_fact_check
    html = english(client, source.get_absolute_url())
    assert language_of(html, TITLE) == {"de"}
    assert language_of(html, "Die Opposition sprach von") == {"de"}
    assert language_of(html, claim.text) == {"de"}


def test_search_results_in_english_mark_german_titles_and_snippets(client, german_fact_check):
    html = english(client, "/suche/?q=Windkraft")
    assert language_of(html, "Windkraft") == {"de"}
    assert language_of(html, TITLE.replace("Windkraftzahlen", "")[:-1]) == {"de"}


def test_corrections_log_in_english_marks_the_german_claim_and_note(client, german_fact_check):
    claim, _source = german_fact_check
    html = english(client, "/korrekturen/")
    assert language_of(html, claim.text) == {"de"}
    assert language_of(html, NOTE) == {"de"}


def test_claim_list_filter_in_english_marks_german_topic_and_claimant_choices(client, german_fact_check):
    claim, _source = german_fact_check
    tree = lxml.html.fromstring(english(client, "/faktenchecks/"))
    (topic,) = tree.xpath("//select[@name='topic']/option[normalize-space(text())=$name]", name=TOPIC)
    assert topic.get("lang") == "de"
    (everything,) = tree.xpath("//select[@name='topic']/option[@value='']")
    assert everything.get("lang") is None
    (suggestion,) = tree.xpath("//datalist/option[@value=$slug]", slug=claim.claimant.slug)
    assert suggestion.get("lang") == "de"
