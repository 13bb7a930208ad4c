"""Whatever a client sends, the people API answers 4xx with the error shape, never 500, and writes nothing."""

import base64
import datetime as dt
import json
from urllib.parse import urlencode

import pytest
from django.apps import apps

from tests.people.factories import MembershipFactory, OrgUnitFactory, PersonFactory, TeamFactory

from .helpers import API, ENDPOINTS, hr_client

pytestmark = pytest.mark.django_db

# A good item per endpoint, all naming rows that exist (see `organisation`).
GOOD = {
    "org-units": {"code": "C02", "name": "第四采油厂", "kind": "plant", "parent_code": "HQ", "active": True},
    "people": {
        "employee_number": "10002",
        "name": "李四",
        "gender": "female",
        "org_unit_code": "HQ",
        "title": "经理",
        "party": "none",
        "email": "li@example.com",
        "active": True,
    },
    "teams": {"org_unit_code": "C09", "name": "班子", "active": True},
    "memberships": {
        "team_code": "C01",
        "employee_number": "10001",
        "position": "副厂长",
        "is_principal": False,
        "start_date": "2025-01-01",
        "end_date": "2025-12-31",
    },
}
# What careless or hostile clients put where a field's value goes.
ODD_VALUES = [
    None,
    "",
    " ",
    "x" * 5000,
    "\x00",
    "C01\x00",
    "\u202e\u0000",
    [],
    ["C01"],
    {},
    {"code": "C01"},
    0,
    -1,
    10**30,
    1.5,
    1e308,
    True,
    "2024-02-30",
    "99999-01-01",
    "-0001-01-01",
    "HQ",
    "C01",
    "10001",
]
TABLES = ["people.OrgUnit", "people.Person", "people.LeadershipTeam", "people.Membership"]


@pytest.fixture
def organisation():
    company = OrgUnitFactory(code="HQ", kind="company")
    plant = OrgUnitFactory(code="C01", parent=company)
    OrgUnitFactory(code="C09", parent=company)
    team = TeamFactory(org_unit=plant)
    zhang = PersonFactory(employee_number="10001", org_unit=plant)
    return MembershipFactory(team=team, person=zhang, start_date=dt.date(2024, 1, 1), end_date=dt.date(2024, 12, 31))


def snapshot() -> list:
    return [sorted(apps.get_model(label).objects.values_list("id", "updated_at")) for label in TABLES]


def ok(response, *allowed: int) -> None:
    assert response.status_code in allowed, response.content
    if response.status_code >= 400:
        assert response.json()["type"] in ("validation_error", "client_error"), response.content


@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_odd_values_in_any_field_are_refused_or_taken_never_a_server_error(organisation, endpoint):
    client = hr_client()
    row_id = apps.get_model(TABLES[ENDPOINTS.index(endpoint)]).objects.order_by("id").first().pk
    for field in GOOD[endpoint]:
        for value in ODD_VALUES:
            item = GOOD[endpoint] | {field: value}
            context = f"{endpoint}.{field} = {value!r}"
            before = snapshot()
            response = client.post(f"{API}{endpoint}/bulk/", [item], format="json")
            assert response.status_code in (200, 400), (context, response.content)
            if response.status_code == 400:
                assert snapshot() == before, context
            ok(client.patch(f"{API}{endpoint}/{row_id}/", {field: value}, format="json"), 200, 400)
            ok(client.post(f"{API}{endpoint}/", item, format="json"), 201, 400)


RAW_BODIES = [
    b"",
    b"{",
    b"null",
    b"true",
    b"123",
    b'"text"',
    b"[]",
    b"[null]",
    b"[1, 2]",
    b"[[]]",
    b'["C01"]',
    b'{"a": 1}',
    b"[" * 100_000 + b"]" * 100_000,
    b"\xff\xfe\x00",
    b'{"code": "\\ud800", "name": "\\udfff", "employee_number": "\\ud800"}',
    b'[{"code": "\\ud800", "name": "x"}]',
    b'{"name": NaN}',
    b'{"name": Infinity}',
    b'{"name": 1' + b"0" * 5000 + b"}",
    b'{"name": 1e999, "code": 1e999, "employee_number": 1e999, "team_code": 1e999}',
]


@pytest.mark.parametrize("endpoint", ENDPOINTS)
@pytest.mark.parametrize("body", RAW_BODIES, ids=lambda body: repr(body[:20]))
def test_any_body_gets_a_4xx_and_writes_nothing(organisation, endpoint, body):
    client = hr_client()
    row_id = apps.get_model(TABLES[ENDPOINTS.index(endpoint)]).objects.order_by("id").first().pk
    before = snapshot()
    for method, url in [
        ("POST", f"{API}{endpoint}/"),
        ("POST", f"{API}{endpoint}/bulk/"),
        ("PUT", f"{API}{endpoint}/{row_id}/"),
        ("PATCH", f"{API}{endpoint}/{row_id}/"),
    ]:
        response = client.generic(method, url, body, content_type="application/json")
        # Valid requests that change nothing: a PATCH of no fields (an empty body, unknown fields), an empty batch.
        no_op = (method == "PATCH" and body in (b"", b'{"a": 1}')) or (url.endswith("/bulk/") and body == b"[]")
        ok(response, 400, *([200] if no_op else []))
    assert snapshot() == before


@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_a_body_that_is_not_json_gets_415(organisation, endpoint):
    client = hr_client()
    for content_type in ("text/plain", "multipart/form-data; boundary=x", "application/x-www-form-urlencoded"):
        ok(client.generic("POST", f"{API}{endpoint}/bulk/", b"a=1", content_type=content_type), 415)


@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_a_batch_over_the_limit_is_refused_whole(organisation, endpoint):
    response = hr_client().post(f"{API}{endpoint}/bulk/", [GOOD[endpoint]] * 1001, format="json")
    ok(response, 400)
    assert response.json()["errors"] == [
        {
            "code": "max_length",
            "detail": "Ensure this field has no more than 1000 elements.",
            "attr": "non_field_errors",
        }
    ]


def cursor(**tokens: str) -> str:
    return base64.b64encode(urlencode(tokens).encode()).decode()


QUERIES = [
    {"updated_since": "yesterday"},
    {"updated_since": "2024-13-01T00:00:00Z"},
    {"updated_since": "99999-01-01T00:00:00Z"},
    {"updated_since": "\x00"},
    {"updated_since": "2024-01-01T00:00:00+99:00"},
    {"active": "maybe"},
    {"kind": "galaxy"},
    {"code": "\x00"},
    {"org_unit_code": "C01\x00"},
    {"current_on": "2024-02-30"},
    {"current_on": "0000-01-01"},
    {"team_code": "x" * 10_000},
    {"ordering": "name"},
    {"ordering": "--id"},
    {"ordering": "id,code"},
    {"ordering": "team__org_unit__code"},
    {"ordering": "\x00"},
    {"page_size": "-1"},
    {"page_size": "abc"},
    {"page_size": str(10**30)},
    {"cursor": "not base64!"},
    {"cursor": "AAAA"},
    {"cursor": cursor(p="abc")},
    {"cursor": cursor(p="\x00", o="1", r="1")},
    {"cursor": cursor(o=str(10**30))},
    {"cursor": cursor(p="abc"), "ordering": "id"},
    {"cursor": cursor(p="\x00"), "ordering": "-id"},
    {"cursor": cursor(p="\x00"), "ordering": "code"},
    {"cursor": cursor(p="\x00"), "ordering": "employee_number"},
    {"cursor": cursor(p="2024-13-45"), "ordering": "updated_at"},
    {"cursor": cursor(p=str(10**30)), "ordering": "id"},
]


@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_odd_query_strings_get_a_page_or_a_4xx(organisation, endpoint):
    client = hr_client()
    for query in QUERIES:
        response = client.get(f"{API}{endpoint}/", query)
        assert response.status_code in (200, 400, 404), (query, response.content)
        json.loads(response.content)  # the error shape, not an HTML page
