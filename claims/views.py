from urllib.parse import urlencode

from django.db.models import Prefetch, TextField, Value
from django.db.models.functions import Concat
from django.views.generic import DetailView, ListView, TemplateView

from sources.models import Source

from .cache import PublicCacheMixin
from .models import Appearance, Claim, Claimant, Correction, RatingScale
from .search import clean_query, search_claims, search_sources, with_headline


def claim_list_queryset():
    return Claim.objects.published().select_related("claimant", "rating").order_by("-published_at", "-id")


class HomeView(PublicCacheMixin, TemplateView):
    template_name = "claims/home.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["latest_claims"] = claim_list_queryset()[:10]
        return context


class ClaimListView(PublicCacheMixin, ListView):
    template_name = "claims/claim_list.html"
    paginate_by = 20
    context_object_name = "claims"

    def get_queryset(self):
        return claim_list_queryset()


class ClaimDetailView(PublicCacheMixin, DetailView):
    template_name = "claims/claim_detail.html"
    context_object_name = "claim"

    def get_queryset(self):
        appearances = Appearance.objects.select_related("source", "source__outlet").order_by("-is_first", "source__published_at", "id")
        return (
            Claim.objects.visible_to(self.request.user)
            .select_related("claimant", "rating", "rating__scale", "author", "approved_by", "duplicate_of")
            .prefetch_related(
                Prefetch("appearances", queryset=appearances),
                Prefetch("corrections", queryset=Correction.objects.select_related("old_rating", "new_rating")),
                "topics",
            )
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["is_preview"] = not self.object.is_public
        return context


class ClaimantDetailView(PublicCacheMixin, DetailView):
    template_name = "claims/claimant_detail.html"
    context_object_name = "claimant"

    def get_queryset(self):
        return Claimant.objects.public()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["claims"] = claim_list_queryset().filter(claimant=self.object)
        return context


class RatingScaleView(PublicCacheMixin, TemplateView):
    template_name = "claims/rating_scale.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["scales"] = RatingScale.objects.prefetch_related("ratings").order_by("-is_default", "name")
        return context


class CorrectionListView(PublicCacheMixin, ListView):
    template_name = "claims/correction_list.html"
    context_object_name = "corrections"
    paginate_by = 50

    def get_queryset(self):
        return Correction.objects.public().select_related("claim", "old_rating", "new_rating")


class SearchView(PublicCacheMixin, ListView):
    """Full-text search for readers: published claims (paginated) and the public articles they quote.

    `/suche/?q=…` understands web-search syntax ("exact phrase", OR, -exclusion) and ignores
    umlauts, accents and ß spellings. Matches are highlighted in titles and snippets.
    """

    template_name = "claims/search.html"
    context_object_name = "claims"
    paginate_by = 20
    max_sources = 10

    def get_search_text(self) -> str:
        return clean_query(self.request.GET.get("q", ""))

    def get_queryset(self):
        text = self.get_search_text()
        if not text:
            return Claim.objects.none()
        claims = search_claims(claim_list_queryset(), text)
        claims = with_headline(claims, "text", text, name="title_headline", highlight_all=True)
        body = Concat("conclusion", Value(" "), "text_long", Value(" "), "context", output_field=TextField())
        return with_headline(claims, body, text, name="snippet")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        text = self.get_search_text()
        context["search_text"] = text
        context["query_string"] = urlencode({"q": text}) if text else ""
        context["sources"] = []
        if text and context["page_obj"].number == 1:
            public = Source.objects.filter(pk__in=Source.objects.public().values("pk")).select_related("outlet")
            context["sources"] = list(with_headline(search_sources(public, text), "body", text, name="snippet")[: self.max_sources])
        return context
