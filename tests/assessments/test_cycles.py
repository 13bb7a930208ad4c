"""Cycle and case life cycles, cycle settings, framework locking."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from assessments.errors import AssessmentError, InvalidTransition
from assessments.models import Assignment, Ballot, BallotCode, Case, Cycle, Indicator, SubjectResult, TimelineEvent
from assessments.selectors import timeline_for_case
from assessments.services import (
    case_close,
    case_create,
    case_start_improving,
    cycle_archive,
    cycle_close,
    cycle_create,
    cycle_open,
    cycle_purge_test_ballots,
    cycle_release,
    cycle_reopen,
    cycle_score,
    framework_new_version,
)
from tests.assessments.factories import (
    CycleFactory,
    MembershipFactory,
    PersonFactory,
    UserFactory,
    default_framework,
    team_with_members,
)
from tests.assessments.helpers import assignment_of, close, fill, open_case

pytestmark = pytest.mark.django_db


def test_opening_a_cycle_snapshots_members_and_creates_assignments_and_codes():
    cycle = CycleFactory()
    team, (a, b, c) = team_with_members(3)
    boss, also_member = PersonFactory(), b
    case = case_create(cycle=cycle, team=team, superiors=[boss, also_member], anonymous_ballots=5)
    codes = cycle_open(cycle=cycle)
    assert len(codes[case.pk]) == 5
    groups = dict(Assignment.objects.filter(case=case).values_list("rater__name", "rater_group"))
    assert groups == {a.name: "peer", b.name: "peer", c.name: "peer", boss.name: "superior"}
    assert case.subjects.count() == 4  # three members and the team as a whole
    assert case.subjects.get(person=a).is_principal
    cycle.refresh_from_db()
    assert cycle.status == "open"
    assert cycle.framework.locked


def test_a_team_without_current_members_blocks_opening_with_a_clear_message():
    cycle = CycleFactory()
    membership = MembershipFactory(end_date="2020-06-30")
    case_create(cycle=cycle, team=membership.team)
    with pytest.raises(AssessmentError, match=f"no current members: {membership.team.name}"):
        cycle_open(cycle=cycle)
    cycle.refresh_from_db()
    assert cycle.status == "draft" and not Assignment.objects.exists()


def test_an_empty_cycle_cannot_open():
    with pytest.raises(AssessmentError, match="at least one team"):
        cycle_open(cycle=CycleFactory())


def test_the_whole_life_cycle_writes_a_timeline_with_who_and_when():
    hr = UserFactory()
    cycle, case, (a, b), _, _ = open_case(members=2, superiors=0)
    fill(assignment=assignment_of(case, a), scores={a: 8, b: 7, "team": 8})
    fill(assignment=assignment_of(case, b), scores={a: 9, b: 7, "team": 8})
    cycle_close(cycle=cycle, actor=hr)
    cycle_score(cycle=cycle, actor=hr)
    cycle_release(cycle=cycle, actor=hr)
    case_start_improving(case=case, actor=hr)
    case_close(case=case, actor=hr, reason="plans verified")
    cycle_archive(cycle=cycle, actor=hr)
    case.refresh_from_db()
    cycle.refresh_from_db()
    assert (cycle.status, case.status) == ("archived", "closed")
    actions = [(e.action, e.from_status, e.to_status) for e in timeline_for_case(case=case)]
    assert actions == [
        ("case_created", "", "evaluating"),
        ("opened", "draft", "open"),
        ("closed", "open", "closed"),
        ("scored", "evaluating", "scored"),
        ("scored", "closed", "scored"),
        ("released", "scored", "feedback"),
        ("released", "scored", "released"),
        ("improving", "feedback", "improving"),
        ("closed", "improving", "closed"),
        ("archived", "released", "archived"),
    ]
    assert TimelineEvent.objects.filter(action="closed", case=case).get().reason == "plans verified"
    assert all(e.actor == hr for e in TimelineEvent.objects.filter(action="released"))


@pytest.mark.parametrize(
    ("status", "service"),
    [
        ("draft", cycle_close),
        ("draft", cycle_score),
        ("open", cycle_score),
        ("open", cycle_release),
        ("closed", cycle_release),
        ("scored", cycle_close),
        ("released", cycle_score),
        ("released", cycle_close),
        ("archived", cycle_release),
        ("open", cycle_archive),
    ],
)
def test_transitions_in_the_wrong_state_are_refused_and_change_nothing(status, service):
    cycle = CycleFactory(status=status)
    with pytest.raises(InvalidTransition, match=f"Cannot .* the cycle “{cycle.name}”: it is "):
        service(cycle=cycle)
    cycle.refresh_from_db()
    assert cycle.status == status
    assert not TimelineEvent.objects.filter(cycle=cycle).exists()


def test_case_transitions_in_the_wrong_state_are_refused():
    _cycle, case, *_ = open_case()
    with pytest.raises(InvalidTransition, match="it is Evaluating"):
        case_close(case=case)
    with pytest.raises(InvalidTransition):
        case_start_improving(case=case)


def test_reopening_needs_a_reason_and_drops_stale_results():
    cycle, case, (a, b), _, _ = open_case(members=2, superiors=0, min_group_size=1)
    fill(assignment=assignment_of(case, a), scores={a: 8, b: 7, "team": 8})
    cycle_score(cycle=close(cycle))
    with pytest.raises(AssessmentError, match="reason"):
        cycle_reopen(cycle=cycle, reason="  ")
    cycle_reopen(cycle=cycle, reason="两名职工代表因出差补投")
    cycle.refresh_from_db()
    case.refresh_from_db()
    assert (cycle.status, case.status) == ("open", "evaluating")
    assert not SubjectResult.objects.filter(cycle=cycle).exists()
    assert Ballot.objects.filter(cycle=cycle).count() == 1  # ballots are never lost
    assert TimelineEvent.objects.get(action="reopened", case__isnull=True).reason == "两名职工代表因出差补投"


def test_a_rehearsal_is_purged_before_the_real_run():
    cycle, case, (a, b), _, codes = open_case(members=2, superiors=0, codes=2, test_mode=True, min_group_size=1)
    fill(assignment=assignment_of(case, a), scores={a: 8, b: 7, "team": 8})
    fill(code=codes[0], scores={a: 8, b: 7, "team": 8})
    cycle_score(cycle=close(cycle))
    with pytest.raises(AssessmentError, match="rehearsal"):
        cycle_release(cycle=cycle)
    new_codes = cycle_purge_test_ballots(cycle=cycle)
    cycle.refresh_from_db()
    assert (cycle.status, cycle.test_mode) == ("open", False)
    assert not Ballot.objects.exists()
    assert set(Assignment.objects.values_list("status", flat=True)) == {"pending"}
    assert BallotCode.objects.filter(status="revoked").count() == 2
    assert len(new_codes[case.pk]) == 2
    fill(code=new_codes[case.pk][0], scores={a: 8, b: 7, "team": 8})
    assert Ballot.objects.get().is_test is False


def test_purging_a_real_cycle_is_refused():
    cycle, *_ = open_case()
    with pytest.raises(AssessmentError, match="Only a cycle in test mode"):
        cycle_purge_test_ballots(cycle=cycle)


def test_teams_can_only_be_added_to_a_draft_cycle_once():
    cycle = CycleFactory()
    team, _ = team_with_members(1)
    case_create(cycle=cycle, team=team)
    with pytest.raises(AssessmentError, match="already in this cycle"):
        case_create(cycle=cycle, team=team)
    assert Case.objects.count() == 1


def cycle_kwargs(**overrides):
    return {"framework": default_framework(), "name": "2027年度考评", "year": 2027, **overrides}


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"band_excellent": Decimal(60), "band_competent": Decimal(70)}, "band_excellent", "Grade bands must rise"),
        ({"scale_min": 10, "scale_max": 10}, "scale_max", "above the lowest score"),
        ({"quorum_percent": Decimal(120)}, "quorum_percent", "less than or equal to 100"),
        ({"removal_share": "abc"}, "removal_share", "fraction"),
        ({"warning_share": "3/2"}, "warning_share", "at most 1"),
        ({"min_group_size": 0}, "min_group_size", "greater than or equal to 1"),
        ({"trim_above": 1}, "trim_above", "more than two ballots"),
    ],
)
def test_cycle_settings_are_validated_on_save(overrides, field, message):
    with pytest.raises(ValidationError) as error:
        cycle_create(**cycle_kwargs(**overrides))
    assert field in error.value.message_dict
    assert message in " ".join(error.value.message_dict[field])
    assert not Cycle.objects.exists()


def test_a_framework_used_by_a_cycle_is_locked_and_changes_go_to_a_new_version():
    cycle, *_ = open_case()
    framework = cycle.framework
    indicator = Indicator.objects.filter(dimension__framework=framework).first()
    indicator.name = "改过的名字"
    with pytest.raises(ValidationError, match="locked"):
        indicator.full_clean()
    copy = framework_new_version(framework=framework)
    assert (copy.version, copy.locked) == (framework.version + 1, False)
    assert Indicator.objects.filter(dimension__framework=copy).count() == 11
    new = Indicator.objects.get(dimension__framework=copy, code=indicator.code)
    new.name = "改过的名字"
    new.full_clean()
    new.save()
    assert Indicator.objects.get(pk=indicator.pk).name != "改过的名字"


def test_the_default_framework_has_the_three_dimensions_with_rubrics_in_both_languages():
    framework = default_framework()
    assert list(framework.dimensions.values_list("code", flat=True)) == ["theory", "professional", "responsibility"]
    assert list(framework.dimensions.values_list("name", flat=True)) == ["理论素养", "专业能力", "责任意识"]
    for indicator in Indicator.objects.filter(dimension__framework=framework):
        assert set(indicator.rubric) == {"excellent", "good", "fair", "poor"}
        assert all(text["zh"] and text["en"] for text in indicator.rubric.values())
