"""Who may use the people API: keys need the scope of what they do, and everyone needs HR's web permission."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from people import selectors
from tests.integrations.factories import api_client, hr_user
from tests.people.factories import PersonFactory, UserFactory

from .helpers import API, ENDPOINTS, MAKERS, READ, WRITE, hr_client

pytestmark = pytest.mark.django_db


def calls(endpoint: str, row_id: int) -> list[tuple[str, str, object]]:
    """Every operation of an endpoint, with a body that would be fine to send."""
    detail = f"{API}{endpoint}/{row_id}/"
    return [
        ("get", f"{API}{endpoint}/", None),
        ("get", detail, None),
        ("post", f"{API}{endpoint}/", {}),
        ("put", detail, {}),
        ("patch", detail, {}),
        ("post", f"{API}{endpoint}/bulk/", []),
    ]


def needs(method: str) -> str:
    return READ if method == "get" else WRITE


@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_a_key_without_the_scope_gets_403_and_with_it_gets_through(endpoint):
    row = MAKERS[endpoint]()
    for scopes in [(READ,), (WRITE,), ("cycles:read", "results:read")]:
        client = hr_client(*scopes)
        for method, url, body in calls(endpoint, row.pk):
            response = getattr(client, method)(url, body)
            if needs(method) in scopes:
                assert response.status_code in (200, 400), (scopes, method, url, response.content)
            else:
                assert response.status_code == 403, (scopes, method, url)
                assert response.json()["errors"][0]["detail"] == f"This API key lacks the scope {needs(method)}."


@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_browser_users_get_exactly_their_web_permission(endpoint):
    row = MAKERS[endpoint]()
    hr, stranger = APIClient(), APIClient()
    hr.force_login(hr_user())
    stranger.force_login(UserFactory())
    assert hr.get(f"{API}{endpoint}/").status_code == 200
    assert hr.get(f"{API}{endpoint}/{row.pk}/").status_code == 200
    for method, url, body in calls(endpoint, row.pk):
        assert getattr(stranger, method)(url, body, format="json").status_code == 403, (method, url)
        assert getattr(APIClient(), method)(url, body, format="json").status_code == 401, (method, url)


@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_a_key_acts_as_its_owner_so_a_non_hr_owner_gets_403_whatever_the_scopes(endpoint):
    row = MAKERS[endpoint]()
    client = api_client(READ, WRITE, owner=UserFactory())
    client.default_format = "json"
    for method, url, body in calls(endpoint, row.pk):
        assert getattr(client, method)(url, body).status_code == 403, (method, url)


def test_the_selectors_show_nobody_but_hr_the_organisation():
    person = PersonFactory()
    assert list(selectors.people_visible(viewer=hr_user())) == [person]
    for viewer in (UserFactory(), person.user):
        assert not selectors.people_visible(viewer=viewer).exists()
        assert not selectors.org_units_visible(viewer=viewer).exists()
        assert not selectors.teams_visible(viewer=viewer).exists()
        assert not selectors.memberships_visible(viewer=viewer).exists()


@pytest.mark.parametrize("endpoint", ENDPOINTS)
@pytest.mark.parametrize("row_id", ["999999", "0", "99999999999999999999999999", "abc", "1.5", "-1", "%00"])
def test_a_row_that_is_not_there_is_a_404_for_every_method(endpoint, row_id):
    MAKERS[endpoint]()
    client = hr_client()
    url = f"{API}{endpoint}/{row_id}/"
    for method in ("get", "put", "patch"):
        response = getattr(client, method)(url, {"name": "x"})
        assert response.status_code == 404, (method, url, response.content)
        assert response.json()["errors"][0]["code"] == "not_found"
    # Nothing is ever deleted, whether it is there or not.
    assert client.delete(url).status_code == 405


# --- Lists: pages and queries -----------------------------------------------------------------------


@pytest.mark.parametrize("endpoint", ENDPOINTS)
@pytest.mark.parametrize("ordering", ["", "id", "-id", "updated_at", "-updated_at"])
def test_the_cursor_walks_every_row_once_in_either_direction(endpoint, ordering):
    rows = [MAKERS[endpoint]() for _ in range(7)]
    client = hr_client(READ)
    params = {"page_size": 3, **({"ordering": ordering} if ordering else {})}  # "": the default order
    seen, response = [], client.get(f"{API}{endpoint}/", params)
    pages = []
    while True:
        body = response.json()
        pages.append(body)
        seen += [row["id"] for row in body["results"]]
        if body["next"] is None:
            break
        response = client.get(body["next"])
    assert sorted(seen) == sorted(row.pk for row in rows) and len(seen) == 7
    assert [len(page["results"]) for page in pages] == [3, 3, 1]
    back = client.get(pages[-1]["previous"]).json()
    assert [row["id"] for row in back["results"]] == [row["id"] for row in pages[1]["results"]]


@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_a_list_costs_the_same_queries_for_5_and_50_rows(endpoint, django_assert_num_queries):
    client = hr_client(READ)
    url = f"{API}{endpoint}/"
    client.get(url)  # The key's first use records when it was last used: a write the next calls skip.
    for _ in range(5):
        MAKERS[endpoint]()
    with CaptureQueriesContext(connection) as five:
        assert len(client.get(url).json()["results"]) == 5
    for _ in range(45):
        MAKERS[endpoint]()
    # key, the owner's permissions (user and group), the page; and the request's savepoint in and out
    with django_assert_num_queries(len(five)):
        assert len(client.get(url).json()["results"]) == 50
    assert len(five) == 6
