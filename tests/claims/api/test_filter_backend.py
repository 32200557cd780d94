"""The API's filter backend: django-filter only runs when the request names a filter."""

import django_filters
import pytest
from rest_framework.request import Request
from rest_framework.test import APIRequestFactory

from claims.filters import ClaimFilter
from claims.models import Claim
from config.api_filters import FilterBackend
from tests.factories import ClaimFactory

pytestmark = pytest.mark.django_db


class View:
    filterset_class = ClaimFilter


def filtered(query: dict, filterset_class=ClaimFilter):
    request = APIRequestFactory().get("/api/v1/claims/", query)
    view = View()
    view.filterset_class = filterset_class
    return FilterBackend().filter_queryset(Request(request), Claim.objects.published(), view)


def test_a_request_without_filters_does_not_build_the_filterset(monkeypatch):
    ClaimFactory.create_batch(2)

    def refuse(*args, **kwargs):
        raise AssertionError("FilterSet built")

    monkeypatch.setattr(ClaimFilter, "__init__", refuse)
    assert filtered({"page_size": "1", "cursor": "x", "ordering": "updated_at"}).count() == 2


def test_a_named_filter_filters(client):
    ClaimFactory(language="de")
    ClaimFactory(language="en")
    assert [claim.language for claim in filtered({"language": "en"})] == ["en"]
    response = client.get("/api/v1/claims/", {"published_since": "kein Datum"})
    assert response.status_code == 400
    assert "published_since" in response.json()["errors"]


def test_inputs_with_a_suffix_count_as_the_filter():
    class RangeFilter(django_filters.FilterSet):
        version = django_filters.RangeFilter()

        class Meta:
            model = Claim
            fields = []

    ClaimFactory(version=1)
    ClaimFactory(version=5)
    assert [claim.version for claim in filtered({"version_min": "3"}, RangeFilter)] == [5]
