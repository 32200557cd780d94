"""One FilterSet for claims, shared by the public claim list and the API."""

import django_filters
from django.utils.translation import gettext_lazy as _

from .models import Claim, Claimant, Rating, Topic
from .search import search_claims


class ClaimFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="filter_q", label=_("Suche"), help_text=_('Volltextsuche, z. B. "legitime Ziele" OR Kreml -Putin'))
    rating = django_filters.ModelMultipleChoiceFilter(
        field_name="rating__slug", to_field_name="slug", queryset=Rating.objects.all(), label=_("Bewertung")
    )
    claimant = django_filters.ModelChoiceFilter(
        field_name="claimant__slug", to_field_name="slug", queryset=lambda request: Claimant.objects.public(), label=_("Urheber/in")
    )
    topic = django_filters.ModelChoiceFilter(
        field_name="topics__slug", to_field_name="slug", queryset=Topic.objects.all(), label=_("Thema")
    )
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
