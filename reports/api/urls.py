from rest_framework.routers import SimpleRouter

from . import views

router = SimpleRouter()
router.register("report-jobs", views.ReportJobViewSet, basename="report-job")

urlpatterns = router.urls
