"""Improvement plans through the services: drafting from results, every transition allowed and refused,
progress, the case closing on verified plans."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from assessments.models import Case, TimelineEvent
from assessments.selectors import subject_result_for
from assessments.services import case_close
from followup.models import Action, ImprovementPlan
from followup.selectors import plan_suggestions, previous_plan_for, weakest
from followup.services import (
    action_add,
    action_remove,
    action_update,
    plan_approve,
    plan_complete,
    plan_create,
    plan_return,
    plan_start,
    plan_submit,
    plan_update,
    plan_verify,
    progress_post,
)
from tests.followup.plan_helpers import (
    case_with_weak_leader,
    hr_user,
    next_year,
    plan_for,
    plan_to,
    subject_of,
    user_of,
)

pytestmark = pytest.mark.django_db
P = ImprovementPlan.Status


def test_weakest_takes_up_to_three_below_the_team_or_the_threshold_lowest_first():
    scores = {"a": 50, "b": 95, "c": 70, "d": 60, "e": 85}
    assert weakest(scores, {}, threshold=90) == ["a", "d", "c"]
    # Only one is weak: the next lowest makes up two.
    assert weakest({"a": 95, "b": 91, "c": 99}, {"a": 97}, threshold=90) == ["b", "a"]
    assert weakest({"a": 95, "b": 91, "c": 99}, {}, threshold=90) == ["b", "a"]


def test_a_draft_is_proposed_from_the_leaders_weakest_indicators():
    _, case, (a, *_) = case_with_weak_leader()
    suggestions = plan_suggestions(subject=subject_of(case, a))
    assert [s.indicator.code for s in suggestions] == ["theory_study", "resp_service", "prof_people"]
    assert [round(s.score) for s in suggestions] == [50, 60, 70]
    # The library's own suggestion for the indicator comes first, then the dimension's.
    assert suggestions[2].templates[0].title == "建立青年骨干培养机制"
    assert suggestions[0].templates[0].title == "制定个人理论学习计划"

    plan = plan_for(case, a)
    assert plan.status == P.DRAFT
    actions = list(plan.actions.all())
    assert [x.indicator.code for x in actions] == ["theory_study", "resp_service", "prof_people"]
    assert [x.title for x in actions] == ["制定个人理论学习计划", "建立基层联系点", "建立青年骨干培养机制"]
    assert all(x.owner == a and x.due_on > timezone.localdate() for x in actions)
    assert TimelineEvent.objects.filter(case=case, action="plan_drafted").count() == 1
    # Asking again gives the same plan, not a second one.
    assert plan_for(case, a).pk == plan.pk


def test_a_leader_with_no_weak_point_still_gets_the_two_lowest():
    _, case, (_, b, *_) = case_with_weak_leader()
    # b is rated 7 on everything by everyone: all below the 90 band, ties broken the same way every time.
    suggestions = plan_suggestions(subject=subject_of(case, b))
    assert len(suggestions) == 3


def test_only_the_leader_drafts_and_only_after_release():
    _, case, (a, b, *_) = case_with_weak_leader(release=False)
    with pytest.raises(ValidationError):
        plan_create(subject=subject_of(case, a), actor=user_of(a))
    _, case, (a, b, *_) = case_with_weak_leader()
    with pytest.raises(ValidationError, match="Only the leader"):
        plan_create(subject=subject_of(case, a), actor=user_of(b))
    with pytest.raises(ValidationError, match="Only the leader"):
        plan_create(subject=subject_of(case, a), actor=hr_user())
    assert not ImprovementPlan.objects.exists()


def test_the_whole_journey_writes_a_timeline_event_per_transition():
    _, case, (a, *_) = case_with_weak_leader()
    hr = hr_user()
    plan = plan_to("verified", case, a, hr)
    assert plan.status == P.VERIFIED and plan.verification_note == "经核实，已完成"
    actions = [e.action for e in TimelineEvent.objects.filter(case=case, data__plan=plan.pk).order_by("id")]
    assert actions[:4] == ["plan_drafted", "plan_submitted", "plan_approved", "plan_started"]
    assert actions[-2:] == ["plan_completed", "plan_verified"]
    case.refresh_from_db()
    assert case.status == Case.Status.IMPROVING  # the first approval moved the case on
    assert plan.history.count() >= 6


ALLOWED = {
    P.DRAFT: {"submit"},
    P.RETURNED: {"submit"},
    P.SUBMITTED: {"approve", "return"},
    P.APPROVED: {"start"},
    P.IN_PROGRESS: {"complete"},
    P.COMPLETED: {"verify", "return"},
    P.VERIFIED: set(),
}


def attempt(verb: str, plan, leader, hr):
    if verb == "submit":
        return plan_submit(plan=plan, actor=leader)
    if verb == "approve":
        return plan_approve(plan=plan, actor=hr)
    if verb == "return":
        return plan_return(plan=plan, actor=hr, reason="目标不够具体")
    if verb == "start":
        return plan_start(plan=plan, actor=leader)
    if verb == "complete":
        # Progress can only be posted on a plan under way (an approved plan starts with it).
        for action in plan.actions.exclude(status=Action.Status.DONE) if plan.status == P.IN_PROGRESS else []:
            progress_post(action=action, actor=leader, note="完成", progress=100)
        return plan_complete(plan=plan, actor=leader)
    return plan_verify(plan=plan, actor=hr)


@pytest.mark.parametrize("status", [s for s in P.values if s != P.RETURNED])
@pytest.mark.parametrize("verb", ["submit", "approve", "return", "start", "complete", "verify"])
def test_each_transition_is_allowed_only_from_its_states(status, verb):
    _, case, (a, *_) = case_with_weak_leader()
    hr = hr_user()
    plan = plan_to(status, case, a, hr)
    before = plan.status
    if verb in ALLOWED[before]:
        attempt(verb, plan, user_of(a), hr)
        plan.refresh_from_db()
        assert plan.status != before
    else:
        events = TimelineEvent.objects.count()
        with pytest.raises(ValidationError):
            attempt(verb, plan, user_of(a), hr)
        plan.refresh_from_db()
        assert plan.status == before
        assert TimelineEvent.objects.count() == events


def test_a_returned_plan_carries_its_reason_is_edited_and_submitted_again():
    _, case, (a, *_) = case_with_weak_leader()
    hr, leader = hr_user(), user_of(a)
    plan = plan_to("submitted", case, a, hr)
    with pytest.raises(ValidationError, match="Say why"):
        plan_return(plan=plan, actor=hr, reason="  ")
    plan_return(plan=plan, actor=hr, reason="请把第一项细化到每月")
    plan.refresh_from_db()
    assert plan.status == P.RETURNED and plan.return_reason == "请把第一项细化到每月"
    event = TimelineEvent.objects.get(case=case, action="plan_returned")
    assert event.reason == "请把第一项细化到每月" and event.actor == hr
    first = plan.actions.first()
    action_update(action=first, actor=leader, title="每月两次专题学习", due_on=first.due_on, indicator=first.indicator)
    plan_update(plan=plan, goal="理论素养达到优秀", actor=leader)
    plan_submit(plan=plan, actor=leader)
    plan.refresh_from_db()
    assert plan.status == P.SUBMITTED and plan.goal == "理论素养达到优秀"


def test_actions_are_checked_and_only_editable_before_approval():
    _, case, (a, b, *_) = case_with_weak_leader()
    leader = user_of(a)
    plan = plan_for(case, a)
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    with pytest.raises(ValidationError, match="title"):
        action_add(plan=plan, actor=leader, title=" ", due_on=tomorrow)
    with pytest.raises(ValidationError, match="past"):
        action_add(plan=plan, actor=leader, title="x", due_on=timezone.localdate() - dt.timedelta(days=1))
    with pytest.raises(ValidationError, match="indicators"):
        action_add(plan=plan, actor=leader, title="x", due_on=tomorrow, indicator=999999)
    with pytest.raises(ValidationError, match="Only the leader"):
        action_add(plan=plan, actor=user_of(b), title="x", due_on=tomorrow)
    added = action_add(plan=plan, actor=leader, title="参加党校培训", due_on=tomorrow)
    assert plan.actions.count() == 4
    action_remove(action=added, actor=leader)
    for action in plan.actions.all():
        action_remove(action=action, actor=leader)
    with pytest.raises(ValidationError, match="at least one action"):
        plan_submit(plan=plan, actor=leader)
    action_add(plan=plan, actor=leader, title="参加党校培训", due_on=tomorrow)
    plan_submit(plan=plan, actor=leader)
    with pytest.raises(ValidationError):
        action_add(plan=plan, actor=leader, title="晚了", due_on=tomorrow)


def test_progress_is_posted_by_the_leader_only_forward_and_ends_in_done():
    _, case, (a, b, *_) = case_with_weak_leader()
    hr, leader = hr_user(), user_of(a)
    plan = plan_to("approved", case, a, hr)
    action = plan.actions.first()
    with pytest.raises(ValidationError, match="Only the leader"):
        progress_post(action=action, actor=user_of(b), note="代填", progress=50)
    with pytest.raises(ValidationError, match="whole number"):
        progress_post(action=action, actor=leader, note="x", progress=101)
    with pytest.raises(ValidationError, match="what was done"):
        progress_post(action=action, actor=leader, note="", progress=10)
    progress_post(action=action, actor=leader, note="完成第一次学习", progress=40)
    plan.refresh_from_db()
    action.refresh_from_db()
    assert plan.status == P.IN_PROGRESS and action.status == Action.Status.IN_PROGRESS and action.progress == 40
    with pytest.raises(ValidationError, match="cannot go back"):
        progress_post(action=action, actor=leader, note="x", progress=20)
    progress_post(action=action, actor=leader, note="全部完成", progress=100)
    action.refresh_from_db()
    assert action.status == Action.Status.DONE and action.completed_on == timezone.localdate()
    with pytest.raises(ValidationError, match="Every action must be done"):
        plan_complete(plan=plan, actor=leader)


def test_the_case_closes_only_when_every_plan_is_verified():
    _, case, (a, b, *_) = case_with_weak_leader()
    hr = hr_user()
    plan_to("verified", case, a, hr)
    plan_b = plan_to("completed", case, b, hr)
    case.refresh_from_db()
    with pytest.raises(ValidationError, match="every plan"):
        case_close(case=case, actor=hr)
    plan_verify(plan=plan_b, actor=hr)
    case_close(case=case, actor=hr)
    case.refresh_from_db()
    assert case.status == Case.Status.CLOSED
    # A closed case takes no new plan.
    *_, c = case.subjects.filter(kind="member").order_by("order")
    with pytest.raises(ValidationError):
        plan_create(subject=c, actor=user_of(c.person))


def test_next_cycle_shows_last_years_plan_and_how_its_indicators_moved(client):
    _, case, (a, *_) = case_with_weak_leader()
    plan_to("verified", case, a, hr_user())
    _, case2 = next_year(case)
    subject2 = subject_of(case2, a)
    previous = previous_plan_for(subject=subject2, now=subject_result_for(viewer=hr_user(), subject=subject2))
    assert previous is not None and previous.plan.subject.case == case
    assert previous.progress == 100 and previous.actions_done == previous.actions_total == 3
    study = next(t for t in previous.targets if t["name"] == "政治理论学习")
    assert round(study["before"]) == 50 and round(study["now"]) == 80 and round(study["change"]) == 30
    # The leader sees it beside this year's results.
    from django.urls import reverse

    from tests.assessments.helpers import login_as

    login_as(client, a)
    page = client.get(reverse("followup:my_results")).content.decode()
    assert "Last cycle&#x27;s improvement plan" in page or "Last cycle's improvement plan" in page
    assert "3 of 3 actions done, 100% overall" in page
    assert "政治理论学习" in page and "+30.0" in page
