"""Workflow services: roles × transitions, four eyes, scheduling, corrections, history, versions."""

from datetime import UTC, date, datetime, timedelta

import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from rest_framework.test import APIClient

from claims import roles, services
from claims.choices import ClaimStatus, CorrectionKind, EventAction
from claims.models import Appearance, Claim, Correction, Topic
from sources.models import Source
from tests.factories import AppearanceFactory, ClaimFactory, SourceFactory, UserFactory

pytestmark = pytest.mark.django_db


QUOTE = "42 Prozent des Stroms im vergangenen Jahr aus Windkraft gewonnen worden"


def member(group_name, username):
    user = UserFactory(username=username, is_staff=True)
    if group_name:
        user.groups.add(Group.objects.get(name=group_name))
    return user


@pytest.fixture
def author(db):
    return member(roles.REPORTER, "autorin")


@pytest.fixture
def second_editor(db):
    return member(roles.EDITOR, "zweitredakteur")


def claim_in(state, *, author, approver=None):
    """A claim by `author` in one of the workflow states, with one quoted appearance."""
    now = timezone.now()
    status, published_at, approved_by = {
        "draft": (ClaimStatus.DRAFT, None, None),
        "review": (ClaimStatus.IN_REVIEW, None, None),
        "approved": (ClaimStatus.IN_REVIEW, None, approver),
        "scheduled": (ClaimStatus.PUBLISHED, now + timedelta(days=2), approver),
        "public": (ClaimStatus.PUBLISHED, now - timedelta(days=2), approver),
        "withdrawn": (ClaimStatus.WITHDRAWN, now - timedelta(days=2), approver),
    }[state]
    claim = ClaimFactory(author=author, status=status, published_at=published_at, approved_by=approved_by)
    AppearanceFactory(claim=claim)
    return claim


def run(transition, claim, user, rating):
    calls = {
        "submit": lambda: services.submit_for_review(claim=claim, user=user),
        "request_changes": lambda: services.request_changes(claim=claim, user=user, comment="Quelle fehlt."),
        "approve": lambda: services.approve(claim=claim, user=user),
        "publish": lambda: services.publish(claim=claim, user=user),
        "withdraw": lambda: services.withdraw(claim=claim, user=user, note="Die Datengrundlage war falsch."),
        "return_to_draft": lambda: services.return_to_draft(claim=claim, user=user, reason="Neue Recherche nötig."),
        "unschedule": lambda: services.return_to_draft(claim=claim, user=user, reason="Termin entfällt."),
        "correct": lambda: services.correct_claim(
            claim=claim, user=user, kind=CorrectionKind.VERDICT_CHANGE, note="Neue Zahlen.", new_rating=rating
        ),
        "edit_draft": lambda: services.update_claim(claim=claim, user=user, expected_version=claim.version, text="Neu formuliert"),
    }
    return calls[transition]()


# transition: (state before, status after, roles allowed). The claim's author is another reporter,
# so the four-eyes rule never decides here; it has its own tests below.
MATRIX = {
    "submit": ("draft", ClaimStatus.IN_REVIEW, {"editor", "publisher"}),
    "edit_draft": ("draft", ClaimStatus.DRAFT, {"editor", "publisher"}),
    "request_changes": ("review", ClaimStatus.DRAFT, {"editor", "publisher"}),
    "approve": ("review", ClaimStatus.IN_REVIEW, {"editor", "publisher"}),
    "return_to_draft": ("review", ClaimStatus.DRAFT, {"editor", "publisher"}),
    "publish": ("approved", ClaimStatus.PUBLISHED, {"publisher"}),
    "unschedule": ("scheduled", ClaimStatus.DRAFT, {"publisher"}),
    "correct": ("public", ClaimStatus.PUBLISHED, {"publisher"}),
    "withdraw": ("public", ClaimStatus.WITHDRAWN, {"publisher"}),
}
ROLE_GROUPS = {"reporter": roles.REPORTER, "editor": roles.EDITOR, "publisher": roles.PUBLISHER, "staff_without_role": None}


@pytest.mark.parametrize("role", list(ROLE_GROUPS))
@pytest.mark.parametrize("transition", list(MATRIX))
def test_permission_matrix(transition, role, author, second_editor, other_rating):
    state, status_after, allowed = MATRIX[transition]
    claim = claim_in(state, author=author, approver=second_editor)
    user = member(ROLE_GROUPS[role], f"{role}-user")
    if role in allowed:
        run(transition, claim, user, other_rating)
        claim.refresh_from_db()
        assert claim.status == status_after
    else:
        with pytest.raises(PermissionDenied):
            run(transition, claim, user, other_rating)
        assert Claim.objects.get(pk=claim.pk).status == claim.status
        assert Claim.objects.get(pk=claim.pk).version == claim.version


def test_reporter_edits_and_submits_own_draft_but_not_after_submission(author):
    claim = claim_in("draft", author=author)
    claim = services.update_claim(claim=claim, user=author, expected_version=claim.version, text="Eigener Entwurf")
    services.submit_for_review(claim=claim, user=author)
    claim.refresh_from_db()
    with pytest.raises(PermissionDenied):
        services.update_claim(claim=claim, user=author, expected_version=claim.version, text="Nach der Abgabe")


def test_full_workflow_records_every_step_with_actor_and_comment(author, editor, publisher):
    claim = services.create_claim(author=author, text="Windkraft liefert 42 Prozent", conclusion="Zu hoch.")
    services.add_appearance(claim=claim, source=SourceFactory(), quote=QUOTE, user=author)
    services.submit_for_review(claim=claim, user=author)
    services.request_changes(claim=claim, user=editor, comment="Bitte Bewertung ergänzen.")
    claim.refresh_from_db()
    claim = services.update_claim(claim=claim, user=author, expected_version=claim.version, rating=ClaimFactory.rating.function())
    services.submit_for_review(claim=claim, user=author)
    services.approve(claim=claim, user=editor)
    services.publish(claim=claim, user=publisher)
    claim.refresh_from_db()
    assert claim.is_public
    assert claim.approved_by == editor
    assert claim.valid_as_of == timezone.localdate()
    steps = list(claim.events.order_by("created_at", "id").values_list("action", "actor__username", "comment"))
    assert steps == [
        (EventAction.CREATED, "autorin", ""),
        (EventAction.SUBMITTED, "autorin", ""),
        (EventAction.CHANGES_REQUESTED, "editor", "Bitte Bewertung ergänzen."),
        (EventAction.SUBMITTED, "autorin", ""),
        (EventAction.APPROVED, "editor", ""),
        (EventAction.PUBLISHED, "publisher", ""),
    ]
    # Every save is a version with its author in the history.
    history = list(claim.history.order_by("history_date").values_list("version", "history_user__username", "status"))
    assert [version for version, _, _ in history] == list(range(1, claim.version + 1))
    assert history[-1] == (claim.version, "publisher", ClaimStatus.PUBLISHED)
    assert ("autorin", ClaimStatus.DRAFT) in [(user, status) for _, user, status in history]


def test_submission_needs_an_appearance(author):
    claim = ClaimFactory(author=author, status=ClaimStatus.DRAFT, published_at=None)
    with pytest.raises(ValidationError, match="Fundstelle"):
        services.submit_for_review(claim=claim, user=author)


def test_four_eyes_author_cannot_approve_own_claim(editor):
    claim = claim_in("review", author=editor)
    with pytest.raises(PermissionDenied, match="Vier-Augen"):
        services.approve(claim=claim, user=editor)
    claim.refresh_from_db()
    assert claim.approved_by is None


def test_four_eyes_author_cannot_publish_own_claim_even_when_approved(publisher, editor):
    claim = claim_in("approved", author=publisher, approver=editor)
    with pytest.raises(PermissionDenied, match="Vier-Augen"):
        services.publish(claim=claim, user=publisher)
    assert Claim.objects.get(pk=claim.pk).status == ClaimStatus.IN_REVIEW


def test_unapproved_claim_cannot_be_published(author, publisher):
    claim = claim_in("review", author=author)
    with pytest.raises(ValidationError, match="freigegeben"):
        services.publish(claim=claim, user=publisher)


def test_change_after_approval_needs_a_new_approval(author, editor, second_editor, publisher):
    claim = claim_in("approved", author=author, approver=editor)
    claim = services.update_claim(claim=claim, user=second_editor, expected_version=claim.version, conclusion="Anders formuliert.")
    assert claim.approved_by is None
    with pytest.raises(ValidationError):
        services.publish(claim=claim, user=publisher)


def test_scheduled_claim_is_invisible_until_its_time_without_any_job(client, author, editor, publisher, monkeypatch):
    claim = claim_in("approved", author=author, approver=editor)
    at = timezone.now() + timedelta(hours=2)
    services.publish(claim=claim, user=publisher, at=at)
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.PUBLISHED and claim.published_at == at
    assert not claim.is_public
    assert not Claim.objects.published().filter(pk=claim.pk).exists()
    assert client.get(claim.get_absolute_url()).status_code == 404
    assert claim.text not in client.get("/").content.decode()

    later = at + timedelta(seconds=1)
    monkeypatch.setattr(timezone, "now", lambda: later)
    assert Claim.objects.published().filter(pk=claim.pk).exists()
    response = client.get(claim.get_absolute_url())
    assert response.status_code == 200
    assert "Vorschau" not in response.content.decode()


def test_staff_preview_of_scheduled_claim_is_marked_and_never_stored(client, author, editor, publisher):
    claim = claim_in("approved", author=author, approver=editor)
    services.publish(claim=claim, user=publisher, at=timezone.now() + timedelta(days=1))
    client.force_login(author)
    response = client.get(claim.get_absolute_url())
    assert response.status_code == 200
    assert "Vorschau – nicht öffentlich" in response.content.decode()
    assert "no-store" in response["Cache-Control"]


def test_naive_publication_time_is_refused(author, editor, publisher):
    claim = claim_in("approved", author=author, approver=editor)
    with pytest.raises(ValidationError):
        services.publish(claim=claim, user=publisher, at=timezone.now().replace(tzinfo=None))


def test_publication_before_the_claim_was_made_is_refused_but_backdating_after_it_is_allowed(author, editor, publisher):
    claim = claim_in("approved", author=author, approver=editor)
    Claim.objects.filter(pk=claim.pk).update(claim_date=date(2026, 1, 8))
    with pytest.raises(ValidationError, match="Sie wurde am 8. Januar 2026 aufgestellt") as refused:
        services.publish(claim=claim, user=publisher, at=datetime(1990, 1, 1, 10, tzinfo=UTC))
    assert "at" in refused.value.error_dict
    assert Claim.objects.get(pk=claim.pk).status == ClaimStatus.IN_REVIEW
    services.publish(claim=claim, user=publisher, at=datetime(2026, 1, 9, 10, tzinfo=UTC))
    assert Claim.objects.get(pk=claim.pk).is_public


def test_publishing_without_a_time_uses_a_planned_future_time_but_never_a_past_one(author, editor, publisher):
    """The bulk action publishes without asking for a time: a past date typed into the draft does not backdate it."""
    backdated = claim_in("approved", author=author, approver=editor)
    planned = claim_in("approved", author=author, approver=editor)
    Claim.objects.filter(pk=backdated.pk).update(published_at=datetime(2020, 1, 1, 10, tzinfo=UTC))
    tomorrow = timezone.now() + timedelta(days=1)
    Claim.objects.filter(pk=planned.pk).update(published_at=tomorrow)
    before = timezone.now()
    services.publish(claim=backdated, user=publisher)
    services.publish(claim=planned, user=publisher)
    assert Claim.objects.get(pk=backdated.pk).published_at >= before
    assert Claim.objects.get(pk=planned.pk).published_at == tomorrow


def test_without_a_claim_date_the_earliest_quoting_article_dates_the_claim(author, editor, publisher):
    claim = claim_in("approved", author=author, approver=editor)
    Claim.objects.filter(pk=claim.pk).update(claim_date=None)
    Source.objects.filter(appearances__claim=claim).update(published_at=datetime(2025, 9, 4, 8, tzinfo=UTC))
    with pytest.raises(ValidationError, match="Sie wurde am 4. September 2025 aufgestellt"):
        services.publish(claim=claim, user=publisher, at=datetime(2025, 9, 3, 8, tzinfo=UTC))


def test_published_verdict_is_locked_outside_corrections(publisher, other_rating):
    claim = claim_in("public", author=UserFactory())
    for change in ({"rating": other_rating}, {"conclusion": "Doch richtig."}):
        with pytest.raises(ValidationError) as error:
            services.update_claim(claim=claim, user=publisher, expected_version=claim.version, **change)
        assert "Korrektur" in str(error.value)
    claim = services.update_claim(claim=claim, user=publisher, expected_version=claim.version, context="Ergänzte **Einordnung**.")
    assert "<strong>Einordnung</strong>" in claim.context_html


def test_address_and_date_of_a_public_claim_stay(publisher):
    claim = claim_in("public", author=UserFactory())
    for change in ({"slug": "neue-adresse"}, {"published_at": timezone.now() + timedelta(days=3)}):
        with pytest.raises(ValidationError):
            services.update_claim(claim=claim, user=publisher, expected_version=claim.version, **change)


def test_duty_editor_may_move_a_scheduled_claim_but_an_editor_may_not(publisher, editor):
    claim = claim_in("scheduled", author=UserFactory())
    later = claim.published_at + timedelta(days=1)
    with pytest.raises(ValidationError):
        services.update_claim(claim=claim, user=editor, expected_version=claim.version, published_at=later)
    claim = services.update_claim(claim=claim, user=publisher, expected_version=claim.version, published_at=later)
    assert claim.published_at == later


def test_verdict_change_keeps_old_rating_and_shows_on_the_public_page(client, publisher, rating, other_rating):
    claim = claim_in("public", author=UserFactory())
    claim.valid_as_of = timezone.localdate() - timedelta(days=400)
    claim.save()
    version = claim.version
    correction = services.correct_claim(
        claim=claim,
        user=publisher,
        kind=CorrectionKind.VERDICT_CHANGE,
        note="Die Bundesnetzagentur hat ihre Zahlen berichtigt.",
        new_rating=other_rating,
        new_conclusion="Die Zahl stimmt nach der Berichtigung.",
    )
    claim.refresh_from_db()
    assert (correction.old_rating, correction.new_rating) == (rating, other_rating)
    assert correction.old_conclusion == "Die Zahl ist nach Angaben der Bundesnetzagentur zu hoch."
    assert (claim.rating, claim.conclusion) == (other_rating, "Die Zahl stimmt nach der Berichtigung.")
    assert claim.valid_as_of == timezone.localdate()
    assert claim.version == version + 1
    assert claim.history.first().history_user == publisher
    html = client.get(claim.get_absolute_url()).content.decode()
    assert "Die Bundesnetzagentur hat ihre Zahlen berichtigt." in html
    assert f"Bewertung geändert von „{rating.label}“ zu „{other_rating.label}“" in html
    assert correction in Correction.objects.public()
    with pytest.raises(ValidationError):
        correction.delete()


@pytest.mark.parametrize(
    ("kind", "use_other_rating", "conclusion", "field"),
    [
        (CorrectionKind.VERDICT_CHANGE, False, None, "new_rating"),
        (CorrectionKind.CORRECTION, True, None, "kind"),
        (CorrectionKind.CORRECTION, False, "   ", "new_conclusion"),
        (CorrectionKind.WITHDRAWAL, False, None, "kind"),
        ("unbekannt", False, None, "kind"),
    ],
)
def test_invalid_correction_changes_nothing(publisher, other_rating, kind, use_other_rating, conclusion, field):
    claim = claim_in("public", author=UserFactory())
    with pytest.raises(ValidationError) as error:
        services.correct_claim(
            claim=claim,
            user=publisher,
            kind=kind,
            note="Hinweis",
            new_rating=other_rating if use_other_rating else None,
            new_conclusion=conclusion,
        )
    assert field in error.value.message_dict
    assert not Correction.objects.filter(claim=claim).exists()
    fresh = Claim.objects.get(pk=claim.pk)
    assert (fresh.rating_id, fresh.conclusion, fresh.version) == (claim.rating_id, claim.conclusion, claim.version)


def test_correction_and_claim_change_are_one_transaction(publisher, other_rating, monkeypatch):
    claim = claim_in("public", author=UserFactory())

    def failing_log(*args, **kwargs):
        raise RuntimeError("Datenbank weg")

    monkeypatch.setattr(services, "_log", failing_log)
    with pytest.raises(RuntimeError):
        services.correct_claim(
            claim=claim, user=publisher, kind=CorrectionKind.VERDICT_CHANGE, note="Neue Zahlen.", new_rating=other_rating
        )
    assert not Correction.objects.filter(claim=claim).exists()
    assert Claim.objects.get(pk=claim.pk).rating_id == claim.rating_id


def test_scheduled_claim_is_not_corrected_or_withdrawn_but_unscheduled(publisher, other_rating):
    claim = claim_in("scheduled", author=UserFactory())
    with pytest.raises(ValidationError, match="noch nicht erschienen"):
        services.correct_claim(claim=claim, user=publisher, kind=CorrectionKind.VERDICT_CHANGE, note="x", new_rating=other_rating)
    with pytest.raises(ValidationError, match="noch nicht erschienen"):
        services.withdraw(claim=claim, user=publisher, note="x")
    claim = services.return_to_draft(claim=claim, user=publisher, reason="Termin entfällt.")
    assert claim.status == ClaimStatus.DRAFT
    assert not Correction.objects.filter(claim=claim).exists()


def test_withdrawal_takes_claim_offline_with_public_note(client, publisher, editor):
    claim = claim_in("public", author=UserFactory())
    with pytest.raises(ValidationError):
        services.return_to_draft(claim=claim, user=publisher, reason="Leise verschwinden lassen")
    services.withdraw(claim=claim, user=publisher, note="Die Quelle hat den Artikel zurückgezogen.")
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.WITHDRAWN and not claim.is_public
    assert client.get(claim.get_absolute_url()).status_code == 404
    withdrawal = Correction.objects.get(claim=claim)
    assert (withdrawal.kind, withdrawal.note, withdrawal.created_by) == (
        CorrectionKind.WITHDRAWAL,
        "Die Quelle hat den Artikel zurückgezogen.",
        publisher,
    )
    claim = services.return_to_draft(claim=claim, user=editor, reason="Neu recherchieren.")
    assert claim.status == ClaimStatus.DRAFT
    assert Correction.objects.filter(claim=claim).count() == 1


@pytest.mark.parametrize(
    ("call", "field"),
    [
        (lambda claim, user: services.request_changes(claim=claim, user=user, comment="  "), "comment"),
        (lambda claim, user: services.return_to_draft(claim=claim, user=user, reason=""), "reason"),
    ],
)
def test_steps_that_need_a_comment_refuse_an_empty_one(author, publisher, call, field):
    claim = claim_in("review", author=author)
    with pytest.raises(ValidationError) as error:
        call(claim, publisher)
    assert field in error.value.message_dict


def test_wrong_state_transitions_are_refused_with_a_message(author, editor, publisher):
    draft = claim_in("draft", author=author)
    for call in (
        lambda: services.approve(claim=draft, user=editor),
        lambda: services.request_changes(claim=draft, user=editor, comment="x"),
        lambda: services.publish(claim=draft, user=publisher),
        lambda: services.withdraw(claim=draft, user=publisher, note="x"),
        lambda: services.return_to_draft(claim=draft, user=editor, reason="x"),
        lambda: services.correct_claim(claim=draft, user=publisher, kind=CorrectionKind.UPDATE, note="x"),
    ):
        with pytest.raises(ValidationError):
            call()
    assert Claim.objects.get(pk=draft.pk).status == ClaimStatus.DRAFT


def test_second_save_on_outdated_version_is_refused_and_names_the_first_editor(editor, second_editor):
    claim = claim_in("draft", author=UserFactory())
    opened_by_both = claim.version
    services.update_claim(claim=claim, user=editor, expected_version=opened_by_both, text="Fassung der ersten Person")
    with pytest.raises(services.EditConflict) as conflict:
        services.update_claim(claim=claim, user=second_editor, expected_version=opened_by_both, text="Fassung der zweiten Person")
    message = " ".join(conflict.value.messages)
    assert editor.get_full_name() in message
    assert f"Ihre Version {opened_by_both}" in message
    assert Claim.objects.get(pk=claim.pk).text == "Fassung der ersten Person"


def test_workflow_step_in_between_also_counts_as_a_change(author, editor):
    claim = claim_in("review", author=author)
    opened = claim.version
    services.approve(claim=claim, user=editor)
    with pytest.raises(services.EditConflict):
        services.update_claim(claim=claim, user=editor, expected_version=opened, conclusion="Geändert")


def test_history_rows_name_user_for_claims_appearances_and_ratings(editor, publisher, rating):
    claim = claim_in("draft", author=UserFactory())
    services.update_claim(claim=claim, user=editor, expected_version=claim.version, text="Neue Behauptung")
    record = claim.history.first()
    assert (record.history_user, record.text, record.history_type) == (editor, "Neue Behauptung", "~")
    delta = record.diff_against(record.prev_record)
    assert delta.changed_fields == ["text"]
    assert (delta.changes[0].old, delta.changes[0].new) == (claim.text, "Neue Behauptung")

    appearance = services.add_appearance(claim=claim, source=SourceFactory(), quote="Die Debatte soll", user=editor)
    assert Appearance.history.filter(id=appearance.pk, history_user=editor, history_type="+").exists()

    rows_before = rating.history.count()
    rating._history_user = publisher
    rating.definition = "Die Behauptung ist nachweislich falsch."
    rating.save()
    assert rating.history.count() == rows_before + 1
    latest = rating.history.first()
    assert (latest.history_user, latest.definition) == (publisher, "Die Behauptung ist nachweislich falsch.")


def test_mark_duplicate_refuses_cycles(editor):
    first = claim_in("public", author=UserFactory())
    second = claim_in("draft", author=UserFactory())
    services.mark_duplicate(claim=second, original=first, user=editor)
    with pytest.raises(ValidationError):
        services.mark_duplicate(claim=first, original=second, user=editor)
    assert Claim.objects.get(pk=first.pk).duplicate_of is None


def test_api_edit_of_an_outdated_version_answers_409_and_keeps_the_first_save(editor, second_editor):
    claim = claim_in("draft", author=UserFactory())
    url = f"/api/v1/claims/{claim.slug}/"
    first, second = APIClient(), APIClient()
    first.force_login(editor)
    second.force_login(second_editor)
    response = first.patch(url, {"version": claim.version, "context": "Fassung der ersten Person."}, format="json")
    assert response.status_code == 200, response.content
    response = second.patch(url, {"version": claim.version, "context": "Fassung der zweiten Person."}, format="json")
    assert response.status_code == 409
    assert editor.get_full_name() in response.json()["detail"]
    assert Claim.objects.get(pk=claim.pk).context == "Fassung der ersten Person."


@pytest.fixture
def senior_author(db):
    """An author who may also review and publish (the demo account `redaktion`)."""
    user = UserFactory(username="redaktion", is_staff=True)
    user.groups.add(*Group.objects.filter(name__in=[roles.REPORTER, roles.EDITOR, roles.PUBLISHER]))
    return user


def test_a_scheduled_claim_appears_as_it_was_approved(senior_author, publisher):
    claim = claim_in("scheduled", author=senior_author, approver=publisher)
    approved = (claim.text, claim.context, claim.published_at)
    topic = Topic.objects.create(name="Neues Thema")
    attempts = {
        "text": lambda: services.update_claim(claim=claim, user=senior_author, expected_version=claim.version, text="Umgeschrieben"),
        "date by its author": lambda: services.update_claim(
            claim=claim, user=senior_author, expected_version=claim.version, published_at=timezone.now()
        ),
        "topics": lambda: services.update_claim(claim=claim, user=publisher, expected_version=claim.version, topics=[topic]),
        "context by the duty editor": lambda: services.update_claim(
            claim=claim, user=publisher, expected_version=claim.version, context="Neu"
        ),
        "appearance": lambda: services.add_appearance(claim=claim, source=SourceFactory(), quote=QUOTE, user=senior_author),
    }
    for name, attempt in attempts.items():
        with pytest.raises(ValidationError):
            attempt()
        claim.refresh_from_db()
        assert (claim.text, claim.context, claim.published_at) == approved, name
        assert claim.appearances.count() == 1 and not claim.topics.exists(), name
    # Another duty editor may still move the date; the way to change the content is back to draft.
    later = timezone.now() + timedelta(days=5)
    services.update_claim(claim=claim, user=publisher, expected_version=claim.version, published_at=later)
    services.return_to_draft(claim=claim, user=publisher, reason="Text überarbeiten.")
    claim.refresh_from_db()
    services.update_claim(claim=claim, user=senior_author, expected_version=claim.version, text="Umgeschrieben")


def test_changing_the_appearances_or_topics_of_an_approved_claim_withdraws_the_approval(author, editor):
    for change in ("appearance", "topics"):
        claim = claim_in("approved", author=author, approver=editor)
        if change == "appearance":
            services.add_appearance(claim=claim, source=SourceFactory(), quote=QUOTE, user=editor)
        else:
            topic = Topic.objects.create(name=f"Thema {claim.pk}")
            services.update_claim(claim=claim, user=editor, expected_version=claim.version, topics=[topic])
        claim.refresh_from_db()
        assert claim.status == ClaimStatus.IN_REVIEW and claim.approved_by is None, change
    # Saving the same topics again is no change.
    claim = claim_in("approved", author=author, approver=editor)
    services.update_claim(claim=claim, user=editor, expected_version=claim.version, topics=[])
    claim.refresh_from_db()
    assert claim.approved_by == editor


def test_stand_follows_a_schedule_moved_earlier_but_a_backdated_archive_keeps_its_own(author, editor, publisher):
    claim = claim_in("approved", author=author, approver=editor)
    services.publish(claim=claim, user=publisher, at=timezone.now() + timedelta(days=30))
    claim.refresh_from_db()
    assert claim.valid_as_of == timezone.localdate() + timedelta(days=30)
    services.update_claim(claim=claim, user=publisher, expected_version=claim.version, published_at=timezone.now() - timedelta(minutes=1))
    claim.refresh_from_db()
    assert claim.is_public and claim.valid_as_of == timezone.localdate()
    # An archive moving in: published long ago, checked again three days ago.
    archived = claim_in("approved", author=author, approver=editor)
    archived.valid_as_of = timezone.localdate() - timedelta(days=3)
    archived.claim_date = None
    archived.save()
    Source.objects.filter(appearances__claim=archived).update(published_at=timezone.now() - timedelta(days=500))
    services.publish(claim=archived, user=publisher, at=timezone.now() - timedelta(days=400))
    archived.refresh_from_db()
    assert archived.valid_as_of == timezone.localdate() - timedelta(days=3)


def test_marking_a_duplicate_keeps_the_four_eyes_rules(author, editor, publisher):
    original = claim_in("public", author=UserFactory())
    scheduled = claim_in("scheduled", author=author, approver=editor)
    with pytest.raises(ValidationError):
        services.mark_duplicate(claim=scheduled, original=original, user=editor)
    assert Claim.objects.get(pk=scheduled.pk).duplicate_of is None
    approved = claim_in("approved", author=author, approver=editor)
    services.mark_duplicate(claim=approved, original=original, user=editor)
    approved.refresh_from_db()
    assert approved.duplicate_of == original and approved.approved_by is None


def test_a_duplicate_points_to_the_last_public_claim_of_the_chain(editor, publisher):
    root = claim_in("public", author=UserFactory())
    middle = claim_in("public", author=UserFactory())
    services.mark_duplicate(claim=middle, original=root, user=editor)
    services.withdraw(claim=root, user=publisher, note="Quelle zurückgezogen.")
    newest = claim_in("public", author=UserFactory())
    services.mark_duplicate(claim=newest, original=middle, user=editor)
    assert Claim.objects.get(pk=newest.pk).duplicate_of == middle
    draft = claim_in("draft", author=UserFactory())
    with pytest.raises(ValidationError, match="nicht öffentlich"):
        services.mark_duplicate(claim=newest, original=draft, user=editor)


def test_republished_claim_keeps_its_internal_withdrawal_note_off_the_public_record(client, author, editor, publisher, second_editor):
    claim = claim_in("public", author=author, approver=editor)
    services.withdraw(claim=claim, user=publisher, note="Interner Grund: Anwalt der Quelle hat angerufen.")
    services.return_to_draft(claim=claim, user=editor, reason="Neu recherchieren.")
    claim.refresh_from_db()
    services.submit_for_review(claim=claim, user=editor)
    services.approve(claim=claim, user=second_editor)
    services.publish(claim=claim, user=publisher)
    claim.refresh_from_db()
    assert claim.is_public
    for url in (claim.get_absolute_url(), "/korrekturen/", "/feeds/korrekturen/", "/api/v1/corrections/", f"/api/v1/claims/{claim.slug}/"):
        response = client.get(url)
        assert response.status_code == 200, url
        assert "Anwalt der Quelle" not in response.content.decode(), url


def test_a_publication_date_in_year_one_is_refused_instead_of_breaking_every_list(client, author, editor, publisher):
    claim = claim_in("approved", author=author, approver=editor)
    Source.objects.filter(appearances__claim=claim).update(published_at=None)
    Claim.objects.filter(pk=claim.pk).update(claim_date=None)
    berlin = timezone.get_default_timezone()
    with pytest.raises(ValidationError) as error:
        services.publish(claim=claim, user=publisher, at=datetime(1, 1, 1, 0, 30, tzinfo=berlin))
    # Named as the field the time was given in, as the other refusals of a publication time.
    assert list(error.value.message_dict) == ["at"]
    draft = claim_in("draft", author=author)
    with pytest.raises(ValidationError):
        services.update_claim(claim=draft, user=editor, expected_version=draft.version, published_at=datetime(1, 1, 1, tzinfo=berlin))
    for url in ("/", "/faktenchecks/", "/feeds/faktenchecks/"):
        assert client.get(url).status_code == 200


def test_a_claim_that_was_public_keeps_its_address_after_going_back_to_draft(author, editor, publisher):
    claim = claim_in("public", author=author, approver=editor)
    services.withdraw(claim=claim, user=publisher, note="Datengrundlage fraglich.")
    claim = services.return_to_draft(claim=claim, user=editor, reason="Neu recherchieren.")
    assert "slug" in services.locked_fields(editor, claim)
    with pytest.raises(ValidationError) as error:
        services.update_claim(claim=claim, user=editor, expected_version=claim.version, slug="neue-adresse")
    assert "slug" in error.value.message_dict
    assert "slug" not in services.locked_fields(editor, claim_in("draft", author=author))


def test_valid_as_of_cannot_lie_in_the_future_of_a_public_claim(author, editor):
    claim = claim_in("public", author=author, approver=editor)
    with pytest.raises(ValidationError) as error:
        services.update_claim(claim=claim, user=editor, expected_version=claim.version, valid_as_of=date(2099, 1, 1))
    assert error.value.message_dict["valid_as_of"] == ["Der Stand kann nicht in der Zukunft liegen."]
    assert Claim.objects.get(pk=claim.pk).valid_as_of != date(2099, 1, 1)


def test_valid_as_of_of_a_planned_claim_may_reach_the_day_it_appears_and_no_further(author):
    appears = timezone.now() + timedelta(days=5)
    claim = ClaimFactory(author=author, status=ClaimStatus.DRAFT, published_at=appears, valid_as_of=timezone.localdate(appears))
    claim.full_clean()
    claim.valid_as_of = timezone.localdate(appears) + timedelta(days=1)
    with pytest.raises(ValidationError) as error:
        claim.full_clean()
    assert error.value.message_dict["valid_as_of"] == ["Der Stand kann nicht nach dem Tag liegen, an dem der Faktencheck erscheint."]


def test_moving_the_first_appearance_is_in_the_appearance_history(author, editor):
    claim = claim_in("draft", author=author)
    first = claim.appearances.get()
    services.add_appearance(claim=claim, source=SourceFactory(published_at=timezone.now() - timedelta(days=30)), quote=QUOTE, user=editor)
    earlier = claim.appearances.exclude(pk=first.pk).get()
    assert earlier.is_first
    assert earlier.history.first().is_first, "the history shows the appearance as the first one"
    first.refresh_from_db()
    assert not first.is_first and not first.history.first().is_first


def test_an_edit_cannot_make_a_claim_a_duplicate_of_itself_or_close_a_cycle(author, editor):
    first = claim_in("public", author=author, approver=editor)
    second = claim_in("public", author=author, approver=editor)
    with pytest.raises(ValidationError) as error:
        services.update_claim(claim=first, user=editor, expected_version=first.version, duplicate_of=first)
    assert "duplicate_of" in error.value.message_dict
    services.update_claim(claim=second, user=editor, expected_version=second.version, duplicate_of=first)
    first.refresh_from_db()
    with pytest.raises(ValidationError) as error:
        services.update_claim(claim=first, user=editor, expected_version=first.version, duplicate_of=second)
    assert "duplicate_of" in error.value.message_dict
    assert Claim.objects.get(pk=first.pk).duplicate_of is None


def test_clearing_the_date_of_a_scheduled_claim_says_what_is_wrong(author, editor, publisher):
    claim = claim_in("scheduled", author=author, approver=editor)
    with pytest.raises(ValidationError) as error:
        services.update_claim(claim=claim, user=publisher, expected_version=claim.version, published_at=None)
    assert "Bedingung" not in " ".join(error.value.messages)
    assert Claim.objects.get(pk=claim.pk).published_at == claim.published_at


def test_moving_a_scheduled_claim_before_the_claim_was_made_is_refused_as_in_publishing(author, editor, publisher):
    claim = claim_in("scheduled", author=author, approver=editor)
    Claim.objects.filter(pk=claim.pk).update(claim_date=date(2026, 1, 10))
    claim.refresh_from_db()
    with pytest.raises(ValidationError) as error:
        services.update_claim(
            claim=claim, user=publisher, expected_version=claim.version, published_at=datetime(2016, 1, 10, 12, tzinfo=UTC)
        )
    assert "published_at" in error.value.message_dict
    assert Claim.objects.get(pk=claim.pk).published_at == claim.published_at


def test_the_claim_date_of_a_published_claim_cannot_move_after_its_publication(author, editor):
    """The publishing rule holds from both sides: a typo in the claim's date must not date the check before what it checks."""
    claim = claim_in("public", author=author, approver=editor)
    with pytest.raises(ValidationError) as error:
        services.update_claim(claim=claim, user=editor, expected_version=claim.version, claim_date=timezone.localdate())
    assert "claim_date" in error.value.message_dict
    assert Claim.objects.get(pk=claim.pk).claim_date != timezone.localdate()
    earlier = timezone.localdate(claim.published_at) - timedelta(days=1)
    services.update_claim(claim=claim, user=editor, expected_version=claim.version, claim_date=earlier)
    assert Claim.objects.get(pk=claim.pk).claim_date == earlier


def test_api_approval_of_a_version_the_editor_has_not_read_answers_409(author, editor, second_editor):
    claim = claim_in("review", author=author)
    read_version = claim.version
    changer, reviewer = APIClient(), APIClient()
    changer.force_login(second_editor)
    reviewer.force_login(editor)
    url = f"/api/v1/claims/{claim.slug}/"
    assert changer.patch(url, {"version": read_version, "conclusion": "Inzwischen geändert."}, format="json").status_code == 200
    response = reviewer.post(f"{url}approve/", {"version": read_version}, format="json")
    assert response.status_code == 409
    assert Claim.objects.get(pk=claim.pk).approved_by is None
    response = reviewer.post(f"{url}approve/", {"version": "zwei"}, format="json")
    assert response.status_code == 400
    assert reviewer.post(f"{url}approve/", {"version": read_version + 1}, format="json").status_code == 200
