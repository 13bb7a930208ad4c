"""The data behind each report PDF: plain JSON (strings, numbers, lists), built from the k-suppressing
selectors of assessments, in Chinese, and deterministic: the same database state gives an equal dict, so
a hash of it says whether a report must be rendered again. Nothing here knows about the viewer: downloads
are permission-checked where they are served; what is suppressed here is suppressed for everyone."""

from collections.abc import Iterable
from decimal import Decimal
from statistics import fmean

from django.db.models import Q

from assessments.models import SELF, Case, CaseResult, CaseSubject, Cycle, Dimension, SubjectResult
from assessments.models.choices import Vote
from assessments.selectors import (
    RELEASED,
    VisibleResult,
    cycle_averages_of,
    indicator_scores,
    peer_averages_for,
    subject_result_in_detail,
    subject_result_visible,
    turnout_for_case,
    turnouts_for_cycle,
)
from core.numbers import fixed
from followup.selectors import previous_plan_for

from .rendering.charts import report_radar_svg

# The reports are in Chinese whatever the language of the request that asked for them.
GRADE_LABELS = {
    Vote.EXCELLENT: "优秀",
    Vote.COMPETENT: "称职",
    Vote.BASIC: "基本称职",
    Vote.INCOMPETENT: "不称职",
}
FLAG_LABELS = {
    "removal_review": "不称职票超过三分之一，需启动调整程序审查",
    "warning_talk": "优秀和称职票合计不足三分之二，需进行诫勉谈话",
}
PLAN_LABELS = {
    "draft": "草稿",
    "submitted": "已提交",
    "returned": "已退回",
    "approved": "已批准",
    "in_progress": "落实中",
    "completed": "已完成",
    "verified": "已核验",
}
FLAG_SHORT = {"removal_review": "调整审查", "warning_talk": "诫勉谈话"}


def group_labels(cycle: Cycle, shared: dict | None = None) -> list[tuple[str, str]]:
    """(code, Chinese name) of the cycle's rater groups in page order: the report is in Chinese whatever the reader's
    language, so it takes the name HR gave in Chinese. From `shared` if a report of the same batch read them (a
    cycle's groups are fixed once it opens, and only a scored cycle has reports)."""
    key = ("rater groups", cycle.pk)
    if shared is not None and key in shared:
        return shared[key]
    labels = [(g.code, g.name_zh) for g in cycle.groups]
    if shared is not None:
        shared[key] = labels
    return labels


# A member report is two A4 pages at most: a longer list of comments would push it onto a third.
MAX_COMMENTS = 10
MAX_COMMENT_CHARS = 120
STRENGTHS = 3


class ResultMissing(LookupError):
    """There is no computed result to report on (the cycle has not been scored)."""


def member_report_data(*, subject: CaseSubject, shared: dict | None = None) -> dict:
    """One leader's report: figures, radar, votes, strengths and weaknesses, comments, last cycle's figures.

    A few queries: the result, the averages beside it (`peer_averages_for`), its comments, last cycle's
    result; and two for the framework's dimensions and indicators unless `shared` holds them. `shared` is a
    dict the reports of one batch pass along (tasks.render_reports), so that the framework is read once per
    batch: a batch lasts seconds, and a framework used by a cycle is locked."""
    if subject.kind != CaseSubject.Kind.MEMBER:
        raise ValueError("A member report is for a team member, not for the team as a whole.")
    result = (
        SubjectResult.objects.filter(subject_id=subject.pk)
        .select_related("cycle", "case__team__org_unit", "subject__person")
        .order_by()  # one row (a subject has one result): the model's ordering would only add joins
        .first()
    )
    if result is None:
        raise ResultMissing(f"Subject {subject.pk} has no computed result.")
    cycle, case = result.cycle, result.case
    visible = _visible_in_detail(result)
    dimensions = _framework_dimensions(cycle.framework_id, shared)
    # The averages as the leader may see them beside their own figures (the report is theirs, and HR's).
    # The same for every report of a batch: read once, like the framework.
    shared = {} if shared is None else shared
    key = ("cycle averages", cycle.pk)
    if key not in shared:
        shared[key] = cycle_averages_of(cycle=cycle)
    averages = peer_averages_for(subject=result.subject, cycle=cycle, cycle_averages=shared[key])
    team_dims, cycle_dims = averages.team, averages.cycle
    labels = dict(group_labels(cycle, shared))
    # The groups shown, in the cycle's order (a code the cycle lacks, which none should, last under its code).
    groups = [g for g in labels if g in visible.groups] + sorted(set(visible.groups) - set(labels))
    self_group = visible.groups.get(SELF)
    scores = indicator_scores(visible)

    rows = []
    for d in dimensions:
        rows.append(
            {
                "code": d.code,
                "name": d.name,
                "score": fixed(visible.dimensions.get(d.code)),
                "team": fixed(team_dims.get(d.code)),
                "cycle": fixed(cycle_dims.get(d.code)),
                "self": fixed(self_group["dimensions"].get(d.code)) if self_group else None,
                "by_group": [fixed(visible.groups[g]["dimensions"].get(d.code)) for g in groups],
                "indicators": [
                    {
                        "name": i.name,
                        "score": fixed(scores.get(i.pk)),
                        "by_group": [fixed(visible.indicators.get(i.pk, {}).get(g)) for g in groups],
                    }
                    for i in d.indicators.all()
                ],
            }
        )
    scored = [
        (scores[i.pk], position, i, d.name)
        for position, (d, i) in enumerate((d, i) for d in dimensions for i in d.indicators.all())
        if i.pk in scores
    ]
    # Ties keep the framework's order, so the same figures always name the same indicators.
    scored.sort(key=lambda s: (-round(s[0], 2), s[1]))
    named = [{"name": i.name, "dimension": dim, "score": fixed(score)} for score, _, i, dim in scored]
    comments = [_clip(c) for c in visible.comments[:MAX_COMMENTS]]
    codes = [d.code for d in dimensions]
    # A plan is written after a release: with no earlier released result there is no earlier plan to look for.
    previous = _previous(result, visible, {d.code: d.name for d in dimensions})
    return {
        "kind": "member",
        "version": result.version,
        "cycle": _cycle(cycle),
        "person": {
            "name": result.subject.person.name,
            "employee_number": result.subject.person.employee_number,
            "unit": case.team.org_unit.name,
            "team": case.team.name,
            "position": result.subject.position,
            "principal": result.subject.is_principal,
        },
        "suppressed_all": visible.suppressed_all,
        "suppressed_groups": visible.suppressed_groups,
        "total": fixed(visible.total),
        "grade": visible.grade,
        "grade_label": GRADE_LABELS.get(visible.grade, ""),
        "rank_in_team": visible.rank_in_team,
        "team_size": averages.ranked,
        "renormalised": visible.renormalised,
        "groups": [
            {
                "code": g,
                "label": labels.get(g, g),
                # As the group was scored: in the total (with its weight) or beside it, as the self-evaluation is.
                "counted": bool(visible.groups[g].get("counted")),
                "n": visible.groups[g]["n"],
                "score": fixed(visible.groups[g]["score"]),
                "weight": fixed(visible.weights_used.get(g), 1),
            }
            for g in groups
        ],
        "dimensions": rows,
        "radar_svg": None
        if visible.suppressed_all
        else report_radar_svg(
            axes=[d.name for d in dimensions],
            me=[visible.dimensions.get(c) for c in codes],
            team=[team_dims.get(c) for c in codes],
            cycle=[cycle_dims.get(c) for c in codes],
            chart_id=f"radar-{subject.pk}",
        ),
        "votes": _votes(visible),
        "flags": _flags(visible),
        "self_vs_others": _self_vs_others(visible, dimensions),
        "strengths": named[:STRENGTHS],
        # The weakest first; an indicator is never both a strength and a weakness.
        "weaknesses": named[max(STRENGTHS, len(named) - STRENGTHS) :][::-1],
        "comments": comments,
        "comments_omitted": len(visible.comments) - len(comments),
        "previous": previous,
        # Improvement plans are not built yet: the report will show last cycle's plan and its status here.
        "last_plan": _last_plan(subject, visible, previous) if previous else None,
    }


def team_report_data(*, case: Case) -> dict:
    """A team's report: the team's aggregate, each member's total, grade and rank, turnout against quorum."""
    case = Case.objects.select_related("cycle", "team__org_unit").get(pk=case.pk)
    cycle = case.cycle
    aggregate = CaseResult.objects.filter(case=case).first()
    if aggregate is None:
        raise ResultMissing(f"Case {case.pk} has no computed result.")
    results = (
        SubjectResult.objects.filter(case=case)
        .select_related("subject__person")
        .defer("cells")
        .order_by("subject__order", "subject_id")
    )
    members, team = [], None
    for result in results:
        result.cycle = cycle  # the suppression reads k from it: no query per row
        visible = subject_result_visible(result=result)
        if result.subject.kind == CaseSubject.Kind.TEAM:
            team = visible
        else:
            members.append(visible)
    shown = [m for m in members if not m.suppressed_all]
    names = {m.subject.pk: m.subject.person.name for m in members}
    dimensions = _dimension_names(cycle)
    turnout = turnout_for_case(case=case)
    return {
        "kind": "team",
        "version": aggregate.version,
        "cycle": _cycle(cycle),
        "team": {"name": case.team.name, "unit": case.team.org_unit.name},
        # Averages and counts over the members whose figures are shown: with a hidden member's total in
        # the average, the hidden total could be worked back out from the others.
        "aggregate": {
            "members": len(members),
            "shown": len(shown),
            "member_average": fixed(_mean(m.total for m in shown)),
            "grade_counts": _grade_counts(m.grade for m in shown),
            "dimensions": _dimension_means(shown, dimensions),
        },
        "team_section": None
        if team is None
        else {
            "total": fixed(team.total),
            "grade": team.grade,
            "grade_label": GRADE_LABELS.get(team.grade, ""),
            "good_share": _share(team, "excellent_or_competent"),
        },
        "members": [_member_row(m, names[m.subject.pk], dimensions) for m in members],
        "turnout": _turnout(turnout, cycle),
        "flags": {
            "below_quorum": not turnout.quorum_met,
            "removal_review": [names[m.subject.pk] for m in shown if m.flags.get("removal_review")],
            "warning_talk": [names[m.subject.pk] for m in shown if m.flags.get("warning_talk")],
            "renormalised": [names[m.subject.pk] for m in shown if m.renormalised],
        },
    }


def cycle_summary_data(*, cycle: Cycle, chunk_size: int = 2000) -> dict:
    """The cycle at a glance for the party committee and HR: a row per team, the grade distribution,
    turnout, flags and outliers. Five queries whatever the number of teams; results are read in chunks."""
    cases = list(Case.objects.filter(cycle=cycle).select_related("team__org_unit").order_by("team__org_unit__code"))
    turnouts = turnouts_for_cycle(cycle=cycle)
    per_case: dict[int, dict] = {c.pk: {"members": [], "team": None} for c in cases}
    results = (
        SubjectResult.objects.filter(cycle=cycle)
        .select_related("subject__person")
        .defer("cells")
        .order_by("case_id", "subject__order", "subject_id")
    )
    for result in results.iterator(chunk_size=chunk_size):
        result.cycle = cycle
        visible = subject_result_visible(result=result)
        slot = per_case.setdefault(result.case_id, {"members": [], "team": None})
        if result.subject.kind == CaseSubject.Kind.TEAM:
            slot["team"] = visible
        else:
            slot["members"].append(visible)

    teams, outliers, below_quorum, all_shown = [], [], [], []
    issued = submitted = 0
    for case in cases:
        members, team = per_case[case.pk]["members"], per_case[case.pk]["team"]
        shown = [m for m in members if not m.suppressed_all]
        all_shown.extend(shown)
        turnout = turnouts.get(case.pk)
        issued += turnout.issued if turnout else 0
        submitted += turnout.submitted if turnout else 0
        quorum_met = bool(turnout and turnout.quorum_met)
        if not quorum_met:
            below_quorum.append(
                {
                    "team": case.team.name,
                    "turnout": fixed(turnout.percent, 1) if turnout else None,
                    "issued": turnout.issued if turnout else 0,
                    "submitted": turnout.submitted if turnout else 0,
                }
            )
        for m in shown:
            flags = [FLAG_SHORT[f] for f in ("removal_review", "warning_talk") if m.flags.get(f)]
            if flags or m.grade == Vote.INCOMPETENT:
                outliers.append(
                    {
                        "name": m.subject.person.name,
                        "team": case.team.name,
                        "position": m.subject.position,
                        "total": fixed(m.total),
                        "grade_label": GRADE_LABELS.get(m.grade, ""),
                        "flags": flags,
                    }
                )
        teams.append(
            {
                "name": case.team.name,
                "unit": case.team.org_unit.name,
                "members": len(members),
                "hidden": len(members) - len(shown),
                "average": fixed(_mean(m.total for m in shown)),
                "team_total": fixed(team.total) if team else None,
                "grades": [c["n"] for c in _grade_counts(m.grade for m in shown)],
                "turnout": fixed(turnout.percent, 1) if turnout else None,
                "quorum_met": quorum_met,
                "removal_review": sum(1 for m in shown if m.flags.get("removal_review")),
                "warning_talk": sum(1 for m in shown if m.flags.get("warning_talk")),
            }
        )
    grade_counts = _grade_counts(m.grade for m in all_shown)
    for row in grade_counts:
        row["share"] = fixed(row["n"] * 100 / len(all_shown), 1) if all_shown else None
    members_total = sum(t["members"] for t in teams)
    return {
        "kind": "cycle",
        "version": cycle.results_version,
        "cycle": _cycle(cycle),
        "overall": {
            "teams": len(teams),
            "members": members_total,
            "shown": len(all_shown),
            "hidden": members_total - len(all_shown),
            "average": fixed(_mean(m.total for m in all_shown)),
            "grade_counts": grade_counts,
            "issued": issued,
            "submitted": submitted,
            "turnout": fixed(Decimal(submitted) * 100 / issued, 1) if issued else None,
            "teams_below_quorum": len(below_quorum),
            "removal_review": sum(t["removal_review"] for t in teams),
            "warning_talk": sum(t["warning_talk"] for t in teams),
        },
        "grade_labels": [GRADE_LABELS[v] for v in Vote.values],
        "teams": teams,
        "outliers": {"members": outliers, "teams_below_quorum": below_quorum},
    }


# --- helpers ------------------------------------------------------------------------------------------


def _framework_dimensions(framework_id: int, shared: dict | None) -> list[Dimension]:
    """The framework's dimensions in order, each with its indicators: from `shared` if a sibling read them."""
    key = ("dimensions", framework_id)
    if shared is not None and key in shared:
        return shared[key]
    dimensions = list(
        Dimension.objects.filter(framework_id=framework_id).order_by("order", "id").prefetch_related("indicators")
    )
    if shared is not None:
        shared[key] = dimensions
    return dimensions


def _visible_in_detail(result: SubjectResult) -> VisibleResult:
    return subject_result_in_detail(result=result)


def _cycle(cycle: Cycle) -> dict:
    return {"name": cycle.name, "year": cycle.year, "k": cycle.min_group_size, "quorum": fixed(cycle.quorum_percent, 0)}


def _mean(values: Iterable[Decimal | None]) -> float | None:
    present = [float(v) for v in values if v is not None]
    return fmean(present) if present else None


def _clip(comment: str) -> str:
    comment = comment.strip()
    return comment if len(comment) <= MAX_COMMENT_CHARS else comment[: MAX_COMMENT_CHARS - 1] + "…"


def _votes(visible: VisibleResult) -> dict | None:
    if visible.votes is None:
        return None
    shares = visible.votes.get("shares", {})
    return {
        "total": visible.votes["total"],
        "rows": [
            {"code": v, "label": GRADE_LABELS[v], "n": visible.votes.get(v, 0), "share": fixed(shares.get(v), 1)}
            for v in Vote.values
        ],
        "excellent_share": fixed(shares.get(Vote.EXCELLENT), 1),
        "good_share": fixed(shares.get("excellent_or_competent"), 1),
        "incompetent_share": fixed(shares.get(Vote.INCOMPETENT), 1),
    }


def _flags(visible: VisibleResult) -> list[dict]:
    return [{"code": f, "label": FLAG_LABELS[f]} for f in ("removal_review", "warning_talk") if visible.flags.get(f)]


def _self_vs_others(visible: VisibleResult, dimensions: list) -> dict | None:
    """The self-evaluation beside the others' weighted score, overall and per dimension."""
    own = visible.groups.get(SELF)
    if own is None or own.get("score") is None or visible.total is None:
        return None

    def pair(mine: float | None, theirs: float | Decimal | None) -> dict:
        gap = float(mine) - float(theirs) if mine is not None and theirs is not None else None
        return {"self": fixed(mine), "others": fixed(theirs), "gap": None if gap is None else f"{gap:+.2f}"}

    return {
        **pair(own["score"], visible.total),
        "dimensions": [
            {"name": d.name, **pair(own["dimensions"].get(d.code), visible.dimensions.get(d.code))} for d in dimensions
        ],
    }


def _previous(result: SubjectResult, visible: VisibleResult, names: dict[str, str]) -> dict | None:
    """The same person's result in the latest earlier released cycle, if there is one."""
    cycle = result.cycle
    earlier = (
        SubjectResult.objects.filter(
            subject__person_id=result.subject.person_id,
            subject__kind=CaseSubject.Kind.MEMBER,
            cycle__status__in=RELEASED,
            cycle__test_mode=False,
        )
        .filter(Q(cycle__year__lt=cycle.year) | Q(cycle__year=cycle.year, cycle_id__lt=cycle.pk))
        .select_related("cycle", "subject")
        .defer("cells")
        .order_by("-cycle__year", "-cycle_id")
        .first()
    )
    if earlier is None:
        return None
    before = subject_result_visible(result=earlier)
    both = visible.total is not None and before.total is not None
    return {
        "cycle": _cycle(earlier.cycle),
        "version": earlier.version,
        "position": earlier.subject.position,
        "suppressed_all": before.suppressed_all,
        "total": fixed(before.total),
        "grade_label": GRADE_LABELS.get(before.grade, ""),
        "change": f"{visible.total - before.total:+.2f}" if both else None,
        # Dimensions by code: a new framework version may have renamed one; this year's name is shown.
        "dimensions": [
            {"name": name, "score": fixed(before.dimensions.get(code)), "now": fixed(visible.dimensions.get(code))}
            for code, name in names.items()
            if code in before.dimensions
        ],
    }


def _last_plan(subject: CaseSubject, visible: VisibleResult, previous: dict) -> dict | None:
    """Last cycle's improvement plan: its status, completion, and how the indicators it targeted moved."""
    plan = previous_plan_for(subject=subject, now=visible)
    if plan is None:
        return None
    return {
        "cycle": _cycle(plan.plan.subject.case.cycle),
        "status": plan.plan.status,
        "status_label": PLAN_LABELS[plan.plan.status],
        "progress": plan.progress,
        "done": plan.actions_done,
        "total": plan.actions_total,
        "targets": [
            {
                "name": t["name"],
                "before": fixed(t["before"]),
                "now": fixed(t["now"]),
                "change": None if t["change"] is None else f"{t['change']:+.2f}",
            }
            for t in plan.targets
        ],
    }


def _dimension_names(cycle: Cycle) -> dict[str, str]:
    return dict(
        Dimension.objects.filter(framework_id=cycle.framework_id).order_by("order", "id").values_list("code", "name")
    )


def _dimension_means(members: list[VisibleResult], names: dict[str, str]) -> list[dict]:
    return [
        {"code": code, "name": name, "average": fixed(_mean(m.dimensions.get(code) for m in members))}
        for code, name in names.items()
    ]


def _grade_counts(grades: Iterable[str]) -> list[dict]:
    counts = dict.fromkeys(Vote.values, 0)
    for grade in grades:
        if grade in counts:
            counts[grade] += 1
    return [{"code": g, "label": GRADE_LABELS[g], "n": n} for g, n in counts.items()]


def _share(visible: VisibleResult, key: str) -> str | None:
    return fixed(visible.votes["shares"].get(key), 1) if visible.votes else None


def _member_row(m: VisibleResult, name: str, dimensions: dict[str, str]) -> dict:
    return {
        "name": name,
        "position": m.subject.position,
        "principal": m.subject.is_principal,
        "suppressed": m.suppressed_all,
        "total": fixed(m.total),
        "grade_label": GRADE_LABELS.get(m.grade, ""),
        "rank": m.rank_in_team,
        "good_share": _share(m, "excellent_or_competent"),
        "incompetent_share": _share(m, Vote.INCOMPETENT),
        "flags": [FLAG_SHORT[f] for f in ("removal_review", "warning_talk") if m.flags.get(f)],
        "dimensions": [fixed(m.dimensions.get(code)) for code in dimensions],
    }


def _turnout(turnout, cycle: Cycle) -> dict:
    return {
        "issued": turnout.issued,
        "submitted": turnout.submitted,
        "void": turnout.void,
        "percent": fixed(turnout.percent, 1),
        "quorum": fixed(turnout.quorum_percent, 0),
        "quorum_met": turnout.quorum_met,
        "by_group": [
            {
                "label": label,
                "issued": turnout.by_group[g]["issued"],
                "submitted": turnout.by_group[g]["submitted"],
            }
            for g, label in group_labels(cycle)
            if g in turnout.by_group
        ],
    }
