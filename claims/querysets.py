import functools
import operator

from django.db import models
from django.db.models import Case, OuterRef, Q, Subquery, Value, When
from django.utils import timezone

from .choices import ClaimStatus, CorrectionKind


def sees_only_published(user) -> bool:
    """Whether `user` (None, anonymous, a partner or staff) may open only published claims."""
    return user is None or not user.is_authenticated or not user.is_staff


class ClaimQuerySet(models.QuerySet):
    def published(self, *, at=None):
        """Claims readers, partners and feeds may see: published, and due (at `at`, default now).

        This is the single rule behind every public page, feed, sitemap, search result
        and API response. A claim scheduled for the future stays invisible until its
        `published_at` has passed; no cron job is involved.
        """
        return self.filter(status=ClaimStatus.PUBLISHED, published_at__lte=at or timezone.now())

    def visible_to(self, user):
        """Claims `user` may open at their public URL.

        Everybody sees the published ones. Staff who review or publish preview every claim;
        other staff (reporters) preview only the claims they wrote themselves.
        """
        if sees_only_published(user):
            return self.published()
        if user.has_perm("claims.review_claim") or user.has_perm("claims.publish_claim"):
            return self.all()
        return self.filter(Q(status=ClaimStatus.PUBLISHED, published_at__lte=timezone.now()) | Q(author=user))

    def needs_recheck(self, *, older_than):
        """Published verdicts last confirmed before `older_than` (a date)."""
        return self.filter(status=ClaimStatus.PUBLISHED).filter(
            Q(valid_as_of__lt=older_than) | Q(valid_as_of__isnull=True, published_at__date__lt=older_than)
        )


class ClaimantQuerySet(models.QuerySet):
    def public(self):
        """Claimants of at least one public claim: a name used only by drafts stays internal.

        Each claimant is probed for a single public claim (`LIMIT 1`, as topics are): the cost
        follows the number of claimants asked about, not the size of the archive.
        """
        from .models import Claim

        one_public_claim = Claim.objects.published().filter(claimant=OuterRef("pk")).order_by().values("pk")[:1]
        return self.alias(one_public_claim=Subquery(one_public_claim)).filter(one_public_claim__isnull=False)

    def recently_checked(self, *, claims: int):
        """Claimants of the `claims` newest public claims.

        Reads a fixed slice of the publication index, so the cost stays the same however
        large the archive grows.
        """
        from .models import Claim

        newest = Claim.objects.published().order_by("-published_at", "-id").values("claimant_id")[:claims]
        return self.filter(pk__in=newest)

    def named(self, text: str):
        """Claimants whose name holds a word a reader typed ("putin", "Wladimir Putin",
        "Putin Truppen", "Putn"), those holding the most words first. A word matches by
        trigram word similarity, which the trigram index on the name answers and which forgives
        a typo. Search operators ("OR", "-word", quotes) and words under three letters are left out."""
        from .search import search_words

        lookups = [Q(name__trigram_word_similar=word) for word in search_words(text) if len(word) > 2]
        if not lookups:
            return self.none()
        held = sum((Case(When(lookup, then=1), default=0) for lookup in lookups), Value(0))
        return self.filter(functools.reduce(operator.or_, lookups)).annotate(words_held=held).order_by("-words_held", "name", "role")


class TopicQuerySet(models.QuerySet):
    def public(self):
        """Topics of at least one public claim: a topic only drafts use stays internal.

        Each topic is probed for a single public claim (`LIMIT 1`), so PostgreSQL stops at the
        first match instead of joining every published claim with its topics: the cost follows
        the number of topics, not the size of the archive.
        """
        from .models import Claim

        one_public_claim = Claim.objects.published().filter(topics=OuterRef("pk")).order_by().values("pk")[:1]
        return self.alias(one_public_claim=Subquery(one_public_claim)).filter(one_public_claim__isnull=False)


class CorrectionQuerySet(models.QuerySet):
    def on_the_record(self):
        """Corrections readers may read on a claim's page: all but withdrawals, whose note is internal.

        A withdrawn claim that is published again must not show why it was taken offline.
        """
        return self.exclude(kind=CorrectionKind.WITHDRAWAL)

    def public(self):
        """Corrections of claims that are public: the corrections log shows exactly these."""
        from .models import Claim

        return self.on_the_record().filter(claim__in=Claim.objects.published())
