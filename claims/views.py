import hashlib
from urllib.parse import urlencode

from django.db import router
from django.db.models import Exists, OuterRef, Prefetch, TextField, Value
from django.db.models.functions import Concat
from django.http import Http404, HttpResponse, HttpResponsePermanentRedirect
from django.templatetags.static import static
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import get_conditional_response, patch_cache_control
from django.utils.http import quote_etag
from django.utils.translation import gettext as _
from django.views.generic import DetailView, ListView, TemplateView, View

from config.prepared import ANY_ID, ANY_SLUG, ANY_TIME, CompiledQuery, preparing, set_prefetched
from sources.models import Source

from .cache import PublicCacheMixin
from .filters import ClaimFilter, claimant_suggestions
from .freshness import ConditionalGetMixin
from .models import Appearance, Claim, Claimant, Correction, Rating, RatingScale, Topic
from .pagination import OLDER_PAGE, PAGE, InvalidPage, capped_count, keyset_page, offset_page
from .querysets import sees_only_published
from .related import related_claims
from .schema_org import appearances_with_sources, claim_review, date_modified, with_claim_review_data
from .search import RANKING_WINDOW, clean_query, in_order, search_window, similar_claims, spelled_alike, with_ellipses, with_headline

PAGE_SIZE = 20
RELATED_CLAIMS = 3


class PublicPageMixin(ConditionalGetMixin, PublicCacheMixin):
    """Every public page: conditional GET first, then the shared page cache and CDN headers."""

    # Stored copies and 304s for anonymous readers are answered before the view (claims/middleware.py).
    answered_early = True


def claim_list_queryset():
    return Claim.objects.published().select_related("claimant", "rating").order_by("-published_at", "-id")


class HomeView(PublicPageMixin, TemplateView):
    template_name = "claims/home.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["latest_claims"] = claim_list_queryset()[:10]
        return context


class NumberedPagesMixin:
    """Page numbers as on the claim list: `?seite=N` (`?page=N`, the older name, still works). A page that does
    not exist is a 400 saying so, with the form and a link to the first page, not a bare 404."""

    page_kwarg = PAGE
    page_error = ""

    def paginate_queryset(self, queryset, page_size):
        if self.page_kwarg not in self.request.GET and OLDER_PAGE in self.request.GET:
            self.kwargs[self.page_kwarg] = self.request.GET[OLDER_PAGE]
        try:
            return super().paginate_queryset(queryset, page_size)
        except Http404:
            self.page_error = _("Diese Seite gibt es nicht. Bitte von der ersten Seite aus blättern.")
            self.kwargs[self.page_kwarg] = 1
            return super().paginate_queryset(queryset, page_size)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["page_error"] = self.page_error
        query = self.request.GET.copy()
        for name in (self.page_kwarg, OLDER_PAGE):
            query.pop(name, None)
        context["query_string"] = query.urlencode()
        return context

    def render_to_response(self, context, **kwargs):
        if self.page_error:
            kwargs["status"] = 400
        return super().render_to_response(context, **kwargs)


class ClaimPageMixin:
    """A keyset-paginated list of published claims; ranked search results page by number.
    A page whose context names `errors` (bad filter input, a bad page link) is a 400."""

    def paginate(self, queryset, *, ranked: bool = False):
        params = self.request.GET
        if ranked:
            return offset_page(queryset, params, page_size=PAGE_SIZE)
        return keyset_page(queryset, params, page_size=PAGE_SIZE)

    def render_to_response(self, context, **kwargs):
        if context["errors"]:
            kwargs["status"] = 400
        return super().render_to_response(context, **kwargs)


class ClaimListView(PublicPageMixin, ClaimPageMixin, TemplateView):
    """All published claims, filtered with the API's `ClaimFilter` and paginated by keyset."""

    template_name = "claims/claim_list.html"

    def surrogate_keys(self, context) -> list[str]:
        return ["claim-list"]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        filterset = ClaimFilter(self.request.GET, queryset=claim_list_queryset(), request=self.request)
        context["filter"] = filterset
        context["claimant_suggestions"] = claimant_suggestions()
        context["errors"] = []
        if not filterset.is_valid():
            context["errors"] = [error for errors in filterset.errors.values() for error in errors]
            return context
        queryset = filterset.qs
        try:
            context["page"] = self.paginate(queryset, ranked=bool(filterset.form.cleaned_data.get("q")))
        except InvalidPage as exc:
            context["errors"] = [str(exc)]
            return context
        context["claims"] = context["page"].items
        context["total"], context["total_capped"] = capped_count(queryset)
        context["is_filtered"] = any(filterset.form.cleaned_data.get(name) for name in filterset.form.cleaned_data)
        return context


def on_the_record_corrections():
    """A claim page's corrections, with the ratings they changed from and to."""
    return Correction.objects.on_the_record().select_related("old_rating", "new_rating")


def claim_page_queryset(claims):
    """`claims` with everything a claim page shows: its review data, byline, duplicate, corrections and topics."""
    return (
        with_claim_review_data(claims)
        .select_related("author", "approved_by", "duplicate_of")
        .prefetch_related(Prefetch("corrections", queryset=on_the_record_corrections()), "topics")
    )


# What a reader's claim page reads, compiled once (config/prepared.py): the published claim by
# its slug, then its appearances, corrections and topics by its id. The same querysets as the
# preview's `claim_page_queryset`, whose lookups Django compiles on every view.
PUBLISHED_CLAIM = CompiledQuery(
    lambda at, slug: claim_page_queryset(Claim.objects.published(at=at)).filter(slug=slug), at=ANY_TIME, slug=ANY_SLUG
)
CLAIM_LISTS = {
    "appearances": CompiledQuery(lambda claim: appearances_with_sources().filter(claim=claim), claim=ANY_ID),
    "corrections": CompiledQuery(lambda claim: on_the_record_corrections().filter(claim=claim), claim=ANY_ID),
    "topics": CompiledQuery(lambda claim: Topic.objects.filter(claims=claim), claim=ANY_ID),
}


def published_claim_page(slug: str) -> Claim | None:
    """`claim_page_queryset(Claim.objects.published()).filter(slug=slug).first()`, its lists
    prefetched, in four compiled queries."""
    using = router.db_for_read(Claim)
    found = PUBLISHED_CLAIM.fetch(using, at=timezone.now(), slug=slug)
    if not found:
        return None
    claim = found[0]
    for name, query in CLAIM_LISTS.items():
        set_prefetched(claim, name, query.fetch(using, claim=claim.pk))
    return claim


class ClaimDetailView(PublicPageMixin, DetailView):
    template_name = "claims/claim_detail.html"
    context_object_name = "claim"

    def get_queryset(self):
        return claim_page_queryset(Claim.objects.visible_to(self.request.user))

    def get_object(self, queryset=None):
        if queryset is None and sees_only_published(self.request.user):
            claim = published_claim_page(self.kwargs[self.slug_url_kwarg])
            if claim is None:
                raise Http404(_("No %(verbose_name)s found matching the query") % {"verbose_name": Claim._meta.verbose_name})
        else:
            # Staff preview: which claims they may open depends on the user.
            with preparing(router.db_for_read(Claim)):
                claim = super().get_object(queryset)
        self.is_preview = not claim.is_public
        return claim

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        claim = self.object
        context["is_preview"] = self.is_preview
        context["date_modified"] = date_modified(claim)
        if self.is_preview:
            # A preview shows what publishing would show; the stored lists hold public claims only.
            context["related_claims"] = similar_claims(
                claim.text, queryset=Claim.objects.published(), exclude_pk=claim.pk, limit=RELATED_CLAIMS
            )
        else:
            context["related_claims"] = related_claims(claim, limit=RELATED_CLAIMS)
        if claim.rating_id and claim.published_at:
            context["claim_review"] = claim_review(claim, self.request)
        return context


class ClaimantDetailView(PublicPageMixin, ClaimPageMixin, DetailView):
    template_name = "claims/claimant_detail.html"
    context_object_name = "claimant"

    def get_queryset(self):
        return Claimant.objects.public()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["errors"], context["claims"] = [], []
        try:
            context["page"] = self.paginate(claim_list_queryset().filter(claimant=self.object))
        except InvalidPage as exc:
            # As on the list: the page stays, the bad link is named (a 404 said the claimant was gone).
            context["errors"] = [str(exc)]
            return context
        context["claims"] = context["page"].items
        return context


class RatingScaleView(PublicPageMixin, TemplateView):
    template_name = "claims/rating_scale.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["scales"] = RatingScale.objects.prefetch_related("ratings").order_by("-is_default", "name")
        return context


class CorrectionListView(PublicPageMixin, NumberedPagesMixin, ListView):
    template_name = "claims/correction_list.html"
    context_object_name = "corrections"
    paginate_by = 50

    def get_queryset(self):
        return Correction.objects.public().select_related("claim", "old_rating", "new_rating")


def badge_text_colour(background: str) -> str:
    """White or near-black, whichever contrasts more with `background` (WCAG relative luminance)."""

    def channel(hex_pair: str) -> float:
        value = int(hex_pair, 16) / 255
        return value / 12.92 if value <= 0.03928 else ((value + 0.055) / 1.055) ** 2.4

    red, green, blue = (channel(background[index : index + 2]) for index in (1, 3, 5))
    luminance = 0.2126 * red + 0.7152 * green + 0.0722 * blue
    dark = 0.0110  # luminance of #1a1a1a
    contrast_white = 1.05 / (luminance + 0.05)
    contrast_dark = (luminance + 0.05) / (dark + 0.05)
    return "#ffffff" if contrast_white >= contrast_dark else "#1a1a1a"


class RatingStylesheetView(View):
    """Badge colours as a stylesheet built from the Rating table (no inline styles in pages)."""

    max_age = 300

    def get(self, request):
        ratings = list(Rating.objects.order_by("pk").values_list("pk", "colour"))
        rules = [
            f".rating-{pk} {{ background-color: {colour}; color: {badge_text_colour(colour)}; }}"
            for pk, colour in ratings
            if len(colour) == 7
        ]
        body = "\n".join(rules) + "\n"
        etag = quote_etag(hashlib.sha256(body.encode()).hexdigest()[:32])
        response = get_conditional_response(request, etag=etag) or HttpResponse(body, content_type="text/css; charset=utf-8")
        response["ETag"] = etag
        patch_cache_control(response, public=True, max_age=self.max_age)
        return response


def favicon(request):
    """Browsers ask for /favicon.ico where no page names an icon (feeds, sitemap): send them to the site icon."""
    response = HttpResponsePermanentRedirect(static("favicon.svg"))
    patch_cache_control(response, public=True, max_age=86400)
    return response


def robots_txt(request):
    """Crawlers may index the public site; the newsroom, the API and the language switch are off limits."""
    lines = [
        "User-agent: *",
        "Disallow: /admin/",
        "Disallow: /api/",
        "Disallow: /i18n/",
        "Allow: /",
        f"Sitemap: {request.build_absolute_uri(reverse('claims:sitemap'))}",
    ]
    response = HttpResponse("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")
    patch_cache_control(response, public=True, max_age=3600)
    return response


class SearchView(PublicPageMixin, NumberedPagesMixin, ListView):
    """Full-text search for readers: published claims (paginated) and the public articles they quote.

    `/suche/?q=…` understands web-search syntax ("exact phrase", OR, -exclusion) and ignores
    umlauts, accents and ß spellings. Matches are highlighted in titles and snippets.
    """

    template_name = "claims/search.html"
    context_object_name = "claims"
    paginate_by = 20
    max_sources = 10
    max_claimants = 5

    def get_search_text(self) -> str:
        return clean_query(self.request.GET.get("q", ""))

    def get_queryset(self):
        # The ids of the ranked window: the page reads the rows of its own ids (see get_context_data).
        return search_window(claim_list_queryset(), self.get_search_text())

    def add_headlines(self, claims: list, text: str) -> None:
        """Highlighted title and snippet for the claims of one page (ts_headline is costly: never for more)."""
        body = Concat("conclusion", Value(" "), "text_long", Value(" "), "context", output_field=TextField())
        headlines = Claim.objects.filter(pk__in=[claim.pk for claim in claims])
        headlines = with_headline(headlines, "text", text, name="title_headline", highlight_all=True)
        headlines = with_headline(headlines.annotate(body=body), body, text, name="snippet")
        found = {
            pk: (title, with_ellipses(snippet, whole))
            for pk, title, snippet, whole in headlines.values_list("pk", "title_headline", "snippet", "body")
        }
        for claim in claims:
            claim.title_headline, claim.snippet = found.get(claim.pk, (claim.text, ""))

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        text = self.get_search_text()
        context["search_text"] = text
        context["capped"] = text and context["paginator"].count >= RANKING_WINDOW
        context["query_string"] = urlencode({"q": text}) if text else ""
        context["sources"] = context["claimants"] = context["spelled_alike"] = []
        if self.page_error:  # the page shows the form and the error, nothing found
            return context
        if text:
            claims = in_order(claim_list_queryset(), list(context["page_obj"].object_list))
            self.add_headlines(claims, text)
            context["page_obj"].object_list = context["claims"] = context["object_list"] = claims
        if text and not context["paginator"].count:
            # A typo finds nothing in the full-text index: offer claims spelled like the search.
            context["spelled_alike"] = in_order(claim_list_queryset(), spelled_alike(claim_list_queryset(), text))
        if text and context["page_obj"].number == 1:
            # Readers type names too; claims are found by their own words, their claimants here.
            # Prepared: planning took longer than the trigram index lookup, which has one good plan.
            with preparing(router.db_for_read(Claimant)):
                context["claimants"] = list(Claimant.objects.public().named(text)[: self.max_claimants])
            # Articles quoted by at least one public claim (the rule of Source.objects.public()),
            # checked per matching article so the newest matches come from the date index.
            quoted = Appearance.objects.filter(source=OuterRef("pk"), claim__in=Claim.objects.published())
            public = Source.objects.filter(Exists(quoted)).select_related("outlet")
            sources = in_order(public, search_window(public, text)[: self.max_sources])
            snippets = {
                pk: with_ellipses(snippet, body)
                for pk, snippet, body in with_headline(
                    Source.objects.filter(pk__in=[source.pk for source in sources]), "body", text, name="snippet"
                ).values_list("pk", "snippet", "body")
            }
            for source in sources:
                source.snippet = snippets.get(source.pk, "")
            context["sources"] = sources
        return context
