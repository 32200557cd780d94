import hashlib

from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVector, SearchVectorField
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from claims.slugs import german_slugify
from config.links import slug_url

from .choices import Language

# PostgreSQL text search configuration created by migration: German stemming on
# unaccented words, so "Selenskyj"/"Selenskij" stay apart but "Maßnahme"/"Massnahme" meet.
SEARCH_CONFIG = "german_unaccent"
# Earliest publication year an archived article may carry; earlier dates are typing errors.
MIN_PUBLISHED_YEAR = 1800


def content_hash(text: str) -> str:
    """SHA-256 of an article's extracted text: the identity of a stored article version."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def raw_hash(raw: bytes) -> str:
    """SHA-256 of the bytes an article was imported from, to prove the snapshot is unchanged."""
    return hashlib.sha256(bytes(raw or b"")).hexdigest()


class Outlet(models.Model):
    name = models.CharField(_("Name"), max_length=200, unique=True, help_text=_("Name des Mediums, z. B. „tagesschau.de“."))
    domain = models.CharField(
        _("Domain"),
        max_length=200,
        blank=True,
        help_text=_("Web-Domain ohne „www.“, z. B. „tagesschau.de“. Dient zur Zuordnung importierter URLs."),
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("Medium")
        verbose_name_plural = _("Medien")
        constraints = [
            models.UniqueConstraint(fields=["domain"], condition=~Q(domain=""), name="outlet_domain_unique"),
        ]

    def __str__(self):
        return self.name


class SourceQuerySet(models.QuerySet):
    def public(self):
        """Sources readers may see: those quoted by at least one public claim.

        Archived articles nobody has used yet are editorial material, not publications.
        """
        from claims.models import Claim

        return self.filter(appearances__claim__in=Claim.objects.published()).distinct()


class Source(models.Model):
    title = models.CharField(_("Titel"), max_length=500, help_text=_("Überschrift des Artikels, wie sie im Original steht."))
    slug = models.SlugField(_("Kurzname"), max_length=120, unique=True, editable=False)
    url = models.URLField(
        _("URL"),
        max_length=1000,
        blank=True,
        help_text=_("Adresse des Originalartikels. Leer lassen, wenn der Text nur als Datei vorliegt."),
    )
    outlet = models.ForeignKey(
        Outlet,
        verbose_name=_("Medium"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="sources",
        help_text=_("Das Medium, in dem der Artikel erschienen ist."),
    )
    agency = models.CharField(_("Agentur"), max_length=100, blank=True, help_text=_("Nachrichtenagentur, falls genannt, z. B. „dpa“."))
    author = models.CharField(_("Autor/in"), max_length=300, blank=True, help_text=_("Autorinnen und Autoren laut Artikel."))
    published_at = models.DateTimeField(
        _("Veröffentlicht am"),
        null=True,
        blank=True,
        help_text=_("Datum laut Artikel. Leer lassen, wenn der Artikel kein Datum trägt – nicht schätzen."),
    )
    language = models.CharField(_("Sprache"), max_length=5, choices=Language.choices, default=Language.GERMAN)
    teaser = models.TextField(_("Vorspann"), blank=True, help_text=_("Einleitender Absatz, falls der Artikel einen hat."))
    body = models.TextField(
        _("Text"),
        help_text=_("Vollständiger Artikeltext. Zitate werden gegen diesen Text geprüft; er wird nach dem Import nicht mehr verändert."),
    )
    content_hash = models.CharField(_("Inhalts-Hash"), max_length=64, unique=True, editable=False)
    raw = models.BinaryField(_("Original"), blank=True, editable=False, help_text=_("Unveränderte Bytes, wie sie importiert wurden."))
    raw_content_type = models.CharField(_("Original-Format"), max_length=100, blank=True, editable=False)
    raw_hash = models.CharField(
        _("Original-Hash"),
        max_length=64,
        blank=True,
        editable=False,
        help_text=_("SHA-256 der unveränderten Original-Bytes."),
    )
    previous_version = models.OneToOneField(
        "self",
        verbose_name=_("Vorherige Fassung"),
        null=True,
        blank=True,
        editable=False,
        on_delete=models.PROTECT,
        related_name="next_version",
    )
    is_latest = models.BooleanField(_("Aktuelle Fassung"), default=True, editable=False)
    imported_at = models.DateTimeField(_("Importiert am"), default=timezone.now, editable=False)
    search_vector = models.GeneratedField(
        expression=SearchVector("title", weight="A", config=SEARCH_CONFIG) + SearchVector("body", weight="B", config=SEARCH_CONFIG),
        output_field=SearchVectorField(),
        db_persist=True,
    )

    objects = SourceQuerySet.as_manager()

    class Meta:
        ordering = ["-published_at", "-imported_at"]
        verbose_name = _("Quelle")
        verbose_name_plural = _("Quellen")
        constraints = [
            # One current version per URL; older versions of a changed article keep their URL.
            models.UniqueConstraint(fields=["url"], condition=~Q(url="") & Q(is_latest=True), name="source_url_unique_latest"),
        ]
        indexes = [
            GinIndex(fields=["search_vector"], name="source_search_gin", fastupdate=False),
            # Newest first: reader searches rank the newest matching articles (claims.search).
            models.Index(fields=["-published_at", "-id"], name="source_published"),
        ]

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        self.content_hash = content_hash(self.body)
        self.raw_hash = raw_hash(self.raw)
        update_fields = kwargs.get("update_fields")
        if not self._state.adding and (update_fields is None or {"body", "raw"} & set(update_fields)):
            stored = Source.objects.filter(pk=self.pk).values_list("content_hash", "raw_hash").first()
            if stored and stored != (self.content_hash, self.raw_hash):
                # Quotes are anchored in the archived text: a changed article is a new version.
                # (A database trigger refuses it to bulk updates too: migration 0005.)
                raise ValidationError(_("Text und Original einer archivierten Quelle können nicht geändert werden."))
        if not self.slug:
            self.slug = f"{german_slugify(self.title)[:100].strip('-') or 'artikel'}-{self.content_hash[:8]}"
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return slug_url("sources:source-detail", self.slug)

    def clean(self):
        super().clean()
        # Before year 1 in UTC, PostgreSQL stores the date BC and it can no longer be read back.
        if self.published_at and self.published_at.year < MIN_PUBLISHED_YEAR:
            raise ValidationError(
                {
                    "published_at": _("Das Datum %(date)s ist kein mögliches Erscheinungsdatum.")
                    % {"date": f"{self.published_at.day:02}.{self.published_at.month:02}.{self.published_at.year:04}"}
                }
            )
