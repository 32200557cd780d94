"""The OpenAPI document is served and documented, and the API keeps to it under generated requests."""

from contextlib import contextmanager

import pytest
import schemathesis
from django.core.cache import cache
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import content_type_conformance, response_schema_conformance, status_code_conformance

from config.wsgi import application
from tests.factories import AppearanceFactory, CorrectionFactory

pytestmark = pytest.mark.django_db

# Bounded for CI: a few examples per operation and role keep the run well under a minute.
MAX_EXAMPLES = 8
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


def test_schema_is_openapi_3_and_documents_every_endpoint_bilingually(api):
    response = api.get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    schema = response.json()
    assert schema["openapi"].startswith("3.")
    paths = schema["paths"]
    for path in [
        "/api/v1/claims/",
        "/api/v1/claims/{slug}/",
        "/api/v1/claims/{slug}/claimreview/",
        "/api/v1/claims/claimreview/",
        "/api/v1/claims/similar/",
        "/api/v1/claims/export/",
        "/api/v1/claims/{slug}/submit/",
        "/api/v1/claimants/",
        "/api/v1/ratings/",
        "/api/v1/corrections/",
        "/api/v1/sources/",
    ]:
        assert path in paths, path
    list_parameters = {p["name"] for p in paths["/api/v1/claims/"]["get"]["parameters"]}
    assert {"rating", "claimant", "topic", "language", "published_since", "updated_since", "q", "cursor", "ordering"} <= list_parameters
    detail = paths["/api/v1/claims/{slug}/"]["get"]
    assert {"200", "404", "429"} <= set(detail["responses"])
    assert "/" in detail["summary"]  # German / English
    assert "partnerKey" in schema["components"]["securitySchemes"]


def test_schema_documents_the_filters_and_pages_of_the_export_and_the_claimreview_list(api):
    """Both apply the list's filters (and the ClaimReview list pages like it): partners read them in the schema."""
    paths = api.get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()["paths"]
    filters = {"rating", "claimant", "topic", "language", "published_since", "updated_since", "q", "ordering"}
    export = {p["name"] for p in paths["/api/v1/claims/export/"]["get"]["parameters"]}
    assert filters <= export, filters - export
    reviews = {p["name"] for p in paths["/api/v1/claims/claimreview/"]["get"]["parameters"]}
    assert filters | {"cursor", "page_size"} <= reviews, (filters | {"cursor", "page_size"}) - reviews


@pytest.mark.parametrize(("method", "query"), [("post", ""), ("get", "?format=csv")])
def test_errors_of_the_schema_endpoint_are_json_like_every_api_error(api, method, query):
    response = getattr(api, method)(f"/api/v1/schema/{query}")
    assert response.status_code in (405, 406)
    assert response["Content-Type"] == "application/json"
    assert response.json()["detail"]


def test_interactive_docs_are_served_without_a_cdn(api):
    page = api.get("/api/v1/docs/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/" in html
    assert "cdn" not in html.lower()
    assert api.get("/api/v1/docs/?script=").status_code == 200


@contextmanager
def connection_kept_open():
    """Keep the test transaction's connection across WSGI calls, as Django's test client does."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def _fuzz(operations, headers=None, cookies=None):
    """Run every operation with generated data; return the number of requests sent."""
    sent = 0
    for result in operations:
        operation = result.ok()

        @settings(max_examples=MAX_EXAMPLES, deadline=None, database=None, suppress_health_check=list(HealthCheck))
        @given(case=operation.as_strategy())
        def run(case):
            nonlocal sent
            cache.clear()  # rate limits are tested elsewhere; here every request should reach the view
            case.call_and_validate(checks=CHECKS, headers=headers, cookies=cookies)
            sent += 1

        run()
    return sent


@pytest.mark.slow
def test_generated_requests_cause_no_server_error_and_match_the_schema(partner_key, publisher, client):
    AppearanceFactory()
    CorrectionFactory()
    client.force_login(publisher)
    client.get("/admin/")
    session = {"sessionid": client.cookies["sessionid"].value, "csrftoken": client.cookies["csrftoken"].value}
    with connection_kept_open():
        schema = schemathesis.openapi.from_wsgi("/api/v1/schema/?format=json", application)
        anonymous = _fuzz(schema.get_all_operations())
        keyed = _fuzz(schema.get_all_operations(), headers={"Authorization": f"Api-Key {partner_key[1]}"})
        writes = schema.include(method=["POST", "PATCH"]).get_all_operations()
        staff = _fuzz(writes, headers={"X-CSRFToken": session["csrftoken"]}, cookies=session)
    total = anonymous + keyed + staff
    print(f"\nschemathesis: {total} generated requests ({anonymous} anonymous, {keyed} partner key, {staff} staff writes)")
    assert total >= 100


def test_the_schema_generates_without_warnings_and_validates(tmp_path):
    # A warning means part of the API is undocumented (e.g. an authentication class the generator cannot describe).
    from django.core.management import call_command

    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "schema.yml"))
    schema = (tmp_path / "schema.yml").read_text()
    assert "cookieAuth" in schema and "partnerKey" in schema
