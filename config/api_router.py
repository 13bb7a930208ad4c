"""/api/: version 1 of each app's API, and the OpenAPI schema with its viewers (our own static files)."""

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView

app_name = "api"

v1 = [
    path("", include("integrations.api.urls")),
    path("", include("people.api.urls")),
    path("", include("assessments.api.urls")),
    path("", include("followup.api.urls")),
    path("", include("reports.api.urls")),
]

urlpatterns = [
    path("v1/", include(v1)),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("schema/swagger/", SpectacularSwaggerView.as_view(url_name="api:schema"), name="swagger"),
    path("schema/redoc/", SpectacularRedocView.as_view(url_name="api:schema"), name="redoc"),
]
