"""RSS and Atom feeds: the list of entries to import, read with feedparser."""

import io
import re
from dataclasses import dataclass

import feedparser
from django.utils.translation import gettext as _

from .base import IngestError

FEED_TYPES = {"application/rss+xml", "application/atom+xml", "application/rdf+xml"}
XML_TYPES = {"application/xml", "text/xml"}
FEED_ROOT = re.compile(rb"<(rss|feed|rdf:RDF)[\s>]")
# A feed import fetches every entry; more than this is a crawl, not an import.
MAX_ENTRIES = 50


@dataclass(frozen=True)
class FeedEntry:
    title: str
    link: str


def looks_like_feed(raw: bytes, mime_type: str = "") -> bool:
    """Is this an RSS/Atom document? Trust a feed content type; sniff generic XML and untyped data."""
    if mime_type in FEED_TYPES:
        return True
    if mime_type and mime_type not in XML_TYPES:
        return False
    head = raw[:2048].lstrip()
    return head.startswith(b"<?xml") and FEED_ROOT.search(head) is not None or FEED_ROOT.match(head) is not None


def parse_feed(raw: bytes) -> list[FeedEntry]:
    """The entries of a feed, newest first as the feed lists them, at most `MAX_ENTRIES`."""
    # A stream, never a string: feedparser would treat a string as a URL or file name and open it.
    parsed = feedparser.parse(io.BytesIO(raw), sanitize_html=False)
    entries = [
        FeedEntry(title=" ".join(entry.get("title", "").split()), link=entry.get("link", "").strip())
        for entry in parsed.entries[:MAX_ENTRIES]
    ]
    # feedparser recovers what it can from broken XML; without a single link there is nothing to import.
    if parsed.get("bozo") and not any(entry.link for entry in entries):
        reason = str(parsed.get("bozo_exception", ""))[:200]
        raise IngestError(_("Der Feed ist kein gültiges RSS/Atom: %(reason)s") % {"reason": reason})
    if not entries:
        raise IngestError(_("Der Feed enthält keine Einträge."))
    return entries
