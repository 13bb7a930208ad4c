"""The demo plant's follow-up (assessments.demo builds the plant and its cycles, and calls this in between)."""

import datetime as dt

from django.utils import timezone

from assessments.demo import Plant
from assessments.models import CaseSubject, Cycle

from .services import feedback_record_talk, feedback_respond, plan_approve, plan_create, plan_submit, progress_post


def last_cycle_follow_up(cycle: Cycle, plant: Plant, hr) -> None:
    """Last year's follow-up: the leader's talk is held and their plan is under way, half done; the weak
    deputy's plan waits for HR's approval. Everyone else can draft their own from "My results"."""
    subjects = {s.person_id: s for s in CaseSubject.objects.filter(case__cycle=cycle, kind=CaseSubject.Kind.MEMBER)}
    leader, weak = plant.seats["leader"], plant.seats["weak"]
    today = timezone.localdate()
    feedback_record_talk(
        subject=subjects[leader.pk],
        held_on=today - dt.timedelta(days=20),
        participants="组织部 王部长、人力资源部 李科长",
        notes="肯定了生产组织方面的成绩，指出理论学习系统性不足、联系基层不够经常。",
        actor=hr,
    )
    feedback_respond(subject=subjects[leader.pk], response="accept", actor=leader.user)
    plan = plan_create(subject=subjects[leader.pk], actor=leader.user)
    plan_submit(plan=plan, actor=leader.user)
    plan_approve(plan=plan, actor=hr)
    first = plan.actions.order_by("order", "id").first()
    progress_post(action=first, actor=leader.user, note="已制定全年学习计划，完成两次专题学习。", progress=40)
    if weak.user is not None:
        weak_plan = plan_create(subject=subjects[weak.pk], actor=weak.user)
        plan_submit(plan=weak_plan, actor=weak.user)
