"""GET /api/v1/cycles/: cycles with their settings; scope cycles:read, HR only."""

import datetime as dt

import pytest
from django.utils import timezone
from rest_framework.fields import DateTimeField
from rest_framework.test import APIClient

from assessments.models import Cycle
from assessments.services import panel_set
from tests.assessments.api.conftest import walk
from tests.assessments.factories import CycleFactory, PersonFactory
from tests.integrations.factories import api_client
from tests.people.factories import UserFactory

pytestmark = pytest.mark.django_db
URL = "/api/v1/cycles/"


def when(value) -> str:
    return DateTimeField().to_representation(value)


def standard_groups(cycle: Cycle) -> list[dict]:
    """The groups of the "standard" preset, as the API shows them (names in English: the test client asks for none)."""
    ids = list(cycle.rater_groups.order_by("order").values_list("pk", flat=True))
    rows = [
        ("superior", "上级", "Superiors", "named", 30.0, True),
        ("peer", "同级", "Peers", "members", 30.0, True),
        ("subordinate", "下级（职工代表）", "Subordinates / employee representatives", "codes", 40.0, True),
        ("self", "自评", "Self", "self", 0.0, False),
    ]
    return [
        {
            "id": pk,
            "code": code,
            "name_zh": zh,
            "name_en": en,
            "name": en,
            "source": source,
            "weight": weight,
            "counted": counted,
            "min_size": None,
            "k": 3,
            "order": order,
            "panel": [],
        }
        for order, (pk, (code, zh, en, source, weight, counted)) in enumerate(zip(ids, rows, strict=True), start=1)
    ]


def expected(cycle: Cycle) -> dict:
    return {
        "id": cycle.pk,
        "name": "2026年度领导班子考评",
        "year": 2026,
        "framework": cycle.framework_id,
        "status": "draft",
        "test_mode": False,
        "scale_min": 1,
        "scale_max": 10,
        "trim_above": 5,
        "void_if_all_identical": True,
        "void_if_all_max": True,
        "excellent_quota_percent": 20.0,
        "band_excellent": 90.0,
        "band_competent": 70.0,
        "band_basic": 60.0,
        "min_group_size": 3,
        "quorum_percent": 50.0,
        "removal_share": "1/3",
        "warning_share": "2/3",
        "opens_at": when(cycle.opens_at),
        "closes_at": None,
        "rater_groups": standard_groups(cycle),
        "results_version": 0,
        "created_at": when(cycle.created_at),
        "updated_at": when(cycle.updated_at),
    }


@pytest.fixture
def cycle():
    return CycleFactory(
        name="2026年度领导班子考评",
        excellent_quota_percent=20,
        opens_at=dt.datetime(2026, 1, 5, 8, 0, tzinfo=dt.UTC),
    )


def test_it_lists_cycles_with_their_settings(reader, cycle):
    response = reader.get(URL)
    assert response.status_code == 200
    assert response.json() == {"next": None, "previous": None, "results": [expected(cycle)]}


def test_it_shows_one_cycle(reader, cycle):
    response = reader.get(f"{URL}{cycle.pk}/")
    assert response.status_code == 200
    assert response.json() == expected(cycle)
    assert response.json()["opens_at"] == "2026-01-05T16:00:00+08:00"  # local time, with its offset


def test_a_client_reads_the_rater_groups_the_cycle_has_with_its_own_names_and_panel(reader):
    cycle = CycleFactory(groups="panel", min_group_size=3)
    judges = [PersonFactory(employee_number=f"P{n}") for n in (2, 1)]
    panel_set(group=cycle.rater_groups.get(code="panel"), people=judges)
    cycle.rater_groups.filter(code="staff").update(min_size=5)

    body = reader.get(f"{URL}{cycle.pk}/", HTTP_ACCEPT_LANGUAGE="zh-hans").json()
    groups = body["rater_groups"]
    assert [(g["code"], g["name"], g["source"], g["weight"], g["counted"], g["order"]) for g in groups] == [
        ("leader", "分管领导", "named", 20.0, True, 1),
        ("panel", "考核组", "panel", 40.0, True, 2),
        ("staff", "职工代表", "codes", 40.0, True, 3),
        ("self", "自评", "self", 0.0, False, 4),
    ]
    assert [g["panel"] for g in groups] == [[], ["P1", "P2"], [], []]
    assert [(g["min_size"], g["k"]) for g in groups] == [(None, 3), (None, 3), (5, 5), (None, 3)]
    assert groups[0]["name_en"] == "Leaders in charge" and groups[0]["name_zh"] == "分管领导"
    # The name follows the request's language; the list shows the same groups as the detail.
    assert reader.get(f"{URL}{cycle.pk}/").json()["rater_groups"][1]["name"] == "Assessment panel"
    [listed] = reader.get(URL, HTTP_ACCEPT_LANGUAGE="zh-hans").json()["results"]
    assert listed["rater_groups"] == groups
    assert not {"weight_superior", "weight_peer", "weight_subordinate"} & set(body)


def test_it_filters_by_status_year_framework_and_change(reader, cycle):
    other = CycleFactory(year=2025, status=Cycle.Status.RELEASED)
    Cycle.objects.filter(pk=other.pk).update(updated_at=timezone.now() - dt.timedelta(days=3))

    def ids(**params) -> list[int]:
        response = reader.get(URL, params)
        assert response.status_code == 200, response.content
        return [c["id"] for c in response.json()["results"]]

    assert ids(status="released") == [other.pk]
    assert ids(year=2026) == [cycle.pk]
    assert ids(framework=cycle.framework_id) == [other.pk, cycle.pk]
    assert ids(updated_since=(timezone.now() - dt.timedelta(days=1)).isoformat()) == [cycle.pk]


@pytest.mark.parametrize(("params", "field"), [({"year": "MMXXVI"}, "year"), ({"status": "done"}, "status")])
def test_a_bad_filter_is_400_naming_the_field(reader, params, field):
    response = reader.get(URL, params)
    assert response.status_code == 400
    assert [e["attr"] for e in response.json()["errors"]] == [field]


def test_it_pages_with_a_cursor_in_the_order_asked(reader):
    made = [CycleFactory(year=2020 + i % 2) for i in range(5)]
    assert [c["id"] for c in walk(reader, f"{URL}?page_size=2")] == [c.pk for c in made]  # by last change
    by_year = walk(reader, f"{URL}?page_size=2&ordering=-year")
    assert [c["id"] for c in by_year] == [made[3].pk, made[1].pk, made[4].pk, made[2].pk, made[0].pk]


def test_an_unknown_cycle_is_404(reader):
    assert reader.get(f"{URL}999999/").status_code == 404


def test_a_key_without_cycles_read_gets_403(cycle):
    client = api_client("results:read", "cycles:write")
    assert client.get(URL).status_code == 403
    assert client.get(f"{URL}{cycle.pk}/").status_code == 403


def test_a_key_of_an_owner_who_is_not_hr_gets_403(cycle):
    assert api_client("cycles:read", owner=UserFactory()).get(URL).status_code == 403


def test_a_browser_session_gets_its_web_permissions(cycle, hr):
    client = APIClient()
    client.force_login(hr)
    assert client.get(URL).status_code == 200
    client.force_login(UserFactory())
    assert client.get(URL).status_code == 403
