import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SNIPPET = (
    "import django; django.setup(); from django.conf import settings; print(settings.DEBUG, settings.TIME_ZONE, settings.LANGUAGE_CODE)"
)


def run_settings(**env):
    clean = {key: value for key, value in os.environ.items() if not key.startswith(("DJANGO_", "DATABASE_"))}
    clean.update(env, DJANGO_SETTINGS_MODULE="config.settings")
    return subprocess.run([sys.executable, "-c", SNIPPET], cwd=ROOT, env=clean, capture_output=True, text=True, timeout=60)


def test_missing_secret_key_outside_debug_is_a_configuration_error():
    result = run_settings(DATABASE_URL="postgres://u@localhost/db")
    assert result.returncode != 0
    assert "ImproperlyConfigured: Set the environment variable DJANGO_SECRET_KEY" in result.stderr


def test_missing_database_url_is_a_configuration_error():
    result = run_settings(DJANGO_SECRET_KEY="x" * 50)
    assert result.returncode != 0
    assert "ImproperlyConfigured: Set the environment variable DATABASE_URL" in result.stderr


def test_debug_defaults_to_false_and_german_berlin():
    result = run_settings(DJANGO_SECRET_KEY="x" * 50, DATABASE_URL="postgres://u@localhost/db")
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["False", "Europe/Berlin", "de"]


def test_debug_mode_may_run_without_secret():
    result = run_settings(DJANGO_DEBUG="true", DATABASE_URL="postgres://u@localhost/db")
    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[0] == "True"


@pytest.mark.django_db
def test_database_connections_are_persistent_with_health_checks(settings):
    assert settings.DATABASES["default"]["CONN_MAX_AGE"] > 0
    assert settings.DATABASES["default"]["CONN_HEALTH_CHECKS"] is True
    assert settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"
