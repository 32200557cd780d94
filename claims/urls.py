from django.contrib.sitemaps import views as sitemap_views
from django.urls import path

from . import feeds, views
from .cache import cache_public_page
from .sitemaps import SITEMAPS

app_name = "claims"

urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
    path("faktenchecks/", views.ClaimListView.as_view(), name="claim-list"),
    path("faktenchecks/<slug:slug>/", views.ClaimDetailView.as_view(), name="claim-detail"),
    path("urheber/<slug:slug>/", views.ClaimantDetailView.as_view(), name="claimant-detail"),
    path("bewertungen/", views.RatingScaleView.as_view(), name="ratings"),
    path("bewertungen.css", views.RatingStylesheetView.as_view(), name="rating-stylesheet"),
    path("korrekturen/", views.CorrectionListView.as_view(), name="correction-list"),
    path("suche/", views.SearchView.as_view(), name="search"),
    path("feeds/faktenchecks/", cache_public_page(feeds.LatestClaimsFeed()), name="claims-feed"),
    path("feeds/faktenchecks/atom/", cache_public_page(feeds.LatestClaimsAtomFeed()), name="claims-feed-atom"),
    path("feeds/korrekturen/", cache_public_page(feeds.CorrectionsFeed()), name="corrections-feed"),
    path("feeds/korrekturen/atom/", cache_public_page(feeds.CorrectionsAtomFeed()), name="corrections-feed-atom"),
    path(
        "sitemap.xml",
        cache_public_page(sitemap_views.index),
        {"sitemaps": SITEMAPS, "sitemap_url_name": "claims:sitemap-section"},
        name="sitemap",
    ),
    path("sitemap-<section>.xml", cache_public_page(sitemap_views.sitemap), {"sitemaps": SITEMAPS}, name="sitemap-section"),
    path("robots.txt", views.robots_txt, name="robots-txt"),
    path("favicon.ico", views.favicon, name="favicon"),
]
