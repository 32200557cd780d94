"""Every write that changes a claim's state goes through these functions.

Admin actions, API views, management commands and tests call the same services, so the
workflow rules (roles, four-eyes, locked verdicts, optimistic versions) hold everywhere.
"""

from datetime import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from sources.models import Source

from .choices import ClaimStatus, CorrectionKind, EventAction
from .models import Appearance, Claim, ClaimEvent, Correction, Rating

# Fields that state the verdict; while published they change only through `correct_claim`.
VERDICT_FIELDS = ("rating", "conclusion")
EDITABLE_FIELDS = (
    "text",
    "text_long",
    "slug",
    "claimant",
    "claim_date",
    "language",
    "rating",
    "conclusion",
    "context",
    "published_at",
    "valid_as_of",
    "duplicate_of",
)


class EditConflict(ValidationError):
    """Someone else saved the claim after the editor opened it."""


def _require(user, perm: str, message: str) -> None:
    if user is None or not user.has_perm(f"claims.{perm}"):
        raise PermissionDenied(message)


def _log(claim: Claim, action: str, user, comment: str = "") -> None:
    ClaimEvent.objects.create(claim=claim, action=action, actor=user, comment=comment)


def _lock(claim: Claim) -> Claim:
    """Re-read the claim under a row lock so concurrent transitions serialise."""
    return Claim.objects.select_for_update().get(pk=claim.pk)


def can_edit(user, claim: Claim) -> bool:
    """Reporters edit their own drafts; editors and publishers edit any claim."""
    if user.has_perm("claims.review_claim") or user.has_perm("claims.publish_claim"):
        return True
    return user.has_perm("claims.change_claim") and claim.author_id == user.pk and claim.status == ClaimStatus.DRAFT


@transaction.atomic
def create_claim(*, author, topics=(), **fields) -> Claim:
    """Create a draft claim written by `author`."""
    if author is not None:
        _require(author, "add_claim", _("Sie dürfen keine Faktenchecks anlegen."))
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValidationError(_("Unbekannte Felder: %s") % ", ".join(sorted(unknown)))
    claim = Claim(author=author, **fields)
    claim.full_clean(exclude=["slug"] if not claim.slug else None)
    claim.save()
    if topics:
        claim.topics.set(topics)
    _log(claim, EventAction.CREATED, author)
    return claim


@transaction.atomic
def update_claim(*, claim: Claim, user, expected_version: int, topics=None, **fields) -> Claim:
    """Apply an editor's changes if nobody else saved in between (optimistic version check).

    Raises `EditConflict` when the stored version differs from `expected_version`, naming
    who changed the claim last. Verdict fields of a published claim are locked.
    """
    current = _lock(claim)
    if current.version != expected_version:
        last = current.history.first()
        who = getattr(getattr(last, "history_user", None), "get_username", lambda: _("jemand"))()
        raise EditConflict(
            _(
                "Dieser Faktencheck wurde inzwischen von %(who)s geändert (%(when)s, Version %(version)s). "
                "Ihre Änderungen wurden nicht gespeichert: bitte die Seite neu laden und erneut eintragen."
            )
            % {"who": who, "when": timezone.localtime(current.updated_at).strftime("%d.%m.%Y %H:%M:%S"), "version": current.version}
        )
    if user is not None and not can_edit(user, current):
        raise PermissionDenied(_("Sie dürfen diesen Faktencheck nicht bearbeiten."))
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValidationError(_("Unbekannte Felder: %s") % ", ".join(sorted(unknown)))
    if current.status == ClaimStatus.PUBLISHED:
        locked = [name for name in VERDICT_FIELDS if name in fields and fields[name] != getattr(current, name)]
        if locked:
            raise ValidationError(
                {name: _("Die Bewertung eines veröffentlichten Faktenchecks ändert sich nur über eine Korrektur.") for name in locked}
            )
    changed = any(getattr(current, name) != value for name, value in fields.items())
    for name, value in fields.items():
        setattr(current, name, value)
    if changed and current.status == ClaimStatus.IN_REVIEW and current.approved_by_id:
        # An approval covers the text the editor read; changes after it need a new approval.
        current.approved_by = None
    current.version = F("version") + 1
    current.full_clean(exclude=["version"])
    current.save()
    if topics is not None:
        current.topics.set(topics)
    current.refresh_from_db()
    return current


@transaction.atomic
def add_appearance(*, claim: Claim, source: Source, quote: str, is_first: bool | None = None) -> Appearance:
    """Link `claim` to `source` with a quote that must occur in the article text.

    The first appearance is the one in the earliest-dated article unless the editor marks
    one explicitly.
    """
    appearance = Appearance(claim=claim, source=source, quote=quote.strip())
    appearance.full_clean(exclude=["start", "end", "is_first"])
    appearance.clean()
    existing = Appearance.objects.filter(claim=claim, source=source, start=appearance.start).first()
    if existing:
        return existing
    appearance.save()
    if is_first:
        mark_first_appearance(appearance=appearance)
    elif not claim.appearances.filter(is_first=True).exists() or is_first is None:
        _recompute_first_appearance(claim)
    appearance.refresh_from_db()
    return appearance


def mark_first_appearance(*, appearance: Appearance) -> None:
    Appearance.objects.filter(claim=appearance.claim_id, is_first=True).exclude(pk=appearance.pk).update(is_first=False)
    Appearance.objects.filter(pk=appearance.pk).update(is_first=True)


def _recompute_first_appearance(claim: Claim) -> None:
    earliest = Appearance.objects.filter(claim=claim).order_by(F("source__published_at").asc(nulls_last=True), "id").first()
    if earliest and not earliest.is_first:
        mark_first_appearance(appearance=earliest)


@transaction.atomic
def submit_for_review(*, claim: Claim, user) -> Claim:
    _require(user, "submit_claim", _("Sie dürfen Faktenchecks nicht zur Prüfung einreichen."))
    claim = _lock(claim)
    if claim.status != ClaimStatus.DRAFT:
        raise ValidationError(_("Nur Entwürfe können zur Prüfung eingereicht werden."))
    if not can_edit(user, claim):
        raise PermissionDenied(_("Sie können nur eigene Entwürfe einreichen."))
    if not claim.appearances.exists():
        raise ValidationError(_("Ein Faktencheck braucht mindestens eine Fundstelle mit Zitat."))
    claim.status = ClaimStatus.IN_REVIEW
    claim.approved_by = None
    claim.save(update_fields=["status", "approved_by", "updated_at"])
    _log(claim, EventAction.SUBMITTED, user)
    return claim


@transaction.atomic
def request_changes(*, claim: Claim, user, comment: str) -> Claim:
    _require(user, "review_claim", _("Sie dürfen keine Änderungen anfordern."))
    if not comment.strip():
        raise ValidationError({"comment": _("Bitte begründen, welche Änderungen nötig sind.")})
    claim = _lock(claim)
    if claim.status != ClaimStatus.IN_REVIEW:
        raise ValidationError(_("Änderungen können nur für Faktenchecks in Prüfung angefordert werden."))
    claim.status = ClaimStatus.DRAFT
    claim.approved_by = None
    claim.save(update_fields=["status", "approved_by", "updated_at"])
    _log(claim, EventAction.CHANGES_REQUESTED, user, comment)
    return claim


@transaction.atomic
def approve(*, claim: Claim, user) -> Claim:
    """Record the reviewing editor. Four-eyes: nobody approves their own claim."""
    _require(user, "review_claim", _("Sie dürfen Faktenchecks nicht freigeben."))
    claim = _lock(claim)
    if claim.status != ClaimStatus.IN_REVIEW:
        raise ValidationError(_("Nur Faktenchecks in Prüfung können freigegeben werden."))
    if claim.author_id == user.pk:
        raise PermissionDenied(_("Vier-Augen-Prinzip: Eigene Faktenchecks kann nur eine andere Person freigeben."))
    missing = [str(Claim._meta.get_field(name).verbose_name) for name in ("rating", "conclusion") if not getattr(claim, name)]
    if missing:
        raise ValidationError(_("Vor der Freigabe fehlen: %s.") % ", ".join(missing))
    claim.approved_by = user
    claim.save(update_fields=["approved_by", "updated_at"])
    _log(claim, EventAction.APPROVED, user)
    return claim


@transaction.atomic
def publish(*, claim: Claim, user, at: datetime | None = None) -> Claim:
    """Publish an approved claim now or at `at` (a future time schedules it)."""
    _require(user, "publish_claim", _("Sie dürfen Faktenchecks nicht veröffentlichen."))
    claim = _lock(claim)
    if claim.status != ClaimStatus.IN_REVIEW or not claim.approved_by_id:
        raise ValidationError(_("Nur geprüfte und freigegebene Faktenchecks können veröffentlicht werden."))
    if claim.author_id == user.pk:
        raise PermissionDenied(_("Vier-Augen-Prinzip: Eigene Faktenchecks veröffentlicht eine andere Person."))
    claim.status = ClaimStatus.PUBLISHED
    claim.published_at = at or claim.published_at or timezone.now()
    if claim.valid_as_of is None:
        claim.valid_as_of = timezone.localdate(claim.published_at)
    claim.full_clean(exclude=["slug"])
    claim.save(update_fields=["status", "published_at", "valid_as_of", "updated_at"])
    _log(claim, EventAction.PUBLISHED, user)
    return claim


@transaction.atomic
def withdraw(*, claim: Claim, user, note: str) -> Claim:
    """Take a published claim offline; the public note is kept as a correction record."""
    _require(user, "publish_claim", _("Sie dürfen Faktenchecks nicht zurückziehen."))
    if not note.strip():
        raise ValidationError({"note": _("Bitte öffentlich begründen, warum der Faktencheck zurückgezogen wird.")})
    claim = _lock(claim)
    if claim.status != ClaimStatus.PUBLISHED:
        raise ValidationError(_("Nur veröffentlichte Faktenchecks können zurückgezogen werden."))
    Correction.objects.create(
        claim=claim,
        kind=CorrectionKind.WITHDRAWAL,
        note=note,
        old_rating=claim.rating,
        new_rating=claim.rating,
        old_conclusion=claim.conclusion,
        new_conclusion=claim.conclusion,
        created_by=user,
    )
    claim.status = ClaimStatus.WITHDRAWN
    claim.save(update_fields=["status", "updated_at"])
    _log(claim, EventAction.WITHDRAWN, user, note)
    return claim


@transaction.atomic
def return_to_draft(*, claim: Claim, user, reason: str) -> Claim:
    """Send a claim in review or a withdrawn claim back to draft, with a reason."""
    _require(user, "review_claim", _("Sie dürfen Faktenchecks nicht in den Entwurf zurückversetzen."))
    if not reason.strip():
        raise ValidationError({"reason": _("Bitte einen Grund angeben.")})
    claim = _lock(claim)
    if claim.status not in (ClaimStatus.IN_REVIEW, ClaimStatus.WITHDRAWN):
        raise ValidationError(_("Nur Faktenchecks in Prüfung oder zurückgezogene Faktenchecks können zurück in den Entwurf."))
    claim.status = ClaimStatus.DRAFT
    claim.approved_by = None
    claim.save(update_fields=["status", "approved_by", "updated_at"])
    _log(claim, EventAction.RETURNED_TO_DRAFT, user, reason)
    return claim


@transaction.atomic
def correct_claim(
    *, claim: Claim, user, kind: str, note: str, new_rating: Rating | None = None, new_conclusion: str | None = None
) -> Correction:
    """Change a published verdict in the open: the old and new values become a public correction."""
    _require(user, "correct_claim", _("Sie dürfen veröffentlichte Faktenchecks nicht korrigieren."))
    if kind == CorrectionKind.WITHDRAWAL:
        raise ValidationError({"kind": _("Zum Zurückziehen bitte die Aktion „Zurückziehen“ verwenden.")})
    if not note.strip():
        raise ValidationError({"note": _("Der öffentliche Hinweis darf nicht leer sein.")})
    claim = _lock(claim)
    if claim.status != ClaimStatus.PUBLISHED:
        raise ValidationError(_("Korrekturen gibt es nur für veröffentlichte Faktenchecks; Entwürfe werden direkt bearbeitet."))
    rating = new_rating or claim.rating
    conclusion = claim.conclusion if new_conclusion is None else new_conclusion.strip()
    if kind == CorrectionKind.VERDICT_CHANGE and rating == claim.rating:
        raise ValidationError({"new_rating": _("Für eine Änderung der Bewertung bitte eine andere Bewertung wählen.")})
    if not conclusion:
        raise ValidationError({"new_conclusion": _("Das Fazit darf nicht leer sein.")})
    correction = Correction(
        claim=claim,
        kind=kind,
        note=note.strip(),
        old_rating=claim.rating,
        new_rating=rating,
        old_conclusion=claim.conclusion,
        new_conclusion=conclusion,
        created_by=user,
    )
    correction.full_clean()
    correction.save()
    claim.rating = rating
    claim.conclusion = conclusion
    claim.version = F("version") + 1
    claim.save(update_fields=["rating", "conclusion", "version", "updated_at"])
    claim.refresh_from_db()
    _log(claim, EventAction.CORRECTED, user, note)
    return correction


@transaction.atomic
def mark_duplicate(*, claim: Claim, original: Claim, user) -> Claim:
    """Record that `claim` states the same as the already checked `original`."""
    _require(user, "review_claim", _("Sie dürfen Dubletten nicht markieren."))
    if claim.pk == original.pk:
        raise ValidationError(_("Ein Faktencheck kann nicht Dublette von sich selbst sein."))
    if original.duplicate_of_id:
        original = original.duplicate_of
    claim = _lock(claim)
    claim.duplicate_of = original
    claim.save(update_fields=["duplicate_of", "updated_at"])
    _log(claim, EventAction.MARKED_DUPLICATE, user, str(original))
    return claim
