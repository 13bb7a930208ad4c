"""The findings of issue 11 about results, each as the viewer who found it would see it: averages that gave a
hidden member away, raw results in the admin, a team's own rating shown from one ballot, and colleagues'
self-evaluations shown to the principal. The general proof is test_result_disclosure.py."""

import re
from decimal import ROUND_HALF_UP, Decimal

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from assessments.models import CaseResult, CaseSubject, SubjectResult
from assessments.selectors import case_result_for, leader_results_for
from assessments.services import cycle_release, cycle_score
from reports.report_data import member_report_data, team_report_data
from tests.assessments.factories import UserFactory
from tests.assessments.helpers import assignment_of, close, fill, login_as, open_case, released_case
from tests.integrations.factories import api_client, hr_user

pytestmark = pytest.mark.django_db


def subject_of(case, person) -> CaseSubject:
    return CaseSubject.objects.get(case=case, person=person)


def two_of_five_shown():
    """Five members, k = 3, no other raters. a, b and c submit: each of them has two peers (hidden); d and e,
    who do not submit, have three (shown). Released."""
    cycle, case, people, _, _ = open_case(members=5, superiors=0, min_group_size=3, void_if_all_max=False)
    a, b, c, d, e = people
    for i, rater in enumerate((a, b, c)):
        fill(
            assignment=assignment_of(case, rater),
            scores={a: 6 + i, b: 9 - i, c: 5 + i, d: 8 - i, e: 7 + i, "team": 8},
        )
    cycle_score(cycle=close(cycle))
    cycle_release(cycle=cycle)
    case.refresh_from_db()
    return cycle, case, people


def average(values) -> Decimal:
    values = [Decimal(v) for v in values]
    return (sum(values) / len(values)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def test_the_cycle_desk_average_leaves_hidden_members_out(client):
    cycle, case, (a, b, c, d, e) = two_of_five_shown()
    totals = {p: SubjectResult.objects.get(subject=subject_of(case, p)).total for p in (a, b, c, d, e)}
    client.force_login(hr_user())
    page = client.get(reverse("assessments:hr_cycle", args=[cycle.pk])).content.decode()
    assert str(average([totals[d], totals[e]])) in page
    assert str(average(totals.values())) not in page  # what the desk showed before: a, b, c could be backed out
    aggregate = CaseResult.objects.get(case=case)
    assert aggregate.subjects == 2
    assert aggregate.member_average == average([totals[d], totals[e]])


def test_hidden_members_have_no_rank_and_are_not_ranked_against():
    _, case, (a, b, c, d, e) = two_of_five_shown()
    ranks = {p: SubjectResult.objects.get(subject=subject_of(case, p)).rank_in_team for p in (a, b, c, d, e)}
    assert ranks[a] is ranks[b] is ranks[c] is None
    assert sorted([ranks[d], ranks[e]]) in ([1, 2], [1, 1])


def test_a_leader_sees_no_team_average_that_is_one_colleagues_figure(client):
    """d may see their own figures; the team's average over d and e would be e's figures, less d's."""
    _, case, (_, _, _, d, _e) = two_of_five_shown()
    user = login_as(client, d)
    (page,) = leader_results_for(user=user)
    assert page.result.total is not None
    assert page.team_dimensions == {}
    data = member_report_data(subject=subject_of(case, d))
    assert all(row["team"] is None for row in data["dimensions"])
    assert data["team_size"] == 2  # "rank … of 2": the members ranked, hidden ones are not
    html = client.get(reverse("followup:my_results")).content.decode()
    # The column heading at most, with no figure under it (on a phone each cell repeats it as its data-label).
    cells = re.findall(r'data-label="Team average">([^<]*)<', html)
    assert cells and set(cells) == {"—"}
    assert "<title>Team average</title>" not in html  # and no such series on the radar chart
    assert html.count("Team average") - len(cells) <= 1


def test_a_team_average_over_enough_colleagues_is_shown():
    """released_case: four members, every one shown, k = 3: three colleagues are enough."""
    _, case, (a, *_) = released_case()
    (page,) = leader_results_for(user=login_as(APIClient(), a))
    stored = CaseResult.objects.get(case=case).dimensions
    assert page.team_dimensions == stored and stored


def test_the_admin_lists_no_results(admin_client):
    two_of_five_shown()
    for model in ("subjectresult", "caseresult", "cycleresult"):
        assert admin_client.get(f"/admin/assessments/{model}/").status_code == 404
    index = admin_client.get("/admin/").content.decode()
    assert "Subject results" not in index and "Case results" not in index


def one_member_rates_the_team():
    """Three members, k = 3, four subordinates by code: only a submits, so the team's own rating by its members
    (its "self" group) is one ballot."""
    cycle, case, (a, b, c), _, codes = open_case(members=3, superiors=0, codes=4, min_group_size=3)
    fill(assignment=assignment_of(case, a), scores={a: 9, b: 7, c: 8, "team": 4})
    for i, code in enumerate(codes):
        fill(code=code, scores={a: 8 + i % 2, b: 6, c: 7, "team": 7})
    cycle_score(cycle=close(cycle))
    cycle_release(cycle=cycle)
    return cycle, case, (a, b, c)


def test_a_teams_own_rating_from_one_ballot_is_shown_to_no_one(client):
    cycle, case, (a, _, _) = one_member_rates_the_team()
    team = CaseSubject.objects.get(case=case, kind=CaseSubject.Kind.TEAM)
    assert SubjectResult.objects.get(subject=team).groups["self"]["n"] == 1
    hr = hr_user()
    assert "self" not in case_result_for(viewer=hr, case=case).team.groups
    assert "self" not in case_result_for(viewer=login_as(client, a), case=case).team.groups  # a is the principal
    response = api_client("results:read").get(f"/api/v1/results/?cycle={cycle.pk}&kind=team")
    (row,) = response.json()["results"]
    assert row["total"] is not None
    assert [g["group"] for g in row["groups"]] == ["subordinate"]
    csv = b"".join(api_client("results:read").get(f"/api/v1/cycles/{cycle.pk}/results.csv").streaming_content)
    team_self = [line for line in csv.decode("utf-8-sig").splitlines() if "as a whole" in line and ",Self," in line]
    assert team_self and all(",Self,,,Yes," in line for line in team_self)


def test_a_teams_own_rating_from_k_ballots_is_shown():
    _cycle, case, _ = released_case()  # all four members rate the team
    team = CaseSubject.objects.get(case=case, kind=CaseSubject.Kind.TEAM)
    assert case_result_for(viewer=hr_user(), case=case).team.groups["self"]["n"] == 4
    assert SubjectResult.objects.get(subject=team).groups["self"]["n"] == 4


def test_the_principal_sees_no_colleagues_self_evaluation(client):
    cycle, case, (a, b, c, d) = released_case()  # a is the principal
    principal = login_as(client, a)
    seen = case_result_for(viewer=principal, case=case)
    by_person = {m.subject.person_id: m for m in seen.members}
    assert "self" in by_person[a.pk].groups  # their own
    assert all("self" not in by_person[p.pk].groups for p in (b, c, d))
    api = APIClient()
    api.force_login(principal)
    rows = api.get(f"/api/v1/results/?cycle={cycle.pk}&kind=member").json()["results"]
    groups = {r["person"]["employee_number"]: [g["group"] for g in r["groups"]] for r in rows}
    assert "self" in groups[a.employee_number]
    assert all("self" not in groups[p.employee_number] for p in (b, c, d))
    # The team report, which the principal downloads, never had the members' self-evaluations.
    assert "self" not in str(team_report_data(case=case)["members"])


def test_hr_and_the_leader_see_the_leaders_self_evaluation(client):
    _cycle, case, (_a, b, *_) = released_case()
    assert "self" in case_result_for(viewer=hr_user(), case=case).members[1].groups
    (page,) = leader_results_for(user=login_as(client, b))
    assert "self" in page.result.groups
    assert member_report_data(subject=subject_of(case, b))["self_vs_others"] is not None


def test_someone_outside_the_team_gets_nothing():
    _, case, _ = released_case()
    assert case_result_for(viewer=UserFactory(), case=case) is None
