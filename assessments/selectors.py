"""Reads of assessments. Every surface that shows results (web, API, PDF, exports) goes through
`subject_result_for` / `case_result_for`, which suppress every rater group below the cycle's k."""

import hashlib
import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.db.models import Count, F, Q, QuerySet

from core.roles import is_hr
from people.selectors import person_for_user

from . import visibility
from .models import (
    SELF,
    Assignment,
    Ballot,
    BallotCode,
    Case,
    CaseResult,
    CaseSubject,
    Cycle,
    CycleRaterGroup,
    CycleResult,
    Framework,
    Grade,
    SectionResponse,
    SubjectResult,
    TimelineEvent,
)

RELEASED = (Cycle.Status.RELEASED, Cycle.Status.ARCHIVED)


def rater_groups_of(cycle: Cycle) -> list[CycleRaterGroup]:
    """The cycle's rater groups in page order: the columns of every table, export and report that lists groups."""
    return cycle.groups


def group_names(cycle: Cycle) -> dict[str, str]:
    """Each group's name in the reader's language, by code."""
    return {g.code: g.name for g in cycle.groups}


def groups_in_order(cycle: Cycle, codes) -> list[tuple[str, str]]:
    """(code, name) of the given group codes, in the cycle's page order; codes the cycle lacks come last."""
    names = group_names(cycle)
    known = [(g.code, g.name) for g in cycle.groups if g.code in codes]
    return known + [(c, c) for c in codes if c not in names]


def can_view_subject_result(*, viewer, subject: CaseSubject) -> bool:
    """HR: any computed result. A leader: their own, once released. A team principal: their team's."""
    if is_hr(viewer):
        return True
    if subject.case.cycle.status not in RELEASED:
        return False
    person = person_for_user(user=viewer)
    if person is None:
        return False
    if subject.person_id == person.pk:
        return True
    return subject.case.subjects.filter(person=person, is_principal=True).exists()


def is_principal_of(*, user, case: Case) -> bool:
    """The team's principal as the case snapshot has it, once results are released."""
    person = person_for_user(user=user)
    return bool(
        person
        and case.cycle.status in RELEASED
        and case.subjects.filter(person=person, is_principal=True, kind=CaseSubject.Kind.MEMBER).exists()
    )


def principal_cases_for(*, user) -> QuerySet[Case]:
    """Released cases of the teams this user leads, newest first: their "My team" links."""
    person = person_for_user(user=user)
    if person is None:
        return Case.objects.none()
    return (
        Case.objects.filter(
            cycle__status__in=RELEASED,
            subjects__person=person,
            subjects__is_principal=True,
            subjects__kind=CaseSubject.Kind.MEMBER,
        )
        .select_related("cycle", "team")
        .order_by("-cycle__year", "-cycle_id")
    )


@dataclass
class VisibleResult:
    """A subject's result as a given viewer may see it. `None` figures are suppressed or absent."""

    subject: CaseSubject
    total: Decimal | None
    grade: str
    rank_in_team: int | None
    rank_in_cycle: int | None
    dimensions: dict[str, float | None]
    groups: dict[str, dict]  # only groups that may be shown
    indicators: dict[int, dict[str, float | None]]  # indicator id → group → trimmed mean (0–100 scale %)
    votes: dict | None
    flags: dict[str, bool]
    suppressed_groups: bool
    suppressed_all: bool
    renormalised: bool
    weights_used: dict[str, float]
    ballots_valid: int
    ballots_void: int
    comments: list[str] = field(default_factory=list)
    version: int = 0

    @property
    def grade_label(self) -> str:
        return Grade(self.grade).label if self.grade else ""


def _comment_order(subject_id: int, comments: list[str]) -> list[str]:
    """A stable shuffle keyed by a secret: the order says nothing about who wrote what, or when."""
    seed = hashlib.sha256(f"{settings.SECRET_KEY}:{subject_id}".encode()).digest()
    shuffled = sorted(comments)
    random.Random(seed).shuffle(shuffled)  # noqa: S311 - an order, not a secret
    return shuffled


def _suppress(
    result: SubjectResult,
    k: int,
    scale_max: int,
    *,
    sees_self: bool,
    detail: bool = True,
    comments: bool | None = None,
) -> VisibleResult:
    """The rules of visibility.py applied to one result. `sees_self`: the viewer is the subject or HR, who alone
    see a member's self-evaluation. `detail=False` leaves out the comments (a query per subject) and the
    per-indicator means (the widest JSON column): what the API and the exports show, read for thousands of
    subjects at once. `comments=False` keeps the per-indicator means but spares the comments' query."""
    with_comments = detail if comments is None else comments
    groups = result.groups
    weighted = visibility.counted_groups(groups)
    suppressed_all = not visibility.figures_published(groups, k)
    suppressed_groups = not visibility.groups_apart_shown(groups, k)
    shown = {} if suppressed_groups else dict(weighted)
    if not suppressed_all:
        shown.update(visibility.beside_groups_shown(groups, k))
    is_team = result.subject.kind == CaseSubject.Kind.TEAM
    if visibility.self_group_shown(groups, k, is_team=is_team, viewer_is_subject_or_hr=sees_self):
        shown[SELF] = groups[SELF]
    indicators: dict[int, dict[str, float]] = {}
    if detail:
        for group, by_indicator in result.cells.items():
            if group in shown:
                for indicator_id, (_, _, trimmed) in by_indicator.items():
                    indicators.setdefault(int(indicator_id), {})[group] = round(trimmed / scale_max * 100, 2)
    comments = []
    if with_comments and not suppressed_all:
        apart = {**weighted, **visibility.beside_groups_shown(groups, k)}
        visible_groups = [g for g, v in apart.items() if v["n"] >= k]
        comments = list(
            SectionResponse.objects.filter(subject_id=result.subject_id, counted=True, rater_group__in=visible_groups)
            .exclude(comment="")
            .values_list("comment", flat=True)
        )
    votes_visible = not suppressed_all and result.votes_total >= k
    return VisibleResult(
        subject=result.subject,
        total=None if suppressed_all else result.total,
        grade="" if suppressed_all else result.grade,
        rank_in_team=None if suppressed_all else result.rank_in_team,
        rank_in_cycle=None if suppressed_all else result.rank_in_cycle,
        dimensions={} if suppressed_all else result.dimensions,
        groups=shown,
        indicators=indicators,
        votes={**result.votes, "total": result.votes_total} if votes_visible else None,
        flags={}
        if suppressed_all
        else {"removal_review": result.flag_removal_review, "warning_talk": result.flag_warning_talk},
        suppressed_groups=suppressed_groups,
        suppressed_all=suppressed_all,
        renormalised=result.renormalised,
        weights_used={} if suppressed_groups else result.weights_used,
        ballots_valid=result.ballots_valid,
        ballots_void=result.ballots_void,
        comments=_comment_order(result.subject_id, comments) if comments else [],
        version=result.version,
    )


def self_seer(*, viewer) -> Callable[[CaseSubject], bool]:
    """Whether this viewer sees a subject's self-evaluation (the subject themselves, and HR), as a test looked up
    once for a list of subjects."""
    if is_hr(viewer):
        return lambda subject: True
    person = person_for_user(user=viewer)
    person_id = person.pk if person is not None else None
    return lambda subject: person_id is not None and subject.person_id == person_id


def subject_result_for(*, viewer, subject: CaseSubject) -> VisibleResult | None:
    """The subject's result as this viewer may see it; None if they may not (callers answer 404)."""
    if not can_view_subject_result(viewer=viewer, subject=subject):
        return None
    result = (
        SubjectResult.objects.filter(subject=subject).select_related("subject__person", "subject__case__cycle").first()
    )
    if result is None:
        return None
    cycle = subject.case.cycle
    return _suppress(result, cycle.min_group_size, cycle.scale_max, sees_self=self_seer(viewer=viewer)(subject))


@dataclass
class TeamResult:
    case: Case
    aggregate: CaseResult
    team: VisibleResult | None
    members: list[VisibleResult]

    @property
    def member_average(self) -> Decimal | None:
        """The average of the totals shown: what the stored aggregate holds (hidden members enter no average),
        recomputed from the rows this viewer receives so that the two can never disagree."""
        shown = [m.total for m in self.members if m.total is not None]
        return (sum(shown) / len(shown)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP) if shown else None


def case_aggregates_for_cycle(*, viewer, cycle: Cycle) -> dict[int, CaseResult]:
    """Each team's aggregates (turnout, the members' average over published members) by case id, for HR's
    cycle desk; nothing for anyone else."""
    if not is_hr(viewer):
        return {}
    return {r.case_id: r for r in CaseResult.objects.filter(case__cycle=cycle)}


def case_result_for(*, viewer, case: Case) -> TeamResult | None:
    """A team's aggregate and each member's (suppressed) result: HR, or the team's principal after release."""
    team_subject = case.subjects.filter(kind=CaseSubject.Kind.TEAM).first()
    if team_subject is None or not can_view_subject_result(viewer=viewer, subject=team_subject):
        return None
    aggregate = CaseResult.objects.filter(case=case).first()
    if aggregate is None:
        return None
    k, scale = case.cycle.min_group_size, case.cycle.scale_max
    sees_self = self_seer(viewer=viewer)
    results = SubjectResult.objects.filter(case=case).select_related("subject__person").order_by("subject__order")
    members, team = [], None
    for r in results:
        visible = _suppress(r, k, scale, sees_self=sees_self(r.subject))
        if r.subject.kind == CaseSubject.Kind.TEAM:
            team = visible
        else:
            members.append(visible)
    return TeamResult(case=case, aggregate=aggregate, team=team, members=members)


@dataclass
class Turnout:
    issued: int
    submitted: int
    by_group: dict[str, dict[str, int]]  # group → {"issued", "submitted"}: numbers only, never names
    quorum_percent: Decimal
    void: int = 0

    @property
    def percent(self) -> Decimal:
        return (Decimal(self.submitted) * 100 / self.issued).quantize(Decimal("0.01")) if self.issued else Decimal(0)

    @property
    def quorum_met(self) -> bool:
        # Exact, not on the rounded percent: 49.996 % has not reached a 50 % quorum.
        return bool(self.issued) and Decimal(self.submitted) * 100 >= self.quorum_percent * self.issued


def _turnouts(*, cycle: Cycle, cases: Q) -> dict[int, Turnout]:
    """Turnout per case for the cases `cases` selects (a Q on case), in three grouped queries."""
    by_case: dict[int, dict[str, dict[str, int]]] = {}
    for row in (
        Assignment.objects.filter(cases)
        .values("case_id", "rater_group")
        .annotate(n=Count("id"), done=Count("id", filter=Q(status=Assignment.Status.SUBMITTED)))
        .order_by()
    ):
        by_case.setdefault(row["case_id"], {})[row["rater_group"]] = {"issued": row["n"], "submitted": row["done"]}
    for row in (
        BallotCode.objects.filter(cases)
        .exclude(status=BallotCode.Status.REVOKED)
        .values("case_id", "rater_group")
        .annotate(n=Count("id"), done=Count("id", filter=Q(status=BallotCode.Status.SPENT)))
        .order_by()
    ):
        by_case.setdefault(row["case_id"], {})[row["rater_group"]] = {"issued": row["n"], "submitted": row["done"]}
    ballots = {
        row["case_id"]: row
        for row in Ballot.objects.filter(cases)
        .values("case_id")
        .annotate(n=Count("id"), void=Count("id", filter=Q(is_void=True)))
        .order_by()
    }
    return {
        case_id: Turnout(
            issued=sum(g["issued"] for g in by_case.get(case_id, {}).values()),
            submitted=ballots[case_id]["n"] if case_id in ballots else 0,
            by_group=by_case.get(case_id, {}),
            quorum_percent=cycle.quorum_percent,
            void=ballots[case_id]["void"] if case_id in ballots else 0,
        )
        for case_id in by_case.keys() | ballots.keys()
    }


def turnout_for_case(*, case: Case) -> Turnout:
    empty = Turnout(issued=0, submitted=0, by_group={}, quorum_percent=case.cycle.quorum_percent)
    return _turnouts(cycle=case.cycle, cases=Q(case=case)).get(case.pk, empty)


def timeline_for_case(*, case: Case) -> QuerySet[TimelineEvent]:
    """The case's own events and its cycle's, oldest first."""
    return (
        TimelineEvent.objects.filter(Q(case=case) | Q(cycle_id=case.cycle_id, case__isnull=True))
        .select_related("actor")
        .order_by("created_at", "id")
    )


def assignments_for_rater(*, user) -> QuerySet[Assignment]:
    person = person_for_user(user=user)
    if person is None:
        return Assignment.objects.none()
    return Assignment.objects.filter(rater=person, case__cycle__status=Cycle.Status.OPEN).select_related(
        "case__team", "case__cycle"
    )


def released_subjects_for(*, user) -> QuerySet[CaseSubject]:
    """The leader's own places in released cycles, newest first: what "My results" lists."""
    person = person_for_user(user=user)
    if person is None:
        return CaseSubject.objects.none()
    return (
        CaseSubject.objects.filter(person=person, case__cycle__status__in=RELEASED)
        .select_related("case__cycle__framework", "case__team", "person")
        .order_by("-case__cycle__year", "-case__cycle__id")
    )


@dataclass
class LeaderResultPage:
    """Everything "My results" (and the member report) shows for one cycle, already suppressed for the viewer."""

    subject: CaseSubject
    result: VisibleResult
    team_dimensions: dict[str, float | None]
    cycle_dimensions: dict[str, float | None]
    team_size: int
    dimensions: list = field(default_factory=list)  # the framework's, in order, indicators prefetched
    groups: list[str] = field(default_factory=list)  # rater groups the viewer may see, in display order

    @property
    def group_labels(self) -> list[str]:
        names = group_names(self.subject.case.cycle)
        return [names.get(g, g) for g in self.groups]

    @property
    def rows(self) -> list[dict]:
        """Per dimension: my score, the team's and the cycle's; per indicator, my mean by visible group."""
        return [
            {
                "dimension": d,
                "score": self.result.dimensions.get(d.code),
                "team": self.team_dimensions.get(d.code),
                "cycle": self.cycle_dimensions.get(d.code),
                "indicators": [
                    {"indicator": i, "by_group": [self.result.indicators.get(i.pk, {}).get(g) for g in self.groups]}
                    for i in d.indicators.all()
                ],
            }
            for d in self.dimensions
        ]


@dataclass(frozen=True)
class PeerAverages:
    """The team's and the cycle's averages by dimension beside a leader's own figures, each empty when it would
    give a colleague's figures away (visibility.py). `ranked`: how many the leader's team rank is out of."""

    team: dict[str, float | None]
    cycle: dict[str, float | None]
    ranked: int


def cycle_averages_of(*, cycle: Cycle) -> tuple[int, dict] | None:
    """The cycle's published members and their averages by dimension: read once per batch of reports."""
    return CycleResult.objects.filter(cycle_id=cycle.pk).values_list("subjects", "dimensions").first()


def peer_averages_for(
    *, subject: CaseSubject, cycle: Cycle, cycle_averages: tuple[int, dict] | None = None
) -> PeerAverages:
    """What the leader of `subject` may see of the averages around them: the team's over its published members,
    if enough of them are others (or the leader is the principal, who sees each of them); the cycle's, if
    enough published members are outside the leader's teams of that cycle, or none are and the team's is
    shown (the two are then one figure). Two queries, one if `cycle_averages` (`cycle_averages_of`) is given."""
    k = cycle.min_group_size
    cycle_result = cycle_averages if cycle_averages is not None else cycle_averages_of(cycle=cycle)
    # The leader's places in this cycle (a person may sit in two teams): each team average they are shown
    # takes its members out of the cycle's.
    places = list(
        CaseSubject.objects.filter(person_id=subject.person_id, kind=CaseSubject.Kind.MEMBER, case__cycle_id=cycle.pk)
        .values_list("case_id", "is_principal", "result__groups", "case__result__subjects", "case__result__dimensions")
        .order_by()
    )
    if cycle_result is None or not places:
        return PeerAverages({}, {}, 0)
    inner, every_team_shown, team, ranked = 0, True, {}, 0
    for case_id, is_principal, groups, published, dimensions in places:
        own = int(bool(groups) and visibility.figures_published(groups, k))
        shown = is_principal or visibility.peer_average_shown(published=published or 0, own_published=own, k=k)
        inner += published or 0
        every_team_shown &= shown
        if case_id == subject.case_id:
            team, ranked = (dimensions or {}) if shown else {}, published or 0
    cycle_published, cycle_dimensions = cycle_result
    outside = cycle_published - inner
    cycle_shown = cycle_published > 0 and (
        outside >= visibility.cohort_minimum(k) or (outside == 0 and every_team_shown)
    )
    return PeerAverages(team=team, cycle=cycle_dimensions if cycle_shown else {}, ranked=ranked)


def leader_results_for(*, user) -> list[LeaderResultPage]:
    pages = []
    for subject in released_subjects_for(user=user):
        visible = subject_result_for(viewer=user, subject=subject)
        if visible is None:
            continue
        averages = peer_averages_for(subject=subject, cycle=subject.case.cycle)
        pages.append(
            LeaderResultPage(
                subject=subject,
                result=visible,
                team_dimensions=averages.team,
                cycle_dimensions=averages.cycle,
                team_size=averages.ranked,
                dimensions=list(subject.case.cycle.framework.dimensions.prefetch_related("indicators")),
                groups=[g.code for g in subject.case.cycle.groups if g.code in visible.groups],
            )
        )
    return pages


def turnouts_for_cycle(*, cycle: Cycle) -> dict[int, Turnout]:
    """Turnout of every case of a cycle, whatever the number of cases. Cases with nothing issued are absent."""
    return _turnouts(cycle=cycle, cases=Q(case__cycle=cycle))


def frameworks_usable() -> QuerySet[Framework]:
    """Frameworks a new cycle may use: any version that has indicators, newest version first (locked ones
    are fine: a cycle only reads them)."""
    return Framework.objects.filter(dimensions__indicators__isnull=False).distinct().order_by("code", "-version")


@dataclass(frozen=True)
class CodeCounts:
    issued: int
    spent: int
    unused: int  # issued and never opened: what "replace the unused codes" would revoke


def code_groups_for_slips(*, case: Case, codes: list[str]) -> dict[str, CycleRaterGroup]:
    """The anonymous group each plain code of the case is for, by code, when the cycle has more than one: a slip
    must say whom HR hands it to. Empty with a single anonymous group (every slip is for it)."""
    from .codes import code_hash

    anonymous = {g.code: g for g in case.cycle.groups if g.source == CycleRaterGroup.Source.CODES}
    if len(anonymous) < 2 or not codes:
        return {}
    hashed = {code_hash(c): c for c in codes}
    return {
        hashed[h]: anonymous[group]
        for h, group in BallotCode.objects.filter(case=case, code_hash__in=list(hashed)).values_list(
            "code_hash", "rater_group"
        )
        if group in anonymous
    }


def code_counts_for_case(*, case: Case) -> CodeCounts:
    counts = BallotCode.objects.filter(case=case).aggregate(
        issued=Count("id", filter=~Q(status=BallotCode.Status.REVOKED)),
        spent=Count("id", filter=Q(status=BallotCode.Status.SPENT)),
        unused=Count("id", filter=Q(status=BallotCode.Status.ISSUED)),
    )
    return CodeCounts(**counts)


# --- Results in bulk, for the API and the exports: the same rules as above, as querysets ----------------


def subject_results_visible_to(*, viewer) -> QuerySet[SubjectResult]:
    """The results this viewer may open: `can_view_subject_result` as a queryset, for lists and exports.
    HR: every computed result. Others: their own and, as a team's principal, their team's, once released."""
    if is_hr(viewer):
        return SubjectResult.objects.all()
    person = person_for_user(user=viewer)
    if person is None:
        return SubjectResult.objects.none()
    led = CaseSubject.objects.filter(person=person, is_principal=True).values("case_id")
    return SubjectResult.objects.filter(Q(subject__person=person) | Q(case__in=led), cycle__status__in=RELEASED)


def subject_results_with_figures_shown(results: QuerySet[SubjectResult]) -> QuerySet[SubjectResult]:
    """Only the results whose total, grade, ranks and flags `_suppress` shows (at least k raters in the weighted
    groups), in SQL: a filter or an order on a figure that is hidden would reveal it."""
    return results.filter(counted_raters__gte=F("cycle__min_group_size"))


def subject_result_visible(*, result: SubjectResult, sees_self: bool = False) -> VisibleResult:
    """A result (its cycle loaded with it) suppressed, without comments or per-indicator means. Whether the viewer
    may open it is `subject_results_visible_to`'s to say; `sees_self` is `self_seer`'s (a member's
    self-evaluation is left out unless the caller says this viewer may see it)."""
    return _suppress(result, result.cycle.min_group_size, result.cycle.scale_max, sees_self=sees_self, detail=False)


def subject_result_in_detail(*, result: SubjectResult) -> VisibleResult:
    """A result with its comments and per-indicator means, suppressed as on every page, self-evaluation
    included: for the member report, which only the leader it is about and HR may download
    (reports/rules.py)."""
    return _suppress(result, result.cycle.min_group_size, result.cycle.scale_max, sees_self=True)


def subject_result_indicators(*, result: SubjectResult) -> VisibleResult:
    """The weighted groups' per-indicator means without the comments or the self-evaluation: for figures per
    indicator (plan suggestions, last cycle's plan), which would otherwise read every subject's comments."""
    return _suppress(result, result.cycle.min_group_size, result.cycle.scale_max, sees_self=False, comments=False)


def indicator_scores(visible: VisibleResult) -> dict[int, float]:
    """Each indicator's score (0–100) over the weighted groups that may be shown, with the weights the total
    used. Empty when the groups are suppressed: a per-indicator figure would then be a small group's mean."""
    weights = {g: float(w) for g, w in visible.weights_used.items() if g in visible.groups}
    scores = {}
    for indicator_id, by_group in visible.indicators.items():
        pairs = [(by_group[g], w) for g, w in weights.items() if by_group.get(g) is not None]
        if pairs and sum(w for _, w in pairs):
            scores[indicator_id] = sum(v * w for v, w in pairs) / sum(w for _, w in pairs)
    return scores


def visible_results_for_cycle(*, viewer, cycle: Cycle, chunk_size: int = 1000) -> Iterator[VisibleResult]:
    """Every result of the cycle the viewer may see, suppressed as everywhere, by org unit and seat order, each
    with its subject, person, case, team and org unit loaded: what an export writes. Read with one server-side
    cursor on PostgreSQL, so memory stays flat however large the cycle."""
    k, scale_max = cycle.min_group_size, cycle.scale_max
    sees_self = self_seer(viewer=viewer)
    # A case with its team and unit is loaded once and shared by its subjects, not copied into every row:
    # a quarter less time per row (bench/api.py). A cycle has a few thousand cases at most.
    cases = {c.pk: c for c in Case.objects.filter(cycle=cycle).select_related("team__org_unit")}
    results = (
        subject_results_visible_to(viewer=viewer)
        .filter(cycle=cycle)
        .select_related("subject__person")
        .defer("cells")
        .order_by("subject__case__team__org_unit__code", "subject__order", "id")
    )
    for result in results.iterator(chunk_size=chunk_size):
        result.subject.case = cases[result.subject.case_id]
        yield _suppress(result, k, scale_max, sees_self=sees_self(result.subject), detail=False)
