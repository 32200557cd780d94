"""Related fact-checks on a claim's page: stored by the workflow, read through the published rule."""

from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from claims import related, services
from claims.choices import ClaimStatus
from claims.models import RelatedClaim
from tests.factories import ClaimFactory

pytestmark = pytest.mark.django_db

TEXTS = (
    "Russland nennt ausländische Truppen legitime Ziele",
    "Ausländische Truppen wären legitime Ziele für Russland",
    "Ausländische Truppen seien legitime Ziele, sagt Moskau",
)


def page_related(client, claim):
    response = client.get(claim.get_absolute_url())
    assert response.status_code == 200
    return [other.pk for other in response.context["related_claims"]]


def approved(text, *, reporter, editor):
    """A claim in review, approved: ready for `services.publish`."""
    return ClaimFactory(text=text, status=ClaimStatus.IN_REVIEW, published_at=None, author=reporter, approved_by=editor)


def test_page_shows_stored_related_claims_that_are_public_now(client):
    claim = ClaimFactory(text=TEXTS[0])
    public = ClaimFactory(text=TEXTS[1])
    later = ClaimFactory(text=TEXTS[2], published_at=timezone.now() + timedelta(days=1))
    ClaimFactory(text="Ausländische Truppen als legitime Ziele für Russland", status=ClaimStatus.DRAFT)
    assert related.refresh_all() == 3
    # Scheduled claims are stored, ready for their time; drafts never are.
    assert set(RelatedClaim.objects.filter(claim=claim).values_list("related_id", flat=True)) == {public.pk, later.pk}
    assert page_related(client, claim) == [public.pk]
    later.published_at = timezone.now() - timedelta(minutes=1)
    later.save()
    assert set(page_related(client, claim)) == {public.pk, later.pk}


def test_page_reads_related_claims_in_one_query_whatever_the_archive(client, django_assert_num_queries):
    claim = ClaimFactory(text=TEXTS[0])
    ClaimFactory(text=TEXTS[1])
    related.refresh_all()
    client.get(claim.get_absolute_url())
    with django_assert_num_queries(6) as small:
        client.get(claim.get_absolute_url())
    for number in range(30):
        ClaimFactory(text=f"Ausländische Truppen sind legitime Ziele, Variante {number}")
    related.refresh_all()
    with django_assert_num_queries(len(small.captured_queries)):
        assert len(page_related(client, claim)) == 3


def test_publishing_refreshes_the_claim_and_its_neighbours(client, reporter, editor, publisher):
    older = ClaimFactory(text=TEXTS[0])
    related.refresh_all()
    assert page_related(client, older) == []
    claim = approved(TEXTS[1], reporter=reporter, editor=editor)
    services.publish(claim=claim, user=publisher)
    assert page_related(client, claim) == [older.pk]
    assert page_related(client, older) == [claim.pk]


def test_withdrawing_removes_the_claim_from_the_lists_that_named_it(client, reporter, editor, publisher):
    claim = ClaimFactory(text=TEXTS[0])
    other = ClaimFactory(text=TEXTS[1])
    related.refresh_all()
    assert page_related(client, claim) == [other.pk]
    services.withdraw(claim=other, user=publisher, note="Quelle hat sich als Fälschung erwiesen.")
    assert page_related(client, claim) == []
    assert not RelatedClaim.objects.filter(related=other).exists()
    assert not RelatedClaim.objects.filter(claim=other).exists()


def test_a_failed_refresh_keeps_the_workflow_step(client, reporter, editor, publisher, monkeypatch, caplog):
    claim = approved(TEXTS[0], reporter=reporter, editor=editor)

    def broken(claim_id):
        with connection.cursor() as cursor:  # a database error inside the step's transaction
            cursor.execute("SELECT * FROM no_such_table")

    monkeypatch.setattr(related, "refresh", broken)
    services.publish(claim=claim, user=publisher)
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.PUBLISHED
    assert claim.events.filter(action="published").exists()  # the step went on after the failure
    assert "Could not refresh the related claims" in caplog.text
    assert client.get(claim.get_absolute_url()).status_code == 200


def test_staff_preview_of_a_draft_shows_what_publishing_would_show(client, reporter, editor):
    public = ClaimFactory(text=TEXTS[1])
    draft = approved(TEXTS[0], reporter=reporter, editor=editor)
    client.force_login(editor)
    assert page_related(client, draft) == [public.pk]


def test_refresh_related_claims_command(db):
    from django.core.management import call_command

    claim, other = ClaimFactory(text=TEXTS[0]), ClaimFactory(text=TEXTS[1])
    call_command("refresh_related_claims")
    assert list(RelatedClaim.objects.filter(claim=claim).values_list("related_id", flat=True)) == [other.pk]
    newer = ClaimFactory(text=TEXTS[2])
    RelatedClaim.objects.filter(claim=claim).update(score=0.5)  # stored lists stay as they are
    call_command("refresh_related_claims", "--missing")
    assert set(RelatedClaim.objects.filter(claim=newer).values_list("related_id", flat=True)) == {claim.pk, other.pk}
    assert list(RelatedClaim.objects.filter(claim=claim).values_list("score", flat=True)) == [0.5]


def test_publishing_refreshes_cached_pages_that_show_the_list(
    client, reporter, editor, publisher, page_cache, django_capture_on_commit_callbacks
):
    older = ClaimFactory(text=TEXTS[0])
    related.refresh_all()
    assert page_related(client, older) == []
    cached = client.get(older.get_absolute_url())
    assert cached.status_code == 200 and b"related-heading" not in cached.content
    claim = approved(TEXTS[1], reporter=reporter, editor=editor)
    with django_capture_on_commit_callbacks(execute=True):
        services.publish(claim=claim, user=publisher)
    assert claim.text.encode() in client.get(older.get_absolute_url()).content


def test_lists_kept_by_the_workflow_equal_a_full_refresh(reporter, editor, publisher, monkeypatch):
    monkeypatch.setattr(related, "STORED", 2)
    texts = [
        "Ausländische Truppen wären legitime Ziele für Russland",
        "Russland nennt ausländische Truppen in der Ukraine legitime Ziele",
        "Ausländische Truppen seien legitime Ziele, sagt Moskau",
        "Moskau: Truppen aus dem Ausland wären legitime Ziele",
        "Legitime Ziele: Russland droht ausländischen Truppen",
        "Russland droht Truppen aus Europa als legitime Ziele",
    ]
    claims = [approved(text, reporter=reporter, editor=editor) for text in texts]
    for claim in claims:
        services.publish(claim=claim, user=publisher)

    def kept_and_full():
        kept = sorted(RelatedClaim.objects.values_list("claim_id", "related_id", "rank"))
        related.refresh_all()
        return kept, sorted(RelatedClaim.objects.values_list("claim_id", "related_id", "rank"))

    kept, full = kept_and_full()
    assert len(kept) == 2 * len(texts) and kept == full
    services.withdraw(claim=claims[3], user=publisher, note="Zitat falsch zugeordnet.")
    kept, full = kept_and_full()
    assert len(kept) == 2 * (len(texts) - 1) and kept == full


def test_refreshing_every_list_changes_the_pages_validators(client, django_capture_on_commit_callbacks):
    claim = ClaimFactory(text=TEXTS[0])
    ClaimFactory(text=TEXTS[1])
    RelatedClaim.objects.all().delete()  # as after an import that skipped the workflow
    first = client.get(claim.get_absolute_url())
    assert TEXTS[1] not in first.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        related.refresh_all()
    again = client.get(claim.get_absolute_url(), headers={"If-None-Match": first["ETag"]})
    assert again.status_code == 200
    assert TEXTS[1] in again.content.decode()
