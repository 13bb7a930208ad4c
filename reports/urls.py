from django.urls import path

from . import views

app_name = "reports"

# Mounted at the site's root: the reports' own pages under reports/, and HR's printable case file beside HR's
# case page (the file lists the reports made, so it belongs to this, the top layer).
urlpatterns = [
    path("hr/cases/<int:pk>/file/", views.case_file, name="case_file"),
    path("reports/cycles/<int:pk>/", views.cycle_reports, name="cycle"),
    path("reports/cycles/<int:pk>/request/", views.request_reports, name="request"),
    path("reports/cases/<int:pk>/", views.case_reports, name="case"),
    path("reports/cases/<int:pk>/team.pdf", views.team_report, name="team_pdf"),
    path("reports/cases/<int:pk>/slips/", views.request_slips, name="slips"),
    path("reports/subjects/<int:pk>/report.pdf", views.subject_report, name="subject_pdf"),
    path("reports/jobs/<int:pk>/download/", views.download, name="download"),
]
