"""Draft-leak probe: no unpublished claim shows up anywhere, for anybody who may not see it.

Claims in every non-public state (draft, in review, scheduled, withdrawn), a claimant and an
article used only by them carry unique marker strings in every text field. Every URL pattern
the project defines is requested, filled with the slugs and keys of those objects and with
list, search and filter query strings, as an anonymous reader, as a partner with an API key,
as a reporter who did not write the claims and as a staff member without any rights. No
marker may appear in any response body or header: HTML, JSON, feeds, sitemaps, search,
exports, redirects and error pages alike.
"""

import re

import pytest
from django.apps import apps
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.core.cache import cache
from django.utils import timezone
from rest_framework_api_key.models import AbstractAPIKey, APIKey

from claims import roles, services
from claims.choices import ClaimStatus
from claims.models import Claim, Claimant, Topic
from sources.models import Source
from tests import factories

from .routes import project_routes

pytestmark = pytest.mark.django_db

# The search word is shared by public and secret texts; markers are secret-only.
SEARCH_WORD = "Zitronenfalter"
STATES = {
    "draft": {"status": ClaimStatus.DRAFT, "published_at": None},
    "review": {"status": ClaimStatus.IN_REVIEW, "published_at": None},
    "scheduled": {"status": ClaimStatus.PUBLISHED, "days": +3},
    "withdrawn": {"status": ClaimStatus.PUBLISHED, "days": -5},
}
SECRET_ARTICLE = (
    "Berlin (dpa) - Im Haushaltsausschuss wurde am Mittwoch über neue Zahlen zum Zitronenfalter beraten. "
    "Ein Abgeordneter sagte, qqleaksourcequote sei der eigentliche Grund für die Verzögerung gewesen. "
    "Die Sitzung wurde nach drei Stunden vertagt, eine Entscheidung soll im Januar fallen."
)


def _marker(*parts: str) -> str:
    return "qqleak" + "".join(parts)


@pytest.fixture
def world(publisher):
    """Public control data plus secret objects in every state, each with its own markers."""
    topic = factories.TopicFactory(name="Thema Naturschutz")
    author = factories.UserFactory(username="autorin", is_staff=True)
    author.groups.add(Group.objects.get(name=roles.REPORTER))
    public_source = factories.SourceFactory(title="Öffentlicher Artikel")
    public_claim = factories.ClaimFactory(
        text=f"{SEARCH_WORD} qqpublicmarker", conclusion="Fazit qqpublicmarker", author=author, claimant=factories.ClaimantFactory()
    )
    public_claim.topics.add(topic)
    factories.AppearanceFactory(claim=public_claim, source=public_source)

    secret_claimant = Claimant.objects.create(name="Hugo qqleakclaimant", slug="qqslug-urheber", role="qqleakclaimantrole")
    secret_claimant.description = "qqleakclaimantdescription"
    secret_claimant.save()
    secret_source = Source.objects.create(title="Interner Artikel qqleaksourcetitle", slug="qqslug-quelle", body=SECRET_ARTICLE)
    secrets = {"claim": [], "claimant": [secret_claimant], "source": [secret_source], "topic": [topic]}
    repeating = []
    markers = {"qqleaksourcetitle", "qqleaksourcequote", "qqleakclaimant", "qqslug-urheber", "qqslug-quelle"}
    for state, spec in STATES.items():
        published_at = timezone.now() + timezone.timedelta(days=spec["days"]) if "days" in spec else None
        claim = factories.ClaimFactory(
            text=f"{SEARCH_WORD} {_marker(state, 'text')}",
            slug=f"qqslug-{state}",
            text_long=f"Lange Fassung {_marker(state, 'long')}",
            conclusion=f"Fazit {_marker(state, 'conclusion')}",
            context=f"Einordnung {_marker(state, 'context')}",
            claimant=secret_claimant if state != "scheduled" else public_claim.claimant,
            status=spec["status"],
            published_at=published_at,
            author=author,
        )
        claim.topics.add(topic)
        factories.AppearanceFactory(claim=claim, source=secret_source, quote="qqleaksourcequote sei der eigentliche Grund")
        # A public article quoted by a secret claim: the article is public, the link to the claim is not.
        factories.AppearanceFactory(claim=claim, source=public_source, quote="Die Debatte soll in der kommenden Woche fortgesetzt werden.")
        if state == "withdrawn":
            services.withdraw(claim=claim, user=publisher, note=f"Zurückgezogen {_marker(state, 'note')}")
        # A public claim marked as repeating it: the public one must not name it.
        repeated = factories.ClaimFactory(text=f"Wiederholt {state}")
        repeated.duplicate_of = claim
        repeated.save()
        repeating.append(repeated)
        secrets["claim"].append(claim)
        markers |= {_marker(state, field) for field in ("text", "long", "conclusion", "context")} | {claim.slug}
    markers.add(_marker("withdrawn", "note"))
    return {"public_claim": public_claim, "repeating": repeating, "secrets": secrets, "markers": markers, "author": author, "topic": topic}


def _secret_pks(world, model) -> list[str]:
    if model is Claim:
        objects = world["secrets"]["claim"]
    elif model is Claimant:
        objects = world["secrets"]["claimant"]
    elif model is Source:
        objects = world["secrets"]["source"]
    else:
        related = model.objects.all()
        field_names = {f.name for f in model._meta.get_fields()}
        if "claim" in field_names:
            related = related.filter(claim__in=world["secrets"]["claim"])
        objects = list(related.order_by("-pk")[:2])
    return [str(obj.pk) for obj in objects]


def _candidates(world):
    secrets = world["secrets"]
    slugs = [obj.slug for kind in ("claim", "claimant", "source", "topic") for obj in secrets[kind]]
    slugs += [claim.slug for claim in (world["public_claim"], *world["repeating"])]
    pks = sorted({str(obj.pk) for kind in ("claim", "claimant", "source") for obj in secrets[kind]})
    labels = [config.label for config in apps.get_app_configs()]
    content_types = [str(ContentType.objects.get_for_model(model).pk) for model in (Claim, Claimant, Source)]

    def candidates(name: str, regex: str, model_admin) -> list[str]:
        if model_admin is not None and name == "object_id":
            return _secret_pks(world, model_admin.model) or pks
        if name in ("content_type_id",):
            return content_types
        if name in ("app_label",):
            return labels
        if name == "format":
            return ["json", ".json", ".json/"]
        if "slug" in name:
            return slugs
        if name in ("pk", "id", "object_id") or name.endswith("_id"):
            return pks
        return slugs + pks + labels + ["2025", "01", "1", "json"]

    return candidates


QUERY_VARIANTS = [
    "",
    f"?q={SEARCH_WORD}",
    f"?search={SEARCH_WORD}",
    "?claimant=qqslug-urheber",
    # By name: the claimant filter takes full names, the search page offers claimants by name.
    "?claimant=Hugo+qqleakclaimant",
    "?q=Hugo+qqleakclaimant",
    # Misspelled: a search without matches offers claims spelled like it.
    "?q=Zitronenfaltr+qqleakdrafttex",
    "?status=draft&page=1",
    f"?q={SEARCH_WORD}&format=json",
]


def _partner_headers() -> dict:
    """A valid partner API key: the project's key model when there is one, else the library's."""
    key_models = [model for model in apps.get_models() if issubclass(model, AbstractAPIKey) and model is not APIKey]
    model = key_models[0] if key_models else APIKey
    _, key = model.objects.create_key(name="Partner-Probe")
    return {"HTTP_AUTHORIZATION": f"Api-Key {key}"}


def _body(response) -> str:
    content = b"".join(response.streaming_content) if response.streaming else response.content
    headers = "\n".join(f"{name}: {value}" for name, value in response.items())
    return (headers + "\n" + content.decode("utf-8", errors="replace")).lower()


def test_no_unpublished_claim_leaks_on_any_route_for_any_role(client, world):
    routes, unfilled = project_routes(_candidates(world))
    assert not unfilled, f"URL patterns without probe values (extend _candidates): {unfilled}"

    reporter = factories.UserFactory(username="reporter-ohne-rechte", is_staff=True)
    reporter.groups.add(Group.objects.get(name=roles.REPORTER))
    no_rights = factories.UserFactory(username="personal-ohne-rechte", is_staff=True)
    roles_to_probe = {
        "anonym": (None, {}),
        "partner": (None, _partner_headers()),
        "reporter": (reporter, {}),
        "personal-ohne-rechte": (no_rights, {}),
    }
    markers = {marker.lower() for marker in world["markers"]}
    leaks, requests, seen_public, statuses = [], 0, 0, {}
    for role, (user, headers) in roles_to_probe.items():
        client.logout()
        if user is not None:
            client.force_login(user)
        for route in routes:
            # Reporters may read every claim in the newsroom admin by their role: it is not public.
            if role == "reporter" and route.is_admin:
                continue
            variants = QUERY_VARIANTS if not route.has_parameters else [""]
            for path in route.paths:
                for query in variants:
                    url = path + query
                    # Rate limits would answer 429 and hide what the route shows.
                    cache.clear()
                    response = client.get(url, **headers)
                    requests += 1
                    statuses[response.status_code] = statuses.get(response.status_code, 0) + 1
                    assert response.status_code < 500, f"{role} {url}: {response.status_code}"
                    body = _body(response)
                    seen_public += "qqpublicmarker" in body
                    echoed = url.lower()
                    found = sorted(m for m in markers if m in body and m not in echoed)
                    if found:
                        leaks.append(f"{role} GET {url} ({response.status_code}): {', '.join(found)}")
    pattern_count = len(routes)
    print(
        f"\nDraft-leak probe: {pattern_count} URL patterns, {sum(len(r.paths) for r in routes)} concrete paths, "
        f"{len(roles_to_probe)} roles, {requests} requests, {len(markers)} markers; status codes {dict(sorted(statuses.items()))}"
    )
    assert not leaks, "Unpublished content leaked:\n" + "\n".join(leaks)
    assert 429 not in statuses
    # The probe sees what it is meant to see: the public control claim shows up.
    assert seen_public > len(roles_to_probe)


def test_probe_detects_a_leak_when_a_view_ignores_the_publication_rule(client, world, monkeypatch):
    """Guard against a probe that cannot fail: a view that lists all claims is caught."""
    from claims import views

    monkeypatch.setattr(views, "claim_list_queryset", lambda: Claim.objects.select_related("claimant", "rating").order_by("-id"))
    body = _body(client.get("/faktenchecks/"))
    assert re.search(r"qqleak\w+text", body)


def test_reporter_previews_own_draft_but_not_a_colleagues(client, world):
    draft = next(claim for claim in world["secrets"]["claim"] if claim.status == ClaimStatus.DRAFT)
    client.force_login(world["author"])
    assert client.get(draft.get_absolute_url()).status_code == 200
    colleague = factories.UserFactory(username="kollege", is_staff=True)
    colleague.groups.add(Group.objects.get(name=roles.REPORTER))
    client.force_login(colleague)
    assert client.get(draft.get_absolute_url()).status_code == 404


def test_claimant_used_only_by_unpublished_claims_has_no_public_page(client, world):
    assert client.get("/urheber/qqslug-urheber/").status_code == 404
    assert Claimant.objects.public().filter(slug="qqslug-urheber").count() == 0
    assert Topic.objects.filter(pk=world["topic"].pk).exists()


def test_a_withdrawal_note_stays_internal_when_the_claim_is_published_again(client, editor, publisher, reporter):
    """The reason for a withdrawal is kept for the newsroom; publishing the claim again does not make it public."""
    claim = factories.AppearanceFactory(claim=factories.ClaimFactory(author=reporter)).claim
    services.correct_claim(claim=claim, user=publisher, kind="update", note="Öffentlicher Hinweis qqpublicnote")
    services.withdraw(claim=claim, user=publisher, note="Interner Grund qqleakwithdrawalnote")
    services.return_to_draft(claim=claim, user=editor, reason="Neu prüfen")
    services.submit_for_review(claim=claim, user=reporter)
    services.approve(claim=claim, user=editor)
    services.publish(claim=claim, user=publisher)
    partner = _partner_headers()
    for path in (
        f"/faktenchecks/{claim.slug}/",
        "/korrekturen/",
        "/feeds/korrekturen/",
        "/feeds/korrekturen/atom/",
        f"/api/v1/claims/{claim.slug}/",
        "/api/v1/corrections/",
        "/api/v1/claims/export/",
    ):
        cache.clear()
        body = _body(client.get(path, **partner))
        assert "qqpublicnote" in body, path
        assert "qqleakwithdrawalnote" not in body, path
