from django.urls import path

from . import hr_views, views

app_name = "assessments"

urlpatterns = [
    path("", views.home, name="home"),
    path("ballots/", views.my_ballots, name="my_ballots"),
    path("ballots/<int:pk>/", views.sheet, name="sheet"),
    path("ballots/<int:pk>/submit/", views.submit, name="submit"),
    path("results/", views.my_results, name="my_results"),
    path("hr/", hr_views.cycles, name="hr_cycles"),
    path("hr/cycles/<int:pk>/", hr_views.cycle, name="hr_cycle"),
    path("hr/cycles/<int:pk>/transition/", hr_views.cycle_transition, name="hr_cycle_transition"),
    path("hr/cases/<int:pk>/", hr_views.case, name="hr_case"),
    path("b/<str:code>/", views.code_sheet, name="code_sheet"),
    path("b/<str:code>/submit/", views.code_submit, name="code_submit"),
]
