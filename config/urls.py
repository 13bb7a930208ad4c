from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("i18n/", include("django.conf.urls.i18n")),
    path("accounts/", include("django.contrib.auth.urls")),
    path("admin/", admin.site.urls),
    path("api/", include("config.api_router")),
    path("", include("reports.urls")),
    path("", include("followup.urls")),
    path("", include("assessments.urls")),
]
