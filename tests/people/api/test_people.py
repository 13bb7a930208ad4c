"""/api/v1/people/: people by employee number, each in an org unit."""

import pytest

from people.models import OrgUnit, Person
from tests.people.factories import OrgUnitFactory, PersonFactory

from .helpers import READ, errors, hr_client, iso

pytestmark = pytest.mark.django_db
URL = "/api/v1/people/"


def shown(person: Person) -> dict:
    person.refresh_from_db()
    return {
        "id": person.pk,
        "employee_number": person.employee_number,
        "name": person.name,
        "gender": person.gender,
        "org_unit_code": person.org_unit.code,
        "title": person.title,
        "party": person.party,
        "email": person.email,
        "active": person.active,
        "updated_at": iso(person.updated_at),
    }


@pytest.fixture
def plant() -> OrgUnit:
    return OrgUnitFactory(code="C01", name="第三采油厂", kind=OrgUnit.Kind.PLANT)


@pytest.fixture
def zhang(plant) -> Person:
    return PersonFactory(
        employee_number="10001",
        name="张三",
        gender=Person.Gender.MALE,
        org_unit=plant,
        title="厂长",
        party=Person.Party.CPC_MEMBER,
        email="zhangsan@example.com",
    )


def test_it_lists_people_with_their_unit_code(zhang):
    li = PersonFactory(employee_number="10002", name="李四", org_unit=zhang.org_unit)
    response = hr_client(READ).get(URL)
    assert response.status_code == 200
    assert response.json() == {
        "next": None,
        "previous": None,
        "results": [
            {
                "id": zhang.pk,
                "employee_number": "10001",
                "name": "张三",
                "gender": "male",
                "org_unit_code": "C01",
                "title": "厂长",
                "party": "cpc",
                "email": "zhangsan@example.com",
                "active": True,
                "updated_at": iso(zhang.updated_at),
            },
            {
                "id": li.pk,
                "employee_number": "10002",
                "name": "李四",
                "gender": "",
                "org_unit_code": "C01",
                "title": "",
                "party": "",
                "email": "",
                "active": True,
                "updated_at": iso(li.updated_at),
            },
        ],
    }


def test_it_shows_one_person_by_id(zhang):
    response = hr_client(READ).get(f"{URL}{zhang.pk}/")
    assert response.status_code == 200
    assert response.json() == shown(zhang)


@pytest.mark.parametrize(
    ("query", "numbers"),
    [
        ("employee_number=10001", ["10001"]),
        ("org_unit_code=C02", ["20001"]),
        ("active=false", ["10003"]),
        ("org_unit_code=C01&active=true", ["10001"]),
        ("ordering=-employee_number", ["20001", "10003", "10001"]),
        ("ordering=employee_number", ["10001", "10003", "20001"]),
    ],
)
def test_it_filters_and_orders_by_explicit_fields(zhang, query, numbers):
    PersonFactory(employee_number="20001", org_unit=OrgUnitFactory(code="C02"))
    PersonFactory(employee_number="10003", org_unit=zhang.org_unit, active=False)
    response = hr_client(READ).get(f"{URL}?{query}")
    assert [row["employee_number"] for row in response.json()["results"]] == numbers


def test_it_creates_a_person(plant):
    response = hr_client().post(
        URL, {"employee_number": "10009", "name": "王五", "org_unit_code": "C01", "party": "league"}
    )
    assert response.status_code == 201
    person = Person.objects.get(employee_number="10009")
    assert (person.org_unit, person.party, person.active) == (plant, "league", True)
    assert response.json() == shown(person)


def test_it_refuses_to_create_an_employee_number_that_exists(zhang):
    response = hr_client().post(URL, {"employee_number": "10001", "name": "冒名", "org_unit_code": "C01"})
    assert errors(response) == {"employee_number": ["Person with this Employee number already exists."]}
    assert Person.objects.get().name == "张三"


def test_it_moves_and_deactivates_a_person(zhang):
    OrgUnitFactory(code="C02")
    client = hr_client()
    response = client.patch(f"{URL}{zhang.pk}/", {"org_unit_code": "C02", "title": "副厂长"})
    assert response.status_code == 200
    assert response.json() == shown(zhang)
    assert (zhang.org_unit.code, zhang.title, zhang.email) == ("C02", "副厂长", "zhangsan@example.com")

    response = client.patch(f"{URL}{zhang.pk}/", {"active": False})
    assert response.json() == shown(zhang) and zhang.active is False


def test_a_put_replaces_every_field_it_is_given(zhang):
    response = hr_client().put(
        f"{URL}{zhang.pk}/",
        {"employee_number": "10001", "name": "张三", "org_unit_code": "C01", "gender": "", "email": ""},
    )
    assert response.status_code == 200
    assert response.json() == shown(zhang)
    assert (zhang.gender, zhang.email, zhang.title) == ("", "", "厂长")


@pytest.mark.parametrize(
    ("payload", "expected"),
    [
        ({"employee_number": "10002"}, {"employee_number": ["This is a key and cannot be changed."]}),
        ({"org_unit_code": "NOPE"}, {"org_unit_code": ["Unknown unit “NOPE”."]}),
        ({"org_unit_code": None}, {"org_unit_code": ["This field may not be null."]}),
        ({"email": "not-an-address"}, {"email": ["Enter a valid email address."]}),
        ({"gender": "M"}, {"gender": ['"M" is not a valid choice.']}),
        ({"party": 3}, {"party": ['"3" is not a valid choice.']}),
        ({"name": "张" * 101}, {"name": ["Ensure this field has no more than 100 characters."]}),
        ({"active": [True]}, {"active": ["Must be a valid boolean."]}),
    ],
)
def test_a_bad_update_is_a_400_with_field_errors_and_writes_nothing(zhang, payload, expected):
    before = shown(zhang)
    assert errors(hr_client().patch(f"{URL}{zhang.pk}/", payload)) == expected
    assert shown(zhang) == before


def test_a_control_character_in_an_update_is_a_400_naming_the_field_and_writes_nothing(zhang):
    # The API's parser refuses them anywhere in a body (core.text's rule), before any field is validated.
    before = shown(zhang)
    response = hr_client().patch(f"{URL}{zhang.pk}/", {"name": "张\x00三"})
    assert response.status_code == 400
    (error,) = response.json()["errors"]
    assert (error["attr"], error["code"]) == ("name", "parse_error")
    assert error["detail"].startswith("“name” contains a control character (U+0000)")
    assert shown(zhang) == before


def test_an_employee_number_is_text_even_when_it_looks_like_a_number(plant):
    response = hr_client().post(URL, {"employee_number": 10009, "name": "王五", "org_unit_code": "C01"})
    assert errors(response) == {"employee_number": ["Not a valid string."]}
    assert (
        hr_client().post(URL, {"employee_number": "10009", "name": "王五", "org_unit_code": "C01"}).status_code == 201
    )


def test_a_create_without_required_fields_names_each_of_them(plant):
    assert errors(hr_client().post(URL, {})) == {
        "employee_number": ["This field is required."],
        "name": ["This field is required."],
        "org_unit_code": ["This field is required."],
    }
    assert not Person.objects.exists()


def test_a_person_is_never_deleted_but_deactivated(zhang):
    assert hr_client().delete(f"{URL}{zhang.pk}/").status_code == 405
    assert Person.objects.filter(pk=zhang.pk).exists()


def test_updated_since_shows_a_deactivation(zhang):
    other = PersonFactory(org_unit=zhang.org_unit)
    client = hr_client()
    mark = client.get(URL).json()["results"][-1]["updated_at"]
    client.patch(f"{URL}{zhang.pk}/", {"active": False})
    rows = client.get(URL, {"updated_since": mark}).json()["results"]
    assert [(row["employee_number"], row["active"]) for row in rows] == [
        (other.employee_number, True),
        ("10001", False),
    ]


# --- Bulk upsert ---------------------------------------------------------------------------------


def test_a_batch_creates_updates_and_leaves_alone(zhang):
    li = PersonFactory(employee_number="10002", name="李四", org_unit=zhang.org_unit)
    batch = [
        {"employee_number": "10003", "name": "王五", "org_unit_code": "C01", "gender": "male"},
        {"employee_number": "10001", "name": "张三", "org_unit_code": "C01", "active": False},
        {"employee_number": "10002", "name": "李四", "org_unit_code": "C01"},
    ]
    client = hr_client()
    response = client.post(f"{URL}bulk/", batch)
    wang = Person.objects.get(employee_number="10003")
    assert response.json() == {
        "created": 1,
        "updated": 1,
        "unchanged": 1,
        "items": [
            {"id": wang.pk, "action": "created"},
            {"id": zhang.pk, "action": "updated"},
            {"id": li.pk, "action": "unchanged"},
        ],
    }
    zhang.refresh_from_db()
    assert (zhang.active, zhang.title, zhang.party) == (False, "厂长", "cpc")  # fields not named are kept
    again = client.post(f"{URL}bulk/", batch).json()
    assert (again["created"], again["updated"], again["unchanged"]) == (0, 0, 3)


def test_a_bad_batch_names_each_bad_item_and_writes_nothing(zhang):
    before = sorted(Person.objects.values_list("employee_number", "name", "updated_at"))
    client = hr_client()
    response = client.post(
        f"{URL}bulk/",
        [
            {"employee_number": "10001", "name": "张三", "org_unit_code": "C01", "title": "书记"},
            {"employee_number": "10004", "name": "赵六", "org_unit_code": "GHOST"},
            {"employee_number": "10001", "name": "张三", "org_unit_code": "C01"},
        ],
    )
    assert errors(response) == {
        "1.org_unit_code": ["Unknown unit “GHOST”."],
        "2.employee_number": ["The same key is already in item 0."],
    }
    response = client.post(f"{URL}bulk/", [{"employee_number": "10005"}, {"name": "无工号", "org_unit_code": "C01"}])
    assert errors(response) == {
        "0.name": ["This field is required."],
        "0.org_unit_code": ["This field is required."],
        "1.employee_number": ["This field is required."],
    }
    assert sorted(Person.objects.values_list("employee_number", "name", "updated_at")) == before


@pytest.mark.parametrize("value", ["null", "yes", "", "2"])
def test_a_boolean_filter_that_is_not_true_or_false_is_a_400_not_every_row(zhang, value):
    response = hr_client(READ).get(f"{URL}?active={value}")
    assert response.status_code == 400
    assert [error["attr"] for error in response.json()["errors"]] == ["active"]
