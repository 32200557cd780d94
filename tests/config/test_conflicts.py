"""Writing requests run in one transaction, and again when PostgreSQL aborts it in a real deadlock (config/conflicts.py)."""

import threading
import time
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.db import DatabaseError, connection, connections, transaction
from django.db.models.signals import post_save

from claims.choices import ClaimStatus
from claims.models import Claim, ClaimListItem
from claims.services import update_claim
from config.conflicts import is_conflict
from sources.ingest import import_text
from sources.models import Source
from tests.claims.api.conftest import login_with_csrf
from tests.claims.test_admin_workflow import change_url, form_data, logged_in
from tests.factories import AppearanceFactory, ClaimFactory

ARTICLES = sorted((Path(__file__).resolve().parents[2] / "seeds" / "articles").glob("*.txt"))
# Flushed afterwards: the groups and rating scale of the data migrations are restored.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@contextmanager
def rival_locking(claim_id: int):
    """A concurrent transaction that deadlocks with the next request saving claim `claim_id`.

    It holds the claim's stored list item (which the request's save deletes after locking
    the claim); once the request waits for that, it asks for the claim. The request has
    waited longer, so PostgreSQL finds the deadlock there and aborts the request's transaction.
    The rival then commits. PostgreSQL looks for a deadlock once, `deadlock_timeout` (1 s) after a
    process starts to wait; the rival asks for the claim half a second after the request began to
    wait, so on a busy machine either check may run late by up to that much and the request is
    still the one that finds the cycle. Yields a dict that holds the error the rival met, if any.
    """
    holding, outcome = threading.Event(), {}

    def run():
        try:
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute("SELECT FROM claims_claimlistitem WHERE claim_id = %s FOR UPDATE", [claim_id])
                holding.set()
                waiting, deadline = 0, time.monotonic() + 10
                while not waiting and time.monotonic() < deadline:
                    time.sleep(0.01)
                    cursor.execute(
                        "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
                        "AND datname = current_database() AND pid <> pg_backend_pid()"
                    )
                    waiting = cursor.fetchone()[0]
                outcome["request_waited"] = bool(waiting)
                time.sleep(0.5)
                cursor.execute("SELECT FROM claims_claim WHERE id = %s FOR UPDATE", [claim_id])
        except DatabaseError as error:
            outcome["error"] = error
        finally:
            holding.set()
            connections.close_all()

    thread = threading.Thread(target=run)
    thread.start()
    assert holding.wait(10)
    try:
        yield outcome
    finally:
        thread.join(20)


@pytest.mark.parametrize("retries", [2, 0])
def test_an_editor_save_that_loses_a_deadlock_runs_again(editor, settings, caplog, retries):
    settings.DATABASE_CONFLICT_RETRIES = retries
    claim = ClaimFactory(status=ClaimStatus.DRAFT, published_at=None, context="Alte Einordnung.")
    AppearanceFactory(claim=claim)
    assert ClaimListItem.objects.filter(claim=claim).exists()
    client = logged_in(editor)
    client.raise_request_exception = False
    form = form_data(client.get(change_url(claim)).content.decode())
    form["context"] = "Neue Einordnung."

    with rival_locking(claim.pk) as rival:
        response = client.post(change_url(claim), form)

    assert rival == {"request_waited": True}, "the rival transaction must win the deadlock"
    claim.refresh_from_db()
    if retries:
        assert response.status_code == 302, response.content.decode()[:2000]
        assert claim.context == "Neue Einordnung."
        assert "lost a conflict with a concurrent write (40P01); running it again (1 of 2)" in caplog.text
    else:
        # Without repeats the editor gets the 503 page, and nothing of the save was kept.
        assert response.status_code == 503
        assert claim.context == "Alte Einordnung."
    assert Claim.objects.get(pk=claim.pk).version == claim.version


def test_an_api_edit_that_loses_a_deadlock_runs_again(editor):
    claim = ClaimFactory(status=ClaimStatus.DRAFT, published_at=None, conclusion="Alte Fassung.")
    AppearanceFactory(claim=claim)
    client = login_with_csrf(editor)
    with rival_locking(claim.pk) as rival:
        response = client.patch(f"/api/v1/claims/{claim.slug}/", {"version": claim.version, "conclusion": "Neue Fassung."}, format="json")
    assert rival == {"request_waited": True}
    assert response.status_code == 200, response.content.decode()[:2000]
    assert response.json()["conclusion"] == "Neue Fassung."
    assert Claim.objects.get(pk=claim.pk).conclusion == "Neue Fassung."


@pytest.fixture
def transactions_at_save():
    """How many transaction blocks were open whenever a claim or source was saved."""
    depths = []

    def record(sender, **kwargs):
        depths.append((sender.__name__, len(connection.atomic_blocks)))

    post_save.connect(record, sender=Claim, dispatch_uid="depth-claim")
    post_save.connect(record, sender=Source, dispatch_uid="depth-source")
    yield depths
    post_save.disconnect(dispatch_uid="depth-claim", sender=Claim)
    post_save.disconnect(dispatch_uid="depth-source", sender=Source)


def test_writes_run_in_a_request_transaction_imports_article_by_article(editor, reporter, transactions_at_save):
    claim = ClaimFactory(status=ClaimStatus.DRAFT, published_at=None)
    transactions_at_save.clear()
    update_claim(claim=claim, user=editor, expected_version=claim.version, conclusion="Direkt.")
    claim.refresh_from_db()
    [(_, service_depth)] = transactions_at_save
    transactions_at_save.clear()
    editing = login_with_csrf(editor)
    response = editing.patch(f"/api/v1/claims/{claim.slug}/", {"version": claim.version, "conclusion": "Neu."}, format="json")
    assert response.status_code == 200
    # The same service, now inside the request's transaction.
    assert transactions_at_save == [("Claim", service_depth + 1)]

    transactions_at_save.clear()
    import_text(ARTICLES[0].read_bytes())
    [(_, import_depth)] = transactions_at_save
    transactions_at_save.clear()
    response = login_with_csrf(reporter).post("/api/v1/sources/import/", {"text": ARTICLES[1].read_text(encoding="utf-8")}, format="json")
    assert response.status_code == 201, response.content.decode()[:500]
    # Only the article's own transactions: a feed's first articles are committed while the next ones are fetched.
    assert transactions_at_save == [("Source", import_depth)]


def test_only_transaction_conflicts_count():
    class Cause(Exception):
        def __init__(self, sqlstate):
            self.sqlstate = sqlstate

    def wrapped(sqlstate):
        error = DatabaseError("wrapped")
        error.__cause__ = Cause(sqlstate)
        return error

    assert is_conflict(wrapped("40P01")) and is_conflict(wrapped("40001"))
    assert not is_conflict(wrapped("23505"))  # a unique violation would fail again
    assert not is_conflict(DatabaseError("no cause"))
    assert not is_conflict(ValueError("40P01"))
