from django.db import models
from django.db.models import Q
from django.utils import timezone

from .choices import ClaimStatus


class ClaimQuerySet(models.QuerySet):
    def published(self):
        """Claims readers, partners and feeds may see: published, and due.

        This is the single rule behind every public page, feed, sitemap, search result
        and API response. A claim scheduled for the future stays invisible until its
        `published_at` has passed; no cron job is involved.
        """
        return self.filter(status=ClaimStatus.PUBLISHED, published_at__lte=timezone.now())

    def visible_to(self, user):
        """Claims `user` may open: staff see every claim (as a preview), others the published ones."""
        if user is not None and user.is_authenticated and user.is_staff:
            return self.all()
        return self.published()

    def needs_recheck(self, *, older_than):
        """Published verdicts last confirmed before `older_than` (a date)."""
        return self.filter(status=ClaimStatus.PUBLISHED).filter(
            Q(valid_as_of__lt=older_than) | Q(valid_as_of__isnull=True, published_at__date__lt=older_than)
        )


class CorrectionQuerySet(models.QuerySet):
    def public(self):
        """Corrections of claims that are public: the corrections log shows exactly these."""
        from .models import Claim

        return self.filter(claim__in=Claim.objects.published())
