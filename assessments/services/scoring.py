"""The scoring run: per-cell aggregation in the database, then the DESIGN.md rules in Python over
the (small) aggregates. Nothing here loops over ballots or scores."""

import gc
from collections import defaultdict
from fractions import Fraction
from statistics import fmean

import orjson
from django.db import connection, models, transaction
from django.db.models import Count
from django.utils import timezone

from ..models import (
    Case,
    CaseResult,
    CaseSubject,
    Cycle,
    CycleResult,
    Dimension,
    Indicator,
    Score,
    SectionResponse,
    SubjectResult,
)
from ..scoring import (
    Bands,
    combine_groups,
    competition_ranks,
    grade_for,
    round_figure,
    round_score,
    summarise_votes,
    to_percent,
    trimmed_mean_of,
    weighted_mean,
)
from ..selectors import Turnout, turnouts_for_cycle
from ..visibility import figures_published


def results_drop(*, cycle: Cycle) -> None:
    SubjectResult.objects.filter(cycle=cycle).delete()
    CaseResult.objects.filter(case__cycle=cycle).delete()
    CycleResult.objects.filter(cycle=cycle).delete()


Cells = dict[int, dict[str, dict[int, tuple[int, float, float]]]]


def _aggregate_cells(cycle: Cycle) -> Cells:
    """One GROUP BY over the cycle's counted scores: per subject × rater group × indicator the count, mean
    and trimmed mean. The database returns integer aggregates (count, sum, min, max): cheaper to compute
    and to fetch than decimal means, and the trimming rule then stays in one place, scoring.trimmed_mean_of."""
    score = Score._meta.db_table
    sql = f"""
        SELECT subject_id, rater_group, indicator_id, COUNT(*), SUM(value), MIN(value), MAX(value)
        FROM {score}
        WHERE cycle_id = %s AND counted = %s
        GROUP BY subject_id, rater_group, indicator_id
    """  # noqa: S608 - the table name comes from model metadata, values are parameters
    cells: Cells = defaultdict(lambda: defaultdict(dict))
    trim_above = cycle.trim_above
    with connection.cursor() as cursor:
        cursor.execute(sql, [cycle.pk, True])
        for subject_id, group, indicator_id, n, total, low, high in cursor.fetchall():
            cells[subject_id][group][indicator_id] = (n, total / n, trimmed_mean_of(n, total, low, high, trim_above))
    return cells


def _dimension_percents(
    cells: dict[int, tuple[int, float, float]], indicators: list[tuple[int, str, float]], scale_max: int
) -> dict[str, float]:
    """Per dimension, the indicator-weighted mean of the trimmed means, as a percent of the scale."""
    sums: dict[str, list[float]] = {}
    for indicator_id, dimension, weight in indicators:
        cell = cells.get(indicator_id)
        if cell is not None:
            acc = sums.setdefault(dimension, [0.0, 0.0])
            acc[0] += cell[2] * weight
            acc[1] += weight
    return {d: to_percent(total / weight, scale_max=scale_max) for d, (total, weight) in sums.items()}


def _r(value: float | None) -> float | None:
    return None if value is None else round_figure(value)


@transaction.atomic
def cycle_compute_results(*, cycle: Cycle) -> int:
    """Replace the cycle's results with a fresh computation; returns the new results version."""
    # The run builds a few hundred thousand small objects that all live until it ends: the cyclic
    # collector would walk them again and again for nothing (about a fifth of the run at 4,000 people).
    collecting = gc.isenabled()
    gc.disable()
    try:
        return _compute(cycle)
    finally:
        if collecting:
            gc.enable()


def _compute(cycle: Cycle) -> int:
    cycle = Cycle.objects.select_for_update().get(pk=cycle.pk)
    version = cycle.results_version + 1
    results_drop(cycle=cycle)
    cells = _aggregate_cells(cycle)

    dimensions = list(Dimension.objects.filter(framework_id=cycle.framework_id).order_by("order", "id"))
    indicators = [
        (i.pk, i.dimension.code, float(i.weight))
        for i in Indicator.objects.filter(dimension__framework_id=cycle.framework_id).select_related("dimension")
    ]

    rules = _Rules(cycle, dimensions, indicators)
    # One scan of the sections gives both the ballot counts per group and the overall votes.
    sections = defaultdict(lambda: defaultdict(lambda: {"valid": 0, "void": 0}))
    votes = defaultdict(lambda: defaultdict(int))
    for subject_id, group, counted, vote, n in (
        SectionResponse.objects.filter(subject__case__cycle=cycle)
        .values_list("subject_id", "rater_group", "counted", "vote")
        .annotate(n=Count("id"))
        .order_by()
    ):
        sections[subject_id][group]["valid" if counted else "void"] += n
        if counted and group in rules.weights:
            votes[subject_id][vote] += n

    results = [
        _subject_result(
            subject, cells.get(subject.pk, {}), sections[subject.pk], votes.get(subject.pk, {}), rules, version
        )
        for subject in CaseSubject.objects.filter(case__cycle=cycle).only("id", "case_id", "kind")
    ]

    # Ranks, averages and grade counts are over the members whose figures are published (visibility.py):
    # a hidden total would show through the ranks around it and through any average it entered.
    k = cycle.min_group_size
    members = [r for r in results if r.subject.kind == CaseSubject.Kind.MEMBER and figures_published(r.groups, k)]
    in_cycle = competition_ranks({r.subject_id: r.total for r in members})
    by_case: dict[int, list[SubjectResult]] = defaultdict(list)
    for r in members:
        r.rank_in_cycle = in_cycle.get(r.subject_id)
        by_case[r.case_id].append(r)
    for case_members in by_case.values():
        in_team = competition_ranks({r.subject_id: r.total for r in case_members})
        for r in case_members:
            r.rank_in_team = in_team.get(r.subject_id)
    _write_results(results)

    _case_results(cycle, by_case, dimensions, version)
    CycleResult.objects.create(
        cycle=cycle, computed_at=timezone.now(), version=version, **_averages(members, dimensions)
    )
    cycle.results_version = version
    cycle.save(update_fields=["results_version", "updated_at"])
    return version


class _Rules:
    """The cycle's settings and framework, looked up once for every subject."""

    def __init__(self, cycle: Cycle, dimensions: list[Dimension], indicators: list[tuple[int, str, float]]) -> None:
        self.cycle = cycle
        # Only the groups that count in the total weigh in it and give the overall votes; the others are shown beside.
        self.weights = cycle.weights
        self.k = {g.code: g.k for g in cycle.groups}
        self.bands = Bands(cycle.band_excellent, cycle.band_competent, cycle.band_basic)
        self.dimension_codes = [d.code for d in dimensions]
        self.dimension_weight = {d.code: float(d.weight) for d in dimensions}
        self.indicators = indicators
        self.removal_share = Fraction(cycle.removal_share)
        self.warning_share = Fraction(cycle.warning_share)


def _subject_result(
    subject: CaseSubject,
    by_group: dict[str, dict[int, tuple[int, float, float]]],
    sections: dict[str, dict[str, int]],
    votes: dict[str, int],
    rules: _Rules,
    version: int,
) -> SubjectResult:
    cycle = rules.cycle
    groups, group_scores, group_dims = {}, {}, {}
    for group, counts in sections.items():
        dims = _dimension_percents(by_group.get(group, {}), rules.indicators, cycle.scale_max)
        score = weighted_mean((dims[c], rules.dimension_weight[c]) for c in dims)
        group_scores[group], group_dims[group] = score, dims
        groups[group] = {
            "n": counts["valid"],
            "void": counts["void"],
            "score": _r(score),
            "dimensions": {c: _r(v) for c, v in dims.items()},
            "counted": group in rules.weights,
            "k": rules.k.get(group, cycle.min_group_size),
        }
    combined = combine_groups({g: group_scores.get(g) for g in rules.weights}, rules.weights)
    combined_dims = {
        code: _r(combine_groups({g: group_dims.get(g, {}).get(code) for g in rules.weights}, rules.weights).score)
        for code in rules.dimension_codes
    }
    total = round_score(combined.score) if combined.score is not None else None
    summary = summarise_votes(votes, removal_share=rules.removal_share, warning_share=rules.warning_share)
    return SubjectResult(
        cycle=cycle,
        case_id=subject.case_id,
        subject=subject,
        total=total,
        grade=grade_for(total, rules.bands) if total is not None else "",
        groups=groups,
        counted_raters=sum(c["valid"] for g, c in sections.items() if g in rules.weights),
        dimensions=combined_dims,
        cells=by_group,  # {group: {indicator id: (n, mean, trimmed mean)}}; JSON makes the ids strings
        weights_used={g: round(w, 4) for g, w in combined.weights_used.items()},
        renormalised=combined.renormalised and combined.score is not None,
        votes={**summary.counts, "shares": {k: round(v, 2) for k, v in summary.shares.items()}},
        votes_total=summary.total,
        flag_removal_review=summary.removal_review,
        flag_warning_talk=summary.warning_talk,
        ballots_valid=sum(c["valid"] for c in sections.values()),
        ballots_void=sum(c["void"] for c in sections.values()),
        version=version,
    )


def _write_results(results: list[SubjectResult]) -> None:
    """On PostgreSQL, COPY: a group company's cycle is 20,000 rows of JSON, and an INSERT of that (client-side
    parameter quoting, then parsing a statement of many megabytes) cost more than the whole scoring."""
    if connection.vendor != "postgresql":
        SubjectResult.objects.bulk_create(results, batch_size=2000)
        return
    fields = [f for f in SubjectResult._meta.concrete_fields if not f.primary_key]
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    json_fields = {f.attname for f in fields if isinstance(f, models.JSONField)}

    def row(result: SubjectResult) -> list:
        # orjson: the JSON columns are most of the bytes, and json.dumps was a sixth of the run.
        return [
            orjson.dumps(getattr(result, f.attname), option=orjson.OPT_NON_STR_KEYS).decode()
            if f.attname in json_fields
            else getattr(result, f.attname)
            for f in fields
        ]

    with (
        connection.cursor() as cursor,
        cursor.cursor.copy(f"COPY {SubjectResult._meta.db_table} ({columns}) FROM STDIN") as copy,
    ):
        for result in results:
            copy.write_row(row(result))


def _averages(members: list[SubjectResult], dimensions: list[Dimension]) -> dict:
    totals = [float(r.total) for r in members if r.total is not None]
    grades: dict[str, int] = defaultdict(int)
    for r in members:
        if r.grade:
            grades[r.grade] += 1
    dims = {}
    for d in dimensions:
        values = [r.dimensions[d.code] for r in members if r.dimensions.get(d.code) is not None]
        dims[d.code] = _r(fmean(values)) if values else None
    return {
        "average": round_score(fmean(totals)) if totals else None,
        "dimensions": dims,
        "grade_counts": dict(grades),
        "subjects": len(members),
    }


def _case_results(
    cycle: Cycle, by_case: dict[int, list[SubjectResult]], dimensions: list[Dimension], version: int
) -> None:
    turnouts = turnouts_for_cycle(cycle=cycle)
    nothing = Turnout(issued=0, submitted=0, by_group={}, quorum_percent=cycle.quorum_percent)
    rows = []
    for case_id in Case.objects.filter(cycle=cycle).values_list("id", flat=True):
        turnout = turnouts.get(case_id, nothing)
        averages = _averages(by_case.get(case_id, []), dimensions)
        rows.append(
            CaseResult(
                case_id=case_id,
                issued=turnout.issued,
                submitted=turnout.submitted,
                void=turnout.void,
                turnout=turnout.percent,
                quorum_met=turnout.quorum_met,
                member_average=averages["average"],
                dimensions=averages["dimensions"],
                grade_counts=averages["grade_counts"],
                subjects=averages["subjects"],
                version=version,
            )
        )
    CaseResult.objects.bulk_create(rows, batch_size=2000)
