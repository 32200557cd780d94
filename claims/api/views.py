"""Partner API for claims: reads start from `Claim.objects.published()`, writes go through `claims.services`."""

import functools
from datetime import UTC, datetime

import orjson
from django.core.exceptions import PermissionDenied
from django.db import router, transaction
from django.db.models import Prefetch, TextField
from django.db.models.functions import Cast
from django.http import Http404, StreamingHttpResponse
from django.utils import timezone
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view, inline_serializer
from rest_framework import exceptions, mixins, permissions, renderers, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from config.api import ConditionalGetMixin, OrderingFilter, StableCursorPagination
from config.api_filters import FilterBackend
from config.prepared import compiled_with_slots, filled

from .. import services
from ..cache import CachedReadMixin, surrogate_key_of
from ..choices import ClaimStatus
from ..filters import ClaimFilter, CorrectionFilter
from ..models import Claim, Claimant, Correction, Rating
from ..querysets import sees_only_published
from ..schema_org import SCHEMA_CONTEXT, appearances_with_sources, claim_review, with_claim_review_data
from ..search import similar_claims
from . import serializers as s
from .access import IsStaffOrReadOnly
from .docs import ERRORS, READ_ERRORS, WRITE_ERRORS
from .lean import claim_detail, export_lines, list_json, list_page, published_claim_detail


class EditConflictError(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = _("Der Faktencheck wurde inzwischen geändert.")
    default_code = "conflict"


class JSONLinesRenderer(renderers.BaseRenderer):
    """Declares the export's media type; the export streams its own body."""

    media_type = "application/x-ndjson"
    format = "jsonl"
    charset = None

    def render(self, data, accepted_media_type=None, renderer_context=None):
        # Only errors are rendered here (a 400 names the filter): their messages are lazy translations.
        return orjson.dumps(data, default=str) + b"\n"


class JSONLDRenderer(renderers.JSONRenderer):
    """schema.org data as `application/ld+json` for clients that ask for it."""

    media_type = "application/ld+json"
    format = "jsonld"


ClaimReviewPage = inline_serializer(
    name="ClaimReviewPage",
    fields={
        "next": serializers.URLField(allow_null=True),
        "previous": serializers.URLField(allow_null=True),
        "results": serializers.ListField(child=serializers.DictField(), help_text=_("ClaimReview-Objekte / ClaimReview objects")),
    },
)

ClaimReviewGraph = inline_serializer(
    name="ClaimReviewGraph",
    fields={
        "@context": serializers.CharField(),
        "@graph": serializers.ListField(child=serializers.DictField(), help_text=_("ClaimReview-Objekte / ClaimReview objects")),
    },
)


class PublishedPagination(StableCursorPagination):
    """Pages of published claims, newest first.

    The list's pages without filters (what partners sync) run SQL compiled once per ordering,
    direction and page size from the same queryset (`list_page_values`), with the moment and
    the cursor's position filled in. Building and compiling that queryset took longer than
    PostgreSQL took to run it. The same statement writes the page's items (`list_page`).
    """

    ordering = ("-published_at", "-id")
    # Set by the view for a list page that no filter narrows.
    unfiltered_list = False
    # The page's items as a JSON array, when the page query wrote them.
    items_json = None

    def fetch_page(self, queryset, ordering, position, *, descending, offset):
        if not self.unfiltered_list or offset or (position is not None and "|" not in position):
            return super().fetch_page(queryset, ordering, position, descending=descending, offset=offset)
        # The queryset itself is not built here (see ClaimViewSet.list): only where it would read.
        using = router.db_for_read(Claim)
        sql, params, names = _compiled_page(type(self), using, ordering, position is not None, descending, self.page_size)
        values = {"at": timezone.now()}
        if position is not None:
            value, _, pk = position.rpartition("|")
            # Parsed as the ORM parses it in the general path (a bad cursor is a ValidationError there too).
            values["value"], values["pk"] = Claim._meta.get_field(ordering[0].lstrip("-")).get_prep_value(value), int(pk)
        # The same statement writes the page's items; a page towards `previous` runs in the
        # opposite order, and is shown turned around.
        ids, positions, self.items_json = list_page(
            sql, filled(params, names, values), size=self.page_size, backwards=ordering != self.ordering, using=using
        )
        return [{"id": pk, "position": text} for pk, text in zip(ids, positions, strict=True)]


def list_page_values(queryset, ordered_by: str):
    """What a list page reads of each claim: the id, and the value it is ordered by as text
    (`position`): a timestamp read would be parsed, and the cursor turns it back into text."""
    return queryset.values("id", position=Cast(ordered_by, TextField()))


# Placeholders for the compiled page query: parameter values no real query uses.
_AT, _VALUE, _PK = datetime(1, 1, 1, tzinfo=UTC), datetime(1, 1, 2, 3, 4, 5, 6, tzinfo=UTC), -7_654_321


@functools.lru_cache(maxsize=256)
def _compiled_page(pagination, using: str, ordering: tuple, after: bool, descending: bool, size: int):
    """SQL of an unfiltered list page (`compiled_with_slots`): the moment (`at`) and the
    position's value and id (`value`, `pk`) go in per page."""
    paginator = pagination()
    paginator.ordering, paginator.page_size = ordering, size
    field = ordering[0].lstrip("-")
    queryset = list_page_values(Claim.objects.published(at=_AT), field)
    position = f"{_PK}" if field == "id" else f"{_VALUE}|{_PK}"
    page = paginator.page_queryset(queryset, ordering, position if after else None, descending=descending, offset=0)
    return compiled_with_slots(page, using, {_AT: "at", _VALUE: "value", _PK: "pk"})


def with_detail(queryset):
    """Everything the detail shape shows, in a constant number of queries."""
    return queryset.select_related("claimant", "rating", "rating__scale", "duplicate_of").prefetch_related(
        "topics",
        Prefetch("appearances", queryset=appearances_with_sources()),
        Prefetch("corrections", queryset=Correction.objects.on_the_record().select_related("old_rating", "new_rating")),
    )


def run_service(service, **kwargs):
    """Call a workflow service; its refusals become 403 (permission) or 409 (edit conflict) JSON."""
    try:
        return service(**kwargs)
    except services.EditConflict as conflict:
        raise EditConflictError(" ".join(conflict.messages)) from conflict
    except PermissionDenied as denied:
        raise exceptions.PermissionDenied(str(denied) or None) from denied


CLAIM_FILTERS_DOC = _(
    "Filter: rating (mehrfach), claimant, topic, language, published_since/until, updated_since/until (ISO 8601), "
    "q (Volltext). ordering=updated_at mit updated_since für inkrementellen Abgleich (Korrekturen ändern updated_at). "
    "/ Filters as named; ordering=updated_at with updated_since syncs incrementally (corrections bump updated_at)."
)


@extend_schema_view(
    list=extend_schema(
        summary="Veröffentlichte Faktenchecks / published fact-checks",
        description=CLAIM_FILTERS_DOC,
        responses={200: s.ClaimListSerializer(many=True), **READ_ERRORS},
    ),
    retrieve=extend_schema(
        summary="Ein Faktencheck / one fact-check",
        description=_("Mit Fundstellen, Fazit, Einordnung und Korrekturen. Entwürfe: 404. / Drafts answer 404."),
        responses={200: s.ClaimDetailSerializer, **READ_ERRORS},
    ),
)
class ClaimViewSet(CachedReadMixin, ConditionalGetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    lookup_field = "slug"
    lookup_value_regex = r"[-a-zA-Z0-9_]+"
    permission_classes = [IsStaffOrReadOnly]
    filter_backends = [FilterBackend, OrderingFilter]
    filterset_class = ClaimFilter
    ordering_fields = ["published_at", "updated_at"]
    ordering = ["-published_at"]
    pagination_class = PublishedPagination

    def get_queryset(self):
        if self.action in ("list", "export"):
            # Lists are the public record for everybody, staff included; staff preview single claims.
            # PostgreSQL writes their items (claims/api/lean.py): nothing to select or prefetch.
            return Claim.objects.published()
        if self.action in ("claimreview", "claimreviews"):
            # A ClaimReview states a published verdict: there is none for drafts, not even for staff.
            return with_claim_review_data(Claim.objects.published())
        return with_detail(Claim.objects.visible_to(self.request.user))

    def get_serializer_class(self):
        if self.action == "list":
            return s.ClaimListSerializer
        if self.serializer_class is not None:  # set by an action (`similar`), also for OPTIONS, whose action is "metadata"
            return self.serializer_class
        return s.ClaimDetailSerializer

    def list(self, request, *args, **kwargs):
        # Lean path: the cursor pages over the fields it may order by; PostgreSQL writes the
        # items exactly as ClaimListSerializer would (claims/api/lean.py).
        # Without filters (the paginator orders by itself) the page runs SQL compiled once, and
        # the queryset is built only for pages that SQL does not serve (offsets, old cursors):
        # building it took a fifth of the request.
        self.paginator.unfiltered_list = request.query_params.keys() <= {"cursor", "page_size", "ordering"}
        unfiltered = self.paginator.unfiltered_list
        queryset = SimpleLazyObject(self.get_queryset) if unfiltered else self.filter_queryset(self.get_queryset())
        ordered_by = self.paginator.get_ordering(request, queryset, self)[0].lstrip("-")
        page = self.paginate_queryset(SimpleLazyObject(lambda: list_page_values(queryset, ordered_by)))
        items = self.paginator.items_json or list_json([row["id"] for row in page], using=queryset.db)
        return self.get_paginated_response(orjson.Fragment(items))

    def retrieve(self, request, *args, **kwargs):
        # Lean path: the export's rows and shape (claims/api/lean.py), for one claim. List
        # filters do not apply to a single claim (as in the schema).
        slug = kwargs[self.lookup_field]
        if sees_only_published(request.user):
            # What `visible_to` gives readers and partners, by a query compiled once.
            found = published_claim_detail(slug)
        else:
            found = claim_detail(Claim.objects.visible_to(request.user).filter(slug=slug))
        if found is None:
            raise Http404
        pk, detail = found
        self.surrogate_object_key = surrogate_key_of(Claim, pk)
        # PostgreSQL wrote the JSON: the renderer embeds it as it is.
        return Response(orjson.Fragment(detail))

    def _detail(self, claim, *, status_code=status.HTTP_200_OK):
        fresh = with_detail(Claim.objects.all()).get(pk=claim.pk)
        return Response(s.ClaimDetailSerializer(fresh, context=self.get_serializer_context()).data, status=status_code)

    # --- Reads beyond list/detail ---------------------------------------------------------

    @extend_schema(
        summary="Schon geprüft? / already checked?",
        description=_(
            "Einen Satz senden, die ähnlichsten veröffentlichten Faktenchecks mit Ähnlichkeitswert erhalten. "
            "/ Send a sentence, get the most similar published fact-checks with a score."
        ),
        request=s.SimilarRequestSerializer,
        responses={200: s.SimilarMatchSerializer(many=True), **ERRORS},
    )
    @action(
        detail=False,
        methods=["post"],
        permission_classes=[permissions.AllowAny],
        pagination_class=None,
        filter_backends=[],
        serializer_class=s.SimilarRequestSerializer,
    )
    def similar(self, request):
        query = s.SimilarRequestSerializer(data=request.data)
        query.is_valid(raise_exception=True)
        published = Claim.objects.published().select_related("rating__scale").prefetch_related("topics")
        matches = similar_claims(query.validated_data["text"], queryset=published, limit=query.validated_data["limit"])
        context = self.get_serializer_context()
        return Response(
            [{"score": round(match.score, 4), "claim": s.ClaimListSerializer(match, context=context).data} for match in matches]
        )

    @extend_schema(
        summary="Gesamtexport (JSON Lines) / bulk export",
        description=_(
            "Alle veröffentlichten Faktenchecks, eine JSON-Zeile pro Faktencheck in der Form der Detailansicht, gestreamt. "
            "Filter wie bei der Liste. / Every published fact-check, one JSON line each (detail shape), streamed; list filters apply."
        ),
        responses={(200, "application/x-ndjson"): OpenApiResponse(response=OpenApiTypes.STR), **READ_ERRORS},
        filters=True,
    )
    @action(detail=False, methods=["get"], renderer_classes=[renderers.JSONRenderer, JSONLinesRenderer], pagination_class=None)
    def export(self, request):
        # JSON Lines in the detail shape, written by PostgreSQL per chunk of ids: see claims/api/lean.py.
        queryset = self.filter_queryset(self.get_queryset())
        response = StreamingHttpResponse(export_lines(queryset), content_type="application/x-ndjson")
        response["Content-Disposition"] = 'attachment; filename="faktenchecks.jsonl"'
        return response

    @extend_schema(
        summary="ClaimReview (schema.org JSON-LD)",
        description=_(
            "Genau das JSON-LD, das die Faktencheck-Seite einbettet (Bewertungsname in der Sprache von Accept-Language). "
            "/ Exactly the JSON-LD the claim page embeds (rating name in the Accept-Language language)."
        ),
        responses={200: OpenApiTypes.OBJECT, **READ_ERRORS},
    )
    @action(detail=True, methods=["get"], renderer_classes=[renderers.JSONRenderer, JSONLDRenderer])
    def claimreview(self, request, slug=None):
        return Response(claim_review(self.get_object(), request))

    @extend_schema(
        operation_id="claims_claimreview_list",
        summary="ClaimReviews aller veröffentlichten Faktenchecks / ClaimReviews of all published fact-checks",
        description=CLAIM_FILTERS_DOC
        + " Mit `Accept: application/ld+json` oder `?format=jsonld`: ein JSON-LD-Dokument (`@context`, `@graph`), "
        "Nachbarseiten im `Link`-Header. / As JSON-LD: one document with `@graph`, paging in `Link` headers.",
        responses={(200, "application/json"): ClaimReviewPage, (200, "application/ld+json"): ClaimReviewGraph, **READ_ERRORS},
        filters=True,
        # Paged like the list; the schema generator adds page parameters only to list shapes.
        parameters=[
            OpenApiParameter("cursor", OpenApiTypes.STR, description=_("Cursor aus „next“/„previous“ / cursor from next/previous")),
            OpenApiParameter("page_size", OpenApiTypes.INT, description=_("Einträge je Seite (1–200) / items per page (1–200)")),
        ],
    )
    @action(
        detail=False,
        methods=["get"],
        url_path="claimreview",
        url_name="claimreview-list",
        renderer_classes=[renderers.JSONRenderer, JSONLDRenderer],
    )
    def claimreviews(self, request):
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        reviews = [claim_review(claim, request) for claim in page]
        if request.accepted_renderer.format != JSONLDRenderer.format:
            return self.get_paginated_response(reviews)
        # As JSON-LD: one document whose graph holds the page's reviews (a JSON-LD processor drops
        # the unmapped "results" of the JSON page); the neighbouring pages are Link headers.
        graph = [{key: value for key, value in review.items() if key != "@context"} for review in reviews]
        response = Response({"@context": SCHEMA_CONTEXT, "@graph": graph})
        links = [(self.paginator.get_next_link(), "next"), (self.paginator.get_previous_link(), "prev")]
        if any(url for url, _ in links):
            response["Link"] = ", ".join(f'<{url}>; rel="{rel}"' for url, rel in links if url)
        return response

    # --- Writes: editors only, through the workflow services ------------------------------

    def _refuse_unwritable(self, request, status_now: str) -> None:
        """A status change (only through the workflow actions) or a field the detail does not have is a 400,
        not silently dropped; the detail's other fields may be sent back as they are."""
        if not isinstance(request.data, dict):  # the serializer says what it expects instead
            return
        known = set(s.ClaimUpdateSerializer().fields) | set(s.ClaimDetailSerializer.Meta.fields)
        errors = {name: [_("Unbekanntes Feld.")] for name in request.data if name not in known}
        if "status" in request.data and request.data["status"] != status_now:
            errors["status"] = [_("Der Status ändert sich nur über die Arbeitsschritte (submit, approve, publish, withdraw, …).")]
        if errors:
            raise exceptions.ValidationError(errors)

    @extend_schema(
        summary="Entwurf anlegen / create a draft",
        request=s.ClaimWriteSerializer,
        responses={201: s.ClaimDetailSerializer, **WRITE_ERRORS},
    )
    def create(self, request):
        self._refuse_unwritable(request, ClaimStatus.DRAFT)
        data = s.ClaimWriteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        topics = fields.pop("topics", ())
        claim = run_service(services.create_claim, author=request.user, topics=topics, **fields)
        return self._detail(claim, status_code=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Bearbeiten / edit",
        description=_(
            "Nur gesendete Felder ändern sich. `version` ist Pflicht; wurde inzwischen gespeichert, antwortet die API mit 409. "
            "/ Only sent fields change; `version` is required, a stale version answers 409."
        ),
        request=s.ClaimUpdateSerializer,
        responses={200: s.ClaimDetailSerializer, **WRITE_ERRORS},
    )
    def partial_update(self, request, slug=None):
        claim = self.get_object()
        self._refuse_unwritable(request, claim.status)
        data = s.ClaimUpdateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        version = fields.pop("version")
        topics = fields.pop("topics", None)
        claim = run_service(services.update_claim, claim=claim, user=request.user, expected_version=version, topics=topics, **fields)
        return self._detail(claim)

    @extend_schema(
        summary="Fundstelle hinzufügen / add an appearance",
        request=s.AppearanceWriteSerializer,
        responses={201: s.ClaimDetailSerializer, **WRITE_ERRORS},
    )
    @action(detail=True, methods=["post"])
    def appearances(self, request, slug=None):
        claim = self.get_object()
        data = s.AppearanceWriteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        run_service(services.add_appearance, claim=claim, user=request.user, **data.validated_data)
        return self._detail(claim, status_code=status.HTTP_201_CREATED)

    def _transition(self, request, service, payload_serializer=None, **extra):
        claim = self.get_object()
        payload = (payload_serializer or s.SeenVersionSerializer)(data=request.data)
        payload.is_valid(raise_exception=True)
        kwargs = dict(payload.validated_data)
        seen_version = kwargs.pop("version", None)
        with transaction.atomic():
            if seen_version is not None:
                # The step acts on the version the editor read, not on one someone saved since.
                run_service(services.check_version, claim=claim, expected_version=seen_version)
            run_service(service, claim=claim, user=request.user, **kwargs, **extra)
        return self._detail(claim)

    @extend_schema(
        summary="Zur Prüfung einreichen / submit for review",
        request=s.SeenVersionSerializer,
        responses={200: s.ClaimDetailSerializer, **WRITE_ERRORS},
    )
    @action(detail=True, methods=["post"])
    def submit(self, request, slug=None):
        return self._transition(request, services.submit_for_review)

    @extend_schema(
        summary="Änderungen anfordern / request changes",
        request=s.CommentSerializer,
        responses={200: s.ClaimDetailSerializer, **WRITE_ERRORS},
    )
    @action(detail=True, methods=["post"], url_path="request-changes")
    def request_changes(self, request, slug=None):
        return self._transition(request, services.request_changes, s.CommentSerializer)

    @extend_schema(
        summary="Freigeben (Vier-Augen-Prinzip) / approve",
        request=s.SeenVersionSerializer,
        responses={200: s.ClaimDetailSerializer, **WRITE_ERRORS},
    )
    @action(detail=True, methods=["post"])
    def approve(self, request, slug=None):
        return self._transition(request, services.approve)

    @extend_schema(
        summary="Veröffentlichen / publish", request=s.PublishSerializer, responses={200: s.ClaimDetailSerializer, **WRITE_ERRORS}
    )
    @action(detail=True, methods=["post"])
    def publish(self, request, slug=None):
        return self._transition(request, services.publish, s.PublishSerializer)

    @extend_schema(summary="Zurückziehen / withdraw", request=s.NoteSerializer, responses={200: s.ClaimDetailSerializer, **WRITE_ERRORS})
    @action(detail=True, methods=["post"])
    def withdraw(self, request, slug=None):
        return self._transition(request, services.withdraw, s.NoteSerializer)

    @extend_schema(
        summary="Zurück in den Entwurf / return to draft",
        request=s.ReasonSerializer,
        responses={200: s.ClaimDetailSerializer, **WRITE_ERRORS},
    )
    @action(detail=True, methods=["post"], url_path="return-to-draft")
    def return_to_draft(self, request, slug=None):
        return self._transition(request, services.return_to_draft, s.ReasonSerializer)

    @extend_schema(
        summary="Korrigieren / correct a published verdict",
        request=s.CorrectSerializer,
        responses={200: s.ClaimDetailSerializer, **WRITE_ERRORS},
    )
    @action(detail=True, methods=["post"])
    def correct(self, request, slug=None):
        return self._transition(request, services.correct_claim, s.CorrectSerializer)


class NamePagination(StableCursorPagination):
    ordering = ("name", "id")


@extend_schema_view(
    list=extend_schema(summary="Urheber/innen / claimants", responses={200: s.ClaimantSerializer(many=True), **READ_ERRORS}),
    retrieve=extend_schema(summary="Urheber/in / claimant", responses={200: s.ClaimantSerializer, **READ_ERRORS}),
)
class ClaimantViewSet(CachedReadMixin, ConditionalGetMixin, viewsets.ReadOnlyModelViewSet):
    """Claimants of at least one published claim; others are editorial material."""

    serializer_class = s.ClaimantSerializer
    lookup_field = "slug"
    lookup_value_regex = r"[-a-zA-Z0-9_]+"
    permission_classes = [permissions.AllowAny]
    pagination_class = NamePagination
    filter_backends = []

    def get_queryset(self):
        return Claimant.objects.public()


@extend_schema_view(list=extend_schema(summary="Bewertungsskala / rating scale", responses={200: s.RatingSerializer(many=True), **ERRORS}))
class RatingViewSet(CachedReadMixin, ConditionalGetMixin, mixins.ListModelMixin, viewsets.GenericViewSet):
    """All ratings of all scales (a handful of rows: no pagination)."""

    serializer_class = s.RatingSerializer
    permission_classes = [permissions.AllowAny]
    pagination_class = None
    filter_backends = []
    queryset = Rating.objects.select_related("scale").order_by("-scale__is_default", "scale__name", "order", "id")


class CorrectionPagination(StableCursorPagination):
    ordering = ("-date", "-id")


@extend_schema_view(
    list=extend_schema(
        summary="Korrekturen / corrections",
        description=_(
            "Korrekturen veröffentlichter Faktenchecks, wie im öffentlichen Korrekturprotokoll. Zurückgezogene Faktenchecks "
            "verschwinden aus allen Listen; ein Abgleich erkennt sie am Fehlen im Export. / Corrections of published fact-checks, "
            "as in the public log. Withdrawn fact-checks leave every list; a full export shows which ones are gone."
        ),
        responses={200: s.CorrectionSerializer(many=True), **READ_ERRORS},
    ),
    retrieve=extend_schema(summary="Korrektur / correction", responses={200: s.CorrectionSerializer, **READ_ERRORS}),
)
class CorrectionViewSet(CachedReadMixin, ConditionalGetMixin, viewsets.ReadOnlyModelViewSet):
    serializer_class = s.CorrectionSerializer
    permission_classes = [permissions.AllowAny]
    filter_backends = [FilterBackend, OrderingFilter]
    filterset_class = CorrectionFilter
    ordering_fields = ["date"]
    ordering = ["-date"]
    pagination_class = CorrectionPagination

    def get_queryset(self):
        return Correction.objects.public().select_related("claim", "old_rating", "new_rating")
