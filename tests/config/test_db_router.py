import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.contrib.sessions.models import Session
from django.core.cache import cache
from django.http import HttpResponse
from django.test import RequestFactory

from claims.models import Claim
from config import db_router

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def with_replica(settings):
    """Routing as with DATABASE_REPLICA_URLS; the alias is not connected by these tests."""
    settings.DATABASE_REPLICAS = ["replica_0"]
    db_router._down_until.clear()
    yield
    db_router._down_until.clear()
    cache.delete(db_router.PIN_ALL_KEY)


def decide(request):
    return db_router.ReplicaRoutingMiddleware.may_read_replica(request)


@pytest.mark.parametrize(
    ("method", "path", "cookies", "expected"),
    [
        ("GET", "/faktenchecks/", {}, True),
        ("HEAD", "/api/v1/claims/", {}, True),
        ("POST", "/faktenchecks/", {}, False),
        ("GET", "/admin/claims/claim/", {}, False),
        ("GET", "/faktenchecks/", {"sessionid": "abc"}, False),
        ("GET", "/faktenchecks/", {db_router.PIN_COOKIE: "1"}, False),
    ],
)
def test_only_public_reads_without_session_or_recent_write_may_use_a_replica(with_replica, method, path, cookies, expected):
    request = RequestFactory().generic(method, path)
    request.COOKIES.update(cookies)
    assert decide(request) is expected


def test_after_a_publish_every_worker_reads_the_primary_for_a_moment(with_replica):
    db_router.pin_all_reads(30)
    assert decide(RequestFactory().get("/")) is False
    db_router.pin_all_reads(0)
    assert decide(RequestFactory().get("/")) is True


def test_router_sends_public_reads_to_the_replica_and_everything_else_to_the_primary(with_replica, monkeypatch):
    monkeypatch.setattr(db_router, "healthy_replica", lambda: "replica_0")
    router = db_router.PrimaryReplicaRouter()
    assert router.db_for_read(Claim) == "default"  # outside a request: commands, shell, workers

    state = db_router.RequestRouting(replica_allowed=True)
    token = db_router._routing.set(state)
    try:
        assert router.db_for_read(Claim) == "replica_0"
        assert router.db_for_read(Session) == "default"
        assert router.db_for_write(Claim) == "default"
        assert router.db_for_read(Claim) == "default"  # anything after a write reads the primary
    finally:
        db_router._routing.reset(token)


def test_a_write_pins_the_browser_to_the_primary(with_replica, settings):
    middleware = db_router.ReplicaRoutingMiddleware(lambda request: HttpResponse("ok"))
    response = middleware(RequestFactory().post("/i18n/setlang/"))
    assert response.cookies[db_router.PIN_COOKIE]["max-age"] == settings.DATABASE_REPLICA_PIN_SECONDS
    assert db_router.PIN_COOKIE not in middleware(RequestFactory().get("/")).cookies


def test_unreachable_replica_is_skipped_and_the_primary_answers(with_replica, monkeypatch):
    class DeadConnection:
        def close_if_health_check_failed(self):
            pass

        def ensure_connection(self):
            raise db_router.OperationalError("connection refused")

        def close(self):
            pass

    monkeypatch.setattr(db_router, "connections", {"replica_0": DeadConnection()})
    assert db_router.healthy_replica() is None
    assert db_router._down_until["replica_0"] > 0
    assert db_router.RequestRouting(replica_allowed=True).read_alias() == "default"


def test_replica_urls_become_database_aliases_with_a_router():
    env = {key: value for key, value in os.environ.items() if not key.startswith(("DJANGO_", "DATABASE_"))}
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings",
        DJANGO_SECRET_KEY="x" * 50,
        DATABASE_URL="postgres://u@primary.internal/fc",
        DATABASE_REPLICA_URLS="postgres://u@replica1.internal/fc,postgres://u@replica2.internal/fc",
    )
    snippet = (
        "import django; django.setup(); from django.conf import settings as s; "
        "print(s.DATABASE_REPLICAS, s.DATABASES['replica_1']['HOST'], s.DATABASE_ROUTERS, s.DATABASES['replica_0']['TEST']['MIRROR'])"
    )
    result = subprocess.run([sys.executable, "-c", snippet], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == ("['replica_0', 'replica_1'] replica2.internal ['config.db_router.PrimaryReplicaRouter'] default")


def test_a_read_failing_on_the_replica_mid_request_is_answered_from_the_primary(with_replica, monkeypatch):
    monkeypatch.setattr(db_router, "healthy_replica", lambda: "replica_0")
    marked_down = []
    monkeypatch.setattr(db_router, "mark_down", marked_down.append)
    reads = []

    def view(request):
        alias = db_router._routing.get().read_alias()
        reads.append(alias)
        if alias == "replica_0":
            raise db_router.OperationalError("server closed the connection unexpectedly")
        return HttpResponse("vom Primärserver")

    middleware = db_router.ReplicaRoutingMiddleware(lambda request: HttpResponse())
    request = RequestFactory().get("/faktenchecks/")
    token = db_router._routing.set(db_router.RequestRouting(replica_allowed=True))
    try:
        middleware.process_view(request, view, (), {})
        with pytest.raises(db_router.OperationalError) as failure:
            view(request)
        response = middleware.process_exception(request, failure.value)
    finally:
        db_router._routing.reset(token)
    assert response.content == "vom Primärserver".encode()
    assert reads == ["replica_0", "default"]
    assert marked_down == ["replica_0"]


def test_errors_that_are_not_about_the_replica_are_left_to_the_error_handler(with_replica):
    middleware = db_router.ReplicaRoutingMiddleware(lambda request: HttpResponse())
    request = RequestFactory().get("/faktenchecks/")
    token = db_router._routing.set(db_router.RequestRouting(replica_allowed=True, replica="replica_0", chosen=True))
    try:
        middleware.process_view(request, lambda request: HttpResponse(), (), {})
        assert middleware.process_exception(request, ValueError("kaputt")) is None
    finally:
        db_router._routing.reset(token)
