"""sitemap.xml: every public claim, source and claimant page plus the fixed pages."""

from django.contrib.sitemaps import Sitemap
from django.urls import reverse

from sources.models import Source

from .models import Claim, Claimant


class ClaimSitemap(Sitemap):
    changefreq = "weekly"
    priority = 0.8
    limit = 5000

    def items(self):
        return Claim.objects.published().only("slug", "updated_at").order_by("-published_at", "-id")

    def lastmod(self, item):
        return item.updated_at


class SourceSitemap(Sitemap):
    changefreq = "monthly"
    priority = 0.4
    limit = 5000

    def items(self):
        return Source.objects.public().only("slug", "imported_at").order_by("-imported_at", "-id")

    def lastmod(self, item):
        return item.imported_at


class ClaimantSitemap(Sitemap):
    changefreq = "weekly"
    priority = 0.3
    limit = 5000

    def items(self):
        return Claimant.objects.public().only("slug").order_by("slug")


class PageSitemap(Sitemap):
    changefreq = "daily"
    priority = 0.5

    def items(self):
        return ["claims:home", "claims:claim-list", "claims:ratings", "claims:correction-list"]

    def location(self, item):
        return reverse(item)


SITEMAPS = {"seiten": PageSitemap, "faktenchecks": ClaimSitemap, "quellen": SourceSitemap, "urheber": ClaimantSitemap}
