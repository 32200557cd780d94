"""Writes that lose a conflict to a concurrent one run again instead of failing.

Two editors saving at the same moment can each hold a row the other needs next (a source and
a claim quoting it, say); PostgreSQL then aborts one of the two transactions (a deadlock),
and at stricter isolation levels it aborts one that read what the other changed (a
serialization failure). The aborted transaction changed nothing, so the request can simply
run again: the editor's save goes through instead of ending on the 503 page.

Every request that may write (anything but GET, HEAD, OPTIONS, TRACE) runs its view in one
transaction; when PostgreSQL aborts it for such a conflict, the view runs again, up to
`DATABASE_CONFLICT_RETRIES` times, after a short random pause. Before a repeat the messages
the aborted run queued are dropped and uploaded files are read from their start. Inside a
transaction opened by the caller (tests), nothing is repeated: only the caller could roll back.
Views marked with Django's `transaction.non_atomic_requests` (the importers, which fetch over
the network and store article by article) run as they are.
"""

import logging
import random
import time

from django.conf import settings
from django.contrib.messages.storage import default_storage
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections, transaction

logger = logging.getLogger(__name__)

# deadlock_detected, serialization_failure: the transaction was rolled back and may be retried.
CONFLICT_STATES = {"40P01", "40001"}
SAFE_METHODS = {"GET", "HEAD", "OPTIONS", "TRACE"}


def is_conflict(error: BaseException) -> bool:
    """Whether `error` is PostgreSQL aborting a transaction for a conflict with another one."""
    return isinstance(error, DatabaseError) and getattr(error.__cause__, "sqlstate", None) in CONFLICT_STATES


class RetryConflictsMiddleware:
    """Run each writing request's view in one transaction, and again after a conflict (module
    docstring). Last in MIDDLEWARE: the other middleware have checked the request (CSRF,
    login) once, and their `process_view` hooks have run."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if request.method in SAFE_METHODS or DEFAULT_DB_ALIAS in getattr(view_func, "_non_atomic_requests", ()):
            return None
        retries = settings.DATABASE_CONFLICT_RETRIES
        for attempt in range(retries + 1):
            try:
                with transaction.atomic(using=DEFAULT_DB_ALIAS):
                    return view_func(request, *view_args, **view_kwargs)
            except DatabaseError as error:
                if not is_conflict(error) or attempt == retries or connections[DEFAULT_DB_ALIAS].in_atomic_block:
                    raise
                logger.warning(
                    "%s %s lost a conflict with a concurrent write (%s); running it again (%d of %d).",
                    request.method,
                    request.path,
                    error.__cause__.sqlstate,
                    attempt + 1,
                    retries,
                )
                _start_over(request)
                time.sleep(random.uniform(0.02, 0.1) * (attempt + 1))


def _start_over(request) -> None:
    """Undo what the aborted run left on the request itself."""
    if hasattr(request, "_messages"):
        request._messages = default_storage(request)
    for _, files in request.FILES.lists():
        for upload in files:
            upload.seek(0)
