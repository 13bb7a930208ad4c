"""/api/v1/teams/: leadership teams by their unit's code."""

import pytest

from people.models import LeadershipTeam
from tests.people.factories import OrgUnitFactory, TeamFactory

from .helpers import READ, errors, hr_client, iso

pytestmark = pytest.mark.django_db
URL = "/api/v1/teams/"


def shown(team: LeadershipTeam) -> dict:
    team.refresh_from_db()
    return {
        "id": team.pk,
        "org_unit_code": team.org_unit.code,
        "name": team.name,
        "active": team.active,
        "updated_at": iso(team.updated_at),
    }


@pytest.fixture
def team() -> LeadershipTeam:
    return TeamFactory(org_unit=OrgUnitFactory(code="C01"), name="第三采油厂领导班子")


def test_it_lists_and_shows_teams(team):
    other = TeamFactory(org_unit=OrgUnitFactory(code="C02"), name="第四采油厂领导班子", active=False)
    client = hr_client(READ)
    assert client.get(URL).json() == {
        "next": None,
        "previous": None,
        "results": [
            {
                "id": team.pk,
                "org_unit_code": "C01",
                "name": "第三采油厂领导班子",
                "active": True,
                "updated_at": iso(team.updated_at),
            },
            shown(other),
        ],
    }
    assert client.get(f"{URL}{team.pk}/").json() == shown(team)
    assert [row["org_unit_code"] for row in client.get(URL, {"active": "false"}).json()["results"]] == ["C02"]
    assert [row["org_unit_code"] for row in client.get(URL, {"org_unit_code": "C01"}).json()["results"]] == ["C01"]
    assert [row["org_unit_code"] for row in client.get(URL, {"ordering": "-id"}).json()["results"]] == ["C02", "C01"]


def test_it_creates_a_team_for_a_unit_that_has_none(team):
    OrgUnitFactory(code="C02")
    client = hr_client()
    response = client.post(URL, {"org_unit_code": "C02", "name": "第四采油厂领导班子"})
    assert response.status_code == 201
    assert response.json() == shown(LeadershipTeam.objects.get(org_unit__code="C02"))

    assert errors(client.post(URL, {"org_unit_code": "C01", "name": "第二个班子"})) == {
        "org_unit_code": ["Leadership team with this Org unit already exists."]
    }
    assert errors(client.post(URL, {"org_unit_code": "NOPE", "name": "班子"})) == {
        "org_unit_code": ["Unknown unit “NOPE”."]
    }
    assert LeadershipTeam.objects.count() == 2


def test_it_renames_and_deactivates_a_team_but_never_moves_or_deletes_it(team):
    OrgUnitFactory(code="C02")
    client = hr_client()
    response = client.patch(f"{URL}{team.pk}/", {"name": "新班子", "active": False})
    assert response.status_code == 200 and response.json() == shown(team)
    assert (team.name, team.active) == ("新班子", False)
    assert errors(client.patch(f"{URL}{team.pk}/", {"org_unit_code": "C02"})) == {
        "org_unit_code": ["This is a key and cannot be changed."]
    }
    assert client.delete(f"{URL}{team.pk}/").status_code == 405
    assert shown(team)["org_unit_code"] == "C01"


def test_a_batch_upserts_teams_by_unit_code(team):
    OrgUnitFactory(code="C02")
    batch = [
        {"org_unit_code": "C02", "name": "第四采油厂领导班子"},
        {"org_unit_code": "C01", "name": "第三采油厂领导班子"},
    ]
    client = hr_client()
    response = client.post(f"{URL}bulk/", batch)
    new = LeadershipTeam.objects.get(org_unit__code="C02")
    assert response.json() == {
        "created": 1,
        "updated": 0,
        "unchanged": 1,
        "items": [{"id": new.pk, "action": "created"}, {"id": team.pk, "action": "unchanged"}],
    }
    response = client.post(
        f"{URL}bulk/",
        [
            {"org_unit_code": "C01", "name": "改名"},
            {"org_unit_code": "C03", "name": "无此单位"},
            {"org_unit_code": "C01"},
        ],
    )
    assert errors(response) == {"2.name": ["This field is required."]}
    response = client.post(
        f"{URL}bulk/", [{"org_unit_code": "C01", "name": "改名"}, {"org_unit_code": "C03", "name": "x"}]
    )
    assert errors(response) == {"1.org_unit_code": ["Unknown unit “C03”."]}
    assert shown(team)["name"] == "第三采油厂领导班子"
