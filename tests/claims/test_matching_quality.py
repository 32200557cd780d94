"""How well `similar_claims` recognises the same statement in other words.

A small labelled set: claims as a fact-check team would have them, rewordings of each
taken from (or modelled on) the way news articles phrase them, and near misses that share
words but state something else. Precision and recall at the default threshold are printed
(`pytest -s`) and must not fall below the recorded floor.
"""

import pytest
from django.db import connection

from claims.models import Claim
from claims.search import SIMILARITY_THRESHOLD, similar_claims
from tests.factories import ClaimFactory

pytestmark = pytest.mark.django_db

CLAIMS = {
    "truppen26": "26 Länder sind bereit, Truppen in die Ukraine zu entsenden",
    "ziele": "Russland: Alle ausländischen Truppen in der Ukraine sind legitime Ziele",
    "litauen": "Litauen hat zugesagt, Soldaten in die Ukraine zu schicken",
    "unterstuetzer": "Deutschland ist der größte Unterstützer der Ukraine",
    "usa": "Die USA schicken keine eigenen Soldaten in die Ukraine",
    "tausende": "Frankreich und Großbritannien wollen Tausende Soldaten entsenden",
    "zehn": "Zehn europäische Länder lehnen es ab, Soldaten in die Ukraine zu schicken",
    "abgelehnt": "Russland hat ausländische Truppen in der Ukraine stets abgelehnt",
    "kanada": "Der Kreis der Willigen umfasst auch Kanada und Australien",
    # Unrelated claims a newsroom also has.
    "inflation": "Die Inflation lag im Mai bei drei Prozent",
    "windkraft": "42 Prozent des Stroms stammen aus Windkraft",
    "buergergeld": "Das Bürgergeld kostet den Staat 50 Milliarden Euro im Jahr",
}

# (wording in an article or an editor's draft, the claim it states – or None for a near miss)
LABELLED = [
    ('Wenn da Streitkräfte auftauchen, "dann gehen wir davon aus, dass sie gesetzmäßige Ziele sind"', "ziele"),
    ("Im Falle einer Stationierung werden diese Einheiten zu rechtmäßigen Zielen", "ziele"),
    ("Russland betrachtet in die Ukraine entsandte Truppen als legitime Kampfziele", "ziele"),
    ("Ausländische Soldaten in der Ukraine wären für Moskau legitimes Ziel", "ziele"),
    ("Berlin sei bereits der größte Unterstützer der Ukraine", "unterstuetzer"),
    ("Deutschland ist der wichtigste Unterstützer der Ukraine", "unterstuetzer"),
    ("26 westliche Länder sind bereit, Truppen zur Absicherung eines Waffenstillstands zu entsenden", "truppen26"),
    ("26 Staaten wollen Soldaten in die Ukraine schicken", "truppen26"),
    ("Die USA haben die Entsendung eigener Truppen in die Ukraine ausgeschlossen", "usa"),
    ("Washington schickt keine eigenen Soldaten in die Ukraine", "usa"),
    ("Frankreich und Großbritannien erklärten sich zum Entsenden einiger Tausend Soldaten bereit", "tausende"),
    ("Macron stellte die Entsendung von Tausenden französischer Soldaten in Aussicht", "tausende"),
    ("Moskau habe eine Präsenz ausländischer Streitkräfte auf ukrainischem Territorium stets abgelehnt", "abgelehnt"),
    ("Russland lehnt ausländische Truppen in der Ukraine ab", "abgelehnt"),
    ("Litauen sagt zu, Soldaten in die Ukraine zu schicken", "litauen"),
    ("Zehn Länder Europas lehnen es ab, Soldaten in die Ukraine zu schicken", "zehn"),
    ("Der Kreis der Willigen umfasst nicht nur europäische Staaten, sondern auch Kanada und Australien", "kanada"),
    ("Kanada und Australien gehören zum Kreis der Willigen", "kanada"),
    # Near misses: the same words, another statement.
    ("Deutschland ist der größte Gaslieferant Europas", None),
    ("Die Ukraine hat 26 Panzer aus Frankreich erhalten", None),
    ("Litauen liefert Munition an die Ukraine", None),
    ("Russland hat die Ukraine im Februar 2022 angegriffen", None),
    ("Kanada liefert Panzer an die Ukraine", None),
    ("Die Inflation in der Ukraine lag bei zwölf Prozent", None),
    ("Großbritannien verhängt Sanktionen gegen Russland", None),
    ("Der Strompreis ist im Mai um drei Prozent gestiegen", None),
]

# Floors for the default threshold (measured: see the printed figures).
MIN_PRECISION = 0.9
MIN_RECALL = 0.8


def evaluate(claims: dict, threshold: float) -> dict:
    tp = fp = fn = 0
    misses, false_alarms = [], []
    for wording, expected in LABELLED:
        found = {claim.pk for claim in similar_claims(wording, threshold=threshold, limit=5)}
        expected_pk = claims[expected].pk if expected else None
        if expected_pk is not None:
            if expected_pk in found:
                tp += 1
            else:
                fn += 1
                misses.append(wording)
        wrong = found - {expected_pk}
        fp += len(wrong)
        false_alarms += [(wording, claims_by_pk(claims)[pk]) for pk in wrong]
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    return {"precision": precision, "recall": recall, "tp": tp, "fp": fp, "fn": fn, "misses": misses, "false_alarms": false_alarms}


def claims_by_pk(claims: dict) -> dict:
    return {claim.pk: claim.text for claim in claims.values()}


@pytest.fixture
def labelled_claims():
    claims = {key: ClaimFactory(text=text, author=None) for key, text in CLAIMS.items()}
    with connection.cursor() as cursor:
        # Word frequencies come from the planner statistics, as autovacuum keeps them in production.
        cursor.execute("ANALYZE claims_claim")
    return claims


def test_similar_claims_precision_and_recall_on_labelled_pairs(labelled_claims):
    assert Claim.objects.count() == len(CLAIMS)
    for threshold in (0.4, 0.5, SIMILARITY_THRESHOLD, 0.7):
        result = evaluate(labelled_claims, threshold)
        print(
            f"\nsimilar_claims threshold={threshold:.2f}: precision={result['precision']:.2f} recall={result['recall']:.2f} "
            f"(tp={result['tp']} fp={result['fp']} fn={result['fn']})"
        )
        if threshold == SIMILARITY_THRESHOLD:
            default = result
            for wording in result["misses"]:
                print(f"  missed: {wording}")
            for wording, claim in result["false_alarms"]:
                print(f"  false alarm: {wording} -> {claim}")
    assert default["precision"] >= MIN_PRECISION
    assert default["recall"] >= MIN_RECALL
