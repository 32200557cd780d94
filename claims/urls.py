from django.urls import path

from . import views

app_name = "claims"

urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
    path("faktenchecks/", views.ClaimListView.as_view(), name="claim-list"),
    path("faktenchecks/<slug:slug>/", views.ClaimDetailView.as_view(), name="claim-detail"),
    path("urheber/<slug:slug>/", views.ClaimantDetailView.as_view(), name="claimant-detail"),
    path("bewertungen/", views.RatingScaleView.as_view(), name="ratings"),
    path("korrekturen/", views.CorrectionListView.as_view(), name="correction-list"),
    path("suche/", views.SearchView.as_view(), name="search"),
]
