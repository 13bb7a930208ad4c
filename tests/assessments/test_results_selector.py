"""What a viewer may see of a result: nothing below k, nothing before release, nothing of others."""

from decimal import Decimal

import pytest
from django.contrib.auth.models import Permission

from assessments.models import CaseSubject
from assessments.selectors import case_result_for, subject_result_for, turnout_for_case
from assessments.services import cycle_release, cycle_score
from tests.assessments.factories import UserFactory
from tests.assessments.helpers import assignment_of, close, fill, open_case

pytestmark = pytest.mark.django_db


def hr_user():
    user = UserFactory()
    user.user_permissions.add(Permission.objects.get(codename="manage_cycles"))
    return user


def login_for(person):
    person.user = UserFactory()
    person.save()
    return person.user


def subject(case, person):
    return CaseSubject.objects.get(case=case, person=person)


@pytest.fixture
def small_peer_group():
    """Three members (so two peers rate each), four subordinates, k = 3: the peer group is too small."""
    cycle, case, (a, b, c), _, codes = open_case(members=3, superiors=0, codes=4, min_group_size=3)
    fill(assignment=assignment_of(case, a), scores={a: 9, b: 7, c: 6, "team": 8}, comments={b: "同级意见"})
    fill(assignment=assignment_of(case, b), scores={a: 8, b: 9, c: 7, "team": 8})
    fill(assignment=assignment_of(case, c), scores={a: 8, b: 8, c: 9, "team": 8})
    for i, code in enumerate(codes):
        fill(code=code, scores={a: 7 + i % 3, b: 6, c: 8, "team": 7}, comments={b: f"职工意见{i}"})
    cycle_score(cycle=close(cycle))
    return cycle, case, (a, b, c)


def test_a_group_below_k_is_never_shown_and_neither_are_the_others_next_to_it(small_peer_group):
    _, case, (_a, b, _) = small_peer_group
    visible = subject_result_for(viewer=hr_user(), subject=subject(case, b))
    assert visible.suppressed_groups and not visible.suppressed_all
    assert set(visible.groups) == {"self"}
    assert visible.weights_used == {}
    assert all(set(v) == {"self"} for v in visible.indicators.values())
    assert visible.total is not None  # six raters in all: the total is shown


def test_comments_only_come_from_groups_that_meet_k_and_are_shuffled(small_peer_group):
    _, case, (_, b, _) = small_peer_group
    visible = subject_result_for(viewer=hr_user(), subject=subject(case, b))
    assert sorted(visible.comments) == ["职工意见0", "职工意见1", "职工意见2", "职工意见3"]
    assert "同级意见" not in visible.comments


def test_with_fewer_than_k_raters_in_all_nothing_is_shown():
    cycle, case, (a, b), _, _ = open_case(members=2, superiors=0, min_group_size=3)
    fill(assignment=assignment_of(case, a), scores={a: 9, b: 7, "team": 8})
    fill(assignment=assignment_of(case, b), scores={a: 8, b: 9, "team": 8})
    cycle_score(cycle=close(cycle))
    visible = subject_result_for(viewer=hr_user(), subject=subject(case, a))
    assert visible.suppressed_all
    assert (visible.total, visible.grade, visible.votes, visible.dimensions, visible.comments) == (
        None,
        "",
        None,
        {},
        [],
    )
    assert visible.rank_in_team is None


def test_groups_that_all_meet_k_are_shown_with_their_indicator_means():
    cycle, case, people, _, codes = open_case(members=4, superiors=0, codes=3, min_group_size=3)
    a = people[0]
    for p in people:
        fill(assignment=assignment_of(case, p), scores={q: 6 + i for i, q in enumerate(people)} | {"team": 8})
    for code in codes:
        fill(code=code, scores={q: 9 - i for i, q in enumerate(people)} | {"team": 7})
    cycle_score(cycle=close(cycle))
    visible = subject_result_for(viewer=hr_user(), subject=subject(case, a))
    assert set(visible.groups) == {"peer", "subordinate", "self"}
    assert visible.groups["peer"]["n"] == 3
    assert dict(next(iter(visible.indicators.values())).items()) == {
        "peer": 60.0,
        "subordinate": 90.0,
        "self": 60.0,
    }
    assert visible.votes["total"] == 6


def test_a_leader_sees_their_own_result_only_after_release_and_never_anothers(small_peer_group):
    cycle, case, (_a, b, c) = small_peer_group
    b_user, c_user = login_for(b), login_for(c)
    assert subject_result_for(viewer=b_user, subject=subject(case, b)) is None  # scored, not released
    cycle_release(cycle=cycle)
    assert subject_result_for(viewer=b_user, subject=subject(case, b)).total is not None
    case.refresh_from_db()
    assert subject_result_for(viewer=c_user, subject=subject(case, b)) is None
    assert case_result_for(viewer=c_user, case=case) is None


def test_the_team_principal_sees_the_team_after_release(small_peer_group):
    cycle, case, (a, b, c) = small_peer_group
    principal = login_for(a)  # the first member is the principal
    assert case_result_for(viewer=principal, case=case) is None
    cycle_release(cycle=cycle)
    case.refresh_from_db()
    team = case_result_for(viewer=principal, case=case)
    assert [m.subject.person for m in team.members] == [a, b, c]
    assert team.aggregate.submitted == 7
    assert subject_result_for(viewer=principal, subject=subject(case, b)) is not None


def test_anonymous_users_see_nothing(small_peer_group):
    from django.contrib.auth.models import AnonymousUser

    _, case, (a, _, _) = small_peer_group
    assert subject_result_for(viewer=AnonymousUser(), subject=subject(case, a)) is None


def test_turnout_gives_numbers_per_group_and_the_quorum():
    _cycle, case, (a, b), (_s,), codes = open_case(members=2, superiors=1, codes=3)
    fill(assignment=assignment_of(case, a), scores={a: 9, b: 7, "team": 8})
    fill(code=codes[0], scores={a: 9, b: 7, "team": 8})
    turnout = turnout_for_case(case=case)
    assert turnout.by_group == {
        "peer": {"issued": 2, "submitted": 1},
        "superior": {"issued": 1, "submitted": 0},
        "subordinate": {"issued": 3, "submitted": 1},
    }
    assert (turnout.issued, turnout.submitted, turnout.percent) == (6, 2, Decimal("33.33"))
    assert not turnout.quorum_met
