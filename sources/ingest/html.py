"""HTML articles: main text and metadata extracted with trafilatura.

trafilatura only ever sees the bytes we already have; it is never asked to download.
"""

import codecs
import re
from datetime import datetime

import trafilatura
from django.conf import settings
from django.utils.translation import gettext as _
from trafilatura.settings import use_config

from .base import BERLIN, MIN_BODY_CHARS, IngestError, ParsedArticle, from_dateline

META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.IGNORECASE)
HTML_LANG = re.compile(r"<html[^>]*\slang\s*=\s*[\"']?([A-Za-z]{2})", re.IGNORECASE)
XML_ENCODING = re.compile(rb"""^<\?xml[^>]+encoding\s*=\s*["']([A-Za-z0-9_.:-]+)""")
BOMS = [(codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16")]
# Pages with more elements than this are not articles; extraction time grows with them.
MAX_TREE_NODES = 50_000
EXTRACTION_CONFIG = use_config()
EXTRACTION_CONFIG.set("DEFAULT", "MAX_TREE_SIZE", str(MAX_TREE_NODES))


def declared_charset(raw: bytes) -> str:
    """The encoding the document declares: byte-order mark, XML declaration or <meta charset>."""
    head = raw[:4096]
    match = XML_ENCODING.match(head) or META_CHARSET.search(head)
    return match.group(1).decode("ascii").lower() if match else ""


def decode_html(raw: bytes, *, charset: str = "") -> str:
    """Decode an HTML document strictly in its declared encoding (UTF-8 if it declares none)."""
    if not raw or not raw.strip():
        raise IngestError(_("Die Datei ist leer."))
    limit = settings.SOURCE_FETCH_MAX_BYTES
    if len(raw) > limit:
        raise IngestError(_("Die Datei ist zu groß (höchstens %(max)s MB).") % {"max": round(limit / (1024 * 1024), 1)})
    bom = next((name for mark, name in BOMS if raw.startswith(mark)), "")
    # A byte-order mark wins over the HTTP header, which wins over the document's own declaration.
    encoding = bom or charset or declared_charset(raw) or "utf-8"
    try:
        codec = codecs.lookup(encoding)
    except LookupError as error:
        raise IngestError(_("Die Seite gibt eine unbekannte Zeichenkodierung an: „%(charset)s“.") % {"charset": encoding[:40]}) from error
    if not codec.name.startswith("utf-16") and b"\x00" in raw[:8192]:
        raise IngestError(_("Die Datei ist keine HTML-Datei (Binärdaten)."))
    try:
        text = raw.decode(codec.name if codec.name != "utf-8" else "utf-8-sig")
    except UnicodeDecodeError as error:
        raise IngestError(
            _("Die Seite ist nicht in der angegebenen Kodierung %(charset)s lesbar (ungültiges Byte an Position %(pos)s).")
            % {"charset": codec.name, "pos": error.start}
        ) from error
    if "<" not in text[:4096]:
        raise IngestError(_("Die Datei enthält kein HTML."))
    return text


def _published_at(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=BERLIN)


def parse_html(html: str, *, url: str = "") -> ParsedArticle:
    """Extract the article from an HTML page: title, main text, author, date, site and canonical URL."""
    try:
        document = trafilatura.bare_extraction(
            html,
            url=url or None,
            with_metadata=True,
            include_comments=False,
            include_tables=False,
            favor_precision=True,
            config=EXTRACTION_CONFIG,
            date_extraction_params={"extensive_search": False, "original_date": True, "outputformat": "%Y-%m-%dT%H:%M:%S%z"},
        )
    except (ValueError, TypeError) as error:
        raise IngestError(_("Die HTML-Seite konnte nicht gelesen werden.")) from error
    text = (document.text or "") if document else ""
    paragraphs = [" ".join(line.split()) for line in text.split("\n")]
    paragraphs = [paragraph for paragraph in paragraphs if paragraph]
    title = " ".join((document.title or "").split()) if document else ""
    # The headline is usually repeated as the first line of the main text.
    while paragraphs and title and paragraphs[0] == title:
        paragraphs.pop(0)
    body = "\n\n".join(paragraphs)
    if len(body) < MIN_BODY_CHARS:
        raise IngestError(
            _("Auf der Seite wurde kein Artikeltext gefunden (mindestens %(min)s Zeichen Fließtext nötig).") % {"min": MIN_BODY_CHARS}
        )
    if not title:
        title = paragraphs[0][:200]
    description = " ".join((document.description or "").split())
    lang = HTML_LANG.search(html[:4096])
    agency, dateline_day = from_dateline(body)
    return ParsedArticle(
        title=title,
        body=body,
        teaser=description if description and description != body else "",
        published_at=_published_at(document.date) or dateline_day,
        agency=agency,
        author=" ".join((document.author or "").split()),
        url=document.url or "",
        site_name=" ".join((document.sitename or "").split()),
        language=lang.group(1).lower() if lang else "",
    )
