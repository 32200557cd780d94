"""The API's JSON queries and the claim page's lookups are prepared once per connection, unless switched off for a pooler."""

import re

import pytest
from django.db import connection

from config.prepared import PreparingCursor
from tests.factories import AppearanceFactory

pytestmark = pytest.mark.django_db


def prepared_statements() -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        return [row[0] for row in cursor.fetchall()]


def test_the_api_detail_query_is_prepared_and_reused(client):
    appearance = AppearanceFactory()
    url = f"/api/v1/claims/{appearance.claim.slug}/"
    first = client.get(url)
    assert first.status_code == 200
    statements = [statement for statement in prepared_statements() if "row_to_json" in statement]
    assert len(statements) == 1
    second = client.get(url)
    assert second.content == first.content
    assert [statement for statement in prepared_statements() if "row_to_json" in statement] == statements


def test_without_prepared_statements_the_answer_is_the_same(client, settings, monkeypatch):
    appearance = AppearanceFactory()
    url = f"/api/v1/claims/{appearance.claim.slug}/"
    prepared = client.get(url).content
    settings.DATABASE_PREPARED_STATEMENTS = False

    def refuse(*args, **kwargs):
        raise AssertionError("prepared although switched off")

    monkeypatch.setattr(PreparingCursor, "execute", refuse)
    assert client.get(url).content == prepared
    assert client.get("/api/v1/claims/").status_code == 200


def test_list_pages_are_prepared_too(client):
    AppearanceFactory.create_batch(3)
    assert client.get("/api/v1/claims/?page_size=2").status_code == 200
    assert any("unnest" in statement for statement in prepared_statements())


def test_the_claim_page_prepares_its_lookups_by_key_and_nothing_else(client):
    claim = AppearanceFactory().claim
    assert client.get(claim.get_absolute_url()).status_code == 200
    statements = prepared_statements()
    assert any(re.search(r'"claims_claim"\."slug" = \$\d', statement) for statement in statements)
    assert any('FROM "claims_appearance"' in statement for statement in statements)
    # The block ends with the lookups: what runs afterwards (searches above all) is not prepared.
    assert connection.connection.cursor_factory is not PreparingCursor
    assert client.get("/suche/", {"q": claim.text.split()[0]}).status_code == 200
    assert not any("ts_rank" in statement or "@@" in statement for statement in prepared_statements())


def test_the_claim_page_is_the_same_without_prepared_statements(client, settings):
    claim = AppearanceFactory().claim
    without_nonce = re.compile(rb' nonce="[^"]*"')
    prepared = without_nonce.sub(b"", client.get(claim.get_absolute_url()).content)
    settings.DATABASE_PREPARED_STATEMENTS = False
    with connection.cursor() as cursor:
        cursor.execute("DEALLOCATE ALL")
    assert without_nonce.sub(b"", client.get(claim.get_absolute_url()).content) == prepared
    assert prepared_statements() == []


def plans_of(fragment: str) -> tuple[int, int]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT generic_plans, custom_plans FROM pg_prepared_statements WHERE statement LIKE %s", [f"%{fragment}%"])
        return cursor.fetchone()


def test_prepared_statements_run_by_their_generic_plan(client):
    # Left to choose, PostgreSQL plans the list page afresh on every run on a small archive.
    AppearanceFactory.create_batch(3)
    for _ in range(8):
        assert client.get("/api/v1/claims/?page_size=2").status_code == 200
    generic, custom = plans_of("page.positions")
    assert (generic, custom) == (8, 0)


def test_without_prepared_statements_plans_are_left_alone(settings, django_db_blocker):
    from django.db import connections

    settings.DATABASE_PREPARED_STATEMENTS = False
    with django_db_blocker.unblock():
        fresh = connections.create_connection("default")
        try:
            with fresh.cursor() as cursor:
                cursor.execute("SHOW plan_cache_mode")
                assert cursor.fetchone() == ("auto",)
        finally:
            fresh.close()
    with connection.cursor() as cursor:
        cursor.execute("SHOW plan_cache_mode")
        assert cursor.fetchone() == ("force_generic_plan",)


def test_a_compiled_query_returns_what_its_queryset_returns(django_assert_num_queries):
    from claims.models import Appearance
    from config.prepared import CompiledQuery

    appearance = AppearanceFactory()
    AppearanceFactory()
    query = CompiledQuery(lambda claim: Appearance.objects.select_related("source__outlet").filter(claim=claim), claim=-1)
    expected = list(Appearance.objects.select_related("source__outlet").filter(claim=appearance.claim_id))
    with django_assert_num_queries(1):
        [found] = query.fetch("default", claim=appearance.claim_id)
        assert found.source.outlet.name == expected[0].source.outlet.name
    assert [found] == expected
    assert found._state.db == "default" and not found._state.adding
    assert query.fetch("default", claim=0) == []
