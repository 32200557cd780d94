"""The import service: the one entry point the admin, `import_sources` and the API call."""

import time
from dataclasses import dataclass, field
from pathlib import PurePath
from urllib.parse import urljoin, urlsplit

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from ..models import Outlet, Source
from .base import IngestError
from .feeds import XML_TYPES, looks_like_feed, parse_feed
from .fetch import Fetched, fetch, parse_content_type
from .html import decode_html, parse_html
from .outlets import find_outlet, outlet_domain
from .store import ImportResult, store_article
from .text import decode_text, parse_text

TEXT, HTML, FEED = "text", "html", "feed"
HTML_TYPES = {"text/html", "application/xhtml+xml"}
FILE_FORMATS = {".txt": TEXT, ".text": TEXT, ".html": HTML, ".htm": HTML, ".xhtml": HTML}


@dataclass(frozen=True)
class ImportFailure:
    label: str
    message: str


@dataclass
class ImportReport:
    results: list[ImportResult] = field(default_factory=list)
    failures: list[ImportFailure] = field(default_factory=list)

    @property
    def created(self) -> list:
        return [result.source for result in self.results if result.created]

    @property
    def existing(self) -> list:
        return [result.source for result in self.results if not result.created]


def _messages(error: ValidationError) -> str:
    return " ".join(str(message) for message in error.messages)


def detect_format(raw: bytes, *, content_type: str = "", filename: str = "") -> str:
    """Plain text, HTML or a feed: by file name for uploads, else by content type, else by content."""
    if filename:
        suffix = PurePath(filename).suffix.lower()
        if suffix not in FILE_FORMATS:
            raise IngestError(_("Nur .txt- und .html-Dateien können importiert werden, nicht „%(name)s“.") % {"name": filename[:100]})
        return FILE_FORMATS[suffix]
    mime = parse_content_type(content_type)[0]
    if looks_like_feed(raw, mime):
        return FEED
    if mime in HTML_TYPES:
        return HTML
    if mime == "text/plain":
        return TEXT
    if mime and mime not in XML_TYPES:
        raise IngestError(_("Inhalte vom Typ „%(type)s“ können nicht importiert werden.") % {"type": mime[:100]})
    head = raw[:1024].removeprefix(b"\xef\xbb\xbf").lstrip().lower()
    if head.startswith((b"<!doctype html", b"<html")) or b"<html" in head:
        return HTML
    if mime:
        raise IngestError(_("Das XML-Dokument ist weder ein RSS- noch ein Atom-Feed."))
    return TEXT


def _source_url(fetched_url: str, canonical: str) -> str:
    """The URL that identifies the article: the page's canonical URL if it stays on the same site."""
    usable = canonical and urlsplit(canonical).scheme in ("http", "https") and len(canonical) <= 1000
    if usable and (not fetched_url or outlet_domain(canonical) == outlet_domain(fetched_url)):
        return urlsplit(canonical)._replace(fragment="").geturl()
    return fetched_url


def import_document(kind: str, raw: bytes, *, content_type: str = "", url: str = "", outlet: Outlet | None = None) -> ImportResult:
    """Parse and store one article (plain text or HTML); on any error nothing is stored."""
    try:
        with transaction.atomic():
            if kind == TEXT:
                article = parse_text(decode_text(raw))
                stored_type = "text/plain; charset=utf-8"
            elif kind == HTML:
                article = parse_html(decode_html(raw, charset=parse_content_type(content_type)[1]), url=url)
                stored_type = content_type or "text/html"
            else:
                raise IngestError(_("Feeds bitte über ihre URL importieren."))
            source_url = _source_url(url, article.url)
            outlet = outlet or find_outlet(url=source_url, site_name=article.site_name)
            return store_article(article=article, raw=raw, content_type=stored_type, url=source_url, outlet=outlet)
    except IngestError:
        raise
    except ValidationError as error:
        raise IngestError(_messages(error)) from error


def import_text(raw: bytes, *, url: str = "", outlet: Outlet | None = None) -> ImportResult:
    """Import one plain-text article (bytes as uploaded)."""
    return import_document(TEXT, raw, url=url, outlet=outlet)


def _import_feed(feed: Fetched, *, outlet: Outlet | None, deadline: float | None = None) -> ImportReport:
    """Import the entries of `feed`; with `deadline` (`time.monotonic()`), no entry starts after it."""
    report = ImportReport()
    entries = list(parse_feed(feed.data))
    if deadline is not None:
        # Entries whose article is archived already come last: importing the feed again after the
        # time ran out goes on with the entries left, instead of spending its time on the same first ones.
        links = {urljoin(feed.url, entry.link) for entry in entries if entry.link}
        archived = set(Source.objects.filter(url__in=links, is_latest=True).values_list("url", flat=True))
        entries.sort(key=lambda entry: bool(entry.link) and urljoin(feed.url, entry.link) in archived)
    for entry in entries:
        label = entry.title or entry.link or _("Eintrag ohne Titel")
        try:
            if deadline is not None and time.monotonic() > deadline:
                raise IngestError(_("Nicht mehr abgerufen, die Zeit war um. Den Feed erneut importieren, um ihn zu holen."))
            if not entry.link:
                raise IngestError(_("Der Eintrag verweist auf keinen Artikel."))
            page = fetch(urljoin(feed.url, entry.link))
            kind = detect_format(page.data, content_type=page.content_type)
            report.results.append(import_document(kind, page.data, content_type=page.content_type, url=page.url, outlet=outlet))
        except IngestError as error:
            report.failures.append(ImportFailure(label=label, message=_messages(error)))
    if not report.results:
        details = [f"{failure.label}: {failure.message}" for failure in report.failures[:5]]
        raise IngestError([_("Kein Eintrag des Feeds konnte importiert werden."), *details])
    return report


def import_source(
    *,
    url: str = "",
    data: bytes | None = None,
    filename: str = "",
    content_type: str = "",
    outlet: Outlet | None = None,
    feed_seconds: float | None = None,
) -> ImportReport:
    """Import articles from exactly one of `data` (pasted text or an uploaded file) or `url`.

    A URL may point at an article (HTML or plain text) or at an RSS/Atom feed, whose
    entries are fetched and imported one by one. Returns an `ImportReport`; raises
    `IngestError` with a readable message — and stores nothing — when nothing can be
    imported. Importing content that is already archived returns the existing source.
    With `feed_seconds`, a feed's entries are fetched only while that time, counted from
    the start, lasts: a web request must end. The import then takes at most `feed_seconds`
    plus one fetch (`SOURCE_FETCH_TIMEOUT`); the entries left are reported, and importing the
    feed again adds them.
    """
    if bool(url) == (data is not None):
        raise IngestError(_("Bitte genau eines angeben: Text, Datei oder URL."))
    if data is not None:
        kind = detect_format(data, content_type=content_type, filename=filename)
        if kind == FEED:
            raise IngestError(_("Feeds bitte über ihre URL importieren."))
        return ImportReport(results=[import_document(kind, data, content_type=content_type, outlet=outlet)])
    deadline = None if feed_seconds is None else time.monotonic() + feed_seconds
    fetched = fetch(url)
    kind = detect_format(fetched.data, content_type=fetched.content_type)
    if kind == FEED:
        return _import_feed(fetched, outlet=outlet, deadline=deadline)
    return ImportReport(results=[import_document(kind, fetched.data, content_type=fetched.content_type, url=fetched.url, outlet=outlet)])
