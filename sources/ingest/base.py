"""Types shared by the importers: the parsed article, the import result and the error."""

import re
from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError

BERLIN = ZoneInfo("Europe/Berlin")
MIN_BODY_CHARS = 200

# "Kiew (dpa) - …", "Paris (AFP/dpa) – …": the agency named in an article's dateline.
AGENCY_DATELINE = re.compile(r"^[^()\n]{2,40}?\((?P<agency>[A-Za-z][A-Za-z/]{1,11})\)\s*[-–—]\s")


@dataclass
class ParsedArticle:
    title: str
    body: str
    teaser: str = ""
    published_at: datetime | None = None
    agency: str = ""
    author: str = ""
    dateline: str = ""
    # Canonical URL, site name and language as the document itself declares them (HTML, feeds).
    url: str = ""
    site_name: str = ""
    language: str = ""
    extra: dict = field(default_factory=dict)


class IngestError(ValidationError):
    """The input is not an article we can store; the message says why."""


def agency_from_dateline(body: str) -> str:
    """The agency of the first dateline among the opening paragraphs (after a teaser, say)."""
    for paragraph in body.split("\n\n")[:3]:
        if match := AGENCY_DATELINE.match(paragraph):
            return match.group("agency")
    return ""
