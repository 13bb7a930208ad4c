"""Rows in bulk for the API's list tests: results written directly, as a scoring run would leave them."""

from decimal import Decimal

from assessments.models import Case, CaseSubject, Cycle, Dimension, Framework, Indicator, SubjectResult
from tests.assessments.factories import CaseFactory, CycleFactory, PersonFactory

DIMENSIONS = {"theory": 80.0, "professional": 82.0, "responsibility": 84.0}


def group(n: int, score: float = 80.0, *, counted: bool = True, k: int = 3) -> dict:
    """A group of a stored result, with the rules it was scored under (whether it counts in the total, its k)."""
    return {"n": n, "void": 0, "score": score, "dimensions": dict(DIMENSIONS), "counted": counted, "k": k}


def results(n: int, *, per_case: int = 5, cycle: Cycle | None = None, **fields) -> list[SubjectResult]:
    """n member results (every group meets k = 3 unless `groups` says otherwise), `per_case` to a team."""
    cycle = cycle or CycleFactory(status=Cycle.Status.SCORED, results_version=1)
    made = []
    for start in range(0, n, per_case):
        case = CaseFactory(cycle=cycle, status=Case.Status.SCORED)
        for order in range(min(per_case, n - start)):
            subject = CaseSubject.objects.create(
                case=case, person=PersonFactory(org_unit=case.team.org_unit), position="副经理", order=order
            )
            made.append(
                SubjectResult.objects.create(
                    **{
                        "cycle": cycle,
                        "case": case,
                        "subject": subject,
                        "total": Decimal("81.20"),
                        "grade": "competent",
                        "rank_in_team": order + 1,
                        "rank_in_cycle": start + order + 1,
                        "groups": {
                            "peer": group(4),
                            "subordinate": group(5, 82.0),
                            "self": group(1, 90.0, counted=False),
                        },
                        "counted_raters": 9,
                        "dimensions": dict(DIMENSIONS),
                        "weights_used": {"peer": 42.8571, "subordinate": 57.1429},
                        "renormalised": True,
                        "votes": {"excellent": 2, "competent": 7, "basic": 0, "incompetent": 0, "shares": {}},
                        "votes_total": 9,
                        "ballots_valid": 10,
                        "version": 1,
                        **fields,
                    }
                )
            )
    return made


def frameworks(n: int) -> list[Framework]:
    made = []
    for i in range(n):
        framework = Framework.objects.create(code=f"fw{i}", name=f"框架{i}")
        dimension = Dimension.objects.create(framework=framework, code="theory", name="理论素养")
        Indicator.objects.create(dimension=dimension, code="study", name="政治理论学习")
        made.append(framework)
    return made


def cases(n: int) -> list[Case]:
    cycle = CycleFactory()
    made = []
    for _ in range(n):
        case = CaseFactory(cycle=cycle)
        CaseSubject.objects.create(case=case, person=PersonFactory(), position="经理", order=1)
        CaseSubject.objects.create(case=case, kind=CaseSubject.Kind.TEAM, order=2)
        made.append(case)
    return made
