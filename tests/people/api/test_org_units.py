"""/api/v1/org-units/: the org tree by unit code."""

import pytest

from people.models import OrgUnit
from tests.people.factories import OrgUnitFactory

from .helpers import READ, errors, hr_client, iso

pytestmark = pytest.mark.django_db
URL = "/api/v1/org-units/"


def shown(unit: OrgUnit) -> dict:
    unit.refresh_from_db()
    return {
        "id": unit.pk,
        "code": unit.code,
        "name": unit.name,
        "kind": unit.kind,
        "parent_code": unit.parent.code if unit.parent else None,
        "active": unit.active,
        "updated_at": iso(unit.updated_at),
    }


@pytest.fixture
def tree():
    company = OrgUnitFactory(code="HQ", name="油田公司", kind=OrgUnit.Kind.COMPANY)
    plant = OrgUnitFactory(code="C01", name="第三采油厂", kind=OrgUnit.Kind.PLANT, parent=company)
    area = OrgUnitFactory(code="C01-01", name="第一作业区", parent=plant)
    return company, plant, area


def test_it_lists_units_in_the_order_they_changed_with_parent_codes(tree):
    company, plant, area = tree
    response = hr_client(READ).get(URL)
    assert response.status_code == 200
    assert response.json() == {
        "next": None,
        "previous": None,
        "results": [
            {
                "id": company.pk,
                "code": "HQ",
                "name": "油田公司",
                "kind": "company",
                "parent_code": None,
                "active": True,
                "updated_at": iso(company.updated_at),
            },
            {
                "id": plant.pk,
                "code": "C01",
                "name": "第三采油厂",
                "kind": "plant",
                "parent_code": "HQ",
                "active": True,
                "updated_at": iso(plant.updated_at),
            },
            shown(area),
        ],
    }


def test_it_shows_one_unit_by_id(tree):
    _company, plant, _area = tree
    response = hr_client(READ).get(f"{URL}{plant.pk}/")
    assert response.status_code == 200
    assert response.json() == shown(plant)


@pytest.mark.parametrize(
    ("query", "codes"),
    [
        ("kind=plant", ["C01"]),
        ("parent_code=C01", ["C01-01"]),
        ("code=HQ", ["HQ"]),
        ("active=false", ["OLD"]),
        ("active=true&kind=workshop", ["C01-01"]),
        ("ordering=code", ["C01", "C01-01", "HQ", "OLD"]),
        ("ordering=-code", ["OLD", "HQ", "C01-01", "C01"]),
        ("ordering=-id", ["OLD", "C01-01", "C01", "HQ"]),
    ],
)
def test_it_filters_and_orders_by_explicit_fields(tree, query, codes):
    OrgUnitFactory(code="OLD", active=False)
    response = hr_client(READ).get(f"{URL}?{query}")
    assert response.status_code == 200
    assert [row["code"] for row in response.json()["results"]] == codes


def test_it_creates_a_unit_under_a_parent(tree):
    response = hr_client().post(URL, {"code": "C02", "name": "第四采油厂", "kind": "plant", "parent_code": "HQ"})
    assert response.status_code == 201
    unit = OrgUnit.objects.get(code="C02")
    assert unit.parent.code == "HQ"
    assert response.json() == shown(unit)


def test_a_new_unit_takes_the_defaults_for_what_it_does_not_say():
    response = hr_client().post(URL, {"code": "HQ", "name": "油田公司"})
    assert response.status_code == 201
    assert response.json() | {"id": 0, "updated_at": ""} == {
        "id": 0,
        "code": "HQ",
        "name": "油田公司",
        "kind": "department",
        "parent_code": None,
        "active": True,
        "updated_at": "",
    }


def test_it_refuses_to_create_a_code_that_exists(tree):
    response = hr_client().post(URL, {"code": "C01", "name": "重复"})
    assert errors(response) == {"code": ["Org unit with this Code already exists."]}
    assert OrgUnit.objects.get(code="C01").name == "第三采油厂"


def test_it_updates_and_deactivates_a_unit(tree):
    _company, plant, area = tree
    client = hr_client()
    response = client.put(
        f"{URL}{area.pk}/", {"code": "C01-01", "name": "第一矿", "kind": "workshop", "parent_code": "HQ"}
    )
    assert response.status_code == 200
    assert response.json() == shown(area) and area.name == "第一矿" and area.parent.code == "HQ"

    before = plant.updated_at
    response = client.patch(f"{URL}{plant.pk}/", {"active": False})
    assert response.status_code == 200
    assert response.json() == shown(plant)
    assert plant.active is False and plant.updated_at > before and plant.name == "第三采油厂"


def test_a_patch_that_changes_nothing_keeps_updated_at(tree):
    _company, plant, _area = tree
    before = plant.updated_at
    response = hr_client().patch(f"{URL}{plant.pk}/", {"name": "第三采油厂", "code": "C01"})
    assert response.status_code == 200
    plant.refresh_from_db()
    assert plant.updated_at == before


@pytest.mark.parametrize(
    ("payload", "expected"),
    [
        ({"code": "C02"}, {"code": ["This is a key and cannot be changed."]}),
        ({"parent_code": "C01-01"}, {"parent_code": ["The parent units form a cycle: C01 → C01-01 → C01."]}),
        ({"parent_code": "C01"}, {"parent_code": ["The parent units form a cycle: C01 → C01."]}),
        ({"parent_code": "NOPE"}, {"parent_code": ["Unknown parent unit NOPE."]}),
        ({"parent_code": ""}, {"parent_code": ["This field may not be blank."]}),
        ({"kind": "galaxy"}, {"kind": ['"galaxy" is not a valid choice.']}),
        ({"name": ""}, {"name": ["This field may not be blank."]}),
        ({"name": "x" * 201}, {"name": ["Ensure this field has no more than 200 characters."]}),
        # The limit counts what was sent, as the schema's maxLength does, not what is left after trimming.
        ({"name": " " + "x" * 200}, {"name": ["Ensure this field has no more than 200 characters."]}),
        ({"active": "perhaps"}, {"active": ["Must be a valid boolean."]}),
        # JSON types as the schema names them: no guessing that 0 means false or 12 the text "12".
        ({"active": 0}, {"active": ["Must be a valid boolean."]}),
        ({"active": "false"}, {"active": ["Must be a valid boolean."]}),
        ({"name": 12}, {"name": ["Not a valid string."]}),
        ({"name": ["a", "list"]}, {"name": ["Not a valid string."]}),
        ({"name": {"a": 1}}, {"name": ["Not a valid string."]}),
    ],
)
def test_a_bad_update_is_a_400_with_field_errors_and_writes_nothing(tree, payload, expected):
    _company, plant, _area = tree
    before = shown(plant)
    response = hr_client().patch(f"{URL}{plant.pk}/", payload)
    assert errors(response) == expected
    assert shown(plant) == before


def test_a_unit_is_never_deleted(tree):
    _company, plant, _area = tree
    response = hr_client().delete(f"{URL}{plant.pk}/")
    assert response.status_code == 405
    assert response.json()["errors"][0]["code"] == "method_not_allowed"
    assert OrgUnit.objects.filter(pk=plant.pk, active=True).exists()
    assert hr_client().delete(URL).status_code == 405


def test_updated_since_returns_what_changed_at_or_after_that_moment(tree):
    company, _plant, _area = tree
    client = hr_client()
    mark = client.get(URL).json()["results"][-1]["updated_at"]
    client.patch(f"{URL}{company.pk}/", {"name": "油田分公司"})
    response = client.get(URL, {"updated_since": mark})
    assert [row["code"] for row in response.json()["results"]] == ["C01-01", "HQ"]
    assert response.json()["results"][-1]["name"] == "油田分公司"


# --- Bulk upsert ---------------------------------------------------------------------------------


def test_a_batch_creates_a_tree_whose_parents_come_after_their_children():
    batch = [
        {"code": "C01-01", "name": "第一作业区", "kind": "workshop", "parent_code": "C01"},
        {"code": "C01", "name": "第三采油厂", "kind": "plant", "parent_code": "HQ"},
        {"code": "HQ", "name": "油田公司", "kind": "company", "parent_code": None},
    ]
    client = hr_client()
    response = client.post(f"{URL}bulk/", batch)
    assert response.status_code == 200
    units = {unit.code: unit for unit in OrgUnit.objects.select_related("parent")}
    assert response.json() == {
        "created": 3,
        "updated": 0,
        "unchanged": 0,
        "items": [
            {"id": units["C01-01"].pk, "action": "created"},
            {"id": units["C01"].pk, "action": "created"},
            {"id": units["HQ"].pk, "action": "created"},
        ],
    }
    assert {code: unit.parent.code if unit.parent else None for code, unit in units.items()} == {
        "HQ": None,
        "C01": "HQ",
        "C01-01": "C01",
    }

    # The same batch again changes nothing, not even updated_at.
    stamps = dict(OrgUnit.objects.values_list("code", "updated_at"))
    again = client.post(f"{URL}bulk/", batch)
    assert again.json()["created"] == 0 and again.json()["unchanged"] == 3
    assert dict(OrgUnit.objects.values_list("code", "updated_at")) == stamps


def test_a_batch_item_changes_only_the_fields_it_names(tree):
    company, plant, area = tree
    response = hr_client().post(
        f"{URL}bulk/",
        [{"code": "C01", "name": "第三采油厂（新）"}, {"code": "C01-01", "name": "第一作业区", "active": False}],
    )
    assert response.json() == {
        "created": 0,
        "updated": 2,
        "unchanged": 0,
        "items": [{"id": plant.pk, "action": "updated"}, {"id": area.pk, "action": "updated"}],
    }
    plant.refresh_from_db()
    area.refresh_from_db()
    assert (plant.name, plant.kind, plant.parent_id) == ("第三采油厂（新）", "plant", company.pk)
    assert (area.active, area.parent_id) == (False, plant.pk)


def test_a_batch_can_move_a_unit_under_one_it_creates(tree):
    response = hr_client().post(
        f"{URL}bulk/", [{"code": "C01", "name": "第三采油厂", "parent_code": "B01"}, {"code": "B01", "name": "事业部"}]
    )
    assert response.status_code == 200
    assert OrgUnit.objects.get(code="C01").parent.code == "B01"


def test_a_bad_batch_reports_every_bad_item_by_index_and_writes_nothing(tree):
    before = sorted(OrgUnit.objects.values_list("code", "name", "parent__code", "updated_at"))
    response = hr_client().post(
        f"{URL}bulk/",
        [
            {"code": "NEW", "name": "新单位"},
            {"code": "HQ", "name": "油田公司", "parent_code": "C01-01"},
            {"code": "X1", "name": "甲", "parent_code": "MISSING"},
            {"code": "NEW", "name": "又一个"},
            {"code": "SELF", "name": "自己", "parent_code": "SELF"},
            {"code": "C01", "name": "第三采油厂", "kind": "planet"},
        ],
    )
    # Field checks come first; the batch's own checks run once every item is well-formed.
    assert errors(response) == {"5.kind": ['"planet" is not a valid choice.']}

    response = hr_client().post(
        f"{URL}bulk/",
        [
            {"code": "NEW", "name": "新单位"},
            {"code": "HQ", "name": "油田公司", "parent_code": "C01-01"},
            {"code": "X1", "name": "甲", "parent_code": "MISSING"},
            {"code": "NEW", "name": "又一个"},
            {"code": "SELF", "name": "自己", "parent_code": "SELF"},
        ],
    )
    assert errors(response) == {
        "1.parent_code": ["The parent units form a cycle: HQ → C01-01 → C01 → HQ."],
        "2.parent_code": ["Unknown parent unit MISSING."],
        "3.code": ["The same key is already in item 0."],
        "4.parent_code": ["The parent units form a cycle: SELF → SELF."],
    }
    assert sorted(OrgUnit.objects.values_list("code", "name", "parent__code", "updated_at")) == before


def test_a_cycle_made_of_two_items_is_reported_on_both():
    response = hr_client().post(
        f"{URL}bulk/",
        [{"code": "A", "name": "甲", "parent_code": "B"}, {"code": "B", "name": "乙", "parent_code": "A"}],
    )
    assert errors(response) == {
        "0.parent_code": ["The parent units form a cycle: A → B → A."],
        "1.parent_code": ["The parent units form a cycle: B → A → B."],
    }
    assert not OrgUnit.objects.exists()


def test_a_long_chain_in_one_batch_is_written_parents_first():
    # Deeper than Python's recursion limit would allow a recursive walk.
    batch = [
        {"code": f"U{n:04d}", "name": f"单位{n}", "parent_code": f"U{n - 1:04d}" if n else None} for n in range(1000)
    ]
    response = hr_client().post(f"{URL}bulk/", batch[::-1])
    assert response.status_code == 200 and response.json()["created"] == 1000
    assert OrgUnit.objects.get(code="U0999").parent.code == "U0998"
