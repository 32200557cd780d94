"""PostgreSQL restarts under a live gunicorn: requests fail fast with 503, the app recovers alone."""

import json
import time
import urllib.error
import urllib.request

import pytest
from django.db import connection

from bench.pgcluster import TemporaryCluster, wait_for_http

from .live import Gunicorn, dump_database

pytestmark = [pytest.mark.slow, pytest.mark.django_db]

RECOVERY_LIMIT_SECONDS = 5.0
FAIL_FAST_LIMIT_SECONDS = 3.0


def _get(url: str, **headers) -> tuple[int, dict, bytes, float]:
    started = time.monotonic()
    request = urllib.request.Request(url, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, dict(response.headers), response.read(), time.monotonic() - started
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read(), time.monotonic() - started


@pytest.fixture
def live_app(tmp_path):
    dump = tmp_path / "schema.dump"
    dump_database(connection.settings_dict, dump)
    cluster = TemporaryCluster().init()
    cluster.start()
    server = None
    try:
        url = cluster.create_database("faktencheck")
        cluster.restore(dump, "faktencheck")
        server = Gunicorn(url, tmp_path)
        wait_for_http(server.base_url + "/faktenchecks/", timeout=60)
        yield cluster, server
    finally:
        if server is not None:
            server.stop()
        cluster.destroy()


def test_database_restart_gives_fast_503_and_recovers_within_five_seconds(live_app):
    cluster, server = live_app
    pages = ["/faktenchecks/", "/suche/", "/api/v1/claims/"]
    for page in pages:
        assert _get(server.base_url + page)[0] == 200

    cluster.stop()
    # Unique query strings: a page served from the cache during the outage is fine, but these must reach the database.
    outage = [_get(f"{server.base_url}{page}?q=ausfall{number}") for number, page in enumerate(pages * 3)]
    for status, headers, body, seconds in outage:
        assert status == 503, body[:300]
        assert headers["Retry-After"] == "5"
        assert seconds < FAIL_FAST_LIMIT_SECONDS
        assert "nicht erreichbar" in body.decode()
    status, _, body, _ = _get(server.base_url + "/faktenchecks/?q=json", Accept="application/json")
    assert status == 503 and "detail" in json.loads(body)

    cluster.start()
    recovery = wait_for_http(server.base_url + "/faktenchecks/", timeout=30)
    assert recovery <= RECOVERY_LIMIT_SECONDS
    # Every worker is back, not just the one that answered first.
    assert all(_get(server.base_url + page)[0] == 200 for page in pages * 4)
    log = server.access_log.read_text()
    assert '" 500 ' not in log
    slowest = max(seconds for *_, seconds in outage)
    print(f"\nDatabase outage: {len(outage)} requests answered 503 in at most {slowest:.3f} s; recovered in {recovery:.2f} s")
