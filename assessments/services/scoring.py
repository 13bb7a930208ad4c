"""The scoring run: per-cell aggregation in the database, then the DESIGN.md rules in Python over
the (small) aggregates. Nothing here loops over ballots or scores."""

from collections import defaultdict
from decimal import Decimal
from statistics import fmean

from django.db import connection, transaction
from django.db.models import Count
from django.utils import timezone

from ..models import (
    Assignment,
    Ballot,
    BallotCode,
    Case,
    CaseResult,
    CaseSubject,
    Cycle,
    CycleResult,
    Dimension,
    Indicator,
    RaterGroup,
    ResultCell,
    Score,
    SectionResponse,
    SubjectResult,
)
from ..models.choices import WEIGHTED_GROUPS
from ..scoring import Bands, combine_groups, competition_ranks, grade_for, round_score, summarise_votes, to_percent, weighted_mean


def results_drop(*, cycle: Cycle) -> None:
    ResultCell.objects.filter(cycle=cycle).delete()
    SubjectResult.objects.filter(cycle=cycle).delete()
    CaseResult.objects.filter(case__cycle=cycle).delete()
    CycleResult.objects.filter(cycle=cycle).delete()


def _aggregate_cells(cycle: Cycle, version: int) -> None:
    """One INSERT … SELECT … GROUP BY over the score table: n, mean and trimmed mean per
    subject × indicator × rater group (trimming as in scoring.trimmed_mean)."""
    cell, score = ResultCell._meta.db_table, Score._meta.db_table
    sql = f"""
        INSERT INTO {cell} (cycle_id, subject_id, indicator_id, rater_group, n, mean, trimmed_mean, version)
        SELECT cycle_id, subject_id, indicator_id, rater_group, COUNT(*),
               AVG(value * 1.0),
               CASE WHEN COUNT(*) > %s
                    THEN (SUM(value) - MAX(value) - MIN(value)) * 1.0 / (COUNT(*) - 2)
                    ELSE AVG(value * 1.0) END,
               %s
        FROM {score}
        WHERE cycle_id = %s AND counted = %s
        GROUP BY cycle_id, subject_id, indicator_id, rater_group
    """  # noqa: S608 - table names come from model metadata, values are parameters
    with connection.cursor() as cursor:
        cursor.execute(sql, [cycle.trim_above, version, cycle.pk, True])


def _dimension_means(cycle: Cycle) -> dict[int, dict[str, dict[int, float]]]:
    """subject → rater group → dimension id → indicator-weighted mean of the trimmed means."""
    cell, indicator = ResultCell._meta.db_table, Indicator._meta.db_table
    sql = f"""
        SELECT c.subject_id, c.rater_group, i.dimension_id,
               SUM(c.trimmed_mean * i.weight) / SUM(i.weight)
        FROM {cell} c JOIN {indicator} i ON i.id = c.indicator_id
        WHERE c.cycle_id = %s
        GROUP BY c.subject_id, c.rater_group, i.dimension_id
    """  # noqa: S608
    out: dict[int, dict[str, dict[int, float]]] = defaultdict(lambda: defaultdict(dict))
    with connection.cursor() as cursor:
        cursor.execute(sql, [cycle.pk])
        for subject_id, group, dimension_id, mean in cursor.fetchall():
            out[subject_id][group][dimension_id] = float(mean)
    return out


def _r(value: float | None) -> float | None:
    return None if value is None else float(round_score(value))


@transaction.atomic
def cycle_compute_results(*, cycle: Cycle) -> int:
    """Replace the cycle's results with a fresh computation; returns the new results version."""
    cycle = Cycle.objects.select_for_update().get(pk=cycle.pk)
    version = cycle.results_version + 1
    results_drop(cycle=cycle)
    _aggregate_cells(cycle, version)

    dimensions = list(Dimension.objects.filter(framework_id=cycle.framework_id).order_by("order", "id"))
    dim_code = {d.pk: d.code for d in dimensions}
    dim_weight = {d.code: d.weight for d in dimensions}
    means = _dimension_means(cycle)

    sections = defaultdict(lambda: defaultdict(lambda: {"valid": 0, "void": 0}))
    for row in (
        SectionResponse.objects.filter(subject__case__cycle=cycle)
        .values("subject_id", "rater_group", "counted")
        .annotate(n=Count("id"))
    ):
        sections[row["subject_id"]][row["rater_group"]]["valid" if row["counted"] else "void"] += row["n"]
    votes = defaultdict(dict)
    for row in (
        SectionResponse.objects.filter(subject__case__cycle=cycle, counted=True)
        .exclude(rater_group=RaterGroup.SELF)
        .values("subject_id", "vote")
        .annotate(n=Count("id"))
    ):
        votes[row["subject_id"]][row["vote"]] = row["n"]

    weights = cycle.weights
    bands = Bands(cycle.band_excellent, cycle.band_competent, cycle.band_basic)
    results: list[SubjectResult] = []
    for subject in CaseSubject.objects.filter(case__cycle=cycle).only("id", "case_id", "kind"):
        by_group = means.get(subject.pk, {})
        groups = {}
        group_scores: dict[str, float | None] = {}
        group_dims: dict[str, dict[str, float]] = {}
        for group in RaterGroup.values:
            dims = {dim_code[d]: to_percent(m, scale_max=cycle.scale_max) for d, m in by_group.get(group, {}).items()}
            score = weighted_mean((dims[c], dim_weight[c]) for c in dims)
            group_scores[group], group_dims[group] = score, dims
            counts = sections[subject.pk][group]
            if counts["valid"] or counts["void"]:
                groups[group] = {
                    "n": counts["valid"],
                    "void": counts["void"],
                    "score": _r(score),
                    "dimensions": {c: _r(v) for c, v in dims.items()},
                }
        combined = combine_groups({g: group_scores[g] for g in WEIGHTED_GROUPS}, weights)
        combined_dims = {
            d.code: _r(combine_groups({g: group_dims[g].get(d.code) for g in WEIGHTED_GROUPS}, weights).score)
            for d in dimensions
        }
        total = round_score(combined.score) if combined.score is not None else None
        summary = summarise_votes(votes.get(subject.pk, {}), removal_share=cycle.removal_share, warning_share=cycle.warning_share)
        valid = sum(c["valid"] for c in sections[subject.pk].values())
        void = sum(c["void"] for c in sections[subject.pk].values())
        results.append(
            SubjectResult(
                cycle=cycle,
                case_id=subject.case_id,
                subject=subject,
                total=total,
                grade=grade_for(total, bands) if total is not None else "",
                groups=groups,
                dimensions=combined_dims,
                weights_used={g: round(w, 4) for g, w in combined.weights_used.items()},
                renormalised=combined.renormalised and combined.score is not None,
                votes={**summary.counts, "shares": {k: round(v, 2) for k, v in summary.shares.items()}},
                votes_total=summary.total,
                flag_removal_review=summary.removal_review,
                flag_warning_talk=summary.warning_talk,
                ballots_valid=valid,
                ballots_void=void,
                version=version,
            )
        )

    members = [r for r in results if r.subject.kind == CaseSubject.Kind.MEMBER]
    in_cycle = competition_ranks({r.subject_id: r.total for r in members})
    by_case: dict[int, list[SubjectResult]] = defaultdict(list)
    for r in members:
        r.rank_in_cycle = in_cycle.get(r.subject_id)
        by_case[r.case_id].append(r)
    for case_members in by_case.values():
        in_team = competition_ranks({r.subject_id: r.total for r in case_members})
        for r in case_members:
            r.rank_in_team = in_team.get(r.subject_id)
    SubjectResult.objects.bulk_create(results, batch_size=2000)

    _case_results(cycle, by_case, dimensions, version)
    CycleResult.objects.create(cycle=cycle, computed_at=timezone.now(), version=version, **_averages(members, dimensions))
    cycle.results_version = version
    cycle.save(update_fields=["results_version", "updated_at"])
    return version


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


def _case_results(cycle: Cycle, by_case: dict[int, list[SubjectResult]], dimensions: list[Dimension], version: int) -> None:
    issued = defaultdict(int)
    for row in Assignment.objects.filter(case__cycle=cycle).values("case_id").annotate(n=Count("id")):
        issued[row["case_id"]] += row["n"]
    for row in (
        BallotCode.objects.filter(case__cycle=cycle)
        .exclude(status=BallotCode.Status.REVOKED)
        .values("case_id")
        .annotate(n=Count("id"))
    ):
        issued[row["case_id"]] += row["n"]
    submitted = defaultdict(lambda: {"all": 0, "void": 0})
    for row in Ballot.objects.filter(cycle=cycle).values("case_id", "is_void").annotate(n=Count("id")):
        submitted[row["case_id"]]["all"] += row["n"]
        if row["is_void"]:
            submitted[row["case_id"]]["void"] += row["n"]

    rows = []
    for case_id in Case.objects.filter(cycle=cycle).values_list("id", flat=True):
        n_issued, n_submitted = issued[case_id], submitted[case_id]["all"]
        turnout = (Decimal(n_submitted) * 100 / n_issued) if n_issued else Decimal(0)
        averages = _averages(by_case.get(case_id, []), dimensions)
        rows.append(
            CaseResult(
                case_id=case_id,
                issued=n_issued,
                submitted=n_submitted,
                void=submitted[case_id]["void"],
                turnout=turnout.quantize(Decimal("0.01")),
                quorum_met=bool(n_issued) and turnout >= cycle.quorum_percent,
                member_average=averages["average"],
                dimensions=averages["dimensions"],
                grade_counts=averages["grade_counts"],
                version=version,
            )
        )
    CaseResult.objects.bulk_create(rows, batch_size=2000)
