import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from claims.models import PartnerKey
from tests.factories import ClaimFactory

pytestmark = pytest.mark.django_db


def keyed(key: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Api-Key {key}")
    return client


def test_partner_key_is_stored_hashed_and_records_last_use(partner_key):
    record, key = partner_key
    stored = PartnerKey.objects.get(pk=record.pk)
    assert key.split(".")[1] not in stored.hashed_key and key not in stored.pk
    assert stored.last_used_at is None
    assert keyed(key).get("/api/v1/claims/").status_code == 200
    stored.refresh_from_db()
    assert stored.last_used_at is not None and timezone.now() - stored.last_used_at < timezone.timedelta(seconds=10)


def test_last_use_is_written_at_most_once_a_minute(partner_key):
    client = keyed(partner_key[1])
    client.get("/api/v1/ratings/")
    with CaptureQueriesContext(connection) as queries:
        client.get("/api/v1/ratings/")
    assert not any(query["sql"].startswith("UPDATE") for query in queries.captured_queries)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"revoked": True}, "gesperrt"),
        ({"expiry_date": timezone.now() - timezone.timedelta(days=1)}, "abgelaufen"),
    ],
)
def test_revoked_or_expired_key_is_refused_with_401(partner_key, change, message):
    record, key = partner_key
    for name, value in change.items():
        setattr(record, name, value)
    record.save()
    response = keyed(key).get("/api/v1/claims/")
    assert response.status_code == 401
    assert message in response.json()["detail"]
    assert response["WWW-Authenticate"] == "Api-Key"


def test_wrong_key_is_refused_not_treated_as_anonymous(partner_key):
    prefix = partner_key[0].prefix
    response = keyed(f"{prefix}.falsch").get("/api/v1/claims/")
    assert response.status_code == 401
    assert keyed("gibtesnicht").get("/api/v1/claims/").status_code == 401


@pytest.mark.parametrize("key", ["\x00", "\x00.geheim", "abc.\x00", "abc\x00def"])
def test_a_key_with_a_nul_character_is_refused_with_401(partner_key, key):
    response = keyed(key).get("/api/v1/claims/")
    assert response.status_code == 401
    assert "API-Schlüssel" in response.json()["detail"]


def test_anonymous_rate_is_lower_than_partner_rate(partner_key, settings):
    from rest_framework.throttling import SimpleRateThrottle

    rates = SimpleRateThrottle.THROTTLE_RATES
    anonymous_limit = int(rates["anon"].split("/")[0])
    assert int(rates["partner"].split("/")[0]) > anonymous_limit
    anonymous, partner = APIClient(), keyed(partner_key[1])
    for _ in range(anonymous_limit):
        assert anonymous.get("/api/v1/ratings/").status_code == 200
    throttled = anonymous.get("/api/v1/ratings/")
    assert throttled.status_code == 429
    assert "Retry-After" in throttled and throttled.json()["detail"]
    # The partner's allowance is its own, not shared with anonymous callers from the same address.
    assert partner.get("/api/v1/ratings/").status_code == 200


def test_anonymous_rate_cannot_be_dodged_with_a_made_up_forwarded_for_address():
    """Behind the TLS proxy the address it appends counts; what a client writes into X-Forwarded-For itself does not."""
    from rest_framework.throttling import SimpleRateThrottle

    anonymous_limit = int(SimpleRateThrottle.THROTTLE_RATES["anon"].split("/")[0])
    client = APIClient()
    answers = [
        client.get("/api/v1/ratings/", HTTP_X_FORWARDED_FOR=f"10.9.{n // 250}.{n % 250}, 203.0.113.7").status_code
        for n in range(anonymous_limit + 1)
    ]
    assert answers[-1] == 429
    # Another reader behind the same proxy has a rate of its own.
    assert client.get("/api/v1/ratings/", HTTP_X_FORWARDED_FOR="203.0.113.8").status_code == 200


def test_partner_keys_are_throttled_per_key(monkeypatch):
    from rest_framework.throttling import SimpleRateThrottle

    monkeypatch.setitem(SimpleRateThrottle.THROTTLE_RATES, "partner", "2/minute")
    first, second = keyed(PartnerKey.objects.create_key(name="A")[1]), keyed(PartnerKey.objects.create_key(name="B")[1])
    assert [first.get("/api/v1/ratings/").status_code for _ in range(3)] == [200, 200, 429]
    assert second.get("/api/v1/ratings/").status_code == 200


def test_admin_issues_key_once_and_stores_only_the_hash(admin_client):
    response = admin_client.post("/admin/claims/partnerkey/add/", {"name": "Correctiv", "contact": "api@example.org"}, follow=True)
    assert response.status_code == 200
    text = response.content.decode()
    record = PartnerKey.objects.get(name="Correctiv")
    assert "Der API-Schlüssel für „Correctiv“ lautet:" in text
    key = text.split("lautet: ")[1].split(" ")[0]
    assert key.startswith(record.prefix + ".")
    assert PartnerKey.objects.is_valid(key)
    assert key not in record.hashed_key
    assert keyed(key).get("/api/v1/claims/").status_code == 200


def test_similar_returns_published_claims_with_scores(api):
    original = ClaimFactory(text="Russland nennt ausländische Truppen legitime Ziele")
    ClaimFactory(text="Ausländische Truppen seien legitime Ziele, sagt Moskau", status="draft")
    response = api.post("/api/v1/claims/similar/", {"text": "Ausländische Truppen wären für Russland legitime Ziele"}, format="json")
    assert response.status_code == 200, response.content
    matches = response.json()
    assert [m["claim"]["slug"] for m in matches] == [original.slug]
    assert matches[0]["score"] > 0


def test_similar_describes_its_own_request_fields_to_options(api):
    response = api.options("/api/v1/claims/similar/")
    assert response.status_code == 200
    assert set(response.json()["actions"]["POST"]) == {"text", "limit"}


def test_similar_without_text_is_a_400(api):
    response = api.post("/api/v1/claims/similar/", {"text": ""}, format="json")
    assert response.status_code == 400
    assert "text" in response.json()["errors"]


def test_export_streams_json_lines_in_detail_shape(api):
    import json

    claims = [ClaimFactory() for _ in range(3)]
    response = api.get("/api/v1/claims/export/")
    assert response.status_code == 200 and response.streaming
    assert response["Content-Type"] == "application/x-ndjson"
    lines = b"".join(response.streaming_content).decode().splitlines()
    rows = [json.loads(line) for line in lines]
    assert [row["slug"] for row in rows] == [claim.slug for claim in sorted(claims, key=lambda c: c.pk)]
    assert {"appearances", "corrections", "context_html", "url"} <= set(rows[0])


@pytest.mark.parametrize("query", ["rating=gibtesnicht", "language=xx", "q=%00", "ordering=titel", "published_since=gestern"])
@pytest.mark.parametrize(("suffix", "headers"), [("&format=jsonl", {}), ("", {"HTTP_ACCEPT": "application/x-ndjson"})])
def test_export_asked_for_as_json_lines_answers_a_bad_filter_with_a_400(api, query, suffix, headers):
    import json

    ClaimFactory()
    response = api.get(f"/api/v1/claims/export/?{query}{suffix}", **headers)
    assert response.status_code == 400
    error = json.loads(response.content)
    assert error["detail"] and error["errors"]


@pytest.mark.parametrize("header", ["Bearer {key}", "Token {key}", "Api-Key", "Api-Key ", "{key}", "api-key{key}"])
def test_a_key_sent_the_wrong_way_is_a_401_that_names_the_scheme(partner_key, header):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=header.format(key=partner_key[1]))
    response = client.get("/api/v1/claims/")
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Api-Key"
    assert "Api-Key" in response.json()["detail"] or "API-Schlüssel" in response.json()["detail"]
    # A key sent without a scheme is not echoed back.
    assert partner_key[1][:8] not in response.json()["detail"]


@pytest.mark.parametrize(
    "header", ["api-key {key}", "Basic c3RhZ2luZzpzdGFnaW5n", "Negotiate YIIabc", "NTLM TlRMTVNT", 'Digest username="x"']
)
def test_the_scheme_name_is_not_case_sensitive_and_proxy_logins_pass(partner_key, header):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=header.format(key=partner_key[1]))
    assert client.get("/api/v1/claims/").status_code == 200
