from django.urls import path

from . import case_views, hr_views, plan_views, results_views, views

app_name = "assessments"

urlpatterns = [
    path("", views.home, name="home"),
    path("ballots/", views.my_ballots, name="my_ballots"),
    path("ballots/<int:pk>/", views.sheet, name="sheet"),
    path("ballots/<int:pk>/submit/", views.submit, name="submit"),
    path("results/", results_views.my_results, name="my_results"),
    path("results/feedback/<int:pk>/", results_views.feedback_respond, name="feedback_respond"),
    path("results/team/<int:pk>/", results_views.team_results, name="team_results"),
    path("results/team/talks/<int:pk>/", results_views.team_feedback_talk, name="team_feedback_talk"),
    path("plans/", plan_views.plan_list, name="plans"),
    path("plans/draft/<int:pk>/", plan_views.plan_draft, name="plan_draft"),
    path("plans/<int:pk>/", plan_views.plan, name="plan"),
    path("plans/<int:pk>/edit/", plan_views.plan_edit, name="plan_edit"),
    path("plans/<int:pk>/transition/", plan_views.plan_transition, name="plan_transition"),
    path("plans/<int:pk>/actions/", plan_views.plan_action_add, name="plan_action_add"),
    path("plans/<int:pk>/actions/<int:action_pk>/", plan_views.plan_action, name="plan_action"),
    path("plans/<int:pk>/actions/<int:action_pk>/progress/", plan_views.plan_progress, name="plan_progress"),
    path("plans/evidence/<int:pk>/", plan_views.evidence, name="plan_evidence"),
    path("hr/", hr_views.cycles, name="hr_cycles"),
    path("hr/cycles/new/", hr_views.cycle_new, name="hr_cycle_new"),
    path("hr/cycles/<int:pk>/", hr_views.cycle, name="hr_cycle"),
    path("hr/cycles/<int:pk>/settings/", hr_views.cycle_edit, name="hr_cycle_edit"),
    path("hr/cycles/<int:pk>/teams/", hr_views.cycle_teams, name="hr_cycle_teams"),
    path("hr/cycles/<int:pk>/remind/", hr_views.cycle_remind, name="hr_cycle_remind"),
    path("hr/cycles/<int:pk>/transition/", hr_views.cycle_transition, name="hr_cycle_transition"),
    path("hr/cases/<int:pk>/", hr_views.case, name="hr_case"),
    path("hr/cases/<int:pk>/codes/", hr_views.case_codes, name="hr_case_codes"),
    path("hr/cases/<int:pk>/transition/", hr_views.case_transition, name="hr_case_transition"),
    path("hr/cases/<int:pk>/file/", case_views.case_file, name="hr_case_file"),
    path("hr/subjects/<int:pk>/feedback/", hr_views.feedback_talk, name="hr_feedback_talk"),
    path("hr/subjects/<int:pk>/appeal/", case_views.appeal_decide, name="hr_appeal"),
    path("hr/cycles/<int:pk>/plans/", plan_views.hr_plans, name="hr_plans"),
    path("hr/plans/<int:pk>/", plan_views.hr_plan, name="hr_plan"),
    path("hr/plans/<int:pk>/transition/", plan_views.hr_plan_transition, name="hr_plan_transition"),
    path("b/", views.code_entry, name="code_entry"),
    path("b/<str:code>/", views.code_sheet, name="code_sheet"),
    path("b/<str:code>/submit/", views.code_submit, name="code_submit"),
]
