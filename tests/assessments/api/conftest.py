import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.assessments.helpers import released_case
from tests.integrations.factories import api_client


@pytest.fixture
def reader():
    """A key of an HR owner that may read cycles and results, but run nothing."""
    return api_client("cycles:read", "results:read")


@pytest.fixture
def writer():
    return api_client("cycles:read", "cycles:write")


@pytest.fixture
def released():
    """(cycle, case, members): four members and four subordinates, every group meets k = 3; released."""
    return released_case()


def walk(client, url: str) -> list[dict]:
    """Every row of a list, page after page by the cursor links."""
    rows = []
    while url:
        response = client.get(url)
        assert response.status_code == 200, response.content
        body = response.json()
        assert set(body) == {"next", "previous", "results"}
        rows += body["results"]
        url = body["next"]
    return rows


def count_queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


@pytest.fixture
def panel_released():
    """(cycle, case, members) of a cycle made with the "panel" preset: 分管领导 20 (three named per team), 考核组 40
    (a panel of three), 职工代表 40 (five codes), 自评 beside; every sheet filled, scored and released."""
    from tests.reports.factories import plant_team, scored_cycle

    team, people = plant_team()
    cycle, case = scored_cycle(team=team, people=people, groups="panel", panel=3)
    return cycle, case, people
