"""Reference views for the benchmark, mounted under /__bench__/ only when BENCH_BASELINES is true.

They run through the same middleware stack as the real pages, so their throughput is the
ceiling a real page is measured against:

* `minimal_django`: an HttpResponse, no template, no query;
* `minimal_drf`: a DRF APIView returning a small dict (renderer, content negotiation);
* `one_query`: one indexed query on the published claims;
* `site_layout`: the public pages' layout (`base.html`, with the context processors) around
  an empty page, no query: what every server-rendered page costs before its own content;
* `claims_prefetched` / `claims_n_plus_one`: the same nested serializer over 50 published
  claims with their appearances, once with select/prefetch and once without. The second is
  the negative control: the harness must see it clearly slower.
"""

from django.db.models import Prefetch
from django.http import HttpResponse, JsonResponse
from django.template import engines
from django.urls import path
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from claims.models import Appearance, Claim


def minimal_django(request):
    return HttpResponse(b"ok", content_type="text/plain")


class MinimalDRFView(APIView):
    authentication_classes = []
    permission_classes = [AllowAny]

    def get(self, request):
        return Response({"status": "ok"})


def one_query(request):
    newest = Claim.objects.published().order_by("-published_at", "-id").values_list("slug", flat=True).first()
    return JsonResponse({"newest": newest})


EMPTY_PAGE = engines["django"].from_string('{% extends "base.html" %}')


def site_layout(request):
    return HttpResponse(EMPTY_PAGE.render({}, request))


class AppearanceSerializer(serializers.ModelSerializer):
    source = serializers.CharField(source="source.title")
    outlet = serializers.CharField(source="source.outlet.name", default="")

    class Meta:
        model = Appearance
        fields = ["quote", "start", "end", "is_first", "source", "outlet"]


class ClaimSerializer(serializers.ModelSerializer):
    claimant = serializers.CharField(source="claimant.name", default="")
    rating = serializers.CharField(source="rating.label")
    appearances = AppearanceSerializer(many=True)

    class Meta:
        model = Claim
        fields = ["slug", "text", "claimant", "rating", "conclusion", "published_at", "appearances"]


class ClaimsPrefetchedView(APIView):
    authentication_classes = []
    permission_classes = [AllowAny]

    def get_queryset(self):
        appearances = Appearance.objects.select_related("source__outlet")
        return (
            Claim.objects.published()
            .select_related("claimant", "rating")
            .prefetch_related(Prefetch("appearances", queryset=appearances))
            .order_by("-published_at", "-id")
        )

    def get(self, request):
        return Response(ClaimSerializer(self.get_queryset()[:50], many=True).data)


class ClaimsNPlusOneView(ClaimsPrefetchedView):
    """Negative control: no select_related/prefetch, so every claim costs several queries."""

    def get_queryset(self):
        return Claim.objects.published().order_by("-published_at", "-id")


urlpatterns = [
    path("django/", minimal_django, name="bench-minimal-django"),
    path("drf/", MinimalDRFView.as_view(), name="bench-minimal-drf"),
    path("one-query/", one_query, name="bench-one-query"),
    path("layout/", site_layout, name="bench-site-layout"),
    path("claims-prefetched/", ClaimsPrefetchedView.as_view(), name="bench-claims-prefetched"),
    path("claims-n-plus-one/", ClaimsNPlusOneView.as_view(), name="bench-claims-n-plus-one"),
]
