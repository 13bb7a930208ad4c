"""A plan's state machine is one table: the pages and the API offer and apply the same transitions."""

import pytest
from django.core.exceptions import ValidationError

from followup.services.transitions import PLAN_TRANSITIONS, plan_transition_apply, plan_transitions_for
from tests.followup.plan_helpers import case_with_weak_leader, hr_user, plan_for, user_of

pytestmark = pytest.mark.django_db


def names(plan, actor) -> list[str]:
    return [t.name for t in plan_transitions_for(plan=plan, actor=actor)]


def test_the_author_and_hr_are_each_offered_their_own_transitions():
    _, case, (a, b, *_) = case_with_weak_leader()
    plan, hr, leader, colleague = plan_for(case, a), hr_user(), user_of(a), user_of(b)
    assert names(plan, leader) == ["submit"]
    assert names(plan, hr) == [] and names(plan, colleague) == []
    plan_transition_apply(plan=plan, name="submit", actor=leader)
    plan.refresh_from_db()
    assert names(plan, leader) == []
    assert names(plan, hr) == ["approve", "return"]


def test_a_transition_the_actor_may_not_take_is_refused_and_changes_nothing():
    _, case, (a, *_) = case_with_weak_leader()
    plan, leader = plan_for(case, a), user_of(a)
    plan_transition_apply(plan=plan, name="submit", actor=leader)
    with pytest.raises(ValidationError, match="Unknown action"):
        plan_transition_apply(plan=plan, name="approve", actor=leader)  # the author cannot approve their own plan
    plan.refresh_from_db()
    assert plan.status == "submitted"
    with pytest.raises(ValidationError):
        plan_transition_apply(plan=plan, name="return", actor=hr_user(), reason="  ")  # a reason is required
    plan.refresh_from_db()
    assert plan.status == "submitted"


def test_the_api_and_the_page_take_the_same_table():
    assert set(PLAN_TRANSITIONS) == {"submit", "complete", "approve", "return", "verify"}
    assert PLAN_TRANSITIONS["verify"].text_param == "note" and PLAN_TRANSITIONS["return"].reason == "required"
