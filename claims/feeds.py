"""RSS and Atom feeds of new fact-checks and of corrections (django.contrib.syndication)."""

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.urls import reverse, reverse_lazy
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext_lazy as _

from .models import Claim, Correction
from .schema_org import rating_label

FEED_ITEMS = 30


class LatestClaimsFeed(Feed):
    """The newest published fact-checks."""

    title = _("Faktencheck – neue Faktenchecks")
    link = reverse_lazy("claims:claim-list")
    description = _("Die zuletzt veröffentlichten Faktenchecks mit Bewertung und Fazit.")

    def items(self):
        return Claim.objects.published().select_related("claimant", "rating", "author").order_by("-published_at", "-id")[:FEED_ITEMS]

    def item_title(self, item):
        return f"{rating_label(item.rating)}: {item.text}"

    def item_description(self, item):
        return item.conclusion

    def item_pubdate(self, item):
        return item.published_at

    def item_updateddate(self, item):
        return item.updated_at

    def item_author_name(self, item):
        return settings.SITE_NAME

    def item_categories(self, item):
        return [rating_label(item.rating)]


class LatestClaimsAtomFeed(LatestClaimsFeed):
    feed_type = Atom1Feed
    subtitle = LatestClaimsFeed.description
    link = reverse_lazy("claims:claim-list")


class CorrectionsFeed(Feed):
    """Every public correction, newest first: the corrections log as a feed."""

    title = _("Faktencheck – Korrekturen und Aktualisierungen")
    link = reverse_lazy("claims:correction-list")
    description = _("Korrekturen, Aktualisierungen und geänderte Bewertungen veröffentlichter Faktenchecks.")

    def items(self):
        return Correction.objects.public().select_related("claim", "old_rating", "new_rating").order_by("-date", "-id")[:FEED_ITEMS]

    def item_title(self, item):
        return f"{item.get_kind_display()}: {item.claim.text}"

    def item_description(self, item):
        if item.old_rating_id != item.new_rating_id and item.old_rating and item.new_rating:
            change = _("Bewertung geändert von „%(old)s“ zu „%(new)s“.") % {
                "old": rating_label(item.old_rating),
                "new": rating_label(item.new_rating),
            }
            return f"{item.note} {change}"
        return item.note

    def item_link(self, item):
        return reverse("claims:claim-detail", kwargs={"slug": item.claim.slug}) + f"#korrektur-{item.pk}"

    # The guid (Atom: id) is the item's link: an absolute IRI as RFC 4287 requires, unique per
    # correction by its anchor, and stable because a published claim keeps its address.

    def item_pubdate(self, item):
        return item.date


class CorrectionsAtomFeed(CorrectionsFeed):
    feed_type = Atom1Feed
    subtitle = CorrectionsFeed.description
