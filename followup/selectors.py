"""Reads of improvement plans: who may see and change which plan, what Kaoping suggests from a leader's
results, HR's lists, and last cycle's plan beside this cycle's figures. Every figure a suggestion rests
on comes through the k-suppressing selectors: a suggestion never rests on a group too small to show."""

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet
from django.utils import timezone

from assessments.models import Case, CaseSubject, Cycle, Dimension, Indicator, SubjectResult
from assessments.selectors import (
    RELEASED,
    VisibleResult,
    indicator_scores,
    is_hr,
    peer_averages_for,
    subject_result_indicators,
)
from people.selectors import person_for_user

from .models import Action, ActionTemplate, Evidence, FeedbackTalk, ImprovementPlan, ProgressUpdate

P = ImprovementPlan.Status
UNDER_WAY = (P.APPROVED, P.IN_PROGRESS)
SUGGEST_AT_MOST = 3
SUGGEST_AT_LEAST = 2


# --- Who may do what -----------------------------------------------------------------------------------


def _principal_person_id(case: Case) -> int | None:
    return (
        case.subjects.filter(kind=CaseSubject.Kind.MEMBER, is_principal=True)
        .values_list("person_id", flat=True)
        .first()
    )


def plan_author_person_id(subject: CaseSubject) -> int | None:
    """Who writes a subject's plan: the leader for their own, the team's principal for the team's."""
    if subject.kind == CaseSubject.Kind.MEMBER:
        return subject.person_id
    return _principal_person_id(subject.case)


def can_write_plan(*, user, subject: CaseSubject) -> bool:
    """The plan's author, once results are released: HR follows plans but does not write them."""
    person = person_for_user(user=user)
    return bool(
        person is not None and subject.case.cycle.status in RELEASED and plan_author_person_id(subject) == person.pk
    )


def can_view_plan(*, user, plan: ImprovementPlan) -> bool:
    """HR; the plan's author; the team's principal for every plan of their team."""
    if is_hr(user):
        return True
    subject = plan.subject
    if subject.case.cycle.status not in RELEASED:
        return False
    person = person_for_user(user=user)
    if person is None:
        return False
    return plan_author_person_id(subject) == person.pk or _principal_person_id(subject.case) == person.pk


def plans_visible_to(*, user) -> QuerySet[ImprovementPlan]:
    """`can_view_plan` as a queryset, for lists and the API."""
    plans = ImprovementPlan.objects.all()
    if is_hr(user):
        return plans
    person = person_for_user(user=user)
    if person is None:
        return plans.none()
    led = CaseSubject.objects.filter(person=person, is_principal=True, kind=CaseSubject.Kind.MEMBER).values("case_id")
    return plans.filter(
        Q(subject__person=person, subject__kind=CaseSubject.Kind.MEMBER) | Q(subject__case__in=led),
        subject__case__cycle__status__in=RELEASED,
    )


def plan_of(*, subject: CaseSubject) -> ImprovementPlan | None:
    return ImprovementPlan.objects.filter(subject=subject).first()


def subjects_to_plan_for(*, user) -> list[CaseSubject]:
    """Released places with no plan yet that this user would write: their own, and their team's as its
    principal; newest cycle first. Whether the case still takes a plan is the service's to say."""
    person = person_for_user(user=user)
    if person is None:
        return []
    led = CaseSubject.objects.filter(person=person, is_principal=True, kind=CaseSubject.Kind.MEMBER).values("case_id")
    return list(
        CaseSubject.objects.filter(
            Q(person=person, kind=CaseSubject.Kind.MEMBER) | Q(kind=CaseSubject.Kind.TEAM, case__in=led),
            case__cycle__status__in=RELEASED,
            improvement_plan__isnull=True,
        )
        .select_related("case__cycle", "case__team", "person")
        .order_by("-case__cycle__year", "-case__cycle_id", "order")
    )


# --- What a plan is made of ---------------------------------------------------------------------------


def plan_with_everything(*, pk: int) -> ImprovementPlan:
    """One plan with its subject, case, actions, updates and evidence loaded, for its page."""
    updates = (
        ProgressUpdate.objects.select_related("author").prefetch_related("evidence").order_by("-created_at", "-id")
    )
    return (
        ImprovementPlan.objects.select_related(
            "subject__person", "subject__case__cycle__framework", "subject__case__team__org_unit", "created_by"
        )
        .prefetch_related(
            Prefetch(
                "actions",
                queryset=Action.objects.select_related("indicator__dimension", "owner").prefetch_related(
                    Prefetch("updates", queryset=updates)
                ),
            )
        )
        .get(pk=pk)
    )


def plan_progress(plan: ImprovementPlan) -> int:
    """The plan's overall progress: the mean of its actions' (0 with no actions)."""
    actions = list(plan.actions.all())
    return round(sum(a.progress for a in actions) / len(actions)) if actions else 0


def action_is_overdue(action: Action, *, today: dt.date | None = None) -> bool:
    today = today or timezone.localdate()
    return (
        action.status != Action.Status.DONE
        and action.due_on < today
        and action.plan.status in (P.APPROVED, P.IN_PROGRESS)
    )


def overdue_actions(*, today: dt.date) -> QuerySet[Action]:
    """Actions of plans under way, not done, whose due day is before `today` (a date in Asia/Shanghai)."""
    return Action.objects.filter(
        due_on__lt=today, plan__status__in=UNDER_WAY, plan__subject__case__cycle__test_mode=False
    ).exclude(status=Action.Status.DONE)


def plan_indicators(*, plan: ImprovementPlan) -> QuerySet[Indicator]:
    """The indicators an action of this plan may target: those of its cycle's framework version."""
    return (
        Indicator.objects.filter(dimension__framework_id=plan.subject.case.cycle.framework_id)
        .select_related("dimension")
        .order_by("dimension__order", "order", "id")
    )


def evidence_for_download(*, pk: int) -> Evidence:
    return Evidence.objects.select_related("update__action__plan__subject__case__cycle").get(pk=pk)


# --- HR's list ----------------------------------------------------------------------------------------


def plans_for_cycle(
    *, cycle: Cycle, status: str = "", overdue: bool = False, org_unit_id: int | None = None
) -> QuerySet[ImprovementPlan]:
    today = timezone.localdate()
    late = Action.objects.filter(plan=OuterRef("pk"), due_on__lt=today).exclude(status=Action.Status.DONE)
    plans = (
        ImprovementPlan.objects.filter(subject__case__cycle=cycle)
        .select_related("subject__person", "subject__case__team__org_unit")
        .prefetch_related("actions")
        .annotate(has_late_action=Exists(late))
        .order_by("subject__case__team__org_unit__code", "subject__case__team__name", "subject__order", "id")
    )
    if status:
        plans = plans.filter(status=status)
    if overdue:
        plans = plans.filter(has_late_action=True, status__in=UNDER_WAY)
    if org_unit_id:
        plans = plans.filter(subject__case__team__org_unit_id=org_unit_id)
    return plans


def plans_by_subject(*, case: Case) -> dict[int, ImprovementPlan]:
    """The case's plans by subject id, for HR's case page."""
    return {p.subject_id: p for p in ImprovementPlan.objects.filter(subject__case=case)}


def plan_status_counts(*, cycle: Cycle) -> dict[str, int]:
    """How many of the cycle's plans are in each status (every status, zeros included), in one query."""
    counts = dict(
        ImprovementPlan.objects.filter(subject__case__cycle=cycle)
        .values_list("status")
        .annotate(n=Count("id"))
        .values_list("status", "n")
    )
    return {status: counts.get(status, 0) for status in P.values}


def members_without_plan(*, cycle: Cycle, org_unit_id: int | None = None) -> QuerySet[CaseSubject]:
    """Members of the cycle's teams with no plan yet, in one query: HR's list of who has not started."""
    subjects = CaseSubject.objects.filter(
        case__cycle=cycle, kind=CaseSubject.Kind.MEMBER, improvement_plan__isnull=True
    ).select_related("person", "case__team__org_unit")
    if org_unit_id:
        subjects = subjects.filter(case__team__org_unit_id=org_unit_id)
    return subjects.order_by("case__team__org_unit__code", "case__team__name", "order", "id")


def org_units_of_cycle(*, cycle: Cycle) -> list[tuple[int, str]]:
    """The units whose teams the cycle assesses, for HR's filter."""
    return list(
        Case.objects.filter(cycle=cycle)
        .order_by("team__org_unit__code")
        .values_list("team__org_unit_id", "team__org_unit__name")
        .distinct()
    )


# --- Suggestions ---------------------------------------------------------------------------------------


def weakest(scores: dict, reference: dict, threshold: float) -> list:
    """The two or three weakest keys: those below the reference (the team's average) or the threshold, lowest
    first, at most three; with fewer than two such, the lowest others make up two. Ties go to the lower key,
    so the same figures always give the same suggestion."""
    ordered = sorted(scores, key=lambda key: (scores[key], str(key)))
    below = [k for k in ordered if scores[k] < threshold or (reference.get(k) is not None and scores[k] < reference[k])]
    chosen = below[:SUGGEST_AT_MOST]
    for key in ordered:
        if len(chosen) >= SUGGEST_AT_LEAST:
            break
        if key not in chosen:
            chosen.append(key)
    return sorted(chosen, key=lambda key: (scores[key], str(key)))


@dataclass
class Suggestion:
    dimension: Dimension
    indicator: Indicator | None
    score: float | None
    team_average: float | None
    templates: list[ActionTemplate] = field(default_factory=list)

    @property
    def target(self) -> str:
        return self.indicator.name if self.indicator else self.dimension.name


def _team_indicator_averages(case: Case, *, team_average_shown: bool) -> dict[int, float]:
    """The team's per-indicator averages over its published members, under the rule of the team's average by
    dimension beside them (`peer_averages_for`): none when that one is not shown, and none when a published
    member's indicators are hidden (their groups too small), since the two averages would then cover different
    members and their difference would give that member's figures."""
    if not team_average_shown:
        return {}
    results = SubjectResult.objects.filter(case=case, subject__kind=CaseSubject.Kind.MEMBER).select_related(
        "cycle", "subject"
    )
    sums: dict[int, list[float]] = {}
    for result in results:
        visible = subject_result_indicators(result=result)
        if visible.suppressed_all:
            continue
        scores = indicator_scores(visible)
        if not scores:
            return {}
        for indicator_id, score in scores.items():
            sums.setdefault(indicator_id, []).append(score)
    return {i: sum(v) / len(v) for i, v in sums.items()}


def _templates(dimension_code: str, indicator_code: str) -> list[ActionTemplate]:
    library = list(ActionTemplate.objects.filter(active=True, dimension_code=dimension_code))
    exact = [t for t in library if t.indicator_code == indicator_code and indicator_code]
    return exact + [t for t in library if not t.indicator_code]


def plan_suggestions(*, subject: CaseSubject) -> list[Suggestion]:
    """What Kaoping proposes for a subject's plan, from their results as they themselves may see them.

    With per-indicator figures shown: the weakest indicators against the team's average and the cycle's
    优秀 band. With only dimension figures (groups too small to show apart): the weakest dimensions. With
    no figures at all: one suggestion per dimension, so the leader still has somewhere to start."""
    cycle = subject.case.cycle
    dimensions = list(cycle.framework.dimensions.prefetch_related("indicators").order_by("order", "id"))
    result = SubjectResult.objects.filter(subject=subject).select_related("cycle", "subject").first()
    visible = subject_result_indicators(result=result) if result else None
    threshold = float(cycle.band_excellent)
    suggestions: list[Suggestion] = []
    scores = indicator_scores(visible) if visible else {}
    averages = peer_averages_for(subject=subject, cycle=cycle) if visible and not visible.suppressed_all else None
    if scores:
        team = _team_indicator_averages(subject.case, team_average_shown=bool(averages and averages.team))
        indicators = {i.pk: (d, i) for d in dimensions for i in d.indicators.all()}
        for indicator_id in weakest({k: v for k, v in scores.items() if k in indicators}, team, threshold):
            dimension, indicator = indicators[indicator_id]
            suggestions.append(Suggestion(dimension, indicator, scores[indicator_id], team.get(indicator_id), []))
    elif visible and not visible.suppressed_all and visible.dimensions:
        team = {k: float(v) for k, v in averages.team.items() if v is not None}
        by_code = {d.code: d for d in dimensions}
        dims = {c: float(v) for c, v in visible.dimensions.items() if c in by_code and v is not None}
        for code in weakest(dims, team, threshold):
            suggestions.append(Suggestion(by_code[code], None, dims[code], team.get(code), []))
    else:
        suggestions = [Suggestion(d, None, None, None, []) for d in dimensions]
    for s in suggestions:
        s.templates = _templates(s.dimension.code, s.indicator.code if s.indicator else "")
    return suggestions


# --- Last cycle's plan, beside this cycle ----------------------------------------------------------------


@dataclass
class PreviousPlan:
    plan: ImprovementPlan
    progress: int
    actions_done: int
    actions_total: int
    # Per targeted indicator (or dimension): {"name", "before", "now", "change"}, figures 0–100 or None.
    targets: list[dict]


def previous_plan_for(*, subject: CaseSubject, now: VisibleResult | None) -> PreviousPlan | None:
    """The same person's plan of the latest earlier cycle, its completion, and how the indicators it targeted
    moved from that cycle to this one — each figure as the k-suppressing selector shows it (None if hidden)."""
    if subject.kind != CaseSubject.Kind.MEMBER:
        return None
    cycle = subject.case.cycle
    plan = (
        ImprovementPlan.objects.filter(
            subject__person_id=subject.person_id,
            subject__kind=CaseSubject.Kind.MEMBER,
            subject__case__cycle__test_mode=False,
        )
        .filter(
            Q(subject__case__cycle__year__lt=cycle.year)
            | Q(subject__case__cycle__year=cycle.year, subject__case__cycle_id__lt=cycle.pk)
        )
        .select_related("subject__case__cycle")
        .prefetch_related(Prefetch("actions", queryset=Action.objects.select_related("indicator__dimension")))
        .order_by("-subject__case__cycle__year", "-subject__case__cycle_id")
        .first()
    )
    if plan is None:
        return None
    actions = list(plan.actions.all())
    before_result = SubjectResult.objects.filter(subject=plan.subject).select_related("cycle", "subject").first()
    before = subject_result_indicators(result=before_result) if before_result else None
    before_scores = indicator_scores(before) if before else {}
    now_scores = indicator_scores(now) if now else {}
    # This cycle may use a newer framework version: match indicators by their codes.
    now_by_code = {}
    if now_scores:
        codes = Indicator.objects.filter(pk__in=now_scores).values_list("pk", "dimension__code", "code")
        now_by_code = {(dimension, code): now_scores[pk] for pk, dimension, code in codes}
    targets, seen = [], set()
    for action in actions:
        indicator = action.indicator
        if indicator is None or indicator.pk in seen:
            continue
        seen.add(indicator.pk)
        was = before_scores.get(indicator.pk)
        is_now = now_by_code.get((indicator.dimension.code, indicator.code))
        targets.append(
            {
                "name": indicator.name,
                "before": was,
                "now": is_now,
                "change": is_now - was if was is not None and is_now is not None else None,
            }
        )
    return PreviousPlan(
        plan=plan,
        progress=round(sum(a.progress for a in actions) / len(actions)) if actions else 0,
        actions_done=sum(1 for a in actions if a.status == Action.Status.DONE),
        actions_total=len(actions),
        targets=targets,
    )


def feedback_for(*, subject: CaseSubject) -> FeedbackTalk | None:
    return FeedbackTalk.objects.filter(subject=subject).select_related("held_by").first()


def feedback_for_case(*, case: Case) -> dict[int, FeedbackTalk]:
    """The case's feedback talks by subject id, for HR's case page."""
    return {f.subject_id: f for f in FeedbackTalk.objects.filter(subject__case=case).select_related("held_by")}
