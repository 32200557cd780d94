"""Plain-text articles.

`parse_text` understands the plain-text exports newsrooms paste from websites and agency
feeds: a title line (sometimes after a kicker or section line), an optional teaser, one of
several date/agency header styles, and page furniture (comment-form prompts, photo
credits, repeated headline blocks) that is not part of the article.
"""

import re
from datetime import date, datetime, time

from django.utils.translation import gettext as _

from .base import BERLIN, MIN_BODY_CHARS, IngestError, ParsedArticle, from_dateline

MAX_TEXT_BYTES = 2 * 1024 * 1024

MONTHS = {
    "januar": 1,
    "jänner": 1,
    "februar": 2,
    "märz": 3,
    "maerz": 3,
    "april": 4,
    "mai": 5,
    "juni": 6,
    "juli": 7,
    "august": 8,
    "september": 9,
    "oktober": 10,
    "november": 11,
    "dezember": 12,
}

# Lines that belong to the web page around the article, not to the article.
FURNITURE = [
    re.compile(pattern, re.IGNORECASE)
    for pattern in (
        r"^Kommentieren Sie (den|diesen) Artikel\.?$",
        r"^Bitte geben Sie (Ihren Kommentar|hier Ihren Namen|Ihre E-Mail-Adresse)( hier)? ein!?$",
        r"^Weiterführende (Berichte|Artikel|Links)$",
        r"^(Mehr zum Thema|Lesen Sie auch|Teilen|Artikel teilen|Zum Seitenanfang)$",
        r"^(Diese|Die) (Seite|Artikel) (drucken|teilen)$",
    )
]
STAND = re.compile(r"^Stand:\s*(\d{1,2})\.(\d{1,2})\.(\d{4})(?:,?\s+(\d{1,2}):(\d{2})\s*(?:Uhr)?)?$")
PUBLISHED = re.compile(r"^(?:[•·*-]\s*)?(?:Veröffentlicht|Erschienen|Publiziert)(?: am)?:?\s*(\d{1,2})\.(\d{1,2})\.(\d{4})$")
BULLET_TIME = re.compile(r"^(?:[•·*-]\s*)?(\d{1,2}):(\d{2})\s*Uhr$")
BULLET_AGENCY = re.compile(r"^[•·*-]\s*([A-Za-z][A-Za-z/ ]{1,20})$")
LONG_DATE = re.compile(r"^(\d{1,2})\.\s*([A-Za-zäÄöÖüÜ]+),?\s+(\d{4})$")
DATELINE = re.compile(
    r"^\s*date\s+(\d{4})-(\d{2})-(\d{2})\s+(?P<place>[^()\n]{2,40}?)\s+\((?P<agency>[A-Za-z/]{2,12})\)\s*[-–—]\s*(?P<rest>.+)$", re.DOTALL
)
AUTHOR_CREDIT = re.compile(r"^(?:Mit Informationen von|Von|Autor(?:in)?:)\s+(?P<author>[^,\n]{3,80})(?:,\s*(?P<desk>.+))?$")
PHOTO_CREDIT = re.compile(r"©\s*[^©]{2,80}$")


def decode_text(raw: bytes) -> str:
    """Decode an uploaded text file: UTF-8 (with or without BOM), refusing binary data."""
    if not raw or not raw.strip():
        raise IngestError(_("Die Datei ist leer."))
    if len(raw) > MAX_TEXT_BYTES:
        raise IngestError(_("Die Datei ist zu groß (höchstens %(max)s MB).") % {"max": MAX_TEXT_BYTES // (1024 * 1024)})
    # Anywhere, not just at the start: PostgreSQL text cannot hold a NUL character.
    if b"\x00" in raw:
        raise IngestError(_("Die Datei ist keine Textdatei (Binärdaten)."))
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise IngestError(
            _("Die Datei ist nicht UTF-8-kodiert (ungültiges Byte an Position %(pos)s). Bitte als UTF-8 speichern.") % {"pos": error.start}
        ) from error
    control = sum(1 for char in text if ord(char) < 32 and char not in "\n\r\t\f")
    if control > len(text) * 0.01:
        raise IngestError(_("Die Datei enthält Steuerzeichen und ist kein lesbarer Text."))
    return text


def _at(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    try:
        return datetime.combine(date(year, month, day), time(hour, minute), tzinfo=BERLIN)
    except ValueError as error:
        raise IngestError(_("Ungültiges Datum im Artikelkopf: %s") % error) from error


def _is_furniture(line: str) -> bool:
    return any(pattern.match(line) for pattern in FURNITURE)


def _first_sentence(text: str, limit: int = 200) -> str:
    match = re.match(r"(.+?[.!?])(\s|$)", text, re.DOTALL)
    sentence = (match.group(1) if match else text).strip()
    if len(sentence) > limit:
        sentence = sentence[:limit].rsplit(" ", 1)[0] + " …"
    return sentence


def _looks_like_heading(line: str) -> bool:
    if not line or len(line) > 200:
        return False
    return not line.endswith((".", ":", ",", ";")) or line.endswith(('"', "“", "«"))


def parse_text(text: str) -> ParsedArticle:
    """Split a plain-text article export into title, metadata and body."""
    lines = [line.strip() for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n")]
    article = ParsedArticle(title="", body="")
    content: list[str] = []
    pending_date: datetime | None = None
    for line in lines:
        if not line:
            content.append("")
            continue
        if _is_furniture(line):
            continue
        if match := STAND.match(line):
            day, month, year, hour, minute = match.groups()
            pending_date = _at(int(year), int(month), int(day), int(hour or 0), int(minute or 0))
            article.extra["date_style"] = "stand"
            continue
        if match := PUBLISHED.match(line):
            day, month, year = match.groups()
            pending_date = _at(int(year), int(month), int(day))
            article.extra["date_style"] = "veroeffentlicht"
            continue
        if pending_date and (match := BULLET_TIME.match(line)) and article.extra.get("date_style") == "veroeffentlicht":
            pending_date = pending_date.replace(hour=int(match.group(1)), minute=int(match.group(2)))
            continue
        if pending_date and (match := BULLET_AGENCY.match(line)) and not article.agency:
            article.agency = match.group(1).strip()
            continue
        if (match := LONG_DATE.match(line)) and match.group(2).lower() in MONTHS:
            pending_date = _at(int(match.group(3)), MONTHS[match.group(2).lower()], int(match.group(1)))
            article.extra["date_style"] = "long"
            continue
        if match := DATELINE.match(line):
            year, month, day = (int(part) for part in match.groups()[:3])
            pending_date = _at(year, month, day)
            article.agency = article.agency or match.group("agency")
            article.dateline = match.group("place").strip()
            article.extra["date_style"] = "dateline"
            content.append(f"{article.dateline} ({match.group('agency')}) - {match.group('rest').strip()}")
            continue
        if match := AUTHOR_CREDIT.match(line):
            article.author = match.group("author").strip()
            continue
        if PHOTO_CREDIT.search(line):
            caption = PHOTO_CREDIT.sub("", line).strip()
            # A photo caption is often printed twice: once alone, once with the credit.
            while content and content[-1] in ("", caption):
                if content.pop() == caption:
                    break
            continue
        content.append(line)
    article.published_at = pending_date
    _split_title(article, content)
    agency, dateline_day = from_dateline(article.body)
    article.agency = article.agency or agency
    article.published_at = article.published_at or dateline_day
    return article


def _paragraphs(content: list[str]) -> list[str]:
    paragraphs, current = [], []
    for line in content + [""]:
        if line:
            current.append(line)
        elif current:
            paragraphs.extend(current)
            current = []
    return paragraphs


def _split_title(article: ParsedArticle, content: list[str]) -> None:
    paragraphs = _paragraphs(content)
    if not paragraphs:
        raise IngestError(_("Im Text wurde kein Artikel gefunden."))
    title = ""
    if article.extra.get("date_style") != "dateline" or not paragraphs[0].startswith(article.dateline):
        first = paragraphs[0]
        if _looks_like_heading(first) and len(paragraphs) > 1:
            second = paragraphs[1]
            # Kicker or section ("Politik", "Warnung aus dem Kreml") above the real headline.
            if len(first.split()) <= 5 and _looks_like_heading(second) and len(second.split()) > len(first.split()):
                article.extra["kicker"] = first
                paragraphs = paragraphs[1:]
            title = paragraphs[0]
            paragraphs = paragraphs[1:]
    if not title:
        title = _first_sentence(re.sub(r"^.{2,40}?\(\w+\)\s*-\s*", "", paragraphs[0]))
    article.title = title
    # Website exports repeat the teaser after a headline block: keep the article from the
    # repetition on and the first occurrence as teaser.
    if paragraphs and paragraphs[0] in paragraphs[1:]:
        article.teaser = paragraphs[0]
        paragraphs = paragraphs[paragraphs.index(paragraphs[0], 1) :]
    article.body = "\n\n".join(paragraphs).strip()
    if len(article.body) < MIN_BODY_CHARS:
        raise IngestError(_("Der Text ist zu kurz für einen Artikel (mindestens %(min)s Zeichen Fließtext).") % {"min": MIN_BODY_CHARS})
