from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from ..models import Outlet, Source


class SourceImportSerializer(serializers.Serializer):
    """What an editor sends to import articles: exactly one of text, file or URL."""

    text = serializers.CharField(
        required=False, trim_whitespace=False, help_text=_("Artikeltext (oder HTML-Quelltext), wie aus dem Browser kopiert.")
    )
    file = serializers.FileField(required=False, help_text=_("Eine .txt-Datei (UTF-8) oder eine gespeicherte Webseite (.html)."))
    url = serializers.URLField(required=False, max_length=1000, help_text=_("Adresse eines Artikels oder eines RSS-/Atom-Feeds."))
    outlet = serializers.PrimaryKeyRelatedField(
        queryset=Outlet.objects.all(), required=False, allow_null=True, help_text=_("Medium, falls es nicht erkannt wird.")
    )

    def validate_file(self, upload):
        limit = settings.SOURCE_FETCH_MAX_BYTES
        if upload.size > limit:
            raise serializers.ValidationError(_("Die Datei ist zu groß (höchstens %(max)s MB).") % {"max": round(limit / (1024 * 1024), 1)})
        return upload

    def validate(self, attrs):
        given = [name for name in ("text", "file", "url") if attrs.get(name) and (name != "text" or attrs["text"].strip())]
        if len(given) != 1:
            raise serializers.ValidationError(_("Bitte genau eines angeben: text, file oder url."))
        return attrs

    def import_arguments(self) -> dict:
        """Keyword arguments for `import_source`."""
        data = self.validated_data
        arguments = {"outlet": data.get("outlet")}
        if data.get("url"):
            arguments["url"] = data["url"]
        elif data.get("file"):
            arguments.update(data=data["file"].read(), filename=data["file"].name)
        else:
            arguments["data"] = data["text"].encode("utf-8")
        return arguments


class ImportedSourceSerializer(serializers.ModelSerializer):
    outlet = serializers.StringRelatedField()
    previous_version = serializers.PrimaryKeyRelatedField(read_only=True)
    admin_url = serializers.SerializerMethodField()
    created = serializers.SerializerMethodField()

    class Meta:
        model = Source
        fields = [
            "id",
            "slug",
            "title",
            "url",
            "outlet",
            "author",
            "agency",
            "published_at",
            "language",
            "content_hash",
            "raw_hash",
            "raw_content_type",
            "previous_version",
            "is_latest",
            "imported_at",
            "created",
            "admin_url",
        ]

    def get_created(self, source) -> bool:
        return source.pk in self.context["created_ids"]

    def get_admin_url(self, source) -> str:
        return reverse("admin:sources_source_change", args=[source.pk])


class ImportFailureSerializer(serializers.Serializer):
    entry = serializers.CharField(source="label", help_text=_("Titel oder Link des Feed-Eintrags."))
    detail = serializers.CharField(source="message", help_text=_("Warum der Eintrag nicht importiert wurde."))


class ImportReportSerializer(serializers.Serializer):
    """The outcome of one import: new and already archived sources, and feed entries that failed."""

    created = serializers.SerializerMethodField()
    existing = serializers.SerializerMethodField()
    sources = serializers.SerializerMethodField()
    failures = ImportFailureSerializer(many=True)

    def get_created(self, report) -> int:
        return len(report.created)

    def get_existing(self, report) -> int:
        return len(report.existing)

    @extend_schema_field(ImportedSourceSerializer(many=True))
    def get_sources(self, report) -> list:
        created_ids = {source.pk for source in report.created}
        sources = [result.source for result in report.results]
        return ImportedSourceSerializer(sources, many=True, context={"created_ids": created_ids}).data
