"""Smoke tests of the benchmark harness: generator, baseline views, one short wrk run."""

import os
import random
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from django.conf import settings
from django.test import override_settings
from django.test.client import Client

from bench import baselines, generate, run, text
from claims.models import Appearance, Claim
from sources.quotes import find_quote


@pytest.fixture
def archive(db):
    return generate.load(50, log=lambda message: None)


def test_generated_quotes_stand_in_the_source_at_their_offsets(archive):
    appearances = list(Appearance.objects.select_related("source"))
    assert len(appearances) >= 2 * 50
    for appearance in appearances:
        assert appearance.source.body[appearance.start : appearance.end] == appearance.quote
        assert find_quote(appearance.source.body, appearance.quote) is not None


def test_generated_archive_has_every_workflow_state_and_one_first_appearance_per_claim(archive):
    assert archive["published"] == Claim.objects.published().count() > 0
    assert Claim.objects.count() == 50
    for claim in Claim.objects.prefetch_related("appearances", "topics"):
        assert sum(appearance.is_first for appearance in claim.appearances.all()) == 1
        assert 1 <= len(claim.topics.all()) <= 3
    assert Claim.objects.exclude(pk__in=Claim.objects.published()).exists()


def test_generated_text_depends_only_on_the_seed():
    def draw(seed):
        rng = random.Random(seed)
        return [text.claim_statement(rng) for _ in range(5)], text.article(rng), text.article_file(rng, 1)

    assert draw(7) == draw(7)
    assert draw(7) != draw(8)
    assert all(len(statement) <= 75 for statement in draw(7)[0])


@override_settings(MIDDLEWARE=["bench.middleware.QueryCountMiddleware", *settings.MIDDLEWARE])
@pytest.mark.urls("tests.bench.urls")
def test_n_plus_one_control_runs_more_queries_than_the_prefetched_view(archive):
    client = Client()
    prefetched = client.get("/__bench__/claims-prefetched/")
    naive = client.get("/__bench__/claims-n-plus-one/")
    assert prefetched.status_code == naive.status_code == 200
    assert prefetched.json() == naive.json()
    assert int(prefetched["X-Bench-Queries"]) == 2
    assert int(naive["X-Bench-Queries"]) > 2 * len(naive.json())


@pytest.mark.urls("tests.bench.urls")
def test_baseline_views_answer(db):
    client = Client()
    assert client.get("/__bench__/django/").content == b"ok"
    assert client.get("/__bench__/drf/").json() == {"status": "ok"}
    assert client.get("/__bench__/one-query/").json() == {"newest": None}
    layout = client.get("/__bench__/layout/")
    assert layout.status_code == 200
    assert b'<main id="main"' in layout.content and b'class="site-footer"' in layout.content


def test_baselines_are_not_routed_by_default(client):
    assert client.get("/__bench__/django/").status_code == 404


@pytest.mark.skipif(not shutil.which("wrk"), reason="wrk is not installed")
def test_wrk_measures_the_minimal_view_under_gunicorn(db):
    server = run.Server("smoke", 8190 + os.getpid() % 100, {"DATABASE_URL": os.environ["DATABASE_URL"], "GUNICORN_WORKERS": "1"})
    with tempfile.TemporaryDirectory() as workdir:
        generate.RESULTS.mkdir(exist_ok=True)
        run.start(server)
        try:
            run.wait_ready(server, timeout=20)
            target = run.Target("minimal-django", "Minimale Django-View", ["/__bench__/django/"])
            run.probe(server, target)
            run.count_queries(server, target)
            result = run.wrk(server, target, duration=1, connections=2, threads=1, workdir=Path(workdir))
        finally:
            run.stop(server)
    assert not target.skipped
    assert target.queries == 0
    assert result["requests"] > 0 and result["errors"] == 0
    assert 0 < result["p50_us"] <= result["p99_us"]


def test_report_flags_goals_with_measured_values():
    endpoints = {
        "1k": {
            "minimal-django": {"rps": 1000, "ratio": 1.0, "queries": 0},
            "claim-detail": {"rps": 400, "ratio": 0.4, "queries": 6},
            "control-n-plus-one": {"rps": 10, "ratio": 0.01, "queries": 300},
            "claims-prefetched": {"rps": 200, "ratio": 0.2, "queries": 2},
        },
        "100k": {
            "minimal-django": {"rps": 1000, "ratio": 1.0, "queries": 0},
            "claim-detail": {"rps": 300, "ratio": 0.3, "queries": 7},
        },
    }
    checks = {check["goal"]: check for check in run.goals({"endpoints": endpoints, "search": {}}, ["1k", "100k"])}
    assert checks["[1k] Faktencheck ungecacht >= 0,30 × minimale Django-View"]["met"] is True
    assert checks["[1k] Kontrolle N+1 deutlich langsamer (< 0,7 × Prefetch)"]["value"] == 0.05
    assert checks["Skalierung claim-detail: 100k >= 0,9 × 1k (req/s)"]["met"] is False
    assert checks["Abfragen konstant claim-detail: 1k=6, 100k=7"]["met"] is False
    assert checks["[100k] search p95 <= 50 ms"]["met"] is None


def test_scaling_is_the_median_of_the_rounds_quotients():
    def row(*rps):
        return {"rps": sorted(rps)[len(rps) // 2], "runs": [{"round": number, "rps": value} for number, value in enumerate(rps)]}

    # Round 1 caught the machine slow while the large size ran: the quotient of the medians
    # (560 / 1000) says 0.56, the rounds say 0.94, 0.56 and 0.93.
    value, note = run.scaling(row(1000, 1000, 600), row(940, 560, 560))
    assert value == 0.933
    assert note == "je Runde 0.94 / 0.56 / 0.93; Quotient der Mediane 0.56"
    assert run.scaling(row(1000, 1000, 1000), row(800, 850, 820))[0] == 0.82
    # Without rounds (or without a measurement) the medians are all there is.
    assert run.scaling({"rps": 1000}, {"rps": 950}) == (0.95, None)
    assert run.scaling({}, {"rps": 950}) == (None, None)


def test_every_size_leads_a_round_in_turn():
    orders = [run.size_order(["1k", "10k", "100k"], number) for number in range(4)]
    assert orders == [["1k", "10k", "100k"], ["10k", "100k", "1k"], ["100k", "1k", "10k"], ["1k", "10k", "100k"]]


def test_command_line_modules_import_without_django_setup():
    completed = subprocess.run([sys.executable, "-c", "import bench.run, bench.generate"], capture_output=True, text=True)
    assert completed.returncode == 0, completed.stderr
    assert baselines.urlpatterns
