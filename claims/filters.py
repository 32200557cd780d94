"""One FilterSet per model, shared by the public pages and the API."""

from datetime import UTC, datetime, time, timedelta

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from .choices import CorrectionKind
from .models import Claim, Claimant, Correction, Rating, Topic
from .search import search_claims


class UtcDateTimeField(django_filters.fields.IsoDateTimeField):
    """ISO 8601 time converted to UTC: PostgreSQL refuses offsets beyond ±16 hours that Python accepts."""

    def to_python(self, value):
        value = super().to_python(value)
        if value is None:
            return None
        try:
            return value.astimezone(UTC)
        except OverflowError:
            raise ValidationError(_("Zeitpunkt außerhalb des gültigen Bereichs."), code="invalid") from None


class DateTimeFilter(django_filters.IsoDateTimeFilter):
    field_class = UtcDateTimeField


@extend_schema_field(OpenApiTypes.STR)
class SlugFilter(django_filters.ModelChoiceFilter):
    """Choose a related object by its slug (documented as a plain string in the API schema)."""


@extend_schema_field(OpenApiTypes.STR)
class SlugsFilter(django_filters.ModelMultipleChoiceFilter):
    """Choose several related objects by slug (`?rating=falsch&rating=irrefuehrend`)."""


def public_claimants(request=None):
    """Claimants of at least one public claim: the filter's choices (a draft's claimant stays internal)."""
    return Claimant.objects.public().order_by("name", "role")


def public_topics(request=None):
    """Topics of at least one public claim (a draft's topic stays internal)."""
    return Topic.objects.public().order_by("name")


def start_of_day(day) -> datetime:
    """Midnight at the start of `day` in the site's time zone (a range on `published_at` uses the index)."""
    return timezone.make_aware(datetime.combine(day, time.min))


class ClaimFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        method="filter_q",
        label=_("Suche"),
        help_text=_('Volltextsuche, z. B. "legitime Ziele" OR Kreml -Putin'),
        widget=forms.TextInput(attrs={"type": "search"}),
    )
    rating = SlugsFilter(
        field_name="rating__slug",
        to_field_name="slug",
        # A claim has one rating: the join adds no duplicate rows, and DISTINCT would sort every match.
        distinct=False,
        queryset=Rating.objects.select_related("scale").order_by("-scale__is_default", "scale__name", "order"),
        label=_("Bewertung"),
        widget=forms.CheckboxSelectMultiple,
    )
    claimant = SlugFilter(field_name="claimant", to_field_name="slug", queryset=public_claimants, label=_("Urheber/in"))
    topic = SlugFilter(field_name="topics", to_field_name="slug", queryset=public_topics, label=_("Thema"))
    language = django_filters.CharFilter(field_name="language", label=_("Sprache"))
    published_since = DateTimeFilter(field_name="published_at", lookup_expr="gte", label=_("Veröffentlicht ab"))
    published_until = DateTimeFilter(field_name="published_at", lookup_expr="lte", label=_("Veröffentlicht bis"))
    updated_since = DateTimeFilter(field_name="updated_at", lookup_expr="gte", label=_("Geändert ab"))
    updated_until = DateTimeFilter(field_name="updated_at", lookup_expr="lte", label=_("Geändert bis"))
    date_from = django_filters.DateFilter(
        method="filter_date_from",
        label=_("Von"),
        help_text=_("Veröffentlicht an oder nach diesem Tag"),
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    date_to = django_filters.DateFilter(
        method="filter_date_to",
        label=_("Bis"),
        help_text=_("Veröffentlicht an oder vor diesem Tag"),
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    class Meta:
        model = Claim
        fields = ["q", "rating", "claimant", "topic", "language"]

    def filter_q(self, queryset, name, value):
        return search_claims(queryset, value, window=None)

    def filter_date_from(self, queryset, name, value):
        return queryset.filter(published_at__gte=start_of_day(value))

    def filter_date_to(self, queryset, name, value):
        return queryset.filter(published_at__lt=start_of_day(value + timedelta(days=1)))


class CorrectionFilter(django_filters.FilterSet):
    since = DateTimeFilter(field_name="date", lookup_expr="gte", label=_("Ab"))
    until = DateTimeFilter(field_name="date", lookup_expr="lte", label=_("Bis"))
    kind = django_filters.ChoiceFilter(choices=CorrectionKind.choices, label=_("Art"))
    claim = django_filters.CharFilter(field_name="claim__slug", label=_("Faktencheck (Kurzname)"))

    class Meta:
        model = Correction
        fields = ["since", "until", "kind", "claim"]
