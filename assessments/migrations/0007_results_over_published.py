"""Ranks, averages and grade counts over the members whose figures are published (assessments/visibility.py):
the stored ones counted hidden members too, so they are recomputed from the stored per-subject results."""

from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal
from statistics import fmean

from django.db import migrations, models

WEIGHTED = ("superior", "peer", "subordinate")


def _published(groups: dict, k: int) -> bool:
    return sum(int(groups[g]["n"]) for g in WEIGHTED if g in groups and groups[g]["n"]) >= k


def _ranks(values: dict) -> dict:
    ordered = sorted(((v, key) for key, v in values.items() if v is not None), key=lambda p: p[0], reverse=True)
    ranks, previous, rank = {}, None, 0
    for position, (value, key) in enumerate(ordered, start=1):
        if value != previous:
            rank, previous = position, value
        ranks[key] = rank
    return ranks


def _score(value: float) -> Decimal:
    return Decimal(repr(round(value, 6))).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def _figure(value: float) -> float:
    import math

    return math.floor(round(round(value, 6) * 100, 4) + 0.5) / 100


def _averages(members: list, codes: list[str]) -> dict:
    totals = [float(r.total) for r in members if r.total is not None]
    grades: dict = defaultdict(int)
    for r in members:
        if r.grade:
            grades[r.grade] += 1
    dims = {}
    for code in codes:
        values = [r.dimensions[code] for r in members if r.dimensions.get(code) is not None]
        dims[code] = _figure(fmean(values)) if values else None
    return {
        "average": _score(fmean(totals)) if totals else None,
        "dimensions": dims,
        "grade_counts": dict(grades),
        "subjects": len(members),
    }


def recompute(apps, schema_editor):
    Cycle = apps.get_model("assessments", "Cycle")
    SubjectResult = apps.get_model("assessments", "SubjectResult")
    CaseResult = apps.get_model("assessments", "CaseResult")
    CycleResult = apps.get_model("assessments", "CycleResult")
    Dimension = apps.get_model("assessments", "Dimension")
    for cycle in Cycle.objects.filter(subject_results__isnull=False).distinct():
        k = cycle.min_group_size
        codes = list(
            Dimension.objects.filter(framework_id=cycle.framework_id)
            .order_by("order", "id")
            .values_list("code", flat=True)
        )
        results = list(SubjectResult.objects.filter(cycle=cycle).select_related("subject").defer("cells"))
        members = [r for r in results if r.subject.kind == "member" and _published(r.groups, k)]
        in_cycle = _ranks({r.pk: r.total for r in members})
        by_case = defaultdict(list)
        for r in members:
            by_case[r.case_id].append(r)
        in_team = {}
        for case_members in by_case.values():
            in_team.update(_ranks({r.pk: r.total for r in case_members}))
        for r in results:
            r.rank_in_cycle, r.rank_in_team = in_cycle.get(r.pk), in_team.get(r.pk)
        SubjectResult.objects.bulk_update(results, ["rank_in_cycle", "rank_in_team"], batch_size=2000)
        for case_result in CaseResult.objects.filter(case__cycle=cycle):
            figures = _averages(by_case.get(case_result.case_id, []), codes)
            case_result.member_average = figures["average"]
            case_result.dimensions = figures["dimensions"]
            case_result.grade_counts = figures["grade_counts"]
            case_result.subjects = figures["subjects"]
            case_result.save(update_fields=["member_average", "dimensions", "grade_counts", "subjects"])
        figures = _averages(members, codes)
        CycleResult.objects.filter(cycle=cycle).update(
            average=figures["average"],
            dimensions=figures["dimensions"],
            grade_counts=figures["grade_counts"],
            subjects=figures["subjects"],
        )


class Migration(migrations.Migration):
    dependencies = [
        ("assessments", "0006_score_indexes"),
    ]

    operations = [
        migrations.AddField(
            model_name="caseresult",
            name="subjects",
            field=models.PositiveIntegerField(default=0, verbose_name="members in the averages"),
        ),
        migrations.AlterField(
            model_name="cycleresult",
            name="subjects",
            field=models.PositiveIntegerField(verbose_name="people in the averages"),
        ),
        migrations.RunPython(recompute, migrations.RunPython.noop),
    ]
