"""Related fact-checks on a claim's page, stored instead of searched on every view.

Finding claims that state the same (`claims.search.similar_claims`) reads more candidates
the larger the archive grows. A page view reads the stored list instead: one query, the
same cost at any archive size. The lists change when the claims in them change, so every
workflow step that can move a claim in or out of the public record (`services._save`:
publish, edit, correct, withdraw, return to draft, mark as duplicate) refreshes, in its own
transaction, the list of that claim, the lists that name it, and the lists it now belongs
in; the lists then stay as a full `refresh_all` would write them.

A list holds up to `STORED` claims published now or scheduled for later; pages read them
through `Claim.objects.published()`, so a withdrawn, draft or not yet due claim never shows,
and the next ones move up.
"""

import functools
import logging

from django.db import router, transaction
from django.db.models import Count, Min
from django.utils import timezone

from config.prepared import ANY_ID, ANY_TIME, CompiledQuery

from .cache import invalidate_after_commit
from .choices import ClaimStatus
from .models import Claim, RelatedClaim

STORED = 10
# Claims near a changed claim whose lists it may enter: they are checked against their stored lists.
CONSIDERED = 50
# A claim named in more lists than this (a very common statement) refreshes only the first ones.
MAX_REFRESHED_LISTS = 50
logger = logging.getLogger(__name__)


@functools.cache
def _related_claims_query(limit: int) -> CompiledQuery:
    def build(claim, at):
        related = Claim.objects.published(at=at).filter(related_of__claim=claim).select_related("rating", "claimant")
        return related.order_by("related_of__rank")[:limit]

    return CompiledQuery(build, claim=ANY_ID, at=ANY_TIME)


def related_claims(claim: Claim, *, limit: int) -> list[Claim]:
    """The public claims related to `claim`, best first: one query, compiled once (config/prepared.py)."""
    return _related_claims_query(limit).fetch(router.db_for_read(Claim), claim=claim.pk, at=timezone.now())


def refresh(claim_id: int, *, considered: int = 0) -> list[tuple[int, float]]:
    """Store the related claims of claim `claim_id`. Returns `(id, score)` of the stored ones,
    or of the best `considered` if that is more."""
    from .search import similar_scores

    claim = Claim.objects.filter(pk=claim_id).only("text", "status").first()
    if claim is None:
        return []
    found = []
    if claim.status == ClaimStatus.PUBLISHED:
        published = Claim.objects.filter(status=ClaimStatus.PUBLISHED)
        found = similar_scores(claim.text, queryset=published, exclude_pk=claim.pk, limit=max(STORED, considered))
    with transaction.atomic():
        RelatedClaim.objects.filter(claim=claim).delete()
        RelatedClaim.objects.bulk_create(
            RelatedClaim(claim=claim, related_id=pk, rank=rank, score=score) for rank, (pk, score, *_) in enumerate(found[:STORED])
        )
    return [(pk, score) for pk, score, *_ in found]


def refresh_around(claim_id: int) -> None:
    """Refresh the list of `claim_id`, the lists that name it, and the lists it now belongs in.

    A claim may belong in another's list when it scores at least as high there as the list's
    last entry (scores are symmetric; equal scores are ordered by id), or when that list is
    not full.
    """
    naming = list(RelatedClaim.objects.filter(related_id=claim_id).values_list("claim_id", flat=True)[:MAX_REFRESHED_LISTS])
    near = refresh(claim_id, considered=CONSIDERED)
    lists = {
        row["claim_id"]: row
        for row in RelatedClaim.objects.filter(claim_id__in=[pk for pk, _ in near])
        .values("claim_id")
        .annotate(entries=Count("id"), lowest=Min("score"))
    }
    joins = [pk for pk, score in near if pk not in lists or lists[pk]["entries"] < STORED or lists[pk]["lowest"] <= score]
    for other in dict.fromkeys([*naming, *joins[:MAX_REFRESHED_LISTS]]):
        refresh(other)


def refresh_within(claim_id: int) -> None:
    """`refresh_around(claim_id)` inside the caller's transaction.

    The lists then commit together with the workflow step that changed them, so the page cache
    invalidation and the new site version that follow the commit cover them too. A failure
    rolls back to a savepoint and is logged: the step itself goes on, and the lists are
    refreshed the next time.
    """
    try:
        with transaction.atomic():
            refresh_around(claim_id)
    except Exception:
        logger.exception("Could not refresh the related claims around claim %s.", claim_id)


def refresh_all(*, missing_only: bool = False, log=None) -> int:
    """Refresh the list of every claim published now or later (after an import or an upgrade);
    with `missing_only`, of those that have no stored list yet. Returns how many were refreshed."""
    published = Claim.objects.filter(status=ClaimStatus.PUBLISHED)
    RelatedClaim.objects.exclude(claim_id__in=published.values("pk")).delete()
    if missing_only:
        published = published.exclude(related_links__isnull=False)
    ids = list(published.order_by("pk").values_list("pk", flat=True))
    for done, claim_id in enumerate(ids, start=1):
        refresh(claim_id)
        if log and done % 1000 == 0:
            log(f"{done} / {len(ids)}")
    if ids:
        # Claim pages show these lists: their stored copies and validators must not outlive them.
        invalidate_after_commit()
    return len(ids)
