import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from claims import services
from claims.choices import ClaimStatus, EventAction
from claims.models import Claim, ClaimEvent
from tests.claims.test_admin_workflow import form_data
from tests.factories import ClaimFactory, SourceFactory

pytestmark = pytest.mark.django_db

DRAFT = {"status": ClaimStatus.DRAFT, "published_at": None, "author": None}

SIMILAR_URL = reverse("admin:claims_claim_similar")


def test_similar_endpoint_lists_existing_claims_including_drafts_for_editors(client, editor):
    published = ClaimFactory(text="Russland nennt ausländische Truppen legitime Ziele", author=None)
    draft = ClaimFactory(text="Ausländische Truppen sind für Russland legitime Ziele", **DRAFT)
    ClaimFactory(text="Die Inflation lag im Mai bei drei Prozent", author=None)
    client.force_login(editor)
    response = client.get(SIMILAR_URL, {"text": "Für Russland sind ausländische Soldaten rechtmäßige Ziele"})
    assert response.status_code == 200
    results = response.json()["results"]
    assert {item["id"] for item in results} == {published.pk, draft.pk}
    assert all(0 < item["score"] <= 100 for item in results)
    assert results[0]["url"] == reverse("admin:claims_claim_change", args=[results[0]["id"]])
    assert all(item["duplicate_url"] == "" for item in results)


def test_similar_endpoint_excludes_the_claim_being_edited_and_offers_duplicate_links(client, editor):
    original = ClaimFactory(text="Deutschland ist der größte Unterstützer der Ukraine", author=None)
    current = ClaimFactory(text="Deutschland ist der wichtigste Unterstützer der Ukraine", **DRAFT)
    client.force_login(editor)
    results = client.get(SIMILAR_URL, {"text": current.text, "exclude": current.pk}).json()["results"]
    assert [item["id"] for item in results] == [original.pk]
    assert results[0]["duplicate_url"] == reverse("admin:claims_claim_mark_duplicate", args=[current.pk, original.pk])


@pytest.mark.parametrize(
    ("params", "status"),
    [({"text": ""}, 200), ({"text": "x\x00y"}, 200), ({"text": "Truppen", "exclude": "abc"}, 400)],
)
def test_similar_endpoint_bad_input_gets_a_clear_answer(client, editor, params, status):
    client.force_login(editor)
    response = client.get(SIMILAR_URL, params)
    assert response.status_code == status
    body = response.json()
    if status == 200:
        assert body["results"] == []
    else:  # errors have the one shape of every JSON error: a readable `detail`
        assert set(body) == {"detail"} and "exclude" in body["detail"]


def test_similar_endpoint_is_not_public(client):
    ClaimFactory(text="Russland nennt ausländische Truppen legitime Ziele", author=None)
    response = client.get(SIMILAR_URL, {"text": "legitime Ziele"})
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


def test_change_form_shows_similar_claims_and_loads_the_script(client, editor):
    original = ClaimFactory(text="Deutschland ist der größte Unterstützer der Ukraine", author=None)
    current = ClaimFactory(text="Deutschland ist der wichtigste Unterstützer der Ukraine", **DRAFT)
    client.force_login(editor)
    html = client.get(reverse("admin:claims_claim_change", args=[current.pk])).content.decode()
    assert 'id="similar-claims"' in html
    assert original.text in html
    assert reverse("admin:claims_claim_mark_duplicate", args=[current.pk, original.pk]) in html
    assert "claims/admin/similar_claims" in html
    assert "<script>" not in html.split('id="similar-claims"')[1].split("</div>")[0]


def test_editor_marks_a_duplicate_after_confirming_and_the_public_page_points_to_the_original(client, editor):
    original = ClaimFactory(text="Deutschland ist der größte Unterstützer der Ukraine", author=None)
    duplicate = ClaimFactory(text="Berlin ist der größte Unterstützer Kiews")
    url = reverse("admin:claims_claim_mark_duplicate", args=[duplicate.pk, original.pk])
    client.force_login(editor)
    confirm = client.get(url)
    assert confirm.status_code == 200 and "Ja, als Dublette markieren" in confirm.content.decode()
    assert Claim.objects.get(pk=duplicate.pk).duplicate_of is None
    response = client.post(url)
    assert response.status_code == 302
    assert Claim.objects.get(pk=duplicate.pk).duplicate_of == original
    assert ClaimEvent.objects.filter(claim=duplicate, action=EventAction.MARKED_DUPLICATE, actor=editor).exists()
    client.logout()
    page = client.get(duplicate.get_absolute_url()).content.decode()
    assert original.get_absolute_url() in page


def test_reporter_cannot_mark_duplicates(client, reporter):
    original = ClaimFactory(text="Deutschland ist der größte Unterstützer der Ukraine", author=None)
    duplicate = ClaimFactory(text="Berlin ist der größte Unterstützer Kiews", status=ClaimStatus.DRAFT, published_at=None, author=reporter)
    client.force_login(reporter)
    url = reverse("admin:claims_claim_mark_duplicate", args=[duplicate.pk, original.pk])
    response = client.post(url, follow=True)
    assert response.status_code == 200
    assert "Dubletten nicht markieren" in response.content.decode()
    assert Claim.objects.get(pk=duplicate.pk).duplicate_of is None


def test_marking_a_claim_as_its_own_duplicate_is_refused(client, editor):
    claim = ClaimFactory(author=None)
    client.force_login(editor)
    response = client.post(reverse("admin:claims_claim_mark_duplicate", args=[claim.pk, claim.pk]), follow=True)
    assert "nicht Dublette von sich selbst" in response.content.decode()
    assert Claim.objects.get(pk=claim.pk).duplicate_of is None


def test_add_form_is_prefilled_from_the_query_string(client, reporter):
    source = SourceFactory()
    client.force_login(reporter)
    quote = "Nach Angaben der Regierung sind 42 Prozent des Stroms im vergangenen Jahr aus Windkraft gewonnen worden."
    response = client.get(
        reverse("admin:claims_claim_add"),
        {"text": "42 Prozent des Stroms aus Windkraft", "text_long": quote, "appearance_source": source.pk, "appearance_quote": quote},
    )
    html = response.content.decode()
    assert 'value="42 Prozent des Stroms aus Windkraft"' in html
    assert quote in html
    assert f'<option value="{source.pk}" selected>' in html


def test_admin_search_is_full_text_and_umlaut_insensitive(client, editor):
    claim = ClaimFactory(text="Deutschland ist der größte Unterstützer der Ukraine", author=None)
    ClaimFactory(text="Die Inflation lag im Mai bei drei Prozent", author=None)
    client.force_login(editor)
    response = client.get(reverse("admin:claims_claim_changelist"), {"q": "groesster Unterstuetzer"})
    assert list(response.context["cl"].result_list) == [claim]


@pytest.mark.parametrize(
    "state",
    [DRAFT, {"status": ClaimStatus.PUBLISHED, "published_at": timezone.now() + timezone.timedelta(days=2), "author": None}],
    ids=["draft", "scheduled"],
)
def test_only_a_public_check_can_be_the_original_of_a_duplicate(client, editor, state):
    unchecked = ClaimFactory(text="Deutschland ist der größte Unterstützer der Ukraine", **state)
    current = ClaimFactory(text="Deutschland ist der wichtigste Unterstützer der Ukraine", author=None)
    client.force_login(editor)
    # Offered as a warning, without the duplicate link.
    results = client.get(SIMILAR_URL, {"text": current.text, "exclude": current.pk}).json()["results"]
    assert [(item["id"], item["duplicate_url"]) for item in results] == [(unchecked.pk, "")]
    response = client.post(reverse("admin:claims_claim_mark_duplicate", args=[current.pk, unchecked.pk]), follow=True)
    assert "nicht öffentlich" in response.content.decode()
    api = APIClient()
    api.force_login(editor)
    response = api.patch(f"/api/v1/claims/{current.slug}/", {"version": current.version, "duplicate_of": unchecked.slug}, format="json")
    assert response.status_code == 400 and "nicht öffentlich" in str(response.json())
    draft = ClaimFactory(**DRAFT)
    response = api.patch(f"/api/v1/claims/{draft.slug}/", {"version": draft.version, "duplicate_of": unchecked.slug}, format="json")
    assert response.status_code == 400
    with pytest.raises(ValidationError):
        services.create_claim(author=editor, text="Noch einmal dasselbe", duplicate_of=unchecked)
    data = form_data(client.get(reverse("admin:claims_claim_change", args=[current.pk])).content.decode())
    data["duplicate_of"] = str(unchecked.pk)
    response = client.post(reverse("admin:claims_claim_change", args=[current.pk]), data)
    assert response.status_code == 200 and "nicht öffentlich" in response.content.decode()
    assert Claim.objects.filter(duplicate_of=unchecked).count() == 0
