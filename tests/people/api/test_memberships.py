"""/api/v1/memberships/: seats on teams by (team's unit code, employee number, start date), ended never deleted."""

import datetime as dt

import pytest

from people.models import Membership
from tests.people.factories import MembershipFactory, OrgUnitFactory, PersonFactory, TeamFactory

from .helpers import READ, errors, hr_client, iso

pytestmark = pytest.mark.django_db
URL = "/api/v1/memberships/"


def second_open(number: str, others: str) -> str:
    return (
        f"{number} would have a second open membership of this team (also from {others}); give one of them an end date."
    )


def shown(seat: Membership) -> dict:
    seat.refresh_from_db()
    return {
        "id": seat.pk,
        "team_code": seat.team.org_unit.code,
        "employee_number": seat.person.employee_number,
        "position": seat.position,
        "is_principal": seat.is_principal,
        "start_date": seat.start_date.isoformat(),
        "end_date": seat.end_date.isoformat() if seat.end_date else None,
        "updated_at": iso(seat.updated_at),
    }


@pytest.fixture
def team():
    return TeamFactory(org_unit=OrgUnitFactory(code="C01"))


@pytest.fixture
def zhang(team):
    return PersonFactory(employee_number="10001", org_unit=team.org_unit)


@pytest.fixture
def seat(team, zhang):
    return MembershipFactory(
        team=team, person=zhang, position="厂长", is_principal=True, start_date=dt.date(2024, 1, 5)
    )


def test_it_lists_and_shows_seats_with_their_natural_keys(seat, team):
    ended = MembershipFactory(
        team=team, position="副厂长", start_date=dt.date(2020, 3, 1), end_date=dt.date(2024, 1, 4)
    )
    client = hr_client(READ)
    assert client.get(URL).json() == {
        "next": None,
        "previous": None,
        "results": [
            {
                "id": seat.pk,
                "team_code": "C01",
                "employee_number": "10001",
                "position": "厂长",
                "is_principal": True,
                "start_date": "2024-01-05",
                "end_date": None,
                "updated_at": iso(seat.updated_at),
            },
            shown(ended),
        ],
    }
    assert client.get(f"{URL}{ended.pk}/").json() == shown(ended)


@pytest.mark.parametrize(
    ("query", "positions"),
    [
        ("team_code=C01", ["厂长", "副厂长"]),
        ("team_code=C02", ["经理"]),
        ("employee_number=10001", ["厂长", "经理"]),
        ("is_principal=true", ["厂长"]),
        ("current_on=2024-01-04", ["副厂长", "经理"]),
        ("current_on=2024-01-05", ["厂长", "经理"]),
        ("current_on=2019-12-31", []),
        ("ordering=-id", ["经理", "副厂长", "厂长"]),
    ],
)
def test_it_filters_by_team_person_and_the_day_a_seat_is_held(seat, team, zhang, query, positions):
    MembershipFactory(team=team, position="副厂长", start_date=dt.date(2020, 3, 1), end_date=dt.date(2024, 1, 4))
    MembershipFactory(team=TeamFactory(org_unit=OrgUnitFactory(code="C02")), person=zhang, position="经理")
    response = hr_client(READ).get(f"{URL}?{query}")
    assert [row["position"] for row in response.json()["results"]] == positions


def test_it_creates_a_seat(team, zhang):
    payload = {"team_code": "C01", "employee_number": "10001", "position": "书记", "start_date": "2025-01-01"}
    response = hr_client().post(URL, payload)
    assert response.status_code == 201
    seat = Membership.objects.get()
    assert (seat.team, seat.person, seat.is_principal, seat.end_date) == (team, zhang, False, None)
    assert response.json() == shown(seat)


@pytest.mark.parametrize(
    ("payload", "expected"),
    [
        ({}, {"non_field_errors": ["Membership with this Team, Person and Start date already exists."]}),
        (
            {"start_date": "2025-01-01"},
            {"end_date": [second_open("10001", "2024-01-05")]},
        ),
        ({"team_code": "NOPE"}, {"team_code": ["Unknown unit “NOPE”."]}),
        ({"team_code": "C09"}, {"team_code": ["Unit C09 has no leadership team."]}),
        ({"employee_number": "99999"}, {"employee_number": ["Unknown employee number 99999."]}),
        (
            {"start_date": "2025-01-01", "end_date": "2023-01-01"},
            {"end_date": ["The end date cannot be before the start date."]},
        ),
        (
            {"start_date": "2024-02-30"},
            {"start_date": ["Date has wrong format. Use one of these formats instead: YYYY-MM-DD."]},
        ),
        ({"start_date": None}, {"start_date": ["This field may not be null."]}),
        ({"position": ""}, {"position": ["This field may not be blank."]}),
    ],
)
def test_a_bad_seat_is_refused_with_field_errors(seat, payload, expected):
    OrgUnitFactory(code="C09")
    before = shown(seat)
    body = {"team_code": "C01", "employee_number": "10001", "position": "厂长", "start_date": "2024-01-05"} | payload
    assert errors(hr_client().post(URL, body)) == expected
    assert Membership.objects.count() == 1 and shown(seat) == before


def test_a_seat_ends_by_its_end_date_and_is_never_deleted(seat):
    client = hr_client()
    response = client.patch(f"{URL}{seat.pk}/", {"end_date": "2025-06-30"})
    assert response.status_code == 200 and response.json() == shown(seat)
    assert seat.end_date == dt.date(2025, 6, 30)
    assert client.delete(f"{URL}{seat.pk}/").status_code == 405
    assert Membership.objects.filter(pk=seat.pk).exists()


@pytest.mark.parametrize("field", ["team_code", "employee_number", "start_date"])
def test_a_seat_keeps_its_natural_key(seat, field):
    TeamFactory(org_unit=OrgUnitFactory(code="C02"))
    PersonFactory(employee_number="10002")
    changed = {"team_code": "C02", "employee_number": "10002", "start_date": "2024-01-06"}[field]
    assert errors(hr_client().patch(f"{URL}{seat.pk}/", {field: changed})) == {
        field: ["This is a key and cannot be changed."]
    }


def test_updated_since_shows_an_ended_seat(seat, team):
    other = MembershipFactory(team=team, position="副厂长")
    client = hr_client()
    mark = client.get(URL).json()["results"][-1]["updated_at"]
    client.patch(f"{URL}{seat.pk}/", {"end_date": "2025-06-30"})
    rows = client.get(URL, {"updated_since": mark}).json()["results"]
    assert [(row["id"], row["end_date"]) for row in rows] == [(other.pk, None), (seat.pk, "2025-06-30")]


# --- Bulk upsert ---------------------------------------------------------------------------------


def test_a_batch_closes_an_old_seat_and_opens_a_new_one_for_the_same_person(seat, team, zhang):
    # The new seat comes first in the batch; the old one is closed before it is written all the same.
    batch = [
        {"team_code": "C01", "employee_number": "10001", "position": "书记", "start_date": "2025-07-01"},
        {
            "team_code": "C01",
            "employee_number": "10001",
            "position": "厂长",
            "start_date": "2024-01-05",
            "end_date": "2025-06-30",
        },
    ]
    client = hr_client()
    response = client.post(f"{URL}bulk/", batch)
    new = Membership.objects.get(start_date=dt.date(2025, 7, 1))
    assert response.json() == {
        "created": 1,
        "updated": 1,
        "unchanged": 0,
        "items": [{"id": new.pk, "action": "created"}, {"id": seat.pk, "action": "updated"}],
    }
    seat.refresh_from_db()
    assert seat.end_date == dt.date(2025, 6, 30) and seat.is_principal is True  # not named, so kept
    again = client.post(f"{URL}bulk/", batch).json()
    assert (again["created"], again["updated"], again["unchanged"]) == (0, 0, 2)


def test_a_bad_batch_names_each_bad_item_and_writes_nothing(seat, team):

    PersonFactory(employee_number="10002")
    before = sorted(Membership.objects.values_list("id", "end_date", "updated_at"))
    item = {"team_code": "C01", "employee_number": "10002", "position": "副厂长", "start_date": "2025-01-01"}
    response = hr_client().post(
        f"{URL}bulk/",
        [
            item,
            item | {"position": "同一席位"},
            item | {"start_date": "2025-02-01"},
            {
                "team_code": "C01",
                "employee_number": "10001",
                "position": "厂长",
                "start_date": "2024-01-05",
                "end_date": "2020-01-01",
            },
            {"team_code": "C01", "employee_number": "10003", "position": "厂长", "start_date": "2026-01-01"},
        ],
    )
    assert errors(response) == {
        "0.end_date": [second_open("10002", "2025-02-01")],
        "1.non_field_errors": ["The same key is already in item 0."],
        "2.end_date": [second_open("10002", "2025-01-01")],
        "3.end_date": ["The end date cannot be before the start date."],
        "4.employee_number": ["Unknown employee number 10003."],
    }
    assert sorted(Membership.objects.values_list("id", "end_date", "updated_at")) == before
