"""GET /api/v1/results/: aggregates per subject, k-suppressed for every viewer; scope results:read.
HR (and keys acting for HR) see every computed result; a browser session sees what the web shows it."""

import json

import pytest
from rest_framework.test import APIClient

from assessments.api.serializers import FlagsSerializer, GroupResultSerializer, ResultSerializer, VotesSerializer
from assessments.models import CaseSubject, SubjectResult
from assessments.selectors import can_view_subject_result, subject_results_visible_to
from assessments.services import cycle_score
from tests.assessments.api import factories
from tests.assessments.api.conftest import walk
from tests.assessments.factories import PersonFactory, UserFactory
from tests.assessments.helpers import assignment_of, close, fill, login_as, open_case, released_case
from tests.integrations.factories import api_client, hr_user

pytestmark = pytest.mark.django_db
URL = "/api/v1/results/"
THREE_DIMENSIONS = ("theory", "professional", "responsibility")


def dims(value: float) -> dict:
    return dict.fromkeys(THREE_DIMENSIONS, value)


def group(code: str, name: str, *, n: int, score: float, counted: bool = True) -> dict:
    return {
        "group": code,
        "name": name,
        "counted": counted,
        "n": n,
        "void": 0,
        "score": score,
        "dimensions": dims(score),
    }


def result_of(case, person) -> SubjectResult:
    return SubjectResult.objects.get(subject=CaseSubject.objects.get(case=case, person=person))


def test_a_result_is_its_aggregates_and_nothing_else(reader, released):
    cycle, case, (a, *_) = released
    result = result_of(case, a)
    response = reader.get(f"{URL}{result.pk}/")
    assert response.status_code == 200
    unit = case.team.org_unit
    # a: 9 from each of three peers, 8 or 9 from four subordinates (plain mean: five or fewer), 9 from self;
    # no superiors, so peers and subordinates share the weight 30 : 40.
    assert response.json() == {
        "id": result.pk,
        "cycle": cycle.pk,
        "case": case.pk,
        "subject": result.subject_id,
        "kind": "member",
        "person": {"employee_number": a.employee_number, "name": a.name},
        "position": "经理",
        "is_principal": True,
        "team": {"id": case.team_id, "name": case.team.name},
        "org_unit": {"id": unit.pk, "code": unit.code, "name": unit.name},
        "total": 87.14,
        "grade": "competent",
        "rank_in_team": 1,
        "rank_in_cycle": 1,
        "dimensions": dims(87.14),
        "groups": [
            # In the cycle's order, with the names the cycle gave its groups.
            group("peer", "Peers", n=3, score=90.0),
            group("subordinate", "Subordinates / employee representatives", n=4, score=85.0),
            group("self", "Self", n=1, score=90.0, counted=False),
        ],
        "votes": {
            "excellent": 0,
            "competent": 7,
            "basic": 0,
            "incompetent": 0,
            "total": 7,
            "shares": {
                "excellent": 0.0,
                "competent": 100.0,
                "basic": 0.0,
                "incompetent": 0.0,
                "excellent_or_competent": 100.0,
            },
        },
        "flags": {"removal_review": False, "warning_talk": False},
        "suppressed_groups": False,
        "suppressed_all": False,
        "renormalised": True,
        "weights_used": {"peer": 42.8571, "subordinate": 57.1429},
        "ballots_valid": 8,
        "ballots_void": 0,
        "version": 1,
    }


def test_a_results_groups_are_the_cycles_own_in_its_order_and_names(reader, panel_released):
    """A cycle made with the "panel" preset: its groups, not superiors / peers / subordinates."""
    cycle, case, (a, *_) = panel_released
    result = result_of(case, a)
    body = reader.get(f"{URL}{result.pk}/", HTTP_ACCEPT_LANGUAGE="zh-hans").json()
    assert [(g["group"], g["name"], g["counted"], g["n"]) for g in body["groups"]] == [
        ("leader", "分管领导", True, 3),
        ("panel", "考核组", True, 3),
        ("staff", "职工代表", True, 5),
        ("self", "自评", False, 1),
    ]
    assert [g["score"] for g in body["groups"]] == [
        result.groups[g]["score"] for g in ("leader", "panel", "staff", "self")
    ]
    assert body["weights_used"] == {"leader": 20.0, "panel": 40.0, "staff": 40.0}
    [listed] = [r for r in reader.get(URL, {"cycle": cycle.pk}).json()["results"] if r["id"] == result.pk]
    assert [g["name"] for g in listed["groups"]] == [
        "Leaders in charge",
        "Assessment panel",
        "Employee representatives",
        "Self",
    ]


def test_no_comment_ballot_rater_or_ballot_time_is_ever_shown(reader, released):
    text = json.dumps(walk(reader, URL), ensure_ascii=False)
    assert "意见" not in text  # the subordinates' comments on a
    for word in ("comment", "rater", "ballot_id", "submitted", "cells", "indicators"):
        assert word not in text


def test_hr_lists_every_computed_result_released_or_not(reader, released):
    _, case, _ = released
    _, scored_case, _ = released_case(release=False)
    rows = walk(reader, URL)
    assert [r["id"] for r in rows] == sorted(SubjectResult.objects.values_list("id", flat=True))
    assert {r["case"] for r in rows} == {case.pk, scored_case.pk}
    assert len(rows) == 10  # four members and the team, twice


def test_it_filters_by_cycle_case_org_unit_team_kind_and_grade(reader, released):
    cycle, case, (a, _, c, d) = released
    other = factories.results(2)

    def ids(**params) -> set[int]:
        response = reader.get(URL, params)
        assert response.status_code == 200, response.content
        return {r["id"] for r in response.json()["results"]}

    ours = set(SubjectResult.objects.filter(case=case).values_list("id", flat=True))
    assert ids(cycle=cycle.pk) == ours
    assert ids(case=case.pk) == ours
    assert ids(org_unit=case.team.org_unit.code) == ours
    assert ids(team=other[0].case.team_id) == {other[0].pk, other[1].pk}
    team_result = SubjectResult.objects.get(case=case, subject__kind="team").pk
    assert ids(cycle=cycle.pk, kind="team") == {team_result}
    # a 87.14 and c 78.57 are competent, b 64.29 basically competent, d 50 incompetent.
    assert ids(cycle=cycle.pk, grade="competent", kind="member") == {result_of(case, a).pk, result_of(case, c).pk}
    assert ids(cycle=cycle.pk, grade="incompetent") == {result_of(case, d).pk}
    assert ids(org_unit="NO-SUCH-UNIT") == set()


@pytest.mark.parametrize(
    ("params", "field"), [({"cycle": "x"}, "cycle"), ({"grade": "great"}, "grade"), ({"flag": "red"}, "flag")]
)
def test_a_bad_filter_is_400_naming_the_field(reader, params, field):
    response = reader.get(URL, params)
    assert response.status_code == 400 and [e["attr"] for e in response.json()["errors"]] == [field]


@pytest.fixture
def voted_down():
    """Three members and four subordinates, all voting "incompetent" for b: removal review and warning talk."""
    cycle, case, (a, b, c), _, codes = open_case(members=3, superiors=0, codes=4, min_group_size=3)
    votes = {b: "incompetent"}
    for p in (a, b, c):
        fill(assignment=assignment_of(case, p), scores={a: 9, b: 5, c: 8, "team": 8}, votes=votes)
    for code in codes:
        fill(code=code, scores={a: 8, b: 4, c: 7, "team": 7}, votes=votes)
    cycle_score(cycle=close(cycle))
    return cycle, case, (a, b, c)


def test_it_filters_by_flag(reader, voted_down):
    _, case, (_, b, _) = voted_down
    expected = [result_of(case, b).pk]
    for flag in ("removal_review", "warning_talk"):
        assert [r["id"] for r in reader.get(URL, {"flag": flag}).json()["results"]] == expected


def test_a_group_below_k_is_hidden_with_every_group_beside_it(reader, voted_down):
    # Three members: each has two peers, below k = 3. Four subordinates meet k.
    _, case, (a, *_) = voted_down
    body = reader.get(f"{URL}{result_of(case, a).pk}/").json()
    assert body["suppressed_groups"] is True and body["suppressed_all"] is False
    assert [g["group"] for g in body["groups"]] == ["self"]
    assert body["weights_used"] == {}
    assert body["total"] is not None and body["grade"] is not None  # six raters in all


@pytest.fixture
def too_few():
    """Two members rating each other: fewer than k = 3 raters in all. They vote each other down, so the hidden
    figures would say "excellent" and "removal review" if anything let them through."""
    cycle, case, (a, b), _, _ = open_case(members=2, superiors=0, min_group_size=3, void_if_all_max=False)
    for p in (a, b):
        fill(assignment=assignment_of(case, p), scores={a: 10, b: 10, "team": 9}, votes={a: "incompetent"})
    cycle_score(cycle=close(cycle))
    return cycle, case, (a, b)


def test_with_fewer_than_k_raters_in_all_every_figure_is_null(reader, too_few):
    _, case, (a, _) = too_few
    stored = result_of(case, a)
    assert stored.grade == "excellent" and stored.flag_removal_review  # what must not show
    body = reader.get(f"{URL}{stored.pk}/").json()
    hidden = {k: body[k] for k in ("total", "grade", "rank_in_team", "rank_in_cycle", "dimensions", "votes", "flags")}
    assert hidden == {
        "total": None,
        "grade": None,
        "rank_in_team": None,
        "rank_in_cycle": None,
        "dimensions": {},
        "votes": None,
        "flags": None,
    }
    assert body["suppressed_all"] is True and [g["group"] for g in body["groups"]] == ["self"]


def test_filters_on_grade_and_flags_never_match_a_hidden_value(reader, too_few):
    cycle, _, _ = too_few
    for params in ({"grade": "excellent"}, {"flag": "removal_review"}, {"flag": "warning_talk"}):
        assert reader.get(URL, {"cycle": cycle.pk, **params}).json()["results"] == []


def test_it_pages_with_a_cursor_both_ways(reader):
    made = factories.results(7, per_case=2)
    assert [r["id"] for r in walk(reader, f"{URL}?page_size=3")] == [r.pk for r in made]
    assert [r["id"] for r in walk(reader, f"{URL}?page_size=3&ordering=-id")] == [r.pk for r in reversed(made)]


def test_results_cannot_be_ordered_by_a_figure_that_may_be_hidden(reader):
    factories.results(3)
    for field in ("total", "-total", "rank_in_cycle", "grade"):
        response = reader.get(URL, {"ordering": field})
        assert response.status_code == 400
        assert response.json()["errors"][0] == {"code": "invalid", "detail": "Order by one of: id.", "attr": "ordering"}


def test_an_unknown_result_is_404(reader):
    assert reader.get(f"{URL}999999/").status_code == 404


def test_a_key_without_results_read_gets_403(released):
    _, case, (a, *_) = released
    client = api_client("cycles:read", "cycles:write")
    assert client.get(URL).status_code == 403
    assert client.get(f"{URL}{result_of(case, a).pk}/").status_code == 403


# --- Browser sessions and keys of people who are not HR: exactly what the web shows them -----------------


def session(user) -> APIClient:
    client = APIClient()
    client.force_login(user)
    return client


def test_a_leader_sees_only_their_own_released_result(released, client):
    _, case, (_, b, *_) = released
    leader = session(login_as(client, b))
    own = result_of(case, b)
    assert [r["id"] for r in walk(leader, URL)] == [own.pk]
    assert leader.get(f"{URL}{own.pk}/").status_code == 200
    for other in SubjectResult.objects.exclude(pk=own.pk):
        assert leader.get(f"{URL}{other.pk}/").status_code == 404  # never 403: nothing is confirmed


def test_a_principal_sees_the_teams_results(released, client):
    _, case, (a, *_) = released
    principal = session(login_as(client, a))
    other = factories.results(1)[0]
    assert {r["id"] for r in walk(principal, URL)} == set(case.subject_results.values_list("id", flat=True))
    assert principal.get(f"{URL}{other.pk}/").status_code == 404


def test_nothing_is_shown_to_a_leader_before_release(client):
    _, case, (a, *_) = released_case(release=False)
    leader = session(login_as(client, a))
    assert walk(leader, URL) == []
    assert leader.get(f"{URL}{result_of(case, a).pk}/").status_code == 404


def test_a_stranger_sees_an_empty_list(released):
    assert walk(session(UserFactory()), URL) == []


def test_a_key_of_a_leader_sees_what_the_leader_sees(released, client):
    _, case, (_, b, *_) = released
    key = api_client("results:read", owner=login_as(client, b))
    assert [r["id"] for r in walk(key, URL)] == [result_of(case, b).pk]


def test_the_list_holds_exactly_the_results_the_web_lets_each_viewer_open(released, client):
    """subject_results_visible_to is can_view_subject_result as a queryset: the two must never disagree."""
    _, _, (a, b, *_) = released
    released_case(release=False)
    viewers = [
        hr_user(),
        login_as(client, a),
        login_as(client, b),
        UserFactory(),
        PersonFactory(user=UserFactory()).user,
    ]
    for viewer in viewers:
        listed = set(subject_results_visible_to(viewer=viewer).values_list("id", flat=True))
        allowed = {
            r.pk
            for r in SubjectResult.objects.select_related("subject__case__cycle")
            if can_view_subject_result(viewer=viewer, subject=r.subject)
        }
        assert listed == allowed


def test_the_schema_names_exactly_the_fields_a_result_has(reader, released):
    """The representation is written out by hand (it is the API's hottest path): it must not drift from the
    serializer's declared fields, which are what the OpenAPI schema shows."""
    body = reader.get(URL, {"kind": "member"}).json()["results"][0]
    assert list(body) == list(ResultSerializer().fields)
    assert list(body["groups"][0]) == list(GroupResultSerializer().fields)
    assert list(body["votes"]) == list(VotesSerializer().fields)
    assert list(body["flags"]) == list(FlagsSerializer().fields)
    assert list(body["person"]) == ["employee_number", "name"] and list(body["org_unit"]) == ["id", "code", "name"]


@pytest.mark.parametrize("value", ["-453125840990226087936", "9223372036854775808"])
def test_an_id_beyond_64_bits_in_a_filter_is_a_400_naming_the_field(reader, value):
    """Schemathesis found it: SQLite's driver cannot send such a number, and the lookup was a 500."""
    response = reader.get(URL, {"cycle": value})
    assert response.status_code == 400
    assert response.json()["errors"][0]["attr"] == "cycle"
