import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.django_db
def test_healthz_reports_reachable_database(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}
    assert "no-cache" in response["Cache-Control"]


def test_healthz_returns_503_when_database_is_unreachable(tmp_path):
    script = (
        "import django; django.setup(); from django.test import Client;"
        "r = Client().get('/healthz'); print(r.status_code); print(r.content.decode())"
    )
    env = dict(os.environ, DATABASE_URL=f"postgres://postgres@{str(tmp_path).replace('/', '%2F')}/nowhere")
    result = subprocess.run([sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    status, body = result.stdout.strip().splitlines()[:2]
    assert status == "503", result.stderr
    assert json.loads(body)["database"] == "unreachable"


@pytest.mark.django_db
def test_healthz_answers_probes_by_ip_over_plain_http(client, settings):
    settings.ALLOWED_HOSTS = ["faktencheck.example.org"]
    settings.SECURE_SSL_REDIRECT = True
    response = client.get("/healthz", HTTP_HOST="10.0.0.7:8000")
    assert response.status_code == 200
    assert response.json()["status"] == "ok"
    assert client.get("/", HTTP_HOST="10.0.0.7:8000").status_code == 400
