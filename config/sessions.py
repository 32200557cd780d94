"""Sessions kept in the database and, for speed, in the shared cache (REDIS_URL).

Django's cached_db store fails a request when the cache cannot be reached after reading a
session from the database; this one then serves the session from the database alone.
"""

import logging

from django.contrib.sessions.backends import cached_db, db

from .redis_cache import CACHE_ERRORS

logger = logging.getLogger(__name__)


class SessionStore(cached_db.SessionStore):
    def load(self):
        try:
            return super().load()
        except CACHE_ERRORS:  # an unreachable cache must not log editors out or fail their request
            logger.exception("Shared cache unreachable; session read from the database.")
            return db.SessionStore.load(self)

    def exists(self, session_key):
        try:
            return super().exists(session_key)
        except CACHE_ERRORS:
            logger.exception("Shared cache unreachable; session looked up in the database.")
            return db.SessionStore.exists(self, session_key)

    def delete(self, session_key=None):
        try:
            super().delete(session_key)
        except CACHE_ERRORS:
            # The database row is gone. A copy the cache still holds (if it was only out of reach)
            # stays valid until it expires, as with Django's own store.
            logger.exception("Shared cache unreachable; session deleted from the database only.")
