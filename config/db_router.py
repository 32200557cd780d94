"""Read scaling: public reads go to PostgreSQL streaming replicas, everything else to the primary.

Only requests the middleware marks as public reads (GET/HEAD outside the admin, without a
session, without a recent write by the same browser) may read from a replica. Writes, the
admin, logged-in staff, management commands and anything inside a transaction use the
primary, so an editor never sees stale data of their own change.

A replica that cannot be reached is skipped for `DATABASE_REPLICA_RETRY_SECONDS`; when all
are down the primary answers. A public read that fails on a replica mid-request is run
again once on the primary.
"""

import contextlib
import contextvars
import logging
import random
import time
from dataclasses import dataclass, field

from django.conf import settings
from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.utils import DatabaseError, InterfaceError, OperationalError

logger = logging.getLogger(__name__)

PIN_COOKIE = "fc_primary"
# Shared-cache key: until this UNIX time every worker reads from the primary (set on publish).
PIN_ALL_KEY = "db:primary-until"
# Apps whose rows are read right after they are written (login, lockouts, sessions, admin log).
PRIMARY_ONLY_APPS = frozenset({"sessions", "auth", "axes", "admin", "otp_totp", "otp_static", "contenttypes"})

# Process-local: replica alias -> monotonic time until which it is skipped.
_down_until: dict[str, float] = {}


@dataclass
class RequestRouting:
    """Where the reads of the current request may go."""

    replica_allowed: bool
    replica: str | None = None
    chosen: bool = False
    wrote: bool = False
    used: set[str] = field(default_factory=set)

    def read_alias(self) -> str:
        if not self.replica_allowed or self.wrote:
            return DEFAULT_DB_ALIAS
        if not self.chosen:
            self.replica = healthy_replica()
            self.chosen = True
        return self.replica or DEFAULT_DB_ALIAS


_routing: contextvars.ContextVar[RequestRouting | None] = contextvars.ContextVar("db_routing", default=None)


def replica_aliases() -> list[str]:
    return list(getattr(settings, "DATABASE_REPLICAS", []))


def mark_down(alias: str) -> None:
    """Skip `alias` for a while and drop its broken connection."""
    _down_until[alias] = time.monotonic() + settings.DATABASE_REPLICA_RETRY_SECONDS
    with contextlib.suppress(DatabaseError):
        connections[alias].close()
    logger.warning("Replica %s unreachable; reading from the primary for %s s.", alias, settings.DATABASE_REPLICA_RETRY_SECONDS)


def healthy_replica() -> str | None:
    """A reachable replica in random order, or None (then the primary answers)."""
    now = time.monotonic()
    candidates = [alias for alias in replica_aliases() if _down_until.get(alias, 0) <= now]
    random.shuffle(candidates)
    for alias in candidates:
        try:
            # A persistent connection to a replica that restarted is replaced here, not mid-query.
            connections[alias].close_if_health_check_failed()
            connections[alias].ensure_connection()
        except (OperationalError, InterfaceError):
            mark_down(alias)
            continue
        return alias
    return None


def pin_all_reads(seconds: float | None = None) -> None:
    """Send every worker's reads to the primary for a moment, e.g. right after a publish,
    so no replica that is a few milliseconds behind refills a shared cache with old data."""
    if replica_aliases():
        seconds = settings.DATABASE_REPLICA_PIN_SECONDS if seconds is None else seconds
        try:
            cache.set(PIN_ALL_KEY, time.time() + seconds, timeout=max(1, int(seconds) + 1))
        except Exception:  # an unreachable cache must not fail a publish
            logger.exception("Shared cache unreachable; could not pin reads to the primary.")


class PrimaryReplicaRouter:
    """Database router: reads of public requests to a replica, all else to the primary."""

    def db_for_read(self, model, **hints):
        state = _routing.get()
        if state is None or model._meta.app_label in PRIMARY_ONLY_APPS:
            return DEFAULT_DB_ALIAS
        instance = hints.get("instance")
        if instance is not None and instance._state.db:
            return instance._state.db
        if connections[DEFAULT_DB_ALIAS].in_atomic_block:
            return DEFAULT_DB_ALIAS
        return state.read_alias()

    def db_for_write(self, model, **hints):
        state = _routing.get()
        if state is not None:
            state.wrote = True
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1, obj2, **hints):
        # Replicas hold exactly the primary's data.
        return True

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == DEFAULT_DB_ALIAS


class ReplicaRoutingMiddleware:
    """Decide per request whether its reads may go to a replica, and keep a browser on the
    primary for `DATABASE_REPLICA_PIN_SECONDS` after it wrote something."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not replica_aliases():
            return self.get_response(request)
        state = RequestRouting(replica_allowed=self.may_read_replica(request))
        token = _routing.set(state)
        recorder = QueryRecorder(state) if settings.DATABASE_ROUTING_DEBUG_HEADER else None
        try:
            if recorder:
                with recorder:
                    response = self.get_response(request)
            else:
                response = self.get_response(request)
        finally:
            _routing.reset(token)
        if state.wrote or request.method not in ("GET", "HEAD", "OPTIONS"):
            response.set_cookie(
                PIN_COOKIE,
                "1",
                max_age=settings.DATABASE_REPLICA_PIN_SECONDS,
                secure=settings.SESSION_COOKIE_SECURE,
                httponly=True,
                samesite="Lax",
            )
        if recorder:
            response["X-Database-Reads"] = ",".join(sorted(state.used)) or "-"
        return response

    @staticmethod
    def may_read_replica(request) -> bool:
        if request.method not in ("GET", "HEAD"):
            return False
        if request.path.startswith("/admin/") or PIN_COOKIE in request.COOKIES:
            return False
        # A session means a logged-in editor (readers have none): they read the primary.
        if settings.SESSION_COOKIE_NAME in request.COOKIES:
            return False
        try:
            pinned_until = cache.get(PIN_ALL_KEY)
        except Exception:  # an unreachable cache must not take the site down
            logger.exception("Shared cache unreachable while routing a read.")
            pinned_until = None
        return not (pinned_until and pinned_until > time.time())

    def process_view(self, request, view_func, view_args, view_kwargs):
        request._routed_view = (view_func, view_args, view_kwargs)

    def process_exception(self, request, exception):
        """A replica failed mid-request: mark it down and answer once more from the primary."""
        state = _routing.get()
        if state is None or not state.replica or not isinstance(exception, OperationalError | InterfaceError):
            return None
        if not hasattr(request, "_routed_view"):
            return None
        mark_down(state.replica)
        state.used.discard(state.replica)
        state.replica = None
        view_func, view_args, view_kwargs = request._routed_view
        response = view_func(request, *view_args, **view_kwargs)
        if hasattr(response, "render") and callable(response.render):
            response = response.render()
        return response


class QueryRecorder:
    """Record which database aliases ran queries (only with DATABASE_ROUTING_DEBUG_HEADER)."""

    def __init__(self, state: RequestRouting):
        self.state = state
        self.wrappers = []

    def __enter__(self):
        for alias in [DEFAULT_DB_ALIAS, *replica_aliases()]:
            wrapper = connections[alias].execute_wrapper(self._record(alias))
            wrapper.__enter__()
            self.wrappers.append(wrapper)
        return self

    def __exit__(self, *exc):
        for wrapper in reversed(self.wrappers):
            wrapper.__exit__(*exc)

    def _record(self, alias):
        def wrapper(execute, sql, params, many, context):
            self.state.used.add(alias)
            return execute(sql, params, many, context)

        return wrapper
