"""Pagination for public claim lists that stays fast with 100,000 claims.

Lists in publication order page by keyset ("nach"/"vor" cursors on `published_at`, `id`):
every page is an index range scan of `page_size + 1` rows, however deep the reader goes.
Ranked search results page by offset, because their order is not an indexed column; a search
narrows the rows first. Totals are counted up to `COUNT_CAP` only.
"""

from dataclasses import dataclass, field
from datetime import UTC, datetime

from django.db.models import Q, QuerySet
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _

COUNT_CAP = 1000
AFTER, BEFORE, PAGE = "nach", "vor", "seite"
# The older name of "seite", still read so that links from before keep their page.
OLDER_PAGE = "page"


class InvalidPage(ValueError):
    """A cursor or page number in the URL that does not parse."""


@dataclass
class Page:
    items: list
    next_query: str | None = None
    previous_query: str | None = None
    first_query: str | None = None
    total: int = 0
    total_capped: bool = False
    params: dict = field(default_factory=dict)

    @property
    def has_other_pages(self) -> bool:
        return bool(self.next_query or self.previous_query)


def encode_cursor(claim) -> str:
    micros = int(claim.published_at.timestamp() * 1_000_000)
    return f"{micros}-{claim.pk}"


def decode_cursor(value: str) -> tuple[datetime, int]:
    try:
        micros, pk = value.split("-", 1)
        moment = datetime.fromtimestamp(int(micros) / 1_000_000, tz=UTC)
        return moment, int(pk)
    except (ValueError, OverflowError, OSError) as exc:
        raise InvalidPage(_("Ungültige Seitenangabe. Bitte von der ersten Seite aus blättern.")) from exc


def capped_count(queryset: QuerySet) -> tuple[int, bool]:
    """Number of rows up to COUNT_CAP, and whether there are more (no full COUNT(*))."""
    total = queryset.order_by()[: COUNT_CAP + 1].count()
    return min(total, COUNT_CAP), total > COUNT_CAP


def _query(params: QueryDict, **changes) -> str:
    query = params.copy()
    for name in (AFTER, BEFORE, PAGE, OLDER_PAGE):
        query.pop(name, None)
    for name, value in changes.items():
        query[name] = value
    return query.urlencode()


def keyset_page(queryset: QuerySet, params: QueryDict, *, page_size: int) -> Page:
    """One page of `queryset` (ordered newest first) selected by the "nach"/"vor" cursor in `params`."""
    after, before = params.get(AFTER), params.get(BEFORE)
    if after:
        moment, pk = decode_cursor(after)
        # The redundant `published_at <= moment` bound lets PostgreSQL range-scan the index.
        rows = list(
            queryset.filter(published_at__lte=moment)
            .filter(Q(published_at__lt=moment) | Q(id__lt=pk))
            .order_by("-published_at", "-id")[: page_size + 1]
        )
        items, has_next, has_previous = rows[:page_size], len(rows) > page_size, True
    elif before:
        moment, pk = decode_cursor(before)
        rows = list(
            queryset.filter(published_at__gte=moment)
            .filter(Q(published_at__gt=moment) | Q(id__gt=pk))
            .order_by("published_at", "id")[: page_size + 1]
        )
        items, has_previous, has_next = list(reversed(rows[:page_size])), len(rows) > page_size, True
    else:
        rows = list(queryset.order_by("-published_at", "-id")[: page_size + 1])
        items, has_next, has_previous = rows[:page_size], len(rows) > page_size, False
    page = Page(items=items)
    if items and has_next:
        page.next_query = _query(params, **{AFTER: encode_cursor(items[-1])})
    if items and has_previous:
        page.previous_query = _query(params, **{BEFORE: encode_cursor(items[0])})
    if has_previous:
        page.first_query = _query(params)
    return page


def offset_page(queryset: QuerySet, params: QueryDict, *, page_size: int, max_pages: int = COUNT_CAP // 20) -> Page:
    """One page of an already ordered `queryset` by page number ("seite"), without counting all rows."""
    raw = params.get(PAGE) or params.get(OLDER_PAGE) or "1"
    try:
        number = int(raw)
    except ValueError as exc:
        raise InvalidPage(_("Ungültige Seitenzahl.")) from exc
    if not 1 <= number <= max_pages:
        raise InvalidPage(_("Die Seitenzahl muss zwischen 1 und %(max)s liegen.") % {"max": max_pages})
    start = (number - 1) * page_size
    rows = list(queryset[start : start + page_size + 1])
    if number > 1 and not rows:
        raise InvalidPage(_("Diese Seite gibt es nicht: Es gibt nicht so viele Treffer. Bitte von der ersten Seite aus blättern."))
    page = Page(items=rows[:page_size])
    if len(rows) > page_size and number < max_pages:
        page.next_query = _query(params, **{PAGE: str(number + 1)})
    if number > 1:
        page.previous_query = _query(params, **{PAGE: str(number - 1)})
        page.first_query = _query(params)
    return page
