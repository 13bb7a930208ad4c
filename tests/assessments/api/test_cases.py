"""GET /api/v1/cases/: one team in one cycle, its subjects and timeline; scope cycles:read, HR only."""

import pytest
from rest_framework.fields import DateTimeField
from rest_framework.test import APIClient

from assessments.models import Case
from assessments.services import case_create
from tests.assessments.api import factories
from tests.assessments.api.conftest import walk
from tests.assessments.factories import CaseFactory, CycleFactory, PersonFactory, TeamFactory
from tests.integrations.factories import api_client
from tests.people.factories import UserFactory

pytestmark = pytest.mark.django_db
URL = "/api/v1/cases/"


def expected(case: Case) -> dict:
    a, b, c, d = (s.person for s in case.subjects.filter(kind="member").order_by("order"))
    team, unit = case.team, case.team.org_unit

    def member(person, order: int, position: str = "副经理", principal: bool = False) -> dict:
        return {
            "id": case.subjects.get(person=person).pk,
            "kind": "member",
            "person": {"employee_number": person.employee_number, "name": person.name},
            "position": position,
            "is_principal": principal,
            "order": order,
        }

    return {
        "id": case.pk,
        "cycle": case.cycle_id,
        "status": "feedback",
        "team": {"id": team.pk, "name": team.name},
        "org_unit": {"id": unit.pk, "code": unit.code, "name": unit.name},
        "raters": {},
        "code_counts": {"subordinate": 4},
        "anonymous_ballots": 4,
        "subjects": [
            member(a, 1, "经理", principal=True),
            member(b, 2),
            member(c, 3),
            member(d, 4),
            {
                "id": case.subjects.get(kind="team").pk,
                "kind": "team",
                "person": None,
                "position": "",
                "is_principal": False,
                "order": 5,
            },
        ],
        "updated_at": DateTimeField().to_representation(case.updated_at),
    }


def test_it_lists_cases_with_their_team_and_subjects(reader, released):
    _, case, _ = released
    response = reader.get(URL)
    assert response.status_code == 200
    assert response.json() == {"next": None, "previous": None, "results": [expected(case)]}


def test_a_case_shows_its_timeline_without_who_did_it(reader, released):
    _, case, _ = released
    response = reader.get(f"{URL}{case.pk}/")
    assert response.status_code == 200
    body = response.json()
    timeline = body.pop("timeline")
    assert body == expected(case)
    assert [(e["action"], e["case"], e["from_status"], e["to_status"]) for e in timeline] == [
        ("case_created", case.pk, "", "evaluating"),
        ("opened", None, "draft", "open"),
        ("closed", None, "open", "closed"),
        ("scored", case.pk, "evaluating", "scored"),
        ("scored", None, "closed", "scored"),
        ("released", case.pk, "scored", "feedback"),
        ("released", None, "scored", "released"),
    ]
    assert set(timeline[0]) == {"action", "label", "case", "from_status", "to_status", "reason", "created_at"}
    assert timeline[1]["label"] == "Opened"


def test_a_case_shows_its_named_raters_and_codes_per_group_of_its_cycle(reader):
    cycle = CycleFactory(groups="panel")
    leaders = [PersonFactory(employee_number=n) for n in ("L2", "L1")]
    case = case_create(cycle=cycle, team=TeamFactory(), raters={"leader": leaders}, codes={"staff": 7})
    for body in (reader.get(f"{URL}{case.pk}/").json(), reader.get(URL).json()["results"][0]):
        assert body["raters"] == {"leader": ["L1", "L2"]}
        assert body["code_counts"] == {"staff": 7}
        assert body["anonymous_ballots"] == 7


def test_it_filters_by_cycle_status_org_unit_and_team(reader, released):
    _, case, _ = released
    other = CaseFactory()

    def ids(**params) -> list[int]:
        response = reader.get(URL, params)
        assert response.status_code == 200, response.content
        return [c["id"] for c in response.json()["results"]]

    assert ids(cycle=case.cycle_id) == [case.pk]
    assert ids(status="evaluating") == [other.pk]
    assert ids(org_unit=other.team.org_unit.code) == [other.pk]
    assert ids(team=case.team_id) == [case.pk]
    assert ids(cycle=case.cycle_id, status="evaluating") == []


@pytest.mark.parametrize(("params", "field"), [({"cycle": "one"}, "cycle"), ({"status": "lost"}, "status")])
def test_a_bad_filter_is_400_naming_the_field(reader, params, field):
    response = reader.get(URL, params)
    assert response.status_code == 400 and [e["attr"] for e in response.json()["errors"]] == [field]


def test_it_pages_with_a_cursor(reader):
    made = factories.cases(5)
    assert [c["id"] for c in walk(reader, f"{URL}?page_size=2")] == [c.pk for c in made]
    assert [c["id"] for c in walk(reader, f"{URL}?page_size=2&ordering=-id")] == [c.pk for c in reversed(made)]


def test_an_unknown_case_is_404(reader):
    assert reader.get(f"{URL}999999/").status_code == 404


def test_a_key_without_cycles_read_gets_403():
    case = CaseFactory()
    client = api_client("results:read")
    assert client.get(URL).status_code == 403
    assert client.get(f"{URL}{case.pk}/").status_code == 403


def test_a_browser_session_that_is_not_hr_gets_403(released):
    _, case, _ = released
    client = APIClient()
    client.force_login(UserFactory())
    assert client.get(f"{URL}{case.pk}/").status_code == 403
