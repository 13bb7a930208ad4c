from django.urls import path

from . import feedback_views, results_views, views

app_name = "followup"

# The paths are those these pages had when they lived in assessments: bookmarks and mailed links keep working.
urlpatterns = [
    path("results/", results_views.my_results, name="my_results"),
    path("results/feedback/<int:pk>/", results_views.feedback_respond, name="feedback_respond"),
    path("results/team/<int:pk>/", results_views.team_results, name="team_results"),
    path("results/team/talks/<int:pk>/", results_views.team_feedback_talk, name="team_feedback_talk"),
    path("plans/", views.plan_list, name="plans"),
    path("plans/draft/<int:pk>/", views.plan_draft, name="plan_draft"),
    path("plans/<int:pk>/", views.plan, name="plan"),
    path("plans/<int:pk>/edit/", views.plan_edit, name="plan_edit"),
    path("plans/<int:pk>/transition/", views.plan_transition, name="plan_transition"),
    path("plans/<int:pk>/actions/", views.plan_action_add, name="plan_action_add"),
    path("plans/<int:pk>/actions/<int:action_pk>/", views.plan_action, name="plan_action"),
    path("plans/<int:pk>/actions/<int:action_pk>/progress/", views.plan_progress, name="plan_progress"),
    path("plans/evidence/<int:pk>/", views.evidence, name="plan_evidence"),
    path("hr/subjects/<int:pk>/feedback/", feedback_views.feedback_talk, name="hr_feedback_talk"),
    path("hr/subjects/<int:pk>/appeal/", feedback_views.appeal_decide, name="hr_appeal"),
    path("hr/cycles/<int:pk>/plans/", views.hr_plans, name="hr_plans"),
    path("hr/plans/<int:pk>/", views.hr_plan, name="hr_plan"),
    path("hr/plans/<int:pk>/transition/", views.hr_plan_transition, name="hr_plan_transition"),
]
