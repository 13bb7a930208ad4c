"""A leader's "My results": nothing before release, then the figures and the radar chart, never others'."""

from decimal import Decimal

import pytest
from django.urls import reverse

from assessments.services import cycle_release, cycle_score
from tests.assessments.helpers import assignment_of, close, fill, login_as, open_case, released_case

pytestmark = pytest.mark.django_db


@pytest.fixture
def scored():
    return released_case(release=False)


def test_nothing_is_shown_before_release(client, scored):
    _, _, (a, *_) = scored
    login_as(client, a)
    page = client.get(reverse("followup:my_results")).content.decode()
    assert "No results have been released to you yet." in page
    assert "<svg" not in page


def test_after_release_the_leader_sees_total_grade_rank_radar_votes_and_comments(client, scored):
    cycle, _, (a, *_) = scored
    cycle_release(cycle=cycle)
    login_as(client, a)
    response = client.get(reverse("followup:my_results"))
    page = response.content.decode()
    assert response.status_code == 200
    assert cycle.name in page
    assert "Competent" in page or "Excellent" in page
    assert "1 of 4" in page  # rank in team
    assert '<svg xmlns="http://www.w3.org/2000/svg"' in page and "Team average" in page
    assert "Theory literacy" in page or "理论素养" in page
    assert "意见0" in page and "意见3" in page
    assert "Peers" in page and "Subordinates" in page


def test_a_leader_never_sees_another_leaders_figures(client, scored):
    cycle, _, (_a, b, *_) = scored
    cycle_release(cycle=cycle)
    login_as(client, b)
    page = client.get(reverse("followup:my_results")).content.decode()
    assert "意见0" not in page  # a's comments
    assert "3 of 4" in page  # b is third: a, c, b, d


def test_small_groups_are_not_shown_separately(client):
    cycle, case, (a, b, c), _, codes = open_case(members=3, superiors=0, codes=4, min_group_size=3)
    for p in (a, b, c):
        fill(assignment=assignment_of(case, p), scores={a: 9, b: 7, c: 8, "team": 8}, comments={a: "同级意见"})
    for code in codes:
        fill(code=code, scores={a: 8, b: 6, c: 7, "team": 7})
    cycle_score(cycle=close(cycle))
    cycle_release(cycle=cycle)
    login_as(client, a)
    page = client.get(reverse("followup:my_results")).content.decode()
    assert "Rater groups are not shown separately" in page
    assert "同级意见" not in page  # two peers: below k
    assert '<th scope="col">Peers</th>' not in page


def test_results_need_a_login(client):
    assert client.get(reverse("followup:my_results")).status_code == 302


def test_the_team_average_shown_beside_member_totals_leaves_hidden_members_out():
    """With one member hidden, an average over everyone would give the hidden total away."""
    from types import SimpleNamespace

    from assessments.selectors import TeamResult

    members = [
        SimpleNamespace(total=Decimal("80.00")),
        SimpleNamespace(total=None),
        SimpleNamespace(total=Decimal("70.50")),
    ]
    result = TeamResult(case=None, aggregate=None, team=None, members=members)
    assert result.member_average == Decimal("75.25")
    assert (
        TeamResult(case=None, aggregate=None, team=None, members=[SimpleNamespace(total=None)]).member_average is None
    )
