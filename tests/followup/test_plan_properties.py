"""Property: no sequence of service calls, by anyone, in any order, brings a plan into an illegal state.
Every call either does what it says or raises a ValidationError and changes nothing."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from assessments.models import Case, TimelineEvent
from assessments.services import case_close
from followup.models import Action, ImprovementPlan
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
    plan_verify,
    progress_post,
)
from tests.followup.plan_helpers import case_with_weak_leader, hr_user, subject_of, user_of

pytestmark = pytest.mark.django_db
P = ImprovementPlan.Status

# Which transition event may take a plan from one status to another.
EDGES = {
    ("draft", "submitted"),
    ("returned", "submitted"),
    ("submitted", "approved"),
    ("submitted", "returned"),
    ("completed", "returned"),
    ("approved", "in_progress"),
    ("in_progress", "completed"),
    ("completed", "verified"),
}

# Mostly the right person for the call (else few sequences would get far), sometimes the wrong one.
WHO = st.sampled_from(["right", "right", "right", "right", "wrong"])
OPS = st.one_of(
    st.tuples(st.just("submit"), WHO),
    st.tuples(st.just("approve"), WHO),
    st.tuples(st.just("return"), WHO, st.sampled_from(["", "请细化目标", " "])),
    st.tuples(st.just("start"), WHO),
    st.tuples(st.just("progress"), WHO, st.integers(0, 4), st.sampled_from([100, 100, 100, 50, 0, -5, 105])),
    st.tuples(st.just("complete"), WHO),
    st.tuples(st.just("verify"), WHO),
    st.tuples(st.just("add"), WHO, st.integers(-3, 40)),
    st.tuples(st.just("remove"), WHO, st.integers(0, 4)),
    st.tuples(st.just("edit"), WHO, st.integers(0, 4), st.integers(-3, 40)),
    st.tuples(st.just("close"), WHO),
    # The natural next step for the plan's status, so that sequences get all the way to verified.
    *[st.tuples(st.just("next"), WHO)] * 9,
)
NEXT = {
    P.DRAFT: "submit",
    P.RETURNED: "submit",
    P.SUBMITTED: "approve",
    P.APPROVED: "progress",
    P.IN_PROGRESS: "progress",
    P.COMPLETED: "verify",
    P.VERIFIED: "close",
}
HR_CALLS = {"approve", "return", "verify", "close"}


class Rolled(Exception):
    pass


@pytest.fixture
def world():
    _, case, (a, b, *_) = case_with_weak_leader()
    return case, {"leader": user_of(a), "peer": user_of(b), "hr": hr_user()}, subject_of(case, a)


def nth(plan, i):
    actions = list(plan.actions.order_by("id"))
    return actions[i % len(actions)] if actions else None


def run(op, plan, case, actors):
    name, who, *args = op
    if name == "next":
        plan.refresh_from_db()
        name = NEXT[plan.status]
        undone = plan.actions.exclude(status=Action.Status.DONE).order_by("id")
        if name == "progress" and not undone.exists():
            name = "complete"
        elif name == "progress":
            args = [list(plan.actions.order_by("id")).index(undone.first()), 100]
    right = "hr" if name in HR_CALLS else "leader"
    wrong = "leader" if right == "hr" else ("hr" if len(args) % 2 else "peer")
    actor = actors[right if who == "right" else wrong]
    today = timezone.localdate()
    if name == "submit":
        plan_submit(plan=plan, actor=actor)
    elif name == "approve":
        plan_approve(plan=plan, actor=actor)
    elif name == "return":
        plan_return(plan=plan, actor=actor, reason=args[0])
    elif name == "start":
        plan_start(plan=plan, actor=actor)
    elif name == "progress":
        action = nth(plan, args[0])
        if action is not None:
            progress_post(action=action, actor=actor, note="进展", progress=args[1])
    elif name == "complete":
        plan_complete(plan=plan, actor=actor)
    elif name == "verify":
        plan_verify(plan=plan, actor=actor)
    elif name == "add":
        action_add(plan=plan, actor=actor, title="新增措施", due_on=today + dt.timedelta(days=args[0]))
    elif name == "remove":
        action = nth(plan, args[0])
        if action is not None:
            action_remove(action=action, actor=actor)
    elif name == "edit":
        action = nth(plan, args[0])
        if action is not None:
            action_update(action=action, actor=actor, title="修改后的措施", due_on=today + dt.timedelta(days=args[1]))
    elif name == "close":
        case_close(case=case, actor=actor)


def check(plan: ImprovementPlan, case: Case) -> None:
    plan.refresh_from_db()
    case.refresh_from_db()
    actions = list(plan.actions.all())
    assert plan.status in P.values
    for a in actions:
        assert 0 <= a.progress <= 100
        assert (a.status == Action.Status.DONE) == (a.progress == 100)
    if plan.status == P.RETURNED:
        assert plan.return_reason.strip()
    if plan.status in (P.SUBMITTED, P.APPROVED, P.IN_PROGRESS, P.COMPLETED, P.VERIFIED):
        assert actions and plan.submitted_at
    if plan.status in (P.APPROVED, P.IN_PROGRESS, P.COMPLETED, P.VERIFIED):
        assert plan.approved_at
    if plan.status in (P.COMPLETED, P.VERIFIED):
        assert all(a.status == Action.Status.DONE for a in actions) and plan.completed_at
    if plan.status == P.VERIFIED:
        assert plan.verified_at
    if case.status == Case.Status.CLOSED:
        assert plan.status == P.VERIFIED
    # Every status the plan went through was reached by an allowed edge, each on the timeline.
    events = TimelineEvent.objects.filter(data__plan=plan.pk).exclude(from_status="").order_by("id")
    path = [(e.from_status, e.to_status) for e in events]
    assert all(edge in EDGES for edge in path), path
    assert (path[-1][1] if path else P.DRAFT) == plan.status


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(ops=st.lists(OPS, max_size=20))
def test_no_sequence_of_service_calls_reaches_an_illegal_state(world, ops):
    case, actors, subject = world
    try:
        with transaction.atomic():
            plan = plan_create(subject=subject, actor=actors["leader"])
            for op in ops:
                status, events = ImprovementPlan.objects.get(pk=plan.pk).status, TimelineEvent.objects.count()
                try:
                    with transaction.atomic():
                        run(op, plan, case, actors)
                except ValidationError:
                    # A refusal changes nothing.
                    assert ImprovementPlan.objects.get(pk=plan.pk).status == status
                    assert TimelineEvent.objects.count() == events
                check(plan, case)
            raise Rolled
    except Rolled:
        pass
