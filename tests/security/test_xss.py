"""An XSS corpus through every editor-writable text field renders inert on every page.

Each payload of `xss_payloads.txt` goes into claim text, long text, conclusion, context,
claimant name/role/description, topic name, source title/body/author, rating
label/definition and correction note; then every URL pattern (public pages, feeds, API,
sitemap, admin) is requested and each HTML response is parsed: no script that is not ours,
no event-handler attribute, no javascript:/data:/vbscript: URL, no dangerous element.
"""

import contextlib
import html
import json
import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlencode

import pytest
from django.contrib.auth import get_user_model
from django.urls import NoReverseMatch, reverse

from claims.models import Claimant, Correction, Rating, RatingScale, Topic
from sources.models import Source
from tests import factories

from .routes import project_routes

pytestmark = [pytest.mark.django_db, pytest.mark.slow]

PAYLOADS = [
    line
    for line in (Path(__file__).with_name("xss_payloads.txt")).read_text(encoding="utf-8").splitlines()
    if line.strip() and not line.startswith("# ")
]
FIELDS = [
    "claim.text",
    "claim.text_long",
    "claim.conclusion",
    "claim.context",
    "claimant.name",
    "claimant.role",
    "claimant.description",
    "topic.name",
    "source.title",
    "source.body",
    "source.author",
    "rating.label",
    "rating.definition",
    "correction.note",
]
DANGEROUS_ELEMENTS = {
    "iframe", "frame", "frameset", "object", "embed", "applet", "base", "svg", "math", "portal", "bgsound",
    "isindex", "keygen", "marquee", "video", "audio", "source", "template", "xss", "x",
}  # fmt: skip
URL_ATTRIBUTES = {"href", "src", "action", "formaction", "data", "background", "xlink:href", "poster", "srcdoc"}
BAD_SCHEME = re.compile(r"^\s*(javascript|vbscript|data):", re.IGNORECASE)
SAFE_STYLE = re.compile(r"^--badge:\s*#[0-9a-fA-F]{6}$")
DATA_SCRIPT_TYPES = {"application/ld+json", "application/json"}


class Inspector(HTMLParser):
    """Collect everything in a page that could run code."""

    def __init__(self, *, admin: bool):
        super().__init__(convert_charrefs=True)
        self.admin = admin
        self.problems: list[str] = []
        self._script: dict | None = None

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        # The admin's own templates draw icons with inline SVG (attributes are still checked).
        if tag in DANGEROUS_ELEMENTS and not (self.admin and tag in ("svg", "symbol", "use", "path")):
            self.problems.append(f"<{tag}>")
        for name, value in attrs:
            value = value or ""
            if name.startswith("on"):
                self.problems.append(f"<{tag} {name}=…>")
            if name in URL_ATTRIBUTES and BAD_SCHEME.match(value) and not value.startswith("data:image/"):
                self.problems.append(f"<{tag} {name}={value[:40]}>")
            if name == "style" and not self.admin and not SAFE_STYLE.match(value.strip()):
                self.problems.append(f"<{tag} style={value[:40]}>")
        if tag == "meta" and (attributes.get("http-equiv") or "").lower() == "refresh":
            self.problems.append("<meta http-equiv=refresh>")
        if tag in ("script", "style"):
            self._script = {"tag": tag, "attrs": attributes, "data": ""}

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag == "script":
            self.handle_endtag(tag)

    def handle_data(self, data):
        if self._script is not None:
            self._script["data"] += data

    def handle_endtag(self, tag):
        if tag not in ("script", "style") or self._script is None:
            return
        attrs, data = self._script["attrs"], self._script["data"]
        self._script = None
        if tag == "style":
            # Stylesheets of the app itself (API docs) are fine; style that can run or fetch is not.
            if re.search(r"javascript:|expression\(|@import|behavior:", data, re.IGNORECASE):
                self.problems.append(f"<style>{data[:40]}")
            return
        if attrs.get("src"):
            if not (attrs["src"].startswith("/") and not attrs["src"].startswith("//")) or data.strip():
                self.problems.append(f"<script src={attrs['src'][:40]}>")
        elif attrs.get("type") in DATA_SCRIPT_TYPES:
            try:
                json.loads(data)
            except ValueError:
                self.problems.append(f"<script type={attrs['type']}> is not valid JSON (broken out?)")
        else:
            self.problems.append(f"inline <script>{data[:40]}")


def inspect_html(text: str, *, admin: bool = False) -> list[str]:
    inspector = Inspector(admin=admin)
    inspector.feed(text)
    inspector.close()
    return inspector.problems


def test_inspector_recognises_live_payloads():
    """The checker is not blind: raw payloads are flagged, their escaped forms are not."""
    flagged = [p for p in PAYLOADS if inspect_html(p)]
    assert len(flagged) >= 80
    assert not any(inspect_html(html.escape(p)) for p in PAYLOADS)
    assert inspect_html('<script type="application/ld+json">{"a": "</script><script>alert(1)</script>"}</script>')


def _store_payloads():
    scale = RatingScale.objects.get(is_default=True)
    created = []
    for index, payload in enumerate(PAYLOADS):
        claimant = Claimant.objects.create(name=f"{payload[:190]} {index}", role=payload[:200], description=payload)
        topic = Topic.objects.create(name=f"{payload[:90]} {index}")
        source = factories.SourceFactory(title=payload[:500], author=payload[:300], body=f"{factories.ARTICLE} {payload} ({index})")
        rating = Rating.objects.create(
            scale=scale,
            slug=f"xss-{index}",
            label=payload[:60],
            label_en=payload[:60],
            value=scale.worst_value,
            colour="#336699",
            definition=payload,
            definition_en=payload,
            order=100 + index,
        )
        claim = factories.ClaimFactory(
            text=payload[:75], text_long=payload, conclusion=payload[:300], context=payload, claimant=claimant, rating=rating
        )
        claim.topics.add(topic)
        factories.AppearanceFactory(claim=claim, source=source)
        Correction.objects.create(claim=claim, kind="correction", note=payload)
        created.append(claim)
    return created


def _text(response) -> str:
    content = b"".join(response.streaming_content) if response.streaming else response.content
    return content.decode("utf-8", errors="replace")


def test_xss_corpus_renders_inert_on_every_page(client):
    assert len(PAYLOADS) >= 100
    claims = _store_payloads()
    slugs = {
        "claim": [c.slug for c in claims],
        "claimant": list(Claimant.objects.filter(claims__in=claims).values_list("slug", flat=True)),
        "source": list(Source.objects.filter(appearances__claim__in=claims).values_list("slug", flat=True)),
        "topic": list(Topic.objects.filter(claims__in=claims).values_list("slug", flat=True)),
    }
    all_slugs = [slug for values in slugs.values() for slug in values]
    pks = [str(c.pk) for c in claims[:6]]

    def candidates(name, regex, model_admin):
        if model_admin is not None:
            model = model_admin.model
            return [str(pk) for pk in model.objects.order_by("-pk").values_list("pk", flat=True)[:3]] or ["1"]
        if "slug" in name:
            return all_slugs
        if name == "format":
            return ["json", ".json"]
        if name == "app_label":
            return ["claims", "sources"]
        return pks + all_slugs[:4]

    public_routes, unfilled = project_routes(candidates, max_paths=len(all_slugs))
    assert not unfilled
    kind_of_slug = {slug: kind for kind, values in slugs.items() for slug in values}

    superuser = get_user_model().objects.create_superuser("xss-admin", password="x-passwort-123")
    problems, requests, rendered = [], 0, set()
    reflected_targets = []
    for name in ("claims:search", "claims:claim-list"):
        with contextlib.suppress(NoReverseMatch):
            reflected_targets.append(reverse(name))

    def check(url, *, admin=False):
        nonlocal requests
        response = client.get(url)
        requests += 1
        assert response.status_code < 500, f"{url}: {response.status_code}"
        if "html" in response.get("Content-Type", ""):
            text = _text(response)
            problems.extend(f"{url}: {problem}" for problem in inspect_html(text, admin=admin))
            return text
        return ""

    for route in public_routes:
        if route.is_admin:
            continue
        paths = route.paths
        if route.has_parameters and len(paths) > len(slugs):
            # Find which kind of object the route shows (by one sample each), then visit every object of that kind.
            kinds = set()
            for kind, values in slugs.items():
                sample = next((p for p in paths if values[0] in p), None)
                if sample and client.get(sample).status_code == 200:
                    kinds.add(kind)
            paths = [p for p in paths if any(kind_of_slug.get(part) in kinds for part in p.split("/"))] or paths[:4]
        for path in paths:
            text = check(path)
            for claim in claims:
                if html.escape(claim.text) in text:
                    rendered.add(claim.pk)
    for target in reflected_targets:
        for payload in PAYLOADS:
            check(f"{target}?{urlencode({'q': payload})}")
    client.force_login(superuser)
    admin_routes, _ = project_routes(candidates, max_paths=1)
    for route in admin_routes:
        if route.is_admin and "logout" not in route.pattern and "delete" not in route.pattern:
            for path in route.paths:
                check(path, admin=True)

    print(
        f"\nXSS corpus: {len(PAYLOADS)} payloads × {len(FIELDS)} fields = {len(PAYLOADS) * len(FIELDS)} stored inputs, "
        f"{len(reflected_targets) * len(PAYLOADS)} reflected query inputs, {requests} pages checked, "
        f"{len(rendered)} payload claims seen rendered"
    )
    assert not problems, "\n".join(sorted(set(problems))[:50])
    # Every payload reached a page (escaped), so the check above really looked at it.
    assert len(rendered) == len(claims)
