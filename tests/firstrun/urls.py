"""The project's URLs and one view that fails, for test_error_pages.py."""

from django.urls import path

from config.urls import urlpatterns as project


def fails(request):
    raise RuntimeError("a bug in a view")


urlpatterns = [path("fails/", fails), *project]
