"""What a careless or hostile client sends: a tampered cursor, an id that is no number, an empty filter, a page
size out of range. Each is a 4xx in the API's one error shape, never a 500 or Django's HTML page."""

import base64

import pytest

from tests.assessments.api import factories
from tests.integrations.factories import api_client

pytestmark = pytest.mark.django_db

LISTS = [
    ("/api/v1/frameworks/", {}),
    ("/api/v1/cycles/", {}),
    ("/api/v1/cycles/", {"ordering": "-year"}),
    ("/api/v1/cases/", {}),
    ("/api/v1/results/", {}),
    ("/api/v1/results/", {"ordering": "-id"}),
]


@pytest.mark.parametrize("position", ["abc", "1\x00", "2026-13-45"])
@pytest.mark.parametrize(("url", "params"), LISTS)
def test_a_cursor_with_a_position_the_ordering_cannot_hold_is_404(reader, url, params, position):
    factories.results(3)
    cursor = base64.b64encode(f"p={position}".encode()).decode()
    response = reader.get(url, {**params, "cursor": cursor})
    assert response.status_code == 404 and response.json()["errors"][0]["code"] == "not_found"


@pytest.mark.parametrize(("url", "params"), LISTS)
def test_a_cursor_that_is_not_a_cursor_is_404(reader, url, params):
    assert reader.get(url, {**params, "cursor": "not a cursor"}).status_code == 404


@pytest.mark.parametrize("segment", ["abc", "1.5", "null,null", "-1"])
@pytest.mark.parametrize(
    ("method", "template"),
    [
        ("get", "/api/v1/frameworks/{}/"),
        ("get", "/api/v1/cycles/{}/"),
        ("get", "/api/v1/cases/{}/"),
        ("get", "/api/v1/results/{}/"),
        ("get", "/api/v1/cycles/{}/results.csv"),
        ("get", "/api/v1/cycles/{}/results.xlsx"),
        ("post", "/api/v1/cycles/{}/transitions/"),
        ("post", "/api/v1/cases/{}/transitions/"),
    ],
)
def test_an_id_that_is_no_number_is_a_json_404(method, template, segment):
    client = api_client("cycles:read", "cycles:write", "results:read")
    response = getattr(client, method)(template.format(segment), {"action": "close"}, format="json")
    assert response.status_code == 404 and response.json()["errors"][0]["code"] == "not_found"


@pytest.mark.parametrize(
    ("url", "params", "field"),
    [
        ("/api/v1/results/", {"org_unit": ""}, "org_unit"),
        ("/api/v1/cases/", {"cycle": ""}, "cycle"),
        ("/api/v1/cycles/", {"updated_since": ""}, "updated_since"),
        ("/api/v1/frameworks/", {"page_size": "501"}, "page_size"),
        ("/api/v1/results/", {"page_size": "0"}, "page_size"),
    ],
)
def test_an_empty_filter_or_a_page_size_out_of_range_is_400(reader, url, params, field):
    response = reader.get(url, params)
    assert response.status_code == 400 and [e["attr"] for e in response.json()["errors"]] == [field]
