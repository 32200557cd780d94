"""The claim admin: workflow buttons call the services, history and events are visible, no lost updates."""

import re
from datetime import date, datetime, timedelta
from html import unescape

import pytest
from django.contrib.auth.models import Group
from django.test import Client
from django.utils import timezone

from claims import roles
from claims.choices import ClaimStatus, CorrectionKind, EventAction
from claims.models import Claim, ClaimEvent, Correction
from tests.factories import AppearanceFactory, ClaimFactory, UserFactory

pytestmark = pytest.mark.django_db
PASSWORD = "geheim-passwort-123"


def member(group_name, username):
    user = UserFactory(username=username, is_staff=True)
    user.groups.add(Group.objects.get(name=group_name))
    return user


def change_url(claim):
    return f"/admin/claims/claim/{claim.pk}/change/"


def step_url(claim, step):
    return f"/admin/claims/claim/{claim.pk}/workflow/{step}/"


def form_data(html):
    """The values a browser would send back for the claim change form (inputs, selects, textareas)."""
    form = re.search(r'<form[^>]*id="claim_form".*?</form>', html, re.S).group(0)
    data = {}
    for tag in re.finditer(r"<input[^>]*>", form):
        attrs = dict(re.findall(r'(\w[\w-]*)="([^"]*)"', tag.group(0)))
        if "name" not in attrs or attrs.get("type") in ("submit", "button", "file"):
            continue
        if attrs.get("type") == "checkbox" and "checked" not in tag.group(0):
            continue
        data[attrs["name"]] = unescape(attrs.get("value", ""))
    for match in re.finditer(r'<textarea[^>]*\sname="([^"]+)"[^>]*>(.*?)</textarea>', form, re.S):
        data[match.group(1)] = unescape(match.group(2)).lstrip("\n")
    for match in re.finditer(r'<select[^>]*\sname="([^"]+)"[^>]*>(.*?)</select>', form, re.S):
        selected = re.findall(r'<option value="([^"]*)"[^>]*selected', match.group(2))
        if selected:
            data[match.group(1)] = selected if "multiple" in match.group(0) else selected[0]
    return data


def logged_in(user):
    """A browser-like session that signed in through the admin login form."""
    client = Client()
    response = client.post("/admin/login/", {"username": user.username, "password": PASSWORD, "next": "/admin/"})
    assert response.status_code == 302, response.content.decode()[:2000]
    return client


def test_two_editors_save_the_same_claim_and_the_second_is_refused(editor):
    other = member(roles.EDITOR, "zweite-redakteurin")
    claim = ClaimFactory(status=ClaimStatus.DRAFT, published_at=None, author=UserFactory(), context="Ursprüngliche Einordnung.")
    AppearanceFactory(claim=claim)
    first, second = logged_in(editor), logged_in(other)
    first_form = form_data(first.get(change_url(claim)).content.decode())
    second_form = form_data(second.get(change_url(claim)).content.decode())
    assert first_form["expected_version"] == second_form["expected_version"] == str(claim.version)

    first_form["context"] = "Einordnung der ersten Redakteurin."
    response = first.post(change_url(claim), first_form)
    assert response.status_code == 302, response.content.decode()[:3000]

    second_form["context"] = "Einordnung des zweiten Redakteurs."
    response = second.post(change_url(claim), second_form)
    assert response.status_code == 200
    html = unescape(response.content.decode())
    assert "Konflikt:" in html
    assert editor.get_full_name() in html
    assert "Einordnung des zweiten Redakteurs." in html  # the refused input is still in the form
    claim.refresh_from_db()
    assert claim.context == "Einordnung der ersten Redakteurin."
    assert claim.history.first().history_user == editor


def test_admin_save_goes_through_update_claim_and_resets_approval(editor):
    approver = member(roles.EDITOR, "freigeberin")
    claim = ClaimFactory(status=ClaimStatus.IN_REVIEW, published_at=None, author=UserFactory(), approved_by=approver)
    AppearanceFactory(claim=claim)
    client = logged_in(editor)
    data = form_data(client.get(change_url(claim)).content.decode())
    data["conclusion"] = "Nach der Freigabe geändert."
    assert client.post(change_url(claim), data).status_code == 302
    claim.refresh_from_db()
    assert claim.conclusion == "Nach der Freigabe geändert."
    assert claim.approved_by is None
    assert claim.history.first().history_user == editor


def test_admin_change_of_an_appearance_alone_withdraws_the_approval(editor):
    approver = member(roles.EDITOR, "freigeberin")
    claim = ClaimFactory(status=ClaimStatus.IN_REVIEW, published_at=None, author=UserFactory(), approved_by=approver)
    appearance = AppearanceFactory(claim=claim)
    client = logged_in(editor)
    data = form_data(client.get(change_url(claim)).content.decode())
    quote = "Windkraft gewonnen worden"
    assert quote in appearance.source.body and data["appearances-0-quote"] != quote
    data["appearances-0-quote"] = quote
    assert client.post(change_url(claim), data).status_code == 302
    claim.refresh_from_db()
    assert claim.appearances.get().quote == quote
    assert claim.approved_by is None


def test_the_author_cannot_change_a_scheduled_claim_or_bring_it_forward_in_the_admin():
    author = UserFactory(username="redaktion", is_staff=True)
    author.groups.add(*Group.objects.filter(name__in=[roles.REPORTER, roles.EDITOR, roles.PUBLISHER]))
    approver = member(roles.PUBLISHER, "kollegin")
    at = timezone.now() + timedelta(days=1)
    claim = ClaimFactory(status=ClaimStatus.PUBLISHED, published_at=at, author=author, approved_by=approver)
    appearance = AppearanceFactory(claim=claim)
    approved_text, approved_context = claim.text, claim.context
    client = logged_in(author)
    html = client.get(change_url(claim)).content.decode()
    data = form_data(html)
    # Shown, not editable: the claim's fields, its appearances and its date.
    assert not {"text", "context", "published_at_0", "topics", "appearances-0-quote"} & set(data)
    assert claim.text in html and appearance.quote in unescape(html)
    now = timezone.localtime()
    data |= {"text": "Nach der Freigabe umgeschrieben", "context": "Neu.", "published_at_0": now.strftime("%d.%m.%Y")}
    data |= {"published_at_1": now.strftime("%H:%M:%S"), "appearances-0-quote": "Windkraft gewonnen worden"}
    client.post(change_url(claim), data)
    claim.refresh_from_db()
    assert (claim.text, claim.context, claim.published_at, claim.is_public) == (approved_text, approved_context, at, False)
    assert claim.appearances.get().quote == appearance.quote


def test_published_claim_form_has_verdict_locked(client, publisher, other_rating):
    claim = ClaimFactory(author=UserFactory())
    AppearanceFactory(claim=claim)
    client.force_login(publisher)
    html = client.get(change_url(claim)).content.decode()
    data = form_data(html)
    assert "rating" not in data and "conclusion" not in data and "slug" not in data
    data["rating"] = str(other_rating.pk)
    data["context"] = "Neue Einordnung."
    assert client.post(change_url(claim), data).status_code == 302
    claim.refresh_from_db()
    assert claim.rating != other_rating
    assert claim.context == "Neue Einordnung."


def test_workflow_buttons_follow_role_and_status(client, reporter, editor, publisher):
    draft = ClaimFactory(status=ClaimStatus.DRAFT, published_at=None, author=reporter)
    client.force_login(reporter)
    html = client.get(change_url(draft)).content.decode()
    assert step_url(draft, "submit") in html
    assert step_url(draft, "approve") not in html

    in_review = ClaimFactory(status=ClaimStatus.IN_REVIEW, published_at=None, author=reporter)
    client.force_login(editor)
    html = client.get(change_url(in_review)).content.decode()
    for step in ("approve", "request-changes", "return-to-draft"):
        assert step_url(in_review, step) in html
    assert step_url(in_review, "publish") not in html
    # Nobody is offered to approve or publish their own claim.
    own = ClaimFactory(status=ClaimStatus.IN_REVIEW, published_at=None, author=editor)
    html = client.get(change_url(own)).content.decode()
    assert step_url(own, "approve") not in html and step_url(own, "request-changes") in html
    own_approved = ClaimFactory(status=ClaimStatus.IN_REVIEW, published_at=None, author=publisher, approved_by=editor)
    client.force_login(publisher)
    assert step_url(own_approved, "publish") not in client.get(change_url(own_approved)).content.decode()
    approved = ClaimFactory(status=ClaimStatus.IN_REVIEW, published_at=None, author=reporter, approved_by=editor)
    assert step_url(approved, "publish") in client.get(change_url(approved)).content.decode()

    public = ClaimFactory(author=reporter)
    client.force_login(publisher)
    html = client.get(change_url(public)).content.decode()
    assert step_url(public, "correct") in html and step_url(public, "withdraw") in html
    assert step_url(public, "return-to-draft") not in html


def test_editor_requests_changes_with_a_comment_the_author_sees(client, reporter, editor):
    claim = ClaimFactory(status=ClaimStatus.IN_REVIEW, published_at=None, author=reporter)
    client.force_login(editor)
    response = client.post(step_url(claim, "request-changes"), {"comment": ""})
    assert response.status_code == 200
    assert "Dieses Feld ist zwingend erforderlich." in response.content.decode()
    response = client.post(step_url(claim, "request-changes"), {"comment": "Zweite Quelle fehlt."})
    assert response.status_code == 302
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.DRAFT
    client.force_login(reporter)
    html = client.get(change_url(claim)).content.decode()
    assert "Zweite Quelle fehlt." in html and "Änderungen angefordert" in html


def test_four_eyes_refusal_is_shown_in_the_admin(client, editor):
    claim = ClaimFactory(status=ClaimStatus.IN_REVIEW, published_at=None, author=editor)
    client.force_login(editor)
    response = client.post(step_url(claim, "approve"))
    assert response.status_code == 200
    assert "Vier-Augen-Prinzip" in response.content.decode()
    claim.refresh_from_db()
    assert claim.approved_by is None


def test_reporter_cannot_publish_through_the_admin_url(client, reporter, editor):
    claim = ClaimFactory(status=ClaimStatus.IN_REVIEW, published_at=None, author=UserFactory(), approved_by=editor)
    client.force_login(reporter)
    response = client.post(step_url(claim, "publish"), {"at_0": "01.01.2030", "at_1": "10:00:00"})
    assert response.status_code == 200
    assert "nicht veröffentlichen" in response.content.decode()
    assert Claim.objects.get(pk=claim.pk).status == ClaimStatus.IN_REVIEW


def test_publisher_schedules_publication_through_the_admin(client, publisher, editor):
    claim = ClaimFactory(status=ClaimStatus.IN_REVIEW, published_at=None, author=UserFactory(), approved_by=editor)
    client.force_login(publisher)
    assert client.get(step_url(claim, "publish")).status_code == 200
    at = timezone.localtime(timezone.now() + timedelta(days=3)).replace(second=0, microsecond=0)
    response = client.post(step_url(claim, "publish"), {"at_0": at.strftime("%d.%m.%Y"), "at_1": at.strftime("%H:%M:%S")})
    assert response.status_code == 302
    claim.refresh_from_db()
    assert (claim.status, claim.published_at) == (ClaimStatus.PUBLISHED, at)
    assert not claim.is_public
    html = client.get(change_url(claim)).content.decode()
    assert "geplant für" in html
    assert step_url(claim, "return-to-draft") in html
    assert "Geplant: erscheint am" in unescape(html) and "Veröffentlicht." not in html


def test_a_cancelled_schedule_leaves_no_date_behind(client, publisher, editor):
    claim = ClaimFactory(status=ClaimStatus.IN_REVIEW, published_at=None, author=UserFactory(), approved_by=editor)
    AppearanceFactory(claim=claim)
    client.force_login(publisher)
    later = timezone.localtime(timezone.now() + timedelta(days=30))
    client.post(step_url(claim, "publish"), {"at_0": later.strftime("%d.%m.%Y"), "at_1": later.strftime("%H:%M:%S")})
    claim.refresh_from_db()
    assert claim.valid_as_of == later.date()
    assert client.post(step_url(claim, "return-to-draft"), {"reason": "Termin fällt weg."}).status_code == 302
    claim.refresh_from_db()
    assert (claim.status, claim.published_at, claim.valid_as_of) == (ClaimStatus.DRAFT, None, None)
    # Through review again, then "Veröffentlichen" without a time: now, not the cancelled day.
    claim.status, claim.approved_by = ClaimStatus.IN_REVIEW, editor
    claim.save()
    assert f'value="{later.strftime("%d.%m.%Y")}"' not in client.get(step_url(claim, "publish")).content.decode()
    response = client.post("/admin/claims/claim/", {"action": "publish_action", "_selected_action": [claim.pk]})
    assert response.status_code == 302
    claim.refresh_from_db()
    assert claim.is_public and claim.valid_as_of == timezone.localdate()


def test_publisher_corrects_verdict_through_intermediate_form(client, publisher, rating, other_rating):
    claim = ClaimFactory(author=UserFactory())
    client.force_login(publisher)
    form = client.get(step_url(claim, "correct")).content.decode()
    assert "Die Zahl ist nach Angaben der Bundesnetzagentur zu hoch." in form
    response = client.post(
        step_url(claim, "correct"),
        {"kind": CorrectionKind.CORRECTION, "note": "Neue Daten.", "new_rating": other_rating.pk, "new_conclusion": "Stimmt doch."},
    )
    assert response.status_code == 200
    assert "Änderung der Bewertung" in response.content.decode()
    response = client.post(
        step_url(claim, "correct"),
        {"kind": CorrectionKind.VERDICT_CHANGE, "note": "Neue Daten.", "new_rating": other_rating.pk, "new_conclusion": "Stimmt doch."},
    )
    assert response.status_code == 302
    correction = Correction.objects.get(claim=claim)
    assert (correction.old_rating, correction.new_rating, correction.created_by) == (rating, other_rating, publisher)
    html = client.get(change_url(claim)).content.decode()
    assert "Neue Daten." in html


def test_publisher_withdraws_with_an_internal_note(client, publisher):
    claim = ClaimFactory(author=UserFactory())
    client.force_login(publisher)
    assert client.post(step_url(claim, "withdraw"), {"note": "  "}).status_code == 200
    assert client.post(step_url(claim, "withdraw"), {"note": "Quelle zurückgezogen."}).status_code == 302
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.WITHDRAWN
    assert ClaimEvent.objects.filter(claim=claim, action=EventAction.WITHDRAWN, comment="Quelle zurückgezogen.").exists()
    # The change page does not present the note as public: readers never see it, also after a new publication.
    corrections = re.search(r'<div class="module" id="claim-corrections">.*?</div>', client.get(change_url(claim)).content.decode(), re.S)
    assert "Quelle zurückgezogen." in corrections.group(0)
    assert "Öffentliche" not in corrections.group(0) and "intern" in corrections.group(0)


def test_unknown_step_is_refused(client, publisher):
    claim = ClaimFactory(author=UserFactory())
    client.force_login(publisher)
    assert client.get(step_url(claim, "delete-everything")).status_code == 403


def test_history_page_shows_who_changed_what_for_claim_and_appearances(editor):
    claim = ClaimFactory(status=ClaimStatus.DRAFT, published_at=None, author=UserFactory(), text="Alte Behauptung")
    AppearanceFactory(claim=claim)
    client = logged_in(editor)
    data = form_data(client.get(change_url(claim)).content.decode())
    data["text"] = "Neue Behauptung"
    data["appearances-0-quote"] = "Die Debatte soll in der kommenden Woche fortgesetzt werden."
    assert client.post(change_url(claim), data).status_code == 302
    html = unescape(client.get(f"/admin/claims/claim/{claim.pk}/history/").content.decode())
    assert "Alte Behauptung" in html and "Neue Behauptung" in html
    assert editor.username in html
    assert "Die Debatte soll in der kommenden Woche fortgesetzt werden." in html
    assert "Revert" not in html and "Wiederherstellen" not in html
    record = claim.history.last()
    response = client.post(f"/admin/claims/claim/{claim.pk}/history/{record.history_id}/", data)
    assert response.status_code == 403


def test_history_shows_values_as_the_newsroom_reads_them(client, publisher, editor):
    from claims import services
    from tests.factories import ClaimantFactory

    claim = ClaimFactory(status=ClaimStatus.IN_REVIEW, published_at=None, author=UserFactory())
    AppearanceFactory(claim=claim)
    services.update_claim(claim=claim, user=publisher, expected_version=claim.version, claimant=ClaimantFactory(name="Erika Beispiel"))
    services.approve(claim=claim, user=editor)
    at = timezone.make_aware(datetime(2030, 1, 2, 9, 30))  # 08:30 UTC
    services.publish(claim=claim, user=publisher, at=at)
    client.force_login(publisher)
    html = unescape(client.get(f"/admin/claims/claim/{claim.pk}/history/").content.decode())
    text = " ".join(re.sub(r"<[^>]+>", " ", html).split())
    assert "Veröffentlichung: – → 2. Januar 2030, 09:30" in text and "08:30" not in text
    assert "Erika Beispiel" in html and "In Prüfung" in html and "Veröffentlicht" in html
    assert "None" not in html.split('id="change-history"')[1]


def test_needs_recheck_filter_lists_old_verdicts(client, editor):
    old = ClaimFactory(text="Alter Befund", valid_as_of=timezone.localdate() - timedelta(days=200))
    fresh = ClaimFactory(text="Frischer Befund", valid_as_of=timezone.localdate() - timedelta(days=10))
    draft = ClaimFactory(text="Entwurf mit altem Stand", status=ClaimStatus.DRAFT, valid_as_of=timezone.localdate() - timedelta(days=900))
    client.force_login(editor)
    html = client.get("/admin/claims/claim/", {"recheck": "180"}).content.decode()
    assert old.text in html
    assert fresh.text not in html and draft.text not in html


def test_an_editor_cannot_approve_a_version_they_have_not_seen(editor):
    other = member(roles.EDITOR, "zweite-redakteurin")
    claim = ClaimFactory(status=ClaimStatus.IN_REVIEW, published_at=None, author=UserFactory())
    AppearanceFactory(claim=claim)
    reviewer, changer = logged_in(editor), logged_in(other)
    change_page = reviewer.get(change_url(claim)).content.decode()
    approve_link = unescape(re.search(r'href="([^"]*/workflow/approve/[^"]*)"', change_page).group(1))
    approve_page = reviewer.get(approve_link).content.decode()

    data = form_data(changer.get(change_url(claim)).content.decode())
    data["conclusion"] = "Nach dem Öffnen der Freigabe geändert."
    assert changer.post(change_url(claim), data).status_code == 302

    hidden = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', approve_page))
    response = reviewer.post(approve_link, {**hidden, "_confirm": "Freigeben"})
    assert response.status_code == 200
    assert "Konflikt:" in unescape(response.content.decode())
    claim.refresh_from_db()
    assert claim.approved_by is None


def test_moving_a_scheduled_claim_before_the_claim_was_made_is_explained_in_the_admin(publisher, editor):
    planned = timezone.now() + timedelta(days=2)
    claim = ClaimFactory(
        status=ClaimStatus.PUBLISHED, published_at=planned, approved_by=editor, author=UserFactory(), claim_date=date(2026, 1, 10)
    )
    AppearanceFactory(claim=claim)
    client = logged_in(publisher)
    data = form_data(client.get(change_url(claim)).content.decode())
    data["published_at_0"] = "10.01.2016"
    response = client.post(change_url(claim), data)
    assert response.status_code == 200
    assert "kann nicht vor der Behauptung erscheinen" in unescape(response.content.decode())
    assert Claim.objects.get(pk=claim.pk).published_at == planned


def test_moving_the_claim_date_of_a_public_claim_after_its_publication_is_explained_in_the_admin(editor):
    claim = ClaimFactory(published_at=timezone.now() - timedelta(days=2), author=UserFactory(), claim_date=None)
    AppearanceFactory(claim=claim)
    client = logged_in(editor)
    data = form_data(client.get(change_url(claim)).content.decode())
    data["claim_date"] = timezone.localdate().strftime("%d.%m.%Y")
    response = client.post(change_url(claim), data)
    assert response.status_code == 200
    assert "kann nicht vor der Behauptung erscheinen" in unescape(response.content.decode())
    assert Claim.objects.get(pk=claim.pk).claim_date is None


def test_a_refused_move_of_a_scheduled_claim_into_the_past_shows_the_form_again(publisher, editor):
    """The form is shown again with the claim's locks as stored, not as the refused input would make them."""
    planned = timezone.now() + timedelta(days=2)
    claim = ClaimFactory(status=ClaimStatus.PUBLISHED, published_at=planned, approved_by=editor, author=UserFactory())
    AppearanceFactory(claim=claim)
    client = logged_in(publisher)
    data = form_data(client.get(change_url(claim)).content.decode())
    data["published_at_0"] = "01.01.1899"
    response = client.post(change_url(claim), data)
    assert response.status_code == 200
    assert "ab dem Jahr 1900" in unescape(response.content.decode())
    assert Claim.objects.get(pk=claim.pk).published_at == planned
