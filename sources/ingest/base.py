"""Types shared by the importers: the parsed article, the import result and the error."""

import contextlib
import re
from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError

BERLIN = ZoneInfo("Europe/Berlin")
MIN_BODY_CHARS = 200

# "Kiew (dpa) - …", "Paris (AFP/dpa) – …", "Berlin, 12.02.2026 (dpa) – …": an article's
# dateline, naming the agency and sometimes the day.
AGENCY_DATELINE = re.compile(
    r"^[^()\n]{2,40}?(?:,\s*(?P<day>\d{1,2})\.(?P<month>\d{1,2})\.(?P<year>\d{4}))?\s*"
    r"\((?P<agency>[A-Za-z][A-Za-z/]{1,11})\)\s*[-–—]\s"
)


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


def from_dateline(body: str) -> tuple[str, datetime | None]:
    """`(agency, day)` of the first dateline among the opening paragraphs (after a teaser, say);
    the day is midnight in Berlin, None when the dateline gives none (or an impossible one)."""
    for paragraph in body.split("\n\n")[:3]:
        if match := AGENCY_DATELINE.match(paragraph):
            day = None
            if match.group("year"):
                with contextlib.suppress(ValueError):  # 31.02.: no day, the rest of the dateline stands
                    day = datetime(int(match.group("year")), int(match.group("month")), int(match.group("day")), tzinfo=BERLIN)
            return match.group("agency"), day
    return "", None
