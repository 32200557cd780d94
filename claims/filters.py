"""One FilterSet for claims, shared by the public claim list and the API."""

import django_filters
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from .choices import CorrectionKind
from .models import Claim, Claimant, Correction, Rating, Topic
from .search import search_claims


@extend_schema_field(OpenApiTypes.STR)
class SlugFilter(django_filters.ModelChoiceFilter):
    """Choose a related object by its slug (documented as a plain string in the API schema)."""


@extend_schema_field(OpenApiTypes.STR)
class SlugsFilter(django_filters.ModelMultipleChoiceFilter):
    """Choose several related objects by slug (`?rating=falsch&rating=irrefuehrend`)."""


class ClaimFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="filter_q", label=_("Suche"), help_text=_('Volltextsuche, z. B. "legitime Ziele" OR Kreml -Putin'))
    rating = SlugsFilter(field_name="rating__slug", to_field_name="slug", queryset=Rating.objects.all(), label=_("Bewertung"))
    claimant = SlugFilter(
        field_name="claimant", to_field_name="slug", queryset=lambda request: Claimant.objects.public(), label=_("Urheber/in")
    )
    topic = SlugFilter(field_name="topics", to_field_name="slug", queryset=Topic.objects.all(), label=_("Thema"))
    language = django_filters.CharFilter(field_name="language", label=_("Sprache"))
    published_since = django_filters.IsoDateTimeFilter(field_name="published_at", lookup_expr="gte", label=_("Veröffentlicht ab"))
    published_until = django_filters.IsoDateTimeFilter(field_name="published_at", lookup_expr="lte", label=_("Veröffentlicht bis"))
    updated_since = django_filters.IsoDateTimeFilter(field_name="updated_at", lookup_expr="gte", label=_("Geändert ab"))
    updated_until = django_filters.IsoDateTimeFilter(field_name="updated_at", lookup_expr="lte", label=_("Geändert bis"))
    date_from = django_filters.DateFilter(field_name="published_at__date", lookup_expr="gte", label=_("Von"))
    date_to = django_filters.DateFilter(field_name="published_at__date", lookup_expr="lte", label=_("Bis"))

    class Meta:
        model = Claim
        fields = ["q", "rating", "claimant", "topic", "language"]

    def filter_q(self, queryset, name, value):
        return search_claims(queryset, value)


class CorrectionFilter(django_filters.FilterSet):
    since = django_filters.IsoDateTimeFilter(field_name="date", lookup_expr="gte", label=_("Ab"))
    until = django_filters.IsoDateTimeFilter(field_name="date", lookup_expr="lte", label=_("Bis"))
    kind = django_filters.ChoiceFilter(choices=CorrectionKind.choices, label=_("Art"))
    claim = django_filters.CharFilter(field_name="claim__slug", label=_("Faktencheck (Kurzname)"))

    class Meta:
        model = Correction
        fields = ["since", "until", "kind", "claim"]
