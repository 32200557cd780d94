from django.urls import include, path

from config.urls import urlpatterns as site

urlpatterns = [path("__bench__/", include("bench.baselines")), *site]
