from django.db import models
from django.utils.translation import gettext_lazy as _


class ClaimStatus(models.TextChoices):
    DRAFT = "draft", _("Entwurf")
    IN_REVIEW = "review", _("In Prüfung")
    PUBLISHED = "published", _("Veröffentlicht")
    WITHDRAWN = "withdrawn", _("Zurückgezogen")


class ClaimantKind(models.TextChoices):
    PERSON = "person", _("Person")
    ORGANISATION = "organisation", _("Organisation")


class CorrectionKind(models.TextChoices):
    CORRECTION = "correction", _("Korrektur")
    UPDATE = "update", _("Aktualisierung")
    VERDICT_CHANGE = "verdict", _("Änderung der Bewertung")
    WITHDRAWAL = "withdrawal", _("Zurückziehung")


class EventAction(models.TextChoices):
    CREATED = "created", _("angelegt")
    SUBMITTED = "submitted", _("zur Prüfung eingereicht")
    CHANGES_REQUESTED = "changes_requested", _("Änderungen angefordert")
    APPROVED = "approved", _("freigegeben")
    PUBLISHED = "published", _("veröffentlicht")
    WITHDRAWN = "withdrawn", _("zurückgezogen")
    RETURNED_TO_DRAFT = "returned", _("zurück zum Entwurf")
    CORRECTED = "corrected", _("korrigiert")
    MARKED_DUPLICATE = "duplicate", _("als Dublette markiert")
