from django.urls import path
from rest_framework.routers import SimpleRouter

from . import views

router = SimpleRouter()
router.register("frameworks", views.FrameworkViewSet, basename="framework")
router.register("cycles", views.CycleViewSet, basename="cycle")
router.register("cases", views.CaseViewSet, basename="case")
router.register("results", views.ResultViewSet, basename="result")

urlpatterns = [
    *router.urls,
    # Files, by their extension: a plain link works in a browser, and each has one media type in the schema.
    path("cycles/<str:pk>/results.csv", views.CycleResultsCsv.as_view(), name="cycle-results-csv"),
    path("cycles/<str:pk>/results.xlsx", views.CycleResultsXlsx.as_view(), name="cycle-results-xlsx"),
]
