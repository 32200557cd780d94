from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from sources.ingest import IngestError, decode_text, import_text, parse_text
from sources.models import Source

SEEDS = Path(__file__).resolve().parents[2] / "seeds" / "articles"
BERLIN = ZoneInfo("Europe/Berlin")


def parse(name):
    return parse_text(decode_text((SEEDS / name).read_bytes()))


@pytest.mark.parametrize(
    ("name", "title", "published_at", "agency"),
    [
        (
            "000_fbbb2a28ba976c39.txt",
            'Russland: Ausländische Truppen in der Ukraine wären "legitimes Ziel"',
            datetime(2026, 1, 8, 16, 14, tzinfo=BERLIN),
            "",
        ),
        (
            "001_b5ae24c13234fdd3.txt",
            'NATO-Soldaten in der Ukraine: Putin spricht von "gesetzmäßigen Zielen"',
            datetime(2025, 9, 5, 16, 33, tzinfo=BERLIN),
            "dpa",
        ),
        ("002_396e5cc31d1da420.txt", "Russland lehnt europäische Truppen in der Ukraine erneut ab", None, ""),
        (
            "003_844079290e2bd696.txt",
            "Putin bekräftigt Widerstand gegen Präsenz ausländischer Streitkräfte in der Ukraine",
            datetime(2025, 9, 5, tzinfo=BERLIN),
            "",
        ),
        (
            "004_cd28801b456d51a2.txt",
            "26 westliche Länder Länder sind bereit, Truppen zur Absicherung eines Waffenstillstands "
            "oder Friedens zwischen Russland und der Ukraine zu entsenden.",
            datetime(2025, 9, 4, tzinfo=BERLIN),
            "dpa",
        ),
    ],
)
def test_seed_article_title_date_and_agency(name, title, published_at, agency):
    article = parse(name)
    assert article.title == title
    assert article.published_at == published_at
    assert article.agency == agency


def test_comment_form_prompts_are_not_part_of_the_body():
    body = parse("002_396e5cc31d1da420.txt").body
    assert "Kommentieren Sie den Artikel" not in body
    assert "Bitte geben Sie" not in body
    assert "Weiterführende Berichte" not in body
    assert body.endswith("hängt letztlich von Moskau ab.")


def test_repeated_teaser_and_headline_block_are_removed():
    article = parse("000_fbbb2a28ba976c39.txt")
    assert article.teaser.startswith("Russland betrachtet von westlichen Ländern")
    assert "Bei Waffenstillstand in der Ukraine Russland warnt" not in article.body
    assert article.body.count("Russland betrachtet von westlichen Ländern") == 1
    assert "Stand:" not in article.body
    assert article.author == "Frank Aischmann"


def test_photo_caption_and_credit_are_removed():
    article = parse("001_b5ae24c13234fdd3.txt")
    assert "©" not in article.body
    assert "bei seiner Erklärung während des Wirtschaftsforums" not in article.body
    assert article.extra["kicker"] == "Warnung aus dem Kreml"


def test_section_line_and_date_line_are_not_the_title():
    article = parse("003_844079290e2bd696.txt")
    assert article.extra["kicker"] == "Politik"
    assert not article.body.startswith("Politik")


def test_dateline_keeps_place_and_agency_in_body():
    article = parse("004_cd28801b456d51a2.txt")
    assert article.body.startswith("Paris (dpa) - 26 westliche Länder")
    assert "date 2025-09-04" not in article.body


@pytest.mark.parametrize(
    ("opening", "published_at"),
    [
        ("Berlin, 12.02.2026 (dpa) – ", datetime(2026, 2, 12, tzinfo=BERLIN)),
        ("Berlin (dpa) - ", None),
        ("Kiew, 31.02.2026 (AFP/dpa) - ", None),
    ],
)
def test_a_pasted_agency_dateline_gives_the_agency_and_its_day(opening, published_at):
    text = (
        "Merz: Keine deutschen Bodentruppen\n\n"
        + opening
        + "Bundeskanzler Friedrich Merz hat erneut ausgeschlossen, deutsche Soldaten in die Ukraine zu entsenden. "
        + "Weitere Sätze folgen. " * 20
    )
    article = parse_text(text)
    assert article.agency == opening.split("(")[1].split(")")[0]
    assert article.published_at == published_at
    assert article.body.startswith(opening.strip())
    # A "Stand:" line names the time; the dateline's day does not override it.
    stand = parse_text(text.replace("\n\n", "\n\nStand: 13.02.2026 09:30 Uhr\n\n", 1))
    assert stand.published_at == datetime(2026, 2, 13, 9, 30, tzinfo=BERLIN)


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (b"", "leer"),
        (b"   \n\n ", "leer"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00", "Binärdaten"),
        ("Überschrift\n\nText mit Umlaut".encode("latin-1"), "UTF-8"),
        (b"Titel\n\nZu kurz.", "zu kurz"),
    ],
)
def test_bad_input_gets_clear_message(raw, message):
    with pytest.raises(IngestError) as error:
        parse_text(decode_text(raw))
    assert message in " ".join(error.value.messages)


@pytest.mark.django_db
def test_same_article_is_stored_once():
    raw = (SEEDS / "002_396e5cc31d1da420.txt").read_bytes()
    first = import_text(raw)
    second = import_text(raw)
    assert first.created and not second.created
    assert first.source.pk == second.source.pk
    assert Source.objects.count() == 1
    assert bytes(first.source.raw) == raw
