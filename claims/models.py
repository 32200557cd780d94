from django.conf import settings
from django.contrib.postgres.indexes import GinIndex, GistIndex
from django.contrib.postgres.search import SearchVector, SearchVectorField
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework_api_key.models import AbstractAPIKey
from simple_history.models import HistoricalRecords

from config.links import fixed_url, slug_url
from sources.choices import Language
from sources.models import SEARCH_CONFIG, Source
from sources.quotes import find_quote

from .choices import ClaimantKind, ClaimStatus, CorrectionKind, EventAction
from .markup import render_markdown
from .querysets import ClaimantQuerySet, ClaimQuerySet, CorrectionQuerySet, TopicQuerySet
from .slugs import german_slugify

SHORT_CLAIM_LENGTH = 75
# Publication times before this year are typing errors, and before year 2 they cannot be read back.
EARLIEST_PUBLICATION_YEAR = 1900


def unique_slug(model, text: str, *, max_length: int = 80, exclude_pk=None) -> str:
    base = german_slugify(text)[:max_length].strip("-") or "eintrag"
    slug, counter = base, 2
    others = model.objects.exclude(pk=exclude_pk) if exclude_pk else model.objects.all()
    while others.filter(slug=slug).exists():
        slug = f"{base[: max_length - 4]}-{counter}"
        counter += 1
    return slug


class Topic(models.Model):
    name = models.CharField(
        _("Name"), max_length=100, unique=True, help_text=_("Thema, unter dem Leser Faktenchecks finden, z. B. „Ukraine“.")
    )
    slug = models.SlugField(_("Kurzname"), max_length=100, unique=True)

    objects = TopicQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("Thema")
        verbose_name_plural = _("Themen")

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        if not self.slug:
            self.slug = unique_slug(Topic, self.name)
        super().save(*args, **kwargs)


class Claimant(models.Model):
    name = models.CharField(
        _("Name"), max_length=200, help_text=_("Name der Person oder Organisation, die die Behauptung aufgestellt hat.")
    )
    slug = models.SlugField(_("Kurzname"), max_length=100, unique=True, editable=False)
    kind = models.CharField(_("Art"), max_length=20, choices=ClaimantKind.choices, default=ClaimantKind.PERSON)
    role = models.CharField(
        _("Funktion"),
        max_length=200,
        blank=True,
        help_text=_("Funktion zum Zeitpunkt der Aussage, z. B. „Kremlsprecher“ oder „Bundeskanzler“."),
    )
    description = models.TextField(_("Beschreibung"), blank=True, help_text=_("Kurze neutrale Einordnung für die öffentliche Seite."))

    objects = ClaimantQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("Urheber/in")
        verbose_name_plural = _("Urheber/innen")
        constraints = [models.UniqueConstraint(fields=["name", "role"], name="claimant_name_role_unique")]
        indexes = [GinIndex(fields=["name"], opclasses=["gin_trgm_ops"], name="claimant_name_trgm")]

    def __str__(self):
        return f"{self.name} ({self.role})" if self.role else self.name

    def save(self, *args, **kwargs):
        if not self.slug:
            self.slug = unique_slug(Claimant, self.name)
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return slug_url("claims:claimant-detail", self.slug)


class RatingScale(models.Model):
    name = models.CharField(_("Name"), max_length=100, unique=True)
    slug = models.SlugField(_("Kurzname"), max_length=100, unique=True)
    best_value = models.SmallIntegerField(_("Bester Wert"), help_text=_("Zahlenwert der besten Bewertung (schema.org bestRating)."))
    worst_value = models.SmallIntegerField(
        _("Schlechtester Wert"), help_text=_("Zahlenwert der schlechtesten Bewertung (schema.org worstRating).")
    )
    is_default = models.BooleanField(_("Standard-Skala"), default=False)
    description = models.TextField(_("Methodik"), blank=True, help_text=_("Öffentliche Erläuterung der Skala (Markdown)."))
    name_en = models.CharField(_("Name (englisch)"), max_length=100, blank=True, help_text=_("Für Leser der englischen Seiten."))
    description_en = models.TextField(_("Methodik (englisch)"), blank=True, help_text=_("Für Leser der englischen Seiten."))

    class Meta:
        verbose_name = _("Bewertungsskala")
        verbose_name_plural = _("Bewertungsskalen")
        constraints = [
            models.UniqueConstraint(
                fields=["is_default"],
                condition=Q(is_default=True),
                name="one_default_scale",
                violation_error_message=_("Es gibt schon eine Standard-Skala; nur eine Skala kann Standard sein."),
            ),
            models.CheckConstraint(
                condition=Q(best_value__gt=F("worst_value")),
                name="scale_best_above_worst",
                violation_error_message=_("Der beste Wert muss größer sein als der schlechteste."),
            ),
        ]

    def __str__(self):
        return self.name


class Rating(models.Model):
    scale = models.ForeignKey(RatingScale, verbose_name=_("Skala"), on_delete=models.PROTECT, related_name="ratings")
    slug = models.SlugField(_("Kurzname"), max_length=60)
    label = models.CharField(
        _("Bezeichnung (deutsch)"), max_length=60, help_text=_("Wie die Bewertung auf der Seite erscheint, z. B. „Falsch“.")
    )
    label_en = models.CharField(
        _("Bezeichnung (englisch)"), max_length=60, help_text=_("Englische Bezeichnung für die API und die englische Oberfläche.")
    )
    value = models.SmallIntegerField(
        _("Zahlenwert"), help_text=_("Position auf der Skala (schema.org ratingValue); muss zwischen schlechtestem und bestem Wert liegen.")
    )
    colour = models.CharField(
        _("Farbe"), max_length=7, help_text=_("Hex-Farbe des Bewertungssymbols, z. B. #c0392b. Kontrast zu weißer Schrift beachten.")
    )
    definition = models.TextField(_("Definition (deutsch)"), help_text=_("Öffentliche Definition: wann diese Bewertung vergeben wird."))
    definition_en = models.TextField(_("Definition (englisch)"), blank=True)
    order = models.PositiveSmallIntegerField(_("Reihenfolge"), default=0)

    history = HistoricalRecords()

    class Meta:
        ordering = ["scale", "order"]
        verbose_name = _("Bewertung")
        verbose_name_plural = _("Bewertungen")
        constraints = [
            models.UniqueConstraint(fields=["scale", "slug"], name="rating_slug_unique_per_scale"),
            models.CheckConstraint(
                condition=Q(colour__regex=r"^#[0-9a-fA-F]{6}$"),
                name="rating_colour_hex",
                violation_error_message=_("Die Farbe bitte als Hex-Wert mit sechs Stellen angeben, z. B. #b0231b."),
            ),
        ]

    def __str__(self):
        return self.label

    def get_absolute_url(self):
        return fixed_url("claims:ratings") + f"#{self.slug}"

    def clean(self):
        scale = getattr(self, "scale", None)
        if scale is not None and self.value is not None and not scale.worst_value <= self.value <= scale.best_value:
            raise ValidationError(
                {
                    "value": _("Der Wert muss zwischen %(worst)s und %(best)s liegen.")
                    % {"worst": scale.worst_value, "best": scale.best_value}
                }
            )


class Claim(models.Model):
    text = models.CharField(
        _("Behauptung"),
        max_length=SHORT_CLAIM_LENGTH,
        help_text=_(
            "Die Behauptung in höchstens 75 Zeichen, so wie sie aufgestellt wurde – nicht die Bewertung. Erscheint in Suchmaschinen."
        ),
    )
    text_long = models.TextField(
        _("Behauptung (ausführlich)"), blank=True, help_text=_("Optional: vollständiger Wortlaut oder genauere Fassung.")
    )
    slug = models.SlugField(
        _("Kurzname"),
        max_length=90,
        unique=True,
        blank=True,
        help_text=_(
            "Teil der öffentlichen Adresse. Leer lassen: wird aus der Behauptung erzeugt. Nach Veröffentlichung nicht mehr ändern."
        ),
    )
    claimant = models.ForeignKey(
        Claimant,
        verbose_name=_("Urheber/in"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="claims",
        help_text=_("Wer die Behauptung aufgestellt hat."),
    )
    claim_date = models.DateField(
        _("Datum der Behauptung"), null=True, blank=True, help_text=_("Wann die Behauptung aufgestellt wurde, laut Quelle.")
    )
    language = models.CharField(_("Sprache"), max_length=5, choices=Language.choices, default=Language.GERMAN)
    topics = models.ManyToManyField(Topic, verbose_name=_("Themen"), blank=True, related_name="claims")
    rating = models.ForeignKey(
        Rating,
        verbose_name=_("Bewertung"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="claims",
        help_text=_(
            "Das Urteil. Nur auf Grundlage der verlinkten Quellen vergeben; nach Veröffentlichung nur über eine Korrektur änderbar."
        ),
    )
    conclusion = models.CharField(
        _("Fazit"),
        max_length=300,
        blank=True,
        help_text=_("Das Ergebnis in einem Satz. Nach Veröffentlichung nur über eine Korrektur änderbar."),
    )
    context = models.TextField(
        _("Einordnung"), blank=True, help_text=_("Begründung und Kontext in Markdown. HTML wird bereinigt; Skripte werden entfernt.")
    )
    context_html = models.TextField(editable=False, blank=True)
    status = models.CharField(_("Status"), max_length=20, choices=ClaimStatus.choices, default=ClaimStatus.DRAFT, editable=False)
    published_at = models.DateTimeField(
        _("Veröffentlichung"),
        null=True,
        blank=True,
        help_text=_(
            "Zeitpunkt der Veröffentlichung. Ein Zeitpunkt in der Zukunft plant die Veröffentlichung; "
            "bis dahin bleibt der Faktencheck unsichtbar."
        ),
    )
    valid_as_of = models.DateField(
        _("Stand"), null=True, blank=True, help_text=_("Bis zu diesem Datum wurde die Bewertung zuletzt überprüft.")
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("Autor/in"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="authored_claims",
        editable=False,
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("Freigegeben von"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="approved_claims",
        editable=False,
    )
    duplicate_of = models.ForeignKey(
        "self",
        verbose_name=_("Dublette von"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="duplicates",
        help_text=_("Wenn diese Behauptung dieselbe ist wie ein bereits geprüfter Faktencheck."),
    )
    version = models.PositiveIntegerField(_("Version"), default=1, editable=False)
    created_at = models.DateTimeField(_("Angelegt"), auto_now_add=True)
    updated_at = models.DateTimeField(_("Geändert"), auto_now=True)
    search_vector = models.GeneratedField(
        expression=SearchVector("text", weight="A", config=SEARCH_CONFIG)
        + SearchVector("text_long", "conclusion", weight="B", config=SEARCH_CONFIG)
        + SearchVector("context", weight="C", config=SEARCH_CONFIG),
        output_field=SearchVectorField(),
        db_persist=True,
    )

    # The words of the short text alone, for similar-claim lookups: the GIN index answers them
    # without reading rows to check which field a word came from (weights of `search_vector`).
    text_vector = models.GeneratedField(
        expression=SearchVector("text", config=SEARCH_CONFIG),
        output_field=SearchVectorField(),
        db_persist=True,
    )

    history = HistoricalRecords(excluded_fields=["search_vector", "text_vector", "context_html"])
    objects = ClaimQuerySet.as_manager()

    class Meta:
        ordering = ["-published_at", "-created_at"]
        verbose_name = _("Faktencheck")
        verbose_name_plural = _("Faktenchecks")
        constraints = [
            models.CheckConstraint(
                condition=~Q(status=ClaimStatus.PUBLISHED) | (Q(published_at__isnull=False) & Q(rating__isnull=False) & ~Q(conclusion="")),
                name="published_claim_complete",
                violation_error_message=_(
                    "Ein veröffentlichter oder geplanter Faktencheck braucht Zeitpunkt der Veröffentlichung, Bewertung und Fazit."
                ),
            ),
            models.CheckConstraint(
                condition=~Q(duplicate_of=F("id")),
                name="claim_not_own_duplicate",
                violation_error_message=_("Ein Faktencheck kann nicht Dublette von sich selbst sein."),
            ),
        ]
        permissions = [
            ("submit_claim", _("Kann Faktenchecks zur Prüfung einreichen")),
            ("review_claim", _("Kann Faktenchecks prüfen und freigeben")),
            ("publish_claim", _("Kann Faktenchecks veröffentlichen und zurückziehen")),
            ("correct_claim", _("Kann veröffentlichte Faktenchecks korrigieren")),
        ]
        indexes = [
            models.Index(fields=["status", "-published_at", "-id"], name="claim_status_published"),
            # The search page's window (the newest matches, claims.search.search_window) walks this
            # index and tests each vector in it, without visiting the table.
            models.Index(fields=["status", "-published_at", "-id"], include=["search_vector"], name="claim_published_search"),
            models.Index(fields=["updated_at", "id"], name="claim_updated"),
            GinIndex(fields=["search_vector"], name="claim_search_gin", fastupdate=False),
            GinIndex(fields=["text_vector"], name="claim_text_search_gin", fastupdate=False),
            GinIndex(fields=["text"], opclasses=["gin_trgm_ops"], name="claim_text_trgm", fastupdate=False),
            # Nearest claims by trigram distance, read in order (`ORDER BY text <-> …`) for duplicate warnings.
            GistIndex(fields=["text"], opclasses=["gist_trgm_ops"], name="claim_text_trgm_gist"),
        ]

    def __str__(self):
        return self.text

    def save(self, *args, **kwargs):
        if not self.slug:
            self.slug = unique_slug(Claim, self.text, exclude_pk=self.pk)
        self.context_html = render_markdown(self.context)
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return slug_url("claims:claim-detail", self.slug)

    def clean(self):
        errors = {}
        # A mistyped year ("01.01.0001") stores a time that PostgreSQL hands back in UTC before
        # year 1, which Python cannot read: every page listing the claim would fail.
        if self.published_at is not None and self.published_at.year < EARLIEST_PUBLICATION_YEAR:
            errors["published_at"] = _("Bitte einen Zeitpunkt ab dem Jahr %(year)s angeben.") % {"year": EARLIEST_PUBLICATION_YEAR}
        # "Stand" says until when the verdict was checked: not later than today, or than the day a scheduled claim appears.
        today = timezone.localdate()
        latest = max(today, timezone.localdate(self.published_at)) if self.published_at and not errors else today
        if self.valid_as_of is not None and self.valid_as_of > latest:
            errors["valid_as_of"] = (
                _("Der Stand kann nicht nach dem Tag liegen, an dem der Faktencheck erscheint.")
                if latest > today
                else _("Der Stand kann nicht in der Zukunft liegen.")
            )
        if errors:
            raise ValidationError(errors)

    @property
    def is_public(self) -> bool:
        """Mirror of `Claim.objects.published()` for one instance."""
        return self.status == ClaimStatus.PUBLISHED and self.published_at is not None and self.published_at <= timezone.now()

    def said_on(self):
        """When the claim was made: its claim date, else the day of the earliest article quoting it (or None)."""
        if self.claim_date:
            return self.claim_date
        earliest = self.appearances.aggregate(earliest=models.Min("source__published_at"))["earliest"]
        return timezone.localdate(earliest) if earliest else None

    @property
    def first_appearance(self):
        return next((a for a in self.appearances.all() if a.is_first), None)


class Appearance(models.Model):
    claim = models.ForeignKey(Claim, verbose_name=_("Faktencheck"), on_delete=models.CASCADE, related_name="appearances")
    source = models.ForeignKey(
        Source,
        verbose_name=_("Quelle"),
        on_delete=models.PROTECT,
        related_name="appearances",
        help_text=_("Der Artikel, in dem die Behauptung vorkommt."),
    )
    quote = models.TextField(
        _("Zitat"),
        help_text=_(
            "Die Textstelle wörtlich aus dem Artikel kopieren. Zeilenumbrüche und Art der Anführungszeichen "
            "spielen keine Rolle; der Wortlaut muss stimmen."
        ),
    )
    start = models.PositiveIntegerField(_("Anfang"), editable=False)
    end = models.PositiveIntegerField(_("Ende"), editable=False)
    passage = models.TextField(
        _("Textstelle"),
        editable=False,
        blank=True,
        help_text=_("Die Textstelle genau so, wie sie im archivierten Artikel steht; beim Speichern übernommen."),
    )
    is_first = models.BooleanField(
        _("Erstes Auftreten"),
        default=False,
        help_text=_("Die früheste bekannte Fundstelle der Behauptung. Pro Faktencheck höchstens eine."),
    )
    created_at = models.DateTimeField(_("Angelegt"), auto_now_add=True)

    # The passage follows from source, start and end; the history records those.
    history = HistoricalRecords(excluded_fields=["passage"])

    class Meta:
        ordering = ["-is_first", "source__published_at", "id"]
        verbose_name = _("Fundstelle")
        verbose_name_plural = _("Fundstellen")
        constraints = [
            models.UniqueConstraint(fields=["claim"], condition=Q(is_first=True), name="one_first_appearance_per_claim"),
            models.UniqueConstraint(fields=["claim", "source", "start"], name="appearance_unique_position"),
            models.CheckConstraint(condition=Q(end__gt=F("start")), name="appearance_span_not_empty"),
        ]

    def __str__(self):
        return f"{self.claim} – {self.source}"

    def save(self, *args, **kwargs):
        if self.start is None or self.end is None:
            self.clean()
        # Archived articles never change (a changed article is a new version), so the passage
        # is copied once: pages, the API and the export read it without the article text.
        self.passage = self.source.body[self.start : self.end]
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], "passage"}
        super().save(*args, **kwargs)

    def clean(self):
        """Anchor the quote in the article text; a quote that is not there is refused."""
        if not self.quote or not self.source_id:
            return
        anchor = find_quote(self.source.body, self.quote)
        if anchor is None:
            raise ValidationError(
                {
                    "quote": _("Das Zitat steht nicht im Text von „%(title)s“. Bitte wörtlich aus dem Artikel kopieren.")
                    % {"title": self.source.title}
                }
            )
        self.start, self.end = anchor.start, anchor.end

    @property
    def exact_quote(self) -> str:
        """The quoted passage exactly as it stands in the article."""
        return self.passage


class Correction(models.Model):
    claim = models.ForeignKey(Claim, verbose_name=_("Faktencheck"), on_delete=models.PROTECT, related_name="corrections")
    date = models.DateTimeField(_("Datum"), default=timezone.now)
    kind = models.CharField(_("Art"), max_length=20, choices=CorrectionKind.choices)
    note = models.TextField(
        _("Hinweis"),
        help_text=_(
            "Was geändert wurde und warum. Öffentlich bei Korrekturen, Aktualisierungen und Änderungen der Bewertung; "
            "der Grund einer Zurückziehung bleibt intern."
        ),
    )
    old_rating = models.ForeignKey(
        Rating, verbose_name=_("Alte Bewertung"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    new_rating = models.ForeignKey(
        Rating, verbose_name=_("Neue Bewertung"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    old_conclusion = models.CharField(_("Altes Fazit"), max_length=300, blank=True)
    new_conclusion = models.CharField(_("Neues Fazit"), max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("Erstellt von"), null=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = CorrectionQuerySet.as_manager()

    class Meta:
        ordering = ["-date", "-id"]
        verbose_name = _("Korrektur")
        verbose_name_plural = _("Korrekturen")
        indexes = [models.Index(fields=["date", "id"], name="correction_date")]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.claim}"

    def delete(self, *args, **kwargs):
        raise ValidationError(_("Korrekturen sind öffentlich dokumentiert und werden nie gelöscht."))


class ClaimEvent(models.Model):
    """One step of the editorial workflow: who did what, when, with which comment (internal)."""

    claim = models.ForeignKey(Claim, verbose_name=_("Faktencheck"), on_delete=models.CASCADE, related_name="events")
    action = models.CharField(_("Aktion"), max_length=30, choices=EventAction.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("Von"), null=True, on_delete=models.SET_NULL, related_name="+")
    comment = models.TextField(_("Kommentar"), blank=True)
    created_at = models.DateTimeField(_("Zeitpunkt"), default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("Arbeitsschritt")
        verbose_name_plural = _("Arbeitsschritte")

    def __str__(self):
        return f"{self.get_action_display()} ({self.created_at:%d.%m.%Y %H:%M})"


class RelatedClaim(models.Model):
    """A claim that looks like the same statement as `claim`, stored when `claim` or a claim
    near it is published, edited or withdrawn (`claims.related`), with its rank on the page.

    Kept for claims published now or later; pages read them through `Claim.objects.published()`.
    """

    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="related_links")
    related = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="related_of")
    rank = models.PositiveSmallIntegerField()
    score = models.FloatField()

    class Meta:
        ordering = ["claim", "rank"]
        verbose_name = _("Ähnlicher Faktencheck")
        verbose_name_plural = _("Ähnliche Faktenchecks")
        constraints = [models.UniqueConstraint(fields=["claim", "rank"], name="related_claim_rank_unique")]

    def __str__(self):
        return f"{self.claim_id} → {self.related_id} ({self.score:.2f})"


class ClaimListItem(models.Model):
    """A claim as API list pages show it (`ClaimListSerializer`'s shape, `body`) and as the
    API detail shows it (`ClaimDetailSerializer`'s, `detail`), stored as JSON text.

    Writing that JSON is most of a list page's and a detail's work in PostgreSQL; stored, a
    page joins 50 texts and a detail reads one. `claims.api.lean` stores both whenever the
    claim or anything they show changes, and reads them only while they are current:
    triggers (migrations 0009, 0010) delete the row in the same statement that changes
    anything it shows, and a read writes a missing one afresh. `urls` holds the URL prefixes
    they were written with.
    """

    claim = models.OneToOneField(Claim, on_delete=models.CASCADE, primary_key=True, related_name="list_item")
    urls = models.TextField()
    body = models.TextField()
    detail = models.TextField()

    class Meta:
        verbose_name = _("Gespeicherter API-Listeneintrag")
        verbose_name_plural = _("Gespeicherte API-Listeneinträge")

    def __str__(self):
        return str(self.claim_id)


class PublicRevision(models.Model):
    """One row: how often public content changed, and when it last did.

    Every change to what readers see (a claim, its appearances and corrections, or a claimant,
    rating, scale, topic, source or outlet shown with it) counts it up once its transaction has
    committed (`claims.cache.invalidate_after_commit`). It is part of the validators behind
    conditional GET (`claims.freshness`): a renamed outlet changes no claim row, yet every
    page that shows it must answer with its new name instead of `304 Not Modified`.
    """

    number = models.BigIntegerField(default=0)
    changed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("Stand der öffentlichen Inhalte")
        verbose_name_plural = _("Stand der öffentlichen Inhalte")

    def __str__(self):
        return str(self.number)


class PartnerKey(AbstractAPIKey):
    """An API key of a partner organisation: only its SHA-512 hash is stored; revocation is final."""

    name = models.CharField(
        _("Partner"),
        max_length=50,
        help_text=_("Name der Partnerorganisation, z. B. „Correctiv“ oder „Uni Hamburg – Forschungsprojekt“."),
    )
    contact = models.CharField(
        _("Ansprechpartner/in"),
        max_length=200,
        blank=True,
        help_text=_("Name und E-Mail-Adresse der zuständigen Person beim Partner, für Rückfragen und Schlüsselwechsel."),
    )
    revoked = models.BooleanField(
        _("Gesperrt"),
        default=False,
        help_text=_("Ein gesperrter Schlüssel wird sofort abgewiesen. Das Sperren kann nicht rückgängig gemacht werden."),
    )
    expiry_date = models.DateTimeField(
        _("Gültig bis"),
        null=True,
        blank=True,
        help_text=_("Nach diesem Zeitpunkt wird der Schlüssel abgewiesen. Leer lassen für unbefristete Schlüssel."),
    )
    last_used_at = models.DateTimeField(
        _("Zuletzt benutzt"), null=True, blank=True, editable=False, help_text=_("Wird höchstens einmal pro Minute aktualisiert.")
    )

    class Meta(AbstractAPIKey.Meta):
        verbose_name = _("Partner-API-Schlüssel")
        verbose_name_plural = _("Partner-API-Schlüssel")
