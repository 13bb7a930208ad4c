"""A released case whose first member has known weak points, and plans moved along through the services."""

import datetime as dt

from django.contrib.auth.models import Permission
from django.utils import timezone

from assessments.models import CaseSubject
from assessments.services import cycle_release, cycle_score
from followup.models import ImprovementPlan
from followup.services import plan_approve, plan_complete, plan_create, plan_submit, plan_verify, progress_post
from tests.assessments.factories import UserFactory
from tests.assessments.helpers import assignment_of, close, fill, login_as, open_case

# The first member's three weak indicators as everyone but themselves rates them (scale 1–10).
WEAK = {"theory_study": 5, "resp_service": 6, "prof_people": 7}


def weak_first_member(indicator) -> int:
    return WEAK.get(indicator.code, 9)


def case_with_weak_leader(release: bool = True):
    """Four members and four anonymous subordinates (every group meets k = 3). Everyone rates the first
    member 9 except on WEAK; the others get 7, 8, 6 throughout. Returns (cycle, case, members)."""
    cycle, case, people, _, codes = open_case(members=4, superiors=0, codes=4, min_group_size=3)
    a, b, c, d = people
    for p in people:
        fill(assignment=assignment_of(case, p), scores={a: weak_first_member, b: 7, c: 8, d: 6, "team": 8})
    for code in codes:
        fill(code=code, scores={a: weak_first_member, b: 7, c: 8, d: 6, "team": 7})
    cycle_score(cycle=close(cycle))
    if release:
        cycle_release(cycle=cycle)
    cycle.refresh_from_db()
    case.refresh_from_db()
    return cycle, case, people


def subject_of(case, person) -> CaseSubject:
    return CaseSubject.objects.get(case=case, person=person)


def user_of(person):
    if person.user_id is None:
        person.user = UserFactory()
        person.save()
    return person.user


def hr_user():
    user = UserFactory()
    user.user_permissions.add(Permission.objects.get(codename="manage_cycles"))
    return user


def plan_for(case, person) -> ImprovementPlan:
    return plan_create(subject=subject_of(case, person), actor=user_of(person))


def plan_to(status: str, case, person, hr) -> ImprovementPlan:
    """A plan of `person`, moved through the services as far as `status`."""
    leader = user_of(person)
    plan = plan_for(case, person)
    steps = ["submitted", "approved", "in_progress", "completed", "verified"]
    for step in steps[: steps.index(status) + 1] if status in steps else []:
        if step == "submitted":
            plan_submit(plan=plan, actor=leader)
        elif step == "approved":
            plan_approve(plan=plan, actor=hr)
        elif step == "in_progress":
            first = plan.actions.first()
            progress_post(action=first, actor=leader, note="开始落实", progress=10)
        elif step == "completed":
            for action in plan.actions.all():
                progress_post(action=action, actor=leader, note="已完成", progress=100)
            plan_complete(plan=plan, actor=leader)
        elif step == "verified":
            plan_verify(plan=plan, actor=hr, note="经核实，已完成")
        plan.refresh_from_db()
    return plan


def login(client, person):
    return login_as(client, person)


def local_midnight(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time()), timezone.get_default_timezone())


def next_year(case, *, better: int = 8):
    """The same team a year on, in a new released cycle; the first member's theory_study rises to `better`.
    Returns (cycle, case)."""
    from assessments.services import case_create, cycle_open
    from tests.assessments.factories import CycleFactory

    cycle = CycleFactory(year=case.cycle.year + 1, min_group_size=3)
    members = [s.person for s in case.subjects.filter(kind="member").order_by("order")]
    new_case = case_create(cycle=cycle, team=case.team, superiors=[], anonymous_ballots=4)
    codes = cycle_open(cycle=cycle)[new_case.pk]
    a, b, c, d = members

    def first(indicator) -> int:
        return better if indicator.code == "theory_study" else 9

    for p in members:
        fill(assignment=assignment_of(new_case, p), scores={a: first, b: 7, c: 8, d: 6, "team": 8})
    for code in codes:
        fill(code=code, scores={a: first, b: 7, c: 8, d: 6, "team": 7})
    cycle_score(cycle=close(cycle))
    cycle_release(cycle=cycle)
    cycle.refresh_from_db()
    new_case.refresh_from_db()
    return cycle, new_case
