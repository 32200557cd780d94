"""Stored API JSON written while another transaction changes what it shows."""

import threading
import time

from django.db import connections, transaction

from claims.api import lean
from claims.models import ClaimListItem


def stored_after_concurrent_change(claim, change) -> ClaimListItem:
    """Store `claim`'s list item and detail line on a second connection while `change` (a
    write that sends no signal) is uncommitted. The trigger has locked the claim, so the
    writer must wait for the commit and then store what was committed."""
    written = threading.Event()

    def store():
        try:
            lean.store_list_items([claim.pk], using="default")
            written.set()
        finally:
            connections.close_all()

    with transaction.atomic():
        change()
        writer = threading.Thread(target=store)
        writer.start()
        time.sleep(0.5)
        assert not written.is_set()  # waits for the lock instead of writing the old state
    writer.join(timeout=10)
    assert written.is_set()
    return ClaimListItem.objects.get(claim=claim)
