"""Model history (django-simple-history) records plans, actions, feedback talks, cycles and cases, with who
made each change; ballots, scores and anything else that could tie a rater to a ballot get none."""

import pytest
from django.apps import apps
from simple_history.models import registered_models

from followup.services import plan_submit
from tests.followup.plan_helpers import case_with_weak_leader, plan_for, user_of

pytestmark = pytest.mark.django_db

WITH_HISTORY = {"improvementplan", "action", "feedbacktalk", "cycle", "case"}
NEVER = {
    "ballot",
    "ballotdraft",
    "ballotcode",
    "score",
    "sectionresponse",
    "assignment",
    "subjectresult",
    "caseresult",
    "cycleresult",
}


def test_history_is_kept_for_the_follow_up_and_never_for_ballots():
    apps_ = ("assessments", "followup")
    tracked = {m._meta.model_name for m in registered_models.values() if m._meta.app_label in apps_}
    assert tracked == WITH_HISTORY
    historical = {m._meta.model_name for label in apps_ for m in apps.get_app_config(label).get_models()}
    assert not {f"historical{name}" for name in NEVER} & historical


def test_a_plans_history_names_who_changed_it(rf):
    from simple_history.middleware import HistoryRequestMiddleware

    _, case, (a, *_) = case_with_weak_leader()
    plan = plan_for(case, a)
    request = rf.post("/")
    request.user = user_of(a)
    HistoryRequestMiddleware(lambda r: plan_submit(plan=plan, actor=r.user))(request)
    latest = plan.history.order_by("-history_date").first()
    assert latest.status == "submitted" and latest.history_user == user_of(a)


def test_a_cycles_transitions_of_its_cases_are_in_each_cases_history():
    _, case, _ = case_with_weak_leader()
    statuses = list(case.history.order_by("history_date", "history_id").values_list("status", flat=True))
    assert statuses == ["evaluating", "scored", "feedback"]


def test_history_names_the_actor_also_outside_a_web_request():
    from followup.services import plan_approve
    from tests.followup.plan_helpers import hr_user

    _, case, (a, *_) = case_with_weak_leader()
    hr = hr_user()
    plan = plan_for(case, a)
    plan_submit(plan=plan, actor=user_of(a))
    plan_approve(plan=plan, actor=hr)
    users = list(plan.history.order_by("history_date", "history_id").values_list("history_user", flat=True))
    assert users == [user_of(a).pk, user_of(a).pk, hr.pk]
    action = plan.actions.first()
    assert action.history.first().history_user == user_of(a)
    case.refresh_from_db()
    assert case.history.order_by("-history_date").first().history_user == hr
