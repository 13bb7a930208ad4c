"""GET /api/v1/cycles/: cycles with their settings; scope cycles:read, HR only."""

import datetime as dt

import pytest
from django.utils import timezone
from rest_framework.fields import DateTimeField
from rest_framework.test import APIClient

from assessments.models import Cycle
from tests.assessments.api.conftest import walk
from tests.assessments.factories import CycleFactory
from tests.integrations.factories import api_client
from tests.people.factories import UserFactory

pytestmark = pytest.mark.django_db
URL = "/api/v1/cycles/"


def when(value) -> str:
    return DateTimeField().to_representation(value)


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
        "weight_superior": 30.0,
        "weight_peer": 30.0,
        "weight_subordinate": 40.0,
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
