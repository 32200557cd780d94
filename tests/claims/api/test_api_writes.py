import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from claims.choices import ClaimStatus
from claims.models import Claim, ClaimEvent
from tests.factories import AppearanceFactory, ClaimFactory, SourceFactory

from .conftest import login_with_csrf

pytestmark = pytest.mark.django_db

QUOTE = "42 Prozent des Stroms im vergangenen Jahr aus Windkraft gewonnen worden"


def draft(author, **kwargs):
    return ClaimFactory(status=ClaimStatus.DRAFT, published_at=None, author=author, **kwargs)


def test_reporter_creates_draft_with_appearance_and_submits_it(reporter):
    client = login_with_csrf(reporter)
    source = SourceFactory()
    created = client.post("/api/v1/claims/", {"text": "Windkraft liefert 42 Prozent", "rating": "falsch"}, format="json")
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["status"] == "draft" and body["version"] == 1
    claim = Claim.objects.get(slug=body["slug"])
    assert claim.author == reporter

    added = client.post(f"/api/v1/claims/{claim.slug}/appearances/", {"source": source.slug, "quote": f"„{QUOTE}“"}, format="json")
    assert added.status_code == 201, added.content
    assert added.json()["appearances"][0]["quote"] == QUOTE

    submitted = client.post(f"/api/v1/claims/{claim.slug}/submit/")
    assert submitted.status_code == 200, submitted.content
    assert submitted.json()["status"] == "review"
    assert list(ClaimEvent.objects.filter(claim=claim).values_list("action", flat=True).order_by("id")) == ["created", "submitted"]


def test_quote_not_in_article_is_refused_with_message(reporter):
    client = login_with_csrf(reporter)
    claim = draft(reporter)
    response = client.post(
        f"/api/v1/claims/{claim.slug}/appearances/", {"source": SourceFactory().slug, "quote": "Das hat niemand gesagt."}, format="json"
    )
    assert response.status_code == 400
    assert "steht nicht im Text" in str(response.json()["errors"]["quote"])


def test_invalid_claim_fields_are_400_json(reporter):
    client = login_with_csrf(reporter)
    response = client.post("/api/v1/claims/", {"text": "x" * 200, "rating": "gibt-es-nicht"}, format="json")
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert set(errors) == {"text", "rating"}


def test_edit_with_stale_version_is_a_409_and_nothing_is_lost(editor, reporter):
    claim = draft(reporter)
    client = login_with_csrf(editor)
    first = client.patch(f"/api/v1/claims/{claim.slug}/", {"version": claim.version, "conclusion": "Erste Fassung."}, format="json")
    assert first.status_code == 200, first.content
    assert first.json()["version"] == claim.version + 1
    stale = client.patch(f"/api/v1/claims/{claim.slug}/", {"version": claim.version, "conclusion": "Zweite Fassung."}, format="json")
    assert stale.status_code == 409
    assert "Version" in stale.json()["detail"]
    claim.refresh_from_db()
    assert claim.conclusion == "Erste Fassung."


@pytest.mark.parametrize("method", ["post", "patch"])
def test_a_status_change_or_an_unknown_field_is_a_400_not_silently_dropped(editor, reporter, method):
    """`status` changes only through the workflow actions: a client sending a new one must hear so, not get a 200.
    A field the claim does not have (a typo) is named too; the detail's own fields may be sent back unchanged."""
    claim = draft(reporter)
    client = login_with_csrf(editor)
    url = "/api/v1/claims/" if method == "post" else f"/api/v1/claims/{claim.slug}/"
    body = {"version": claim.version, "text": "Neu", "status": "published", "fazit": "x"}
    response = getattr(client, method)(url, body, format="json")
    assert response.status_code == 400, response.content
    assert set(response.json()["errors"]) == {"status", "fazit"}
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.DRAFT and claim.text != "Neu"
    assert Claim.objects.count() == 1
    unchanged = {"version": claim.version, "text": "Neu", "status": "draft", "url": "https://example.org/", "appearances": []}
    assert getattr(client, method)(url, unchanged, format="json").status_code in (200, 201)


def test_edit_without_version_is_refused(editor, reporter):
    claim = draft(reporter)
    response = login_with_csrf(editor).patch(f"/api/v1/claims/{claim.slug}/", {"conclusion": "Ohne Version."}, format="json")
    assert response.status_code == 400
    assert "version" in response.json()["errors"]


def test_four_eyes_author_cannot_approve_own_claim(editor):
    claim = ClaimFactory(status=ClaimStatus.IN_REVIEW, published_at=None, author=editor)
    response = login_with_csrf(editor).post(f"/api/v1/claims/{claim.slug}/approve/")
    assert response.status_code == 403
    assert "Vier-Augen-Prinzip" in response.json()["detail"]
    claim.refresh_from_db()
    assert claim.approved_by is None


def test_review_and_publish_by_two_other_people(reporter, editor, publisher):
    claim = draft(reporter)
    AppearanceFactory(claim=claim)
    assert login_with_csrf(reporter).post(f"/api/v1/claims/{claim.slug}/submit/").status_code == 200
    assert login_with_csrf(editor).post(f"/api/v1/claims/{claim.slug}/approve/").status_code == 200
    at = timezone.now() + timezone.timedelta(hours=2)
    published = login_with_csrf(publisher).post(f"/api/v1/claims/{claim.slug}/publish/", {"at": at.isoformat()}, format="json")
    assert published.status_code == 200, published.content
    assert published.json()["status"] == "published"
    # Scheduled: still invisible to readers until the time has come.
    from rest_framework.test import APIClient

    assert APIClient().get(f"/api/v1/claims/{claim.slug}/").status_code == 404


def test_reporter_cannot_publish(reporter, editor):
    claim = ClaimFactory(status=ClaimStatus.IN_REVIEW, published_at=None, approved_by=editor, author=reporter)
    response = login_with_csrf(reporter).post(f"/api/v1/claims/{claim.slug}/publish/")
    assert response.status_code == 403
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.IN_REVIEW


def test_invalid_transition_is_400_with_message(editor):
    claim = ClaimFactory()
    response = login_with_csrf(editor).post(f"/api/v1/claims/{claim.slug}/approve/")
    assert response.status_code == 400
    assert "Nur Faktenchecks in Prüfung" in response.json()["detail"]


def test_withdraw_needs_a_public_note(publisher):
    claim = ClaimFactory()
    client = login_with_csrf(publisher)
    assert client.post(f"/api/v1/claims/{claim.slug}/withdraw/", {"note": ""}, format="json").status_code == 400
    response = client.post(f"/api/v1/claims/{claim.slug}/withdraw/", {"note": "Die Quelle war gefälscht."}, format="json")
    assert response.status_code == 200
    assert response.json()["status"] == "withdrawn"


def test_correction_through_the_api_is_public_and_bumps_updated_at(publisher, other_rating):
    claim = ClaimFactory()
    before = claim.updated_at
    response = login_with_csrf(publisher).post(
        f"/api/v1/claims/{claim.slug}/correct/",
        {"kind": "verdict", "note": "Neue Zahlen der Bundesnetzagentur.", "new_rating": other_rating.slug},
        format="json",
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["rating"]["slug"] == other_rating.slug
    assert [c["note"] for c in body["corrections"]] == ["Neue Zahlen der Bundesnetzagentur."]
    claim.refresh_from_db()
    assert claim.updated_at > before


def test_published_verdict_cannot_be_patched_directly(publisher, other_rating):
    claim = ClaimFactory()
    response = login_with_csrf(publisher).patch(
        f"/api/v1/claims/{claim.slug}/", {"version": claim.version, "rating": other_rating.slug}, format="json"
    )
    assert response.status_code == 400
    claim.refresh_from_db()
    assert claim.rating.slug == "falsch"


@pytest.mark.parametrize("caller", ["api", "partner_api"])
def test_anonymous_and_partners_cannot_write(request, caller):
    client = request.getfixturevalue(caller)
    claim = ClaimFactory()
    assert client.post("/api/v1/claims/", {"text": "Neu"}, format="json").status_code in (401, 403)
    assert client.post(f"/api/v1/claims/{claim.slug}/withdraw/", {"note": "x"}, format="json").status_code in (401, 403)
    assert Claim.objects.count() == 1
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.PUBLISHED


def test_session_writes_require_the_csrf_token(editor):
    from rest_framework.test import APIClient

    client = APIClient(enforce_csrf_checks=True)
    client.force_login(editor)
    response = client.post("/api/v1/claims/", {"text": "Ohne Token"}, format="json")
    assert response.status_code == 403
    assert "CSRF" in response.json()["detail"]
    assert not Claim.objects.filter(text="Ohne Token").exists()


def test_reporter_cannot_see_or_write_drafts_of_others(reporter):
    other = draft(author=None)
    response = login_with_csrf(reporter).patch(f"/api/v1/claims/{other.slug}/", {"version": other.version, "text": "Fremd"}, format="json")
    assert response.status_code == 404
    other.refresh_from_db()
    assert other.text != "Fremd"


BAD_NUMBER = "Ungültiges JSON: NaN, Infinity und Zahlen mit mehr als 4300 Stellen sind nicht erlaubt."


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("{kaputt", "Ungültiges JSON in Zeile 1, Spalte 2."),
        ('{\n  "text": "Windkraft",\n}', "Ungültiges JSON in Zeile 3, Spalte 1."),
        (b'{"text": "Windkraft \xff"}', "Ungültiges JSON: der Inhalt ist nicht UTF-8-kodiert."),
        ('{"text": "Windkraft", "limit": NaN}', BAD_NUMBER),
        ('{"text": "Windkraft", "limit": -Infinity}', BAD_NUMBER),
        ('{"text": "Windkraft", "limit": ' + "9" * 5000 + "}", BAD_NUMBER),
    ],
)
def test_malformed_json_is_a_400_that_says_where_in_german(body, message):
    response = APIClient().post("/api/v1/claims/similar/", data=body, content_type="application/json")
    assert response.status_code == 400
    assert response.json() == {"detail": message}


def test_a_session_write_without_csrf_token_is_refused_in_german(reporter):
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(reporter)
    for url in ("/api/v1/claims/", "/api/v1/sources/import/"):
        response = client.post(url, {"text": "Windkraft"}, format="json")
        assert response.status_code == 403
        assert response.json()["detail"].startswith("CSRF-Prüfung fehlgeschlagen"), url


def test_a_partner_asking_for_english_gets_the_errors_in_english():
    client = APIClient()
    response = client.post("/api/v1/claims/similar/", data="{kaputt", content_type="application/json", headers={"accept-language": "en"})
    assert response.json() == {"detail": "Invalid JSON in line 1, column 2."}
    response = client.get("/api/v1/claims/", {"ordering": "text"}, headers={"accept-language": "en"})
    assert response.json()["errors"]["ordering"] == [
        "Unknown ordering “text”; possible: published_at, -published_at, updated_at, -updated_at."
    ]
