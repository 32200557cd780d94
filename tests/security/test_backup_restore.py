"""`make backup` / `make restore`: a dump restored into a fresh database holds the same data."""

import hashlib
import os
import subprocess
from pathlib import Path

import psycopg
import pytest
from django.db import connection
from psycopg import sql

from claims import services
from claims.choices import ClaimStatus
from claims.models import Claim
from sources.models import Source
from tests import factories

ROOT = Path(__file__).resolve().parents[2]


def _url(settings_dict: dict, name: str) -> str:
    return psycopg.conninfo.make_conninfo(
        dbname=name, host=settings_dict["HOST"], port=settings_dict["PORT"] or None, user=settings_dict["USER"] or None
    )


def _fingerprint(conninfo: str) -> dict[str, tuple[int, str]]:
    """Row count and a hash over every row's text of every table in the public schema."""
    result = {}
    with psycopg.connect(conninfo) as conn:
        tables = [row[0] for row in conn.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename")]
        for table in tables:
            query = sql.SQL("SELECT count(*), coalesce(md5(string_agg(t::text, '|' ORDER BY t::text)), '') FROM {} t").format(
                sql.Identifier(table)
            )
            result[table] = conn.execute(query).fetchone()
    return result


def _claims_digest(conninfo: str) -> str:
    with psycopg.connect(conninfo) as conn:
        rows = conn.execute(
            "SELECT id, slug, text, status, conclusion, context, rating_id, published_at, version FROM claims_claim ORDER BY id"
        ).fetchall()
    return hashlib.sha256(repr(rows).encode()).hexdigest()


def _source_hashes(conninfo: str) -> list[str]:
    with psycopg.connect(conninfo) as conn:
        rows = conn.execute(
            "SELECT content_hash, encode(sha256(convert_to(body, 'UTF8')), 'hex') FROM sources_source ORDER BY id"
        ).fetchall()
    assert all(stored == computed for stored, computed in rows)
    return [stored for stored, _ in rows]


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_backup_restored_into_fresh_database_has_identical_rows_and_hashes(tmp_path, publisher):
    published = factories.AppearanceFactory().claim
    factories.ClaimFactory(status=ClaimStatus.DRAFT, published_at=None, text="Entwurf mit Umlauten äöüß „Zitat“")
    services.withdraw(claim=factories.ClaimFactory(), user=publisher, note="Quelle nicht belastbar.")
    assert Claim.objects.count() >= 3 and Source.objects.exists()

    settings_dict = connection.settings_dict
    source_db = _url(settings_dict, settings_dict["NAME"])
    fresh_name = f"restore_check_{os.getpid()}"
    admin_db = _url(settings_dict, "postgres")
    dump = tmp_path / "faktencheck.dump"
    env = dict(os.environ)
    with psycopg.connect(admin_db, autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(fresh_name)))
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(fresh_name)))
    try:
        env["DATABASE_URL"] = source_db
        subprocess.run(["make", "--no-print-directory", "backup", f"BACKUP={dump}"], cwd=ROOT, env=env, check=True, capture_output=True)
        assert dump.stat().st_size > 0
        env["DATABASE_URL"] = _url(settings_dict, fresh_name)
        subprocess.run(["make", "--no-print-directory", "restore", f"BACKUP={dump}"], cwd=ROOT, env=env, check=True, capture_output=True)

        original, restored = _fingerprint(source_db), _fingerprint(env["DATABASE_URL"])
        assert original == restored
        assert original["claims_claim"][0] == Claim.objects.count()
        assert _claims_digest(source_db) == _claims_digest(env["DATABASE_URL"])
        assert _source_hashes(env["DATABASE_URL"]) == list(Source.objects.order_by("id").values_list("content_hash", flat=True))
        with psycopg.connect(env["DATABASE_URL"]) as conn:
            assert conn.execute("SELECT status FROM claims_claim WHERE slug = %s", [published.slug]).fetchone() == ("published",)
        print(f"\nBackup/restore: {len(original)} tables, {sum(count for count, _ in original.values())} rows identical")
    finally:
        with psycopg.connect(admin_db, autocommit=True) as conn:
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(fresh_name)))


def test_restore_without_file_is_refused():
    result = subprocess.run(["make", "--no-print-directory", "restore"], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode != 0
    assert "usage: make restore BACKUP=" in result.stdout + result.stderr
