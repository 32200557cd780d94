"""Property-based tests on everything that parses editor or reader input, and malformed requests.

Hypothesis generates the inputs; each property states what must hold for *every* input:
importers accept or refuse with an `IngestError` (never crash), quotes are always found
where they are, Markdown never yields active content, filters never fail with a server
error, and oversized or malformed requests get a 4xx answer.
"""

import re
from html.parser import HTMLParser
from urllib.parse import urlencode

import pytest
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.http import QueryDict
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from claims.filters import ClaimFilter
from claims.markup import ALLOWED_ATTRIBUTES, ALLOWED_TAGS, render_markdown
from claims.models import Claim
from sources.ingest import IngestError, decode_text, import_text, parse_html, parse_text
from sources.models import Source
from sources.quotes import find_quote, normalise_quote
from tests import factories

from .routes import project_routes
from .test_xss import PAYLOADS

INPUTS = {"count": 0}
PROPERTY = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
DB_PROPERTY = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])

# Text that looks like the articles editors paste: German words, header lines, furniture,
# odd whitespace and quote marks, plus arbitrary Unicode.
WORDS = st.sampled_from(
    [
        "Der", "Kanzler", "sagte", "„Frieden“", "«Truppen»", "Ukraine", "Stand: 12.03.2025, 14:05 Uhr", "Veröffentlicht am 01.02.2026",
        "• 10:30 Uhr", "• dpa", "3. Oktober 2025", "date 2025-09-04 Berlin (dpa) - Merz", "Von Erika Muster, Berlin",
        "Kommentieren Sie den Artikel", "Foto © dpa", "\u00a0", "\t", "\r\n", "\n\n", "—", "'", '"', "<b>", "&amp;", "Maßnahme.",
    ]
)  # fmt: skip
ARTICLE_TEXT = st.lists(st.one_of(WORDS, st.text(max_size=30)), max_size=120).map(" ".join)


@pytest.fixture(scope="module", autouse=True)
def report_inputs_tried():
    yield
    print(f"\nHostile input: {INPUTS['count']} generated inputs and requests tried in this module")


def _tried(n: int = 1) -> None:
    INPUTS["count"] += n


@PROPERTY
@given(
    raw=st.one_of(
        st.binary(max_size=3000), ARTICLE_TEXT.map(lambda t: t.encode("utf-8")), ARTICLE_TEXT.map(lambda t: t.encode("latin-1", "replace"))
    )
)
def test_decode_and_parse_text_accept_or_refuse_cleanly(raw):
    _tried()
    try:
        article = parse_text(decode_text(raw))
    except IngestError as error:
        assert error.messages and all(message.strip() for message in error.messages)
        return
    assert article.title.strip()
    assert len(article.body) >= 200
    assert "\x00" not in article.body


SCRIPT_MARKER = "scriptInhaltDarfNieImText()"


class _ScriptText(HTMLParser):
    """Collects what a browser would run as script: the text of real <script> elements."""

    def __init__(self):
        super().__init__()
        self.inside, self.scripts = False, []

    def handle_starttag(self, tag, attrs):
        self.inside = tag == "script"

    def handle_endtag(self, tag):
        self.inside = False

    def handle_data(self, data):
        if self.inside and data.strip():
            self.scripts.append(data.strip())


@PROPERTY
@given(
    text=st.one_of(
        ARTICLE_TEXT,
        st.sampled_from(PAYLOADS).map(
            lambda p: f"<html><body><article><h1>{p}</h1><script>{SCRIPT_MARKER}</script><p>{p * 20}</p></article></body></html>"
        ),
    )
)
def test_parse_html_accepts_or_refuses_cleanly(text):
    """The article text is plain text (escaped on output); script elements never become part of it.

    A payload may stand in the article as escaped text (an article about XSS quotes `<script>`),
    so the property is about script *elements*, not about the characters.
    """
    _tried()
    try:
        article = parse_html(text)
    except IngestError:
        return
    parser = _ScriptText()
    parser.feed(text)
    for script in parser.scripts:
        assert script not in article.body


@pytest.mark.django_db
@DB_PROPERTY
@given(body=st.lists(st.one_of(WORDS, st.text(alphabet=st.characters(codec="utf-8"), max_size=40)), min_size=20, max_size=80).map(" ".join))
def test_import_text_stores_each_text_once_or_refuses(body):
    _tried()
    raw = f"Überschrift eines Artikels\n\n{body}\n\n{'Ein ganz normaler Satz im Artikel. ' * 8}".encode()
    try:
        first = import_text(raw)
    except IngestError:
        return
    again = import_text(raw)
    assert again.source.pk == first.source.pk and not again.created
    assert first.source.content_hash == Source.objects.get(pk=first.source.pk).content_hash


@PROPERTY
@given(text=ARTICLE_TEXT, data=st.data())
def test_every_substring_of_a_text_is_found_and_offsets_round_trip(text, data):
    _tried()
    if not text:
        return
    start = data.draw(st.integers(0, len(text) - 1))
    end = data.draw(st.integers(start + 1, len(text)))
    quote = text[start:end]
    needle = normalise_quote(quote)
    anchor = find_quote(text, quote)
    if not needle:
        assert anchor is None
        return
    assert anchor is not None
    assert 0 <= anchor.start < anchor.end <= len(text)
    assert normalise_quote(text[anchor.start : anchor.end]) == needle
    # Re-anchoring the exact stored passage finds the same place (first occurrence).
    assert find_quote(text, text[anchor.start : anchor.end]) == anchor


@PROPERTY
@given(text=ARTICLE_TEXT, quote=st.text(min_size=1, max_size=40))
def test_find_quote_never_crashes_and_only_returns_real_matches(text, quote):
    _tried()
    anchor = find_quote(text, quote)
    if anchor is not None:
        assert normalise_quote(text[anchor.start : anchor.end]) == normalise_quote(quote)


class _Collector(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags, self.attributes, self.urls = set(), set(), []

    def handle_starttag(self, tag, attrs):
        self.tags.add(tag)
        for name, value in attrs:
            self.attributes.add((tag, name))
            if name == "href":
                self.urls.append(value or "")


MARKDOWN = st.lists(
    st.one_of(
        st.sampled_from(PAYLOADS),
        st.sampled_from(["[a](", ")", "<", ">", '"', "`", "\n\n", "* ", "> ", "&#", ";", "javascript:", "on"]),
        st.text(max_size=20),
    ),
    max_size=12,
).map("".join)  # fmt: skip


@PROPERTY
@given(source=MARKDOWN)
def test_markdown_never_yields_script_event_handlers_or_javascript_urls(source):
    _tried()
    rendered = render_markdown(source)
    collector = _Collector()
    collector.feed(rendered)
    assert collector.tags <= ALLOWED_TAGS
    assert all(name in ALLOWED_ATTRIBUTES.get(tag, set()) or name == "rel" for tag, name in collector.attributes)
    for url in collector.urls:
        assert not re.match(r"^\s*(javascript|vbscript|data):", url, re.IGNORECASE)
        scheme = re.match(r"^([a-zA-Z][a-zA-Z0-9+.-]*):", url)
        assert scheme is None or scheme.group(1).lower() in {"http", "https", "mailto"}


FILTER_VALUES = st.one_of(
    st.text(max_size=60),
    st.sampled_from(["", "-1", "0", "9" * 30, "2025-13-45", "2025-02-30T25:61", "null", "true", "[]", "{}", "' OR 1=1 --"]),
    st.sampled_from(["%00", "\x00", "a\x00b", "ä" * 300]),
    st.sampled_from(PAYLOADS),
)  # fmt: skip
FILTER_NAMES = st.sampled_from(
    ["q", "rating", "claimant", "topic", "language", "published_since", "published_until", "updated_since", "updated_until",
     "date_from", "date_to", "page", "cursor", "ordering", "format", "search", "sort", "limit", "offset", "status"]
)  # fmt: skip


@pytest.mark.django_db
@DB_PROPERTY
@given(params=st.dictionaries(FILTER_NAMES, st.one_of(FILTER_VALUES, st.lists(FILTER_VALUES, max_size=3)), max_size=5))
def test_claim_filter_never_fails_and_never_widens_beyond_published(params):
    _tried()
    data = QueryDict(urlencode(params, doseq=True))
    filterset = ClaimFilter(data=data, queryset=Claim.objects.published())
    if filterset.is_valid():
        ids = list(filterset.qs.values_list("pk", flat=True))
        assert set(ids) <= set(Claim.objects.published().values_list("pk", flat=True))
    else:
        assert filterset.errors


@pytest.fixture
def claim_world(db):
    claim = factories.AppearanceFactory().claim
    return claim


@pytest.mark.django_db
@DB_PROPERTY
@given(params=st.dictionaries(FILTER_NAMES, FILTER_VALUES, max_size=4))
def test_filter_query_strings_on_pages_and_api_never_cause_server_errors(claim_world, params):
    client = Client()
    query = urlencode(params)
    for path in ("/faktenchecks/", "/api/v1/claims/", "/suche/", "/api/v1/sources/"):
        _tried()
        cache.clear()
        response = client.get(f"{path}?{query}")
        assert response.status_code < 500, (path, params, response.status_code)


def _malformed_requests():
    """(method, path suffix or None, kwargs) variants sent to every route."""
    huge = b"x" * (6 * 1024 * 1024)
    return [
        ("post", None, {"data": "{kein json", "content_type": "application/json"}),
        ("post", None, {"data": '{"text": ' + "[" * 5000 + "]" * 5000 + "}", "content_type": "application/json"}),
        ("post", None, {"data": huge, "content_type": "application/octet-stream"}),
        ("post", None, {"data": huge, "content_type": "application/json"}),
        ("post", None, {"data": "a=" + "b" * 100 + "&a=" * 2000, "content_type": "application/x-www-form-urlencoded"}),
        ("put", None, {"data": "\xff\xfe\x00", "content_type": "application/json; charset=utf-8"}),
        ("patch", None, {"data": '{"version": "viele", "text": null}', "content_type": "application/json"}),
        ("get", "?" + "&".join(f"p{i}=x" for i in range(1500)), {}),
        ("get", "?page=-1&cursor=%%%&published_since=gestern&rating=%3Cscript%3E", {}),
        ("get", "?q=" + "ä" * 5000, {}),
        ("get", "?format=xml", {}),
        ("options", None, {}),
        ("delete", None, {}),
    ]


BAD_PATHS = [
    "/faktenchecks/" + "a" * 3000 + "/",
    "/faktenchecks/%00/",
    "/faktenchecks/..%2F..%2Fetc%2Fpasswd/",
    "/quellen/%C0%AE%C0%AE/",
    "/urheber/%E2%80%AE/",
    "/api/v1/claims/" + "ü" * 200 + "/",
    "/api/v1/claims/?cursor=" + "A" * 4000,
    "/" + "x/" * 600,
    "/admin/claims/claim/abc/change/",
    "/admin/claims/claim/99999999999999999999/change/",
]


@pytest.mark.django_db
def test_oversized_and_malformed_requests_get_4xx_never_500(claim_world, editor):
    slugs = [claim_world.slug, claim_world.claimant.slug, claim_world.appearances.first().source.slug]

    def candidates(name, regex, model_admin):
        if model_admin is not None or name.endswith(("id", "pk")):
            return [str(claim_world.pk)]
        if name == "format":
            return [".json", "json"]
        if name == "app_label":
            return ["claims"]
        return slugs

    routes, unfilled = project_routes(candidates, max_paths=2)
    assert not unfilled
    superuser = get_user_model().objects.create_superuser("boese-eingaben", password="x-passwort-123")
    failures, tried = [], 0
    for user in (None, editor, superuser):
        client = Client(raise_request_exception=False)
        if user is not None:
            client.force_login(user)
        targets = [(path, route) for route in routes for path in route.paths]
        for path, route in targets:
            if "logout" in path:
                continue
            for method, suffix, kwargs in _malformed_requests():
                if route.is_admin and method != "get" and user is superuser:
                    # Admin POSTs as superuser may legitimately change data; covered by the admin's own forms.
                    continue
                cache.clear()
                response = getattr(client, method)(path + (suffix or ""), **kwargs)
                tried += 1
                if response.status_code >= 500:
                    failures.append(f"{user} {method.upper()} {path}{(suffix or '')[:40]}: {response.status_code}")
        for path in BAD_PATHS:
            tried += 1
            response = client.get(path)
            if response.status_code >= 500:
                failures.append(f"{user} GET {path[:60]}: {response.status_code}")
    _tried(tried)
    print(f"\nMalformed requests: {tried} tried against {len(routes)} URL patterns, {len(failures)} server errors")
    assert not failures, "\n".join(failures[:40])
