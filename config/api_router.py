"""/api/: version 1 of each app's API, and the OpenAPI schema with its viewers (our own static files)."""

from django.urls import URLPattern, URLResolver, include, path, reverse
from drf_spectacular.utils import extend_schema
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

app_name = "api"

v1 = [
    path("", include("integrations.api.urls")),
    path("", include("people.api.urls")),
    path("", include("assessments.api.urls")),
    path("", include("followup.api.urls")),
    path("", include("reports.api.urls")),
]


def _lists(patterns: list, prefix: str = "") -> list[str]:
    """The addresses of v1 that take no parameter (lists and the like), in the order the apps declare them."""
    found: list[str] = []
    for pattern in patterns:
        route = prefix + str(pattern.pattern)
        if "<" in route or "(?P" in route or "format" in route:
            continue
        if isinstance(pattern, URLResolver):
            found += _lists(pattern.url_patterns, route)
        elif isinstance(pattern, URLPattern) and route:
            found.append(route.lstrip("^").rstrip("$"))
    return list(dict.fromkeys(found))


@extend_schema(exclude=True)
class ApiRoot(APIView):
    """/api/v1/ itself: where the endpoints are, and where the schema and its documentation are. Addresses only,
    no data: anyone may read it."""

    permission_classes = [AllowAny]

    def get(self, request: Request) -> Response:
        root = reverse("api:root")
        return Response(
            {
                "endpoints": {route.rstrip("/"): request.build_absolute_uri(root + route) for route in _lists(v1)},
                "schema": request.build_absolute_uri(reverse("api:schema")),
                "docs": request.build_absolute_uri(reverse("api:redoc")),
                "swagger": request.build_absolute_uri(reverse("api:swagger")),
            }
        )


urlpatterns = [
    path("v1/", ApiRoot.as_view(), name="root"),
    path("v1/", include(v1)),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("schema/swagger/", SpectacularSwaggerView.as_view(url_name="api:schema"), name="swagger"),
    path("schema/redoc/", SpectacularRedocView.as_view(url_name="api:schema"), name="redoc"),
]
