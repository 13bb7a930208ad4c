from django.urls import path

from . import views

app_name = "reports"

urlpatterns = [
    path("cycles/<int:pk>/", views.cycle_reports, name="cycle"),
    path("cycles/<int:pk>/request/", views.request_reports, name="request"),
    path("cases/<int:pk>/", views.case_reports, name="case"),
    path("cases/<int:pk>/team.pdf", views.team_report, name="team_pdf"),
    path("cases/<int:pk>/slips/", views.request_slips, name="slips"),
    path("subjects/<int:pk>/report.pdf", views.subject_report, name="subject_pdf"),
    path("jobs/<int:pk>/download/", views.download, name="download"),
]
