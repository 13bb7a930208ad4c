"""URLs for bench/ballots.py: the app's own URLs, plus a bare view that does no work (the baseline).

Only the benchmark's settings (bench/ballots_settings.py) use this module; the app never serves it."""

from django.http import HttpRequest, HttpResponse
from django.urls import include, path


def bare(request: HttpRequest) -> HttpResponse:
    """The whole middleware stack and nothing else: no query, no template (ATOMIC_REQUESTS still wraps it in
    a transaction, as it does every view)."""
    return HttpResponse(b"ok", content_type="text/plain")


urlpatterns = [
    path("bench/bare/", bare),
    path("", include("config.urls")),
]
