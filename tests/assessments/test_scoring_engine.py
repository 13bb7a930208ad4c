"""Whole scoring runs over ballots submitted through the services, checked against hand-computed figures."""

from decimal import Decimal

import pytest

from assessments.models import Ballot, CaseResult, CaseSubject, CycleResult, SubjectResult
from assessments.services import cycle_score
from tests.assessments.helpers import assignment_of, close, fill, open_case

pytestmark = pytest.mark.django_db


def result_of(person) -> SubjectResult:
    return SubjectResult.objects.get(subject__person=person)


@pytest.fixture
def scored_case():
    """Two members A and B, one superior S, two anonymous codes.
    A: superior 9 → 90, peer 8 → 80, subordinates (7, 9) → 80, self 10.  Total .3·90 + .3·80 + .4·80 = 83.
    B: superior 7 → 70, peer 6 → 60, subordinates (5, 7) → 60.           Total .3·70 + .3·60 + .4·60 = 63."""
    cycle, case, (a, b), (s,), codes = open_case(members=2, superiors=1, codes=2, min_group_size=1)
    fill(assignment=assignment_of(case, s), scores={a: 9, b: 7, "team": 8}, votes={a: "excellent", b: "basic"})
    fill(assignment=assignment_of(case, a), scores={a: 10, b: 6, "team": 8}, votes={b: "incompetent", a: "excellent"})
    fill(assignment=assignment_of(case, b), scores={a: 8, b: 9, "team": 7}, votes={a: "competent", b: "excellent"})
    fill(code=codes[0], scores={a: 7, b: 5, "team": 6}, votes={a: "competent", b: "incompetent"})
    fill(code=codes[1], scores={a: 9, b: 7, "team": 8}, votes={a: "excellent", b: "competent"})
    cycle_score(cycle=close(cycle))
    return cycle, case, a, b


def test_the_weighted_total_and_grade_match_the_hand_computation(scored_case):
    _, _, a, b = scored_case
    ra, rb = result_of(a), result_of(b)
    assert (ra.total, ra.grade) == (Decimal("83.00"), "competent")
    assert (rb.total, rb.grade) == (Decimal("63.00"), "basic")
    assert ra.groups["superior"]["score"] == 90.0
    assert ra.groups["peer"]["score"] == 80.0
    assert ra.groups["subordinate"] == {
        "n": 2,
        "void": 0,
        "score": 80.0,
        "dimensions": {"theory": 80.0, "professional": 80.0, "responsibility": 80.0},
        "counted": True,
        "k": 1,
    }
    assert ra.dimensions == {"theory": 83.0, "professional": 83.0, "responsibility": 83.0}


def test_self_evaluation_is_shown_beside_but_not_counted(scored_case):
    _, _, a, _ = scored_case
    ra = result_of(a)
    assert ra.groups["self"]["score"] == 100.0
    assert "self" not in ra.weights_used
    assert ra.total == Decimal("83.00")


def test_votes_exclude_self_and_raise_the_flags(scored_case):
    _, _, a, b = scored_case
    ra, rb = result_of(a), result_of(b)
    assert (ra.votes["excellent"], ra.votes["competent"], ra.votes_total) == (2, 2, 4)
    assert not ra.flag_removal_review and not ra.flag_warning_talk
    # B: incompetent 2 of 4 > 1/3; excellent + competent 1 of 4 < 2/3.
    assert (rb.votes["incompetent"], rb.votes_total) == (2, 4)
    assert rb.flag_removal_review and rb.flag_warning_talk


def test_ranks_turnout_and_team_aggregates(scored_case):
    cycle, case, a, b = scored_case
    assert (result_of(a).rank_in_team, result_of(b).rank_in_team) == (1, 2)
    assert (result_of(a).rank_in_cycle, result_of(b).rank_in_cycle) == (1, 2)
    aggregate = CaseResult.objects.get(case=case)
    assert (aggregate.issued, aggregate.submitted, aggregate.void) == (5, 5, 0)
    assert aggregate.turnout == Decimal("100.00") and aggregate.quorum_met
    assert aggregate.member_average == Decimal("73.00")
    assert aggregate.grade_counts == {"competent": 1, "basic": 1}
    assert CycleResult.objects.get(cycle=cycle).average == Decimal("73.00")


def test_the_team_as_a_whole_is_scored_with_members_sheets_as_its_self_evaluation(scored_case):
    _, case, _, _ = scored_case
    team = SubjectResult.objects.get(subject__case=case, subject__kind=CaseSubject.Kind.TEAM)
    # superior 8 → 80; subordinates (6, 8) → 70; no peers → renormalised over 30 + 40.
    assert team.total == Decimal("74.29")
    assert team.renormalised
    assert team.groups["self"]["n"] == 2
    assert team.rank_in_team is None


def test_an_empty_group_is_renormalised():
    cycle, case, (a, b), _, codes = open_case(members=2, superiors=1, codes=1, min_group_size=1)
    fill(assignment=assignment_of(case, a), scores={a: 9, b: 8, "team": 8})
    fill(assignment=assignment_of(case, b), scores={a: 8, b: 9, "team": 7})
    fill(code=codes[0], scores={a: 9, b: 6, "team": 8})
    cycle_score(cycle=close(cycle))
    ra = result_of(a)
    # No superior ballot: (30·80 + 40·90) / 70 = 85.714…
    assert ra.total == Decimal("85.71")
    assert ra.renormalised
    assert ra.weights_used == {"peer": 42.8571, "subordinate": 57.1429}


@pytest.mark.parametrize(
    ("values", "mean", "trimmed"),
    [([4, 6, 8, 9, 10], 7.4, 7.4), ([2, 6, 7, 8, 9, 10], 7.0, 7.5)],
    ids=["five-ballots-plain-mean", "six-ballots-trimmed"],
)
def test_trimming_starts_above_five_valid_ballots(values, mean, trimmed):
    cycle, _case, (a, b), _, codes = open_case(members=2, superiors=0, codes=len(values), min_group_size=1)
    for code, value in zip(codes, values, strict=True):
        fill(code=code, scores={a: value, b: 5, "team": 5})
    cycle_score(cycle=close(cycle))
    cells = result_of(a).cells["subordinate"]
    assert len(cells) == 11
    n, cell_mean, cell_trimmed = next(iter(cells.values()))
    assert n == len(values)
    assert cell_mean == pytest.approx(mean)
    assert cell_trimmed == pytest.approx(trimmed)
    assert result_of(a).total == Decimal(str(trimmed * 10)).quantize(Decimal("0.01"))


def test_a_void_ballot_counts_in_turnout_but_not_in_the_scores():
    cycle, case, (a, b), _, codes = open_case(members=2, superiors=0, codes=3, min_group_size=1)
    fill(code=codes[0], scores={a: 8, b: 6, "team": 7})
    fill(code=codes[1], scores={a: 6, b: 8, "team": 7})
    void = fill(code=codes[2], scores={a: 10, b: 10, "team": 10})  # all full marks
    assert void.is_void and void.void_reason == "every score is full marks"
    cycle_score(cycle=close(cycle))
    ra = result_of(a)
    assert ra.groups["subordinate"]["n"] == 2
    assert ra.groups["subordinate"]["void"] == 1
    assert ra.total == Decimal("70.00")
    assert ra.ballots_void == 1
    aggregate = CaseResult.objects.get(case=case)
    assert (aggregate.submitted, aggregate.void) == (3, 1)


def test_an_all_identical_sheet_is_void():
    _cycle, _case, (a, b), _, codes = open_case(members=2, superiors=0, codes=1)
    ballot = fill(code=codes[0], scores={a: 7, b: 7, "team": 7})
    assert Ballot.objects.get(pk=ballot.pk).is_void
    assert ballot.void_reason == "every score is identical"


def test_equal_totals_share_a_rank():
    cycle, _case, (a, b, c), _, codes = open_case(members=3, superiors=0, codes=2, min_group_size=1)
    fill(code=codes[0], scores={a: 8, b: 8, c: 6, "team": 7})
    fill(code=codes[1], scores={a: 9, b: 9, c: 5, "team": 7})
    cycle_score(cycle=close(cycle))
    assert [result_of(p).rank_in_team for p in (a, b, c)] == [1, 1, 3]


def test_quorum_not_met_is_recorded():
    cycle, case, (a, b), _, codes = open_case(members=2, superiors=0, codes=8, min_group_size=1)
    fill(code=codes[0], scores={a: 8, b: 6, "team": 7})
    cycle_score(cycle=close(cycle))
    aggregate = CaseResult.objects.get(case=case)
    # 1 of 10 issued (2 member assignments + 8 codes)
    assert aggregate.turnout == Decimal("10.00")
    assert not aggregate.quorum_met


def test_rescoring_replaces_results_with_a_new_version(scored_case):
    cycle, _case, a, _ = scored_case
    first = result_of(a).version
    cycle_score(cycle=cycle)
    assert result_of(a).version == first + 1
    assert SubjectResult.objects.filter(subject__person=a).count() == 1
