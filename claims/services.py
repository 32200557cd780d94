"""Every write that changes a claim's state goes through these functions.

Admin views and actions, API views, management commands and tests call the same services,
so the workflow rules hold everywhere:

* status moves draft → in review → published → withdrawn, and back to draft with a reason;
* roles: reporters write and submit their own drafts, editors (`review_claim`) request
  changes and approve, the duty editor (`publish_claim`) publishes, reschedules and withdraws;
* four eyes: nobody approves or publishes a claim they wrote;
* the verdict (rating and conclusion) of a published claim changes only through a public
  `Correction` (`correct_claim`);
* every save bumps `Claim.version`; `update_claim` refuses a save based on an outdated
  version instead of overwriting someone else's work;
* every save writes a history row naming the user (django-simple-history) and every
  workflow step a `ClaimEvent` with its comment.
"""

from datetime import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from sources.models import Source

from . import related
from .choices import ClaimStatus, CorrectionKind, EventAction
from .models import Appearance, Claim, ClaimEvent, Correction, Rating

# Fields that state the verdict; while published they change only through `correct_claim`.
VERDICT_FIELDS = ("rating", "conclusion")
# Fields fixed once a claim has been public: its address and its publication date.
PUBLIC_RECORD_FIELDS = ("slug", "published_at")
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


def _lock(claim: Claim | int) -> Claim:
    """Re-read the claim under a row lock so concurrent writes serialise."""
    return Claim.objects.select_for_update().get(pk=getattr(claim, "pk", claim))


def _save(claim: Claim, user, fields, *, reason: str) -> None:
    """Store `fields` of a locked claim as a new version, with `user` and `reason` in its history."""
    claim.version += 1
    claim._history_user = user
    claim._change_reason = reason
    claim.save(update_fields=[*fields, "version", "updated_at"])
    if claim.status in (ClaimStatus.PUBLISHED, ClaimStatus.WITHDRAWN) or "status" in fields:
        # Public, or leaving the public record: the stored related claims around it change.
        related.refresh_within(claim.pk)


def _display_name(user) -> str:
    if user is None:
        return _("jemand")
    return user.get_full_name() or user.get_username()


def conflict_message(claim: Claim, expected_version) -> str:
    """Explain who saved `claim` (the current row) after the editor opened version `expected_version`."""
    last = claim.history.select_related("history_user").first()
    return _(
        "Konflikt: %(who)s hat diesen Faktencheck am %(when)s gespeichert, nachdem Sie ihn geöffnet haben "
        "(jetzt Version %(current)s, Ihre Version %(expected)s). Ihre Änderungen wurden nicht gespeichert: "
        "bitte die aktuelle Fassung in einem neuen Tab öffnen, abgleichen und erneut speichern."
    ) % {
        "who": _display_name(last.history_user if last else None),
        "when": timezone.localtime(claim.updated_at).strftime("%d.%m.%Y %H:%M:%S"),
        "current": claim.version,
        "expected": expected_version if expected_version is not None else "–",
    }


def check_version(claim: Claim | int, expected_version) -> Claim:
    """Lock the claim for the rest of the transaction; raise `EditConflict` if it moved past `expected_version`."""
    current = _lock(claim)
    if current.version != expected_version:
        raise EditConflict(conflict_message(current, expected_version), code="edit_conflict")
    return current


def can_edit(user, claim: Claim) -> bool:
    """Reporters edit their own drafts; editors and duty editors edit any claim."""
    if user is None or not user.has_perm("claims.change_claim"):
        return False
    if user.has_perm("claims.review_claim") or user.has_perm("claims.publish_claim"):
        return True
    return claim.author_id == user.pk and claim.status == ClaimStatus.DRAFT


SCHEDULED_AS_APPROVED = gettext_lazy(
    "Ein geplanter Faktencheck erscheint so, wie er freigegeben wurde. Für Änderungen „Zurück zum Entwurf“ wählen."
)


def is_scheduled(claim: Claim) -> bool:
    """Approved, published for a time still to come: the approved text waits unchanged."""
    return claim.status == ClaimStatus.PUBLISHED and not claim.is_public


def has_been_public(claim: Claim) -> bool:
    """Whether readers have seen the claim: a public claim has a correction once it is withdrawn or corrected.

    Links to its address are out there, so the address stays when the claim goes back to draft.
    """
    return claim.pk is not None and claim.corrections.exists()


def locked_fields(user, claim: Claim) -> tuple[str, ...]:
    """Fields of `claim` that `user` may not change in a normal edit, and why they are locked."""
    fields = []
    if is_scheduled(claim):
        # Four eyes: what was approved is what appears. Changing it means "Zurück zum Entwurf" and a new review.
        fields += [name for name in EDITABLE_FIELDS if name != "published_at"] + ["topics"]
    elif claim.status == ClaimStatus.PUBLISHED:
        fields += VERDICT_FIELDS
    if "slug" not in fields and (claim.status in (ClaimStatus.PUBLISHED, ClaimStatus.WITHDRAWN) or has_been_public(claim)):
        fields.append("slug")
    # A scheduled claim may be moved by a duty editor other than its author; once it has been public its date is history.
    if claim.status in (ClaimStatus.PUBLISHED, ClaimStatus.WITHDRAWN) and (
        claim.is_public
        or claim.status == ClaimStatus.WITHDRAWN
        or user is None
        or not user.has_perm("claims.publish_claim")
        or claim.author_id == user.pk
    ):
        fields.append("published_at")
    return tuple(fields)


def _settle_valid_as_of(claim: Claim) -> bool:
    """Set "Stand" (`valid_as_of`) for the publication date; whether it changed.

    Empty: the day the claim appears. Later than both today and that day (left from a schedule
    that was moved earlier): that day too. An earlier "Stand" stays, also for a backdated archive.
    """
    day = timezone.localdate(claim.published_at)
    if claim.valid_as_of is None or claim.valid_as_of > max(day, timezone.localdate()):
        changed = claim.valid_as_of != day
        claim.valid_as_of = day
        return changed
    return False


def _refuse_scheduled_change(claim: Claim) -> None:
    if is_scheduled(claim):
        raise ValidationError(SCHEDULED_AS_APPROVED)


def _drop_approval(claim: Claim) -> list[str]:
    """A change to an approved claim in review: the approval covered the version the editor read.
    Clears it on `claim` (not saved); the fields to save with the change."""
    if claim.status == ClaimStatus.IN_REVIEW and claim.approved_by_id:
        claim.approved_by = None
        return ["approved_by"]
    return []


def _withdraw_approval(claim: Claim, user) -> None:
    """`_drop_approval` for a change outside the claim's own row (appearances, topics), saved on its own."""
    if fields := _drop_approval(claim):
        _save(claim, user, fields, reason=_("Freigabe zurückgenommen: Inhalt geändert"))


def content_changed(*, claim: Claim, user) -> None:
    """Record that `user` changed what a claim shows besides its own fields (appearances, topics).

    Refused for a scheduled claim; withdraws the approval of a claim in review.
    """
    claim = _lock(claim)
    _refuse_scheduled_change(claim)
    _withdraw_approval(claim, user)


def _refuse_locked(claim: Claim, user, fields: dict) -> None:
    locked = [name for name in locked_fields(user, claim) if name in fields and fields[name] != getattr(claim, name)]
    if not locked:
        return
    errors = {}
    for name in locked:
        if is_scheduled(claim) and name != "published_at":
            errors[name] = SCHEDULED_AS_APPROVED
        elif name in VERDICT_FIELDS:
            errors[name] = _("Die Bewertung eines veröffentlichten Faktenchecks ändert sich nur über eine Korrektur.")
        elif name == "slug":
            errors[name] = _("Die Adresse eines veröffentlichten Faktenchecks bleibt bestehen.")
        elif claim.is_public or claim.status == ClaimStatus.WITHDRAWN:
            errors[name] = _("Der Zeitpunkt eines erschienenen Faktenchecks bleibt fest.")
        elif user is not None and claim.author_id == user.pk:
            errors[name] = _("Vier-Augen-Prinzip: Den Zeitpunkt des eigenen Faktenchecks ändert eine andere Person.")
        else:
            errors[name] = _("Den Zeitpunkt eines geplanten Faktenchecks ändert nur der Chef vom Dienst.")
    raise ValidationError(errors)


def refuse_unchecked_original(original: Claim | None) -> None:
    """A duplicate points readers to a check they can read: the original must be public."""
    if original is not None and not original.is_public:
        raise ValidationError(
            {
                "duplicate_of": _("Dublette nur eines veröffentlichten Faktenchecks: „%(original)s“ ist nicht öffentlich.")
                % {"original": original}
            }
        )


def refuse_duplicate_cycle(claim: Claim, original: Claim | None) -> None:
    """A claim is no duplicate of itself, nor of a claim whose chain of originals leads back to it."""
    seen, pk = set(), getattr(original, "pk", None)
    while pk is not None and claim.pk is not None and pk not in seen:  # the stored chain, not objects in memory
        if pk == claim.pk:
            raise ValidationError({"duplicate_of": _("Ein Faktencheck kann nicht Dublette von sich selbst sein.")})
        seen.add(pk)
        pk = Claim.objects.filter(pk=pk).values_list("duplicate_of_id", flat=True).first()


@transaction.atomic
def create_claim(*, author, topics=(), **fields) -> Claim:
    """Create a draft claim written by `author`."""
    if author is not None:
        _require(author, "add_claim", _("Sie dürfen keine Faktenchecks anlegen."))
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValidationError(_("Unbekannte Felder: %s") % ", ".join(sorted(unknown)))
    refuse_unchecked_original(fields.get("duplicate_of"))
    claim = Claim(author=author, **fields)
    claim.full_clean(exclude=["slug"] if not claim.slug else None)
    claim._history_user = author
    claim._change_reason = str(EventAction.CREATED.label)
    claim.save()
    if topics:
        claim.topics.set(topics)
    _log(claim, EventAction.CREATED, author)
    return claim


@transaction.atomic
def update_claim(*, claim: Claim | int, user, expected_version: int, topics=None, **fields) -> Claim:
    """Apply an editor's changes if nobody else saved in between (optimistic version check).

    Raises `PermissionDenied` if `user` may not edit the claim, `EditConflict` when the stored
    version differs from `expected_version` (naming who changed the claim last) and
    `ValidationError` for locked fields: the verdict of a published claim, the address and
    date of a claim that has been public. A change to a claim in review withdraws its
    approval, because the approval covered the text the editor read.
    """
    current = _lock(claim)
    if not can_edit(user, current):
        raise PermissionDenied(_("Sie dürfen diesen Faktencheck nicht bearbeiten."))
    current = check_version(current, expected_version)
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValidationError(_("Unbekannte Felder: %s") % ", ".join(sorted(unknown)))
    _refuse_locked(current, user, fields)
    if topics is not None and set(topics) != set(current.topics.all()):
        if "topics" in locked_fields(user, current):
            raise ValidationError({"topics": SCHEDULED_AS_APPROVED})
    else:
        topics = None
    changed = [name for name, value in fields.items() if getattr(current, name) != value]
    if "duplicate_of" in changed:
        refuse_unchecked_original(fields["duplicate_of"])
        refuse_duplicate_cycle(current, fields["duplicate_of"])
    for name in changed:
        setattr(current, name, fields[name])
    if current.status == ClaimStatus.PUBLISHED:
        refuse_before_claim(current, changed=changed)
        if "published_at" in changed and _settle_valid_as_of(current):
            changed.append("valid_as_of")
    if changed or topics is not None:
        changed += _drop_approval(current)
    # An emptied slug is derived again from the text by `Claim.save()`, as for a new claim.
    current.full_clean(exclude=["slug"] if not current.slug else None)
    _save(current, user, ["context_html", *changed], reason=_("bearbeitet"))
    if topics is not None:
        current.topics.set(topics)
    return current


@transaction.atomic
def add_appearance(*, claim: Claim, source: Source, quote: str, is_first: bool | None = None, user=None) -> Appearance:
    """Link `claim` to `source` with a quote that must occur in the article text.

    The first appearance is the one in the earliest-dated article unless the editor marks
    one explicitly. With `user` given, it must be someone who may edit the claim.
    """
    claim = _lock(claim)  # before the checks: a schedule committed meanwhile is seen
    if user is not None and not can_edit(user, claim):
        raise PermissionDenied(_("Sie dürfen diesen Faktencheck nicht bearbeiten."))
    _refuse_scheduled_change(claim)
    appearance = Appearance(claim=claim, source=source, quote=quote.strip())
    appearance.full_clean(exclude=["start", "end", "is_first"])
    appearance.clean()
    existing = Appearance.objects.filter(claim=claim, source=source, start=appearance.start).first()
    if existing:
        return existing
    if user is not None:
        appearance._history_user = user
    appearance.save()
    _withdraw_approval(claim, user)
    if is_first:
        mark_first_appearance(appearance=appearance, user=user)
    elif not claim.appearances.filter(is_first=True).exists() or is_first is None:
        _recompute_first_appearance(claim, user=user)
    appearance.refresh_from_db()
    return appearance


def mark_first_appearance(*, appearance: Appearance, user=None) -> None:
    """Make `appearance` the claim's first appearance; each changed row gets a history entry."""
    # The old mark goes first: at most one first appearance per claim, also between the two saves.
    others = Appearance.objects.filter(claim=appearance.claim_id, is_first=True).exclude(pk=appearance.pk)
    for row in [*others.select_related("source"), Appearance.objects.select_related("source").get(pk=appearance.pk)]:
        row.is_first = row.pk == appearance.pk
        if user is not None:
            row._history_user = user
        row.save(update_fields=["is_first"])


def settle_first_appearance(*, claim: Claim) -> None:
    """After the appearances were edited as a list (the admin form): if none is marked as the
    first, for example because the marked one was deleted, the earliest-dated one is."""
    if not Appearance.objects.filter(claim=claim, is_first=True).exists():
        _recompute_first_appearance(claim)


def _recompute_first_appearance(claim: Claim, *, user=None) -> None:
    earliest = Appearance.objects.filter(claim=claim).order_by(F("source__published_at").asc(nulls_last=True), "id").first()
    if earliest and not earliest.is_first:
        mark_first_appearance(appearance=earliest, user=user)


@transaction.atomic
def submit_for_review(*, claim: Claim, user) -> Claim:
    """Hand a draft to the editors. It needs at least one appearance with a quote."""
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
    _save(claim, user, ["status", "approved_by"], reason=str(EventAction.SUBMITTED.label))
    _log(claim, EventAction.SUBMITTED, user)
    return claim


@transaction.atomic
def request_changes(*, claim: Claim, user, comment: str) -> Claim:
    """Send a claim in review back to its author as a draft, saying what must change."""
    _require(user, "review_claim", _("Sie dürfen keine Änderungen anfordern."))
    if not (comment or "").strip():
        raise ValidationError({"comment": _("Bitte begründen, welche Änderungen nötig sind.")})
    claim = _lock(claim)
    if claim.status != ClaimStatus.IN_REVIEW:
        raise ValidationError(_("Änderungen können nur für Faktenchecks in Prüfung angefordert werden."))
    claim.status = ClaimStatus.DRAFT
    claim.approved_by = None
    _save(claim, user, ["status", "approved_by"], reason=str(EventAction.CHANGES_REQUESTED.label))
    _log(claim, EventAction.CHANGES_REQUESTED, user, comment.strip())
    return claim


@transaction.atomic
def approve(*, claim: Claim, user) -> Claim:
    """Record the reviewing editor. Four eyes: nobody approves their own claim."""
    _require(user, "review_claim", _("Sie dürfen Faktenchecks nicht freigeben."))
    claim = _lock(claim)
    if claim.status != ClaimStatus.IN_REVIEW:
        raise ValidationError(_("Nur Faktenchecks in Prüfung können freigegeben werden."))
    if claim.author_id == user.pk:
        raise PermissionDenied(_("Vier-Augen-Prinzip: Eigene Faktenchecks kann nur eine andere Person freigeben."))
    if claim.approved_by_id:
        raise ValidationError(_("Dieser Faktencheck ist bereits freigegeben."))
    missing = [str(Claim._meta.get_field(name).verbose_name) for name in VERDICT_FIELDS if not getattr(claim, name)]
    if missing:
        raise ValidationError(_("Vor der Freigabe fehlen: %s.") % ", ".join(missing))
    claim.approved_by = user
    _save(claim, user, ["approved_by"], reason=str(EventAction.APPROVED.label))
    _log(claim, EventAction.APPROVED, user)
    return claim


def refuse_before_claim(claim: Claim, *, changed=("published_at",), field: str | None = None) -> None:
    """Backdating is allowed (an archive moves in), but not to before the claim was made: a
    typo in the year (1990 for 2026) would date the check before what it checks.

    `claim` holds the new values; checked when its publication time or its claim date is among
    `changed`. The error names `field`, else the changed one.
    """
    changed = [name for name in ("published_at", "claim_date") if name in changed]
    if not changed:
        return
    said_on = claim.said_on()
    if said_on and claim.published_at and timezone.localdate(claim.published_at) < said_on:
        raise ValidationError(
            {
                field or changed[0]: _("Ein Faktencheck kann nicht vor der Behauptung erscheinen: Sie wurde am %(date)s aufgestellt.")
                % {"date": date_format(said_on, "DATE_FORMAT")}
            }
        )


@transaction.atomic
def publish(*, claim: Claim, user, at: datetime | None = None) -> Claim:
    """Publish an approved claim now or at `at`; a future time schedules it (no cron job needed:
    `Claim.objects.published()` shows it once the time has come)."""
    _require(user, "publish_claim", _("Sie dürfen Faktenchecks nicht veröffentlichen."))
    claim = _lock(claim)
    if claim.status != ClaimStatus.IN_REVIEW or not claim.approved_by_id:
        raise ValidationError(_("Nur geprüfte und freigegebene Faktenchecks können veröffentlicht werden."))
    if claim.author_id == user.pk:
        raise PermissionDenied(_("Vier-Augen-Prinzip: Eigene Faktenchecks veröffentlicht eine andere Person."))
    if at is not None and timezone.is_naive(at):
        raise ValidationError({"at": _("Bitte einen Zeitpunkt mit Zeitzone angeben.")})
    claim.status = ClaimStatus.PUBLISHED
    # Without `at`, a time stored on the claim counts only as a plan (in the future); a past
    # one, typed into a draft, would backdate the fact-check without anybody choosing it.
    now = timezone.now()
    planned = claim.published_at if claim.published_at and claim.published_at > now else None
    claim.published_at = at or planned or now
    refuse_before_claim(claim, field="at")
    _settle_valid_as_of(claim)
    try:
        claim.full_clean(exclude=["slug"])
    except ValidationError as error:
        if at is not None and "published_at" in getattr(error, "error_dict", {}):
            # The time was given as `at` (the admin's and the API's field): name it so.
            error.error_dict["at"] = error.error_dict.pop("published_at")
        raise
    _save(claim, user, ["status", "published_at", "valid_as_of"], reason=str(EventAction.PUBLISHED.label))
    scheduled = claim.published_at > timezone.now()
    comment = _("geplant für %s") % timezone.localtime(claim.published_at).strftime("%d.%m.%Y %H:%M") if scheduled else ""
    _log(claim, EventAction.PUBLISHED, user, comment)
    return claim


@transaction.atomic
def withdraw(*, claim: Claim, user, note: str) -> Claim:
    """Take a public claim offline (from every page, feed and API list); the note is kept as a withdrawal correction, visible to staff."""
    _require(user, "publish_claim", _("Sie dürfen Faktenchecks nicht zurückziehen."))
    if not (note or "").strip():
        raise ValidationError({"note": _("Bitte begründen, warum der Faktencheck zurückgezogen wird.")})
    claim = _lock(claim)
    if claim.status != ClaimStatus.PUBLISHED:
        raise ValidationError(_("Nur veröffentlichte Faktenchecks können zurückgezogen werden."))
    if not claim.is_public:
        raise ValidationError(
            _("Dieser Faktencheck ist noch nicht erschienen: bitte „Zurück zum Entwurf“ verwenden, um die Planung aufzuheben.")
        )
    Correction.objects.create(
        claim=claim,
        kind=CorrectionKind.WITHDRAWAL,
        note=note.strip(),
        old_rating=claim.rating,
        new_rating=claim.rating,
        old_conclusion=claim.conclusion,
        new_conclusion=claim.conclusion,
        created_by=user,
    )
    claim.status = ClaimStatus.WITHDRAWN
    _save(claim, user, ["status"], reason=str(EventAction.WITHDRAWN.label))
    _log(claim, EventAction.WITHDRAWN, user, note.strip())
    return claim


@transaction.atomic
def return_to_draft(*, claim: Claim, user, reason: str) -> Claim:
    """Send a claim back to draft, with a reason.

    Editors do this for claims in review and withdrawn claims; the duty editor also for a
    scheduled claim that has not appeared yet (this cancels the schedule). A claim that
    readers can see leaves only through `withdraw`.
    """
    _require(user, "review_claim", _("Sie dürfen Faktenchecks nicht in den Entwurf zurückversetzen."))
    if not (reason or "").strip():
        raise ValidationError({"reason": _("Bitte einen Grund angeben.")})
    claim = _lock(claim)
    if claim.status == ClaimStatus.PUBLISHED:
        if claim.is_public:
            raise ValidationError(_("Ein erschienener Faktencheck verlässt die Website nur über „Zurückziehen“, mit Begründung."))
        _require(user, "publish_claim", _("Die Planung einer Veröffentlichung hebt nur der Chef vom Dienst auf."))
    elif claim.status not in (ClaimStatus.IN_REVIEW, ClaimStatus.WITHDRAWN):
        raise ValidationError(_("Nur Faktenchecks in Prüfung, geplante oder zurückgezogene Faktenchecks können zurück in den Entwurf."))
    fields = ["status", "approved_by"]
    if claim.status == ClaimStatus.PUBLISHED:
        # The schedule is cancelled: publishing again picks a new time (and a new "Stand").
        claim.published_at = None
        fields.append("published_at")
        if claim.valid_as_of and claim.valid_as_of > timezone.localdate():
            claim.valid_as_of = None
            fields.append("valid_as_of")
    claim.status = ClaimStatus.DRAFT
    claim.approved_by = None
    _save(claim, user, fields, reason=str(EventAction.RETURNED_TO_DRAFT.label))
    _log(claim, EventAction.RETURNED_TO_DRAFT, user, reason.strip())
    return claim


@transaction.atomic
def correct_claim(
    *, claim: Claim, user, kind: str, note: str, new_rating: Rating | None = None, new_conclusion: str | None = None
) -> Correction:
    """Change a published verdict in the open: the old and new values become a public correction.

    The correction and the changed claim are saved together or not at all. A changed rating
    is always a "verdict change" and a verdict change always changes the rating. Updates and
    verdict changes re-confirm the verdict, so "valid as of" moves to today.
    """
    _require(user, "correct_claim", _("Sie dürfen veröffentlichte Faktenchecks nicht korrigieren."))
    if kind not in CorrectionKind.values:
        raise ValidationError({"kind": _("Unbekannte Art der Korrektur.")})
    if kind == CorrectionKind.WITHDRAWAL:
        raise ValidationError({"kind": _("Zum Zurückziehen bitte die Aktion „Zurückziehen“ verwenden.")})
    if not (note or "").strip():
        raise ValidationError({"note": _("Der öffentliche Hinweis darf nicht leer sein.")})
    claim = _lock(claim)
    if claim.status != ClaimStatus.PUBLISHED:
        raise ValidationError(_("Korrekturen gibt es nur für veröffentlichte Faktenchecks; Entwürfe werden direkt bearbeitet."))
    if not claim.is_public:
        raise ValidationError(
            _("Dieser Faktencheck ist noch nicht erschienen: Planung aufheben (zurück zum Entwurf) und direkt bearbeiten.")
        )
    rating = new_rating or claim.rating
    conclusion = claim.conclusion if new_conclusion is None else new_conclusion.strip()
    if kind == CorrectionKind.VERDICT_CHANGE and rating == claim.rating:
        raise ValidationError({"new_rating": _("Für eine Änderung der Bewertung bitte eine andere Bewertung wählen.")})
    if kind != CorrectionKind.VERDICT_CHANGE and rating != claim.rating:
        raise ValidationError({"kind": _("Eine neue Bewertung ist immer eine „Änderung der Bewertung“.")})
    if rating.scale_id != claim.rating.scale_id:
        raise ValidationError({"new_rating": _("Die neue Bewertung muss aus derselben Skala stammen.")})
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
    fields = ["rating", "conclusion"]
    if kind in (CorrectionKind.UPDATE, CorrectionKind.VERDICT_CHANGE):
        claim.valid_as_of = timezone.localdate()
        fields.append("valid_as_of")
    claim.full_clean()
    _save(claim, user, fields, reason=f"{correction.get_kind_display()}: {correction.note}"[:100])
    _log(claim, EventAction.CORRECTED, user, note.strip())
    return correction


@transaction.atomic
def mark_duplicate(*, claim: Claim, original: Claim, user) -> Claim:
    """Record that `claim` states the same as the already checked `original` (or the claim it duplicates)."""
    _require(user, "review_claim", _("Sie dürfen Dubletten nicht markieren."))
    claim = _lock(claim)
    _refuse_scheduled_change(claim)
    # Point at the claim that was checked first, as far as readers can follow the chain (an
    # original of the original may have been withdrawn since); following it from the stored
    # rows also catches cycles (A duplicates B, B duplicates A).
    seen = {claim.pk}
    given = original = Claim.objects.get(pk=original.pk)
    readable = None  # the last claim of the chain that readers can open
    while True:
        if original.pk in seen:
            raise ValidationError(_("Ein Faktencheck kann nicht Dublette von sich selbst sein."))
        if original.is_public:
            readable = original
        if not original.duplicate_of_id:
            break
        seen.add(original.pk)
        original = Claim.objects.get(pk=original.duplicate_of_id)
    if readable is None:
        refuse_unchecked_original(given)
    claim.duplicate_of = readable
    # Part of what the reviewer approved: the page names the original.
    fields = ["duplicate_of", *_drop_approval(claim)]
    _save(claim, user, fields, reason=str(EventAction.MARKED_DUPLICATE.label))
    _log(claim, EventAction.MARKED_DUPLICATE, user, str(readable))
    return claim
