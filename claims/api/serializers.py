"""Output and input shapes of the partner API. No queries here: views prefetch what is shown."""

import datetime
import re

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from sources.models import Source

from ..choices import CorrectionKind
from ..models import Appearance, Claim, Claimant, Correction, Rating, Topic


def public_url(path: str) -> str:
    """Canonical address on the public site (SITE_URL), independent of the host the API was called on."""
    return f"{settings.SITE_URL}{path}"


class UtcDateTimeField(serializers.DateTimeField):
    """Times in UTC ("…Z"): old dates in local time carry offsets in seconds (LMT), which RFC 3339 does not allow."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("default_timezone", datetime.UTC)
        super().__init__(*args, **kwargs)


class ApiModelSerializer(serializers.ModelSerializer):
    serializer_field_mapping = {**serializers.ModelSerializer.serializer_field_mapping, models.DateTimeField: UtcDateTimeField}


@extend_schema_field(OpenApiTypes.URI)
class PublicUrlField(serializers.Field):
    """The object's canonical public URL (`get_absolute_url()` on SITE_URL)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("help_text", _("Öffentliche Adresse auf der Website / canonical public URL."))
        super().__init__(source="*", read_only=True, **kwargs)

    def to_representation(self, value):
        return public_url(value.get_absolute_url())


class RatingBriefSerializer(ApiModelSerializer):
    scale = serializers.SlugRelatedField(slug_field="slug", read_only=True)

    class Meta:
        model = Rating
        fields = ["slug", "label", "label_en", "value", "colour", "scale"]


class RatingSerializer(RatingBriefSerializer):
    best_value = serializers.IntegerField(source="scale.best_value", read_only=True)
    worst_value = serializers.IntegerField(source="scale.worst_value", read_only=True)
    url = PublicUrlField()

    class Meta:
        model = Rating
        fields = [*RatingBriefSerializer.Meta.fields, "definition", "definition_en", "best_value", "worst_value", "url"]


class ClaimantSerializer(ApiModelSerializer):
    url = PublicUrlField()

    class Meta:
        model = Claimant
        fields = ["slug", "name", "kind", "role", "description", "url"]


class TopicSerializer(ApiModelSerializer):
    class Meta:
        model = Topic
        fields = ["slug", "name"]


class SourceBriefSerializer(ApiModelSerializer):
    outlet = serializers.CharField(source="outlet.name", default="", read_only=True, help_text=_("Medium / outlet"))
    archive_url = PublicUrlField(help_text=_("Archivierte Fassung auf der Website / archived copy on the public site."))

    class Meta:
        model = Source
        fields = ["slug", "title", "url", "outlet", "agency", "author", "published_at", "language", "archive_url"]


class AppearanceSerializer(ApiModelSerializer):
    source = SourceBriefSerializer(read_only=True)
    quote = serializers.CharField(
        source="exact_quote", read_only=True, help_text=_("Zitat wörtlich wie im Artikel / quote exactly as in the article.")
    )

    class Meta:
        model = Appearance
        fields = ["source", "quote", "start", "end", "is_first"]


class CorrectionInClaimSerializer(ApiModelSerializer):
    old_rating = serializers.SlugRelatedField(slug_field="slug", read_only=True, allow_null=True)
    new_rating = serializers.SlugRelatedField(slug_field="slug", read_only=True, allow_null=True)

    class Meta:
        model = Correction
        fields = ["id", "date", "kind", "note", "old_rating", "new_rating", "old_conclusion", "new_conclusion"]


class ClaimListSerializer(ApiModelSerializer):
    claimant = ClaimantSerializer(read_only=True, allow_null=True)
    rating = RatingBriefSerializer(read_only=True, allow_null=True)
    topics = TopicSerializer(many=True, read_only=True)
    url = PublicUrlField()

    class Meta:
        model = Claim
        fields = [
            "slug",
            "text",
            "claimant",
            "claim_date",
            "language",
            "topics",
            "rating",
            "conclusion",
            "published_at",
            "updated_at",
            "valid_as_of",
            "version",
            "url",
        ]


class ClaimDetailSerializer(ClaimListSerializer):
    context_html = serializers.CharField(
        read_only=True, help_text=_("Einordnung als bereinigtes HTML / context as sanitised HTML (safe to embed).")
    )
    context = serializers.CharField(read_only=True, help_text=_("Einordnung in Markdown / context as Markdown source."))
    appearances = AppearanceSerializer(many=True, read_only=True)
    corrections = CorrectionInClaimSerializer(many=True, read_only=True)
    duplicate_of = serializers.SerializerMethodField(
        help_text=_(
            "Kurzname des bereits veröffentlichten Faktenchecks, den diese Behauptung wiederholt / "
            "slug of the published fact-check this claim repeats."
        )
    )

    class Meta:
        model = Claim
        fields = [
            *ClaimListSerializer.Meta.fields,
            "text_long",
            "status",
            "context",
            "context_html",
            "duplicate_of",
            "appearances",
            "corrections",
        ]

    def get_duplicate_of(self, claim) -> str | None:
        original = claim.duplicate_of
        return original.slug if original is not None and original.is_public else None


class CorrectionSerializer(ApiModelSerializer):
    claim = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    old_rating = serializers.SlugRelatedField(slug_field="slug", read_only=True, allow_null=True)
    new_rating = serializers.SlugRelatedField(slug_field="slug", read_only=True, allow_null=True)

    class Meta:
        model = Correction
        fields = ["id", "claim", "date", "kind", "note", "old_rating", "new_rating", "old_conclusion", "new_conclusion"]


class SourceSerializer(SourceBriefSerializer):
    class Meta:
        model = Source
        fields = [*SourceBriefSerializer.Meta.fields, "teaser"]


class SourceAppearanceSerializer(ApiModelSerializer):
    claim = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    quote = serializers.CharField(source="exact_quote", read_only=True)

    class Meta:
        model = Appearance
        fields = ["claim", "quote", "start", "end", "is_first"]


class SourceDetailSerializer(SourceSerializer):
    body = serializers.CharField(read_only=True, help_text=_("Archivierter Artikeltext / archived article text."))
    appearances = SourceAppearanceSerializer(
        source="public_appearances", many=True, read_only=True, help_text=_("Zitate veröffentlichter Faktenchecks / quoted passages.")
    )

    class Meta:
        model = Source
        fields = [*SourceSerializer.Meta.fields, "body", "appearances"]


# --- Input -------------------------------------------------------------------------------

SLUG = re.compile(r"^[-a-zA-Z0-9_]+$")


class SlugReference(serializers.SlugRelatedField):
    """A related object named by its slug; malformed slugs are refused before any lookup."""

    def to_internal_value(self, data):
        if not isinstance(data, str) or not SLUG.match(data):
            self.fail("does_not_exist", slug_name=self.slug_field, value=str(data)[:100])
        return super().to_internal_value(data)


class SimilarRequestSerializer(serializers.Serializer):
    text = serializers.CharField(
        max_length=1000,
        help_text=_("Ein Satz, z. B. aus einem Artikel oder Post / a sentence to check against published fact-checks."),
    )
    limit = serializers.IntegerField(min_value=1, max_value=20, default=5, help_text=_("Höchstzahl der Treffer / maximum matches."))


class SimilarMatchSerializer(serializers.Serializer):
    score = serializers.FloatField(help_text=_("Ähnlichkeit, höher ist ähnlicher / similarity, higher is closer."))
    claim = ClaimListSerializer()


def default_scale_ratings():
    return Rating.objects.filter(scale__is_default=True)


class ClaimWriteSerializer(serializers.Serializer):
    """Fields an editor may set; the workflow services validate the rest (and raise readable errors)."""

    text = serializers.CharField(max_length=Claim._meta.get_field("text").max_length)
    text_long = serializers.CharField(required=False, allow_blank=True)
    slug = serializers.SlugField(required=False, allow_blank=True, max_length=90)
    claimant = SlugReference(slug_field="slug", queryset=Claimant.objects.all(), required=False, allow_null=True)
    claim_date = serializers.DateField(required=False, allow_null=True)
    language = serializers.ChoiceField(choices=Claim._meta.get_field("language").choices, required=False)
    topics = SlugReference(slug_field="slug", queryset=Topic.objects.all(), many=True, required=False)
    rating = SlugReference(
        slug_field="slug",
        queryset=default_scale_ratings(),
        required=False,
        allow_null=True,
        help_text=_("Kurzname einer Bewertung der Standard-Skala / rating slug of the default scale."),
    )
    conclusion = serializers.CharField(required=False, allow_blank=True, max_length=300)
    context = serializers.CharField(required=False, allow_blank=True, help_text=_("Markdown"))
    published_at = serializers.DateTimeField(required=False, allow_null=True)
    valid_as_of = serializers.DateField(required=False, allow_null=True)
    duplicate_of = SlugReference(slug_field="slug", queryset=Claim.objects.all(), required=False, allow_null=True)


class ClaimUpdateSerializer(ClaimWriteSerializer):
    text = serializers.CharField(max_length=Claim._meta.get_field("text").max_length, required=False)
    version = serializers.IntegerField(
        min_value=1,
        help_text=_(
            "Version, auf der die Änderung beruht (aus der letzten Antwort). Weicht sie ab, antwortet die API mit 409. "
            "/ Version the change is based on; a mismatch answers 409."
        ),
    )


class AppearanceWriteSerializer(serializers.Serializer):
    source = SlugReference(slug_field="slug", queryset=Source.objects.all())
    quote = serializers.CharField(max_length=5000, help_text=_("Wörtlich aus dem Artikel / verbatim from the article."))
    is_first = serializers.BooleanField(required=False, allow_null=True, default=None)


class SeenVersionSerializer(serializers.Serializer):
    version = serializers.IntegerField(
        min_value=1,
        required=False,
        allow_null=True,
        help_text=_(
            "Optional: die Version, die gelesen wurde. Wurde der Faktencheck seitdem gespeichert, antwortet die API mit 409. "
            "/ Optional: the version read; if the claim was saved since, the API answers 409."
        ),
    )


class CommentSerializer(SeenVersionSerializer):
    comment = serializers.CharField(max_length=5000, help_text=_("Begründung / reason."))


class NoteSerializer(SeenVersionSerializer):
    note = serializers.CharField(
        max_length=5000,
        help_text=_("Begründung, im Verlauf gespeichert; der Faktencheck verschwindet aus API und Website. / Reason, kept in the history."),
    )


class ReasonSerializer(SeenVersionSerializer):
    reason = serializers.CharField(max_length=5000, help_text=_("Grund / reason."))


class PublishSerializer(SeenVersionSerializer):
    at = serializers.DateTimeField(
        required=False, allow_null=True, help_text=_("Zeitpunkt; in der Zukunft plant die Veröffentlichung / time; future schedules.")
    )


class CorrectSerializer(SeenVersionSerializer):
    kind = serializers.ChoiceField(choices=CorrectionKind.choices, help_text=_("Rücknahmen über /withdraw/ / withdrawals via /withdraw/."))
    note = serializers.CharField(max_length=5000)
    new_rating = SlugReference(slug_field="slug", queryset=default_scale_ratings(), required=False, allow_null=True)
    new_conclusion = serializers.CharField(required=False, allow_null=True, max_length=300)
