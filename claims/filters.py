"""One FilterSet per model, shared by the public pages and the API."""

from datetime import UTC, date, datetime, time, timedelta

import django_filters
from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from sources.choices import Language

from .choices import CorrectionKind
from .models import Claim, Claimant, Correction, Rating, Topic
from .schema_org import rating_label
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


class NewsroomLanguageSelect(forms.Select):
    """A select of names the newsroom wrote (topics): each choice carries the newsroom's language."""

    def create_option(self, name, value, *args, **kwargs):
        option = super().create_option(name, value, *args, **kwargs)
        if value:  # not the empty choice, which speaks the reader's language
            option["attrs"]["lang"] = settings.LANGUAGE_CODE
        return option


class ClaimantChoiceField(django_filters.fields.ModelChoiceField):
    def to_python(self, value):
        """A claimant by short name, or by full name as readers type it ("wladimir putin")."""
        try:
            return super().to_python(value)
        except ValidationError:
            name = " ".join(str(value).split())
            # PostgreSQL takes no NUL in a string: such a value names nobody.
            named = list(self.queryset.filter(name__iexact=name)[:2]) if name and "\x00" not in name else []
            if len(named) != 1:
                raise
            return named[0]


@extend_schema_field(OpenApiTypes.STR)
class ClaimantFilter(SlugFilter):
    """A claimant by slug or by exact name (the public form's field is typed, not picked)."""

    field_class = ClaimantChoiceField


class RatingChoiceField(django_filters.fields.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return rating_label(obj)

    def clean(self, value):
        # An empty `?rating=` (as link builders and other forms send it) chooses nothing, like an empty topic.
        return super().clean([item for item in value or [] if item != ""])


@extend_schema_field(OpenApiTypes.STR)
class RatingsFilter(django_filters.ModelMultipleChoiceFilter):
    """Choose several ratings by slug (`?rating=falsch&rating=irrefuehrend`); the public form
    names each in the reader's language, as its badge does."""

    field_class = RatingChoiceField


# The claimant field suggests the claimants of this many newest public claims.
CLAIMANT_SUGGESTIONS_FROM = 50


def public_claimants(request=None):
    """Claimants of at least one public claim: the filter's choices (a draft's claimant stays internal).

    A slug is validated with one lookup in this queryset; the choices are never listed, because
    there are thousands (the page suggests a few with `claimant_suggestions()` instead).
    """
    return Claimant.objects.public().order_by("name", "role")


def claimant_suggestions():
    """Claimants the claimant field offers while a reader types: those of the newest public claims."""
    return Claimant.objects.recently_checked(claims=CLAIMANT_SUGGESTIONS_FROM).order_by("name", "role")


def public_topics(request=None):
    """Topics of at least one public claim (a draft's topic stays internal)."""
    return Topic.objects.public().order_by("name")


def start_of_day(day) -> datetime:
    """Midnight at the start of `day` in the site's time zone (a range on `published_at` uses the index)."""
    return timezone.make_aware(datetime.combine(day, time.min))


class ClaimFilterForm(forms.Form):
    def clean(self):
        data = super().clean()
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            raise ValidationError(_("Das Datum „von“ liegt nach dem Datum „bis“: bitte die Daten tauschen."), code="date_range")
        return data


class ClaimFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        method="filter_q",
        label=_("Suche"),
        help_text=_('Volltextsuche, z. B. "legitime Ziele" OR Kreml -Putin'),
        widget=forms.TextInput(attrs={"type": "search"}),
    )
    rating = RatingsFilter(
        field_name="rating__slug",
        to_field_name="slug",
        # A claim has one rating: the join adds no duplicate rows, and DISTINCT would sort every match.
        distinct=False,
        queryset=Rating.objects.select_related("scale").order_by("-scale__is_default", "scale__name", "order"),
        label=_("Bewertung"),
        widget=forms.CheckboxSelectMultiple,
    )
    claimant = ClaimantFilter(
        field_name="claimant",
        to_field_name="slug",
        queryset=public_claimants,
        label=_("Urheber/in"),
        widget=forms.TextInput(
            attrs={"type": "search", "list": "claimant-suggestions", "aria-describedby": "claimant-help", "spellcheck": "false"}
        ),
        error_messages={"invalid_choice": _("Keine Urheberin und kein Urheber mit dem Namen oder Kurznamen „%(value)s“.")},
    )
    topic = SlugFilter(
        field_name="topics",
        to_field_name="slug",
        queryset=public_topics,
        label=_("Thema"),
        empty_label=_("Alle Themen"),
        widget=NewsroomLanguageSelect,
        error_messages={"invalid_choice": _("Kein Thema mit dem Kurznamen „%(value)s“.")},
    )
    # A language the archive does not know is a typo to report (400), not a filter that matches nothing.
    language = django_filters.ChoiceFilter(field_name="language", choices=Language.choices, label=_("Sprache"))
    published_since = DateTimeFilter(field_name="published_at", lookup_expr="gte", label=_("Veröffentlicht ab"))
    published_until = DateTimeFilter(field_name="published_at", lookup_expr="lte", label=_("Veröffentlicht bis"))
    updated_since = DateTimeFilter(field_name="updated_at", method="filter_updated_since", label=_("Geändert ab"))
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
        form = ClaimFilterForm
        fields = ["q", "rating", "claimant", "topic", "language"]

    def filter_q(self, queryset, name, value):
        return search_claims(queryset, value)

    def filter_updated_since(self, queryset, name, value):
        # A claim scheduled before `value` was last saved then, but became public only when it fell
        # due: for a partner's incremental sync, appearing is a change too.
        return queryset.filter(Q(updated_at__gte=value) | Q(published_at__gte=value))

    def filter_date_from(self, queryset, name, value):
        return queryset.filter(published_at__gte=start_of_day(value))

    def filter_date_to(self, queryset, name, value):
        if value == date.max:  # the last day there is: no day after it to stop before
            return queryset
        return queryset.filter(published_at__lt=start_of_day(value + timedelta(days=1)))


class CorrectionFilter(django_filters.FilterSet):
    since = DateTimeFilter(field_name="date", lookup_expr="gte", label=_("Ab"))
    until = DateTimeFilter(field_name="date", lookup_expr="lte", label=_("Bis"))
    kind = django_filters.ChoiceFilter(choices=CorrectionKind.choices, label=_("Art"))
    claim = SlugFilter(
        field_name="claim",
        to_field_name="slug",
        queryset=lambda request: Claim.objects.published(),
        label=_("Faktencheck (Kurzname)"),
        error_messages={"invalid_choice": _("Kein veröffentlichter Faktencheck mit dem Kurznamen „%(value)s“.")},
    )

    class Meta:
        model = Correction
        fields = ["since", "until", "kind", "claim"]
