from rest_framework.routers import SimpleRouter

from .views import ClaimantViewSet, ClaimViewSet, CorrectionViewSet, RatingViewSet

router = SimpleRouter()
router.register("claims", ClaimViewSet, basename="claim")
router.register("claimants", ClaimantViewSet, basename="claimant")
router.register("ratings", RatingViewSet, basename="rating")
router.register("corrections", CorrectionViewSet, basename="correction")

urlpatterns = router.urls
