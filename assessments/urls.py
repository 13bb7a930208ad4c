from django.urls import path

from . import hr_views, views

app_name = "assessments"

urlpatterns = [
    path("", views.home, name="home"),
    path("ballots/", views.my_ballots, name="my_ballots"),
    path("ballots/<int:pk>/", views.sheet, name="sheet"),
    path("ballots/<int:pk>/submit/", views.submit, name="submit"),
    path("hr/", hr_views.cycles, name="hr_cycles"),
    path("hr/cycles/new/", hr_views.cycle_new, name="hr_cycle_new"),
    path("hr/cycles/<int:pk>/", hr_views.cycle, name="hr_cycle"),
    path("hr/cycles/<int:pk>/settings/", hr_views.cycle_edit, name="hr_cycle_edit"),
    path("hr/cycles/<int:pk>/groups/", hr_views.cycle_groups, name="hr_cycle_groups"),
    path("hr/cycles/<int:pk>/teams/", hr_views.cycle_teams, name="hr_cycle_teams"),
    path("hr/cycles/<int:pk>/remind/", hr_views.cycle_remind, name="hr_cycle_remind"),
    path("hr/cycles/<int:pk>/transition/", hr_views.cycle_transition, name="hr_cycle_transition"),
    path("hr/cases/<int:pk>/", hr_views.case, name="hr_case"),
    path("hr/cases/<int:pk>/codes/", hr_views.case_codes, name="hr_case_codes"),
    path("hr/cases/<int:pk>/transition/", hr_views.case_transition, name="hr_case_transition"),
    path("b/", views.code_entry, name="code_entry"),
    path("b/s/<str:slot>/", views.code_sheet, name="code_sheet"),
    path("b/s/<str:slot>/submit/", views.code_submit, name="code_submit"),
    path("b/<str:code>/", views.code_link, name="code_link"),
    path("b/<str:code>/submit/", views.code_link),
]
