"""GET /api/v1/frameworks/: what is assessed, with dimensions, indicators and rubrics; scope cycles:read."""

from decimal import Decimal

import pytest
from rest_framework.fields import DateTimeField
from rest_framework.test import APIClient

from assessments.models import Dimension, Framework, Indicator
from tests.assessments.api import factories
from tests.assessments.api.conftest import walk
from tests.integrations.factories import api_client
from tests.people.factories import UserFactory

pytestmark = pytest.mark.django_db
URL = "/api/v1/frameworks/"


@pytest.fixture
def pilot():
    framework = Framework.objects.create(
        code="pilot", version=2, name="试点框架", name_en="Pilot", description="说明", locked=True
    )
    dimension = Dimension.objects.create(
        framework=framework, code="theory", name="理论素养", name_en="Theory literacy", weight=Decimal("1.5"), order=1
    )
    indicator = Indicator.objects.create(
        dimension=dimension,
        code="study",
        name="政治理论学习",
        name_en="Study of theory",
        description="学习党的理论",
        description_en="Studies theory and policy",
        weight=2,
        order=1,
        rubric={"excellent": {"zh": "带头学习", "en": "Leads the learning"}},
    )
    return framework, dimension, indicator


def expected(framework, dimension, indicator) -> dict:
    return {
        "id": framework.pk,
        "code": "pilot",
        "version": 2,
        "name": "试点框架",
        "name_en": "Pilot",
        "description": "说明",
        "locked": True,
        "created_at": DateTimeField().to_representation(framework.created_at),
        "dimensions": [
            {
                "id": dimension.pk,
                "code": "theory",
                "name": "理论素养",
                "name_en": "Theory literacy",
                "weight": 1.5,
                "order": 1,
                "indicators": [
                    {
                        "id": indicator.pk,
                        "code": "study",
                        "name": "政治理论学习",
                        "name_en": "Study of theory",
                        "description": "学习党的理论",
                        "description_en": "Studies theory and policy",
                        "weight": 2.0,
                        "order": 1,
                        "rubric": {"excellent": {"zh": "带头学习", "en": "Leads the learning"}},
                    }
                ],
            }
        ],
    }


def test_it_lists_frameworks_with_their_dimensions_indicators_and_rubrics(reader, pilot):
    response = reader.get(URL, {"code": "pilot"})
    assert response.status_code == 200
    assert response.json() == {"next": None, "previous": None, "results": [expected(*pilot)]}


def test_it_shows_one_framework(reader, pilot):
    response = reader.get(f"{URL}{pilot[0].pk}/")
    assert response.status_code == 200
    assert response.json() == expected(*pilot)


def test_the_default_framework_has_three_dimensions_and_eleven_indicators(reader):
    (framework,) = reader.get(URL, {"code": "leadership"}).json()["results"]
    assert [d["code"] for d in framework["dimensions"]] == ["theory", "professional", "responsibility"]
    assert sum(len(d["indicators"]) for d in framework["dimensions"]) == 11


def test_it_filters_by_lock(reader, pilot):
    factories.frameworks(2)
    assert [f["code"] for f in reader.get(URL, {"locked": "true"}).json()["results"]] == ["pilot"]


def test_it_pages_with_a_cursor(reader):
    made = factories.frameworks(5)
    rows = walk(reader, f"{URL}?page_size=2")
    assert [f["id"] for f in rows] == sorted(f.pk for f in Framework.objects.all())
    assert {f.pk for f in made} <= {f["id"] for f in rows}


def test_an_unknown_framework_is_404(reader):
    response = reader.get(f"{URL}999999/")
    assert response.status_code == 404 and response.json()["errors"][0]["code"] == "not_found"


@pytest.mark.parametrize("scopes", [("results:read",), ("cycles:write", "people:read")])
def test_a_key_without_cycles_read_gets_403(pilot, scopes):
    client = api_client(*scopes)
    assert client.get(URL).status_code == 403
    assert client.get(f"{URL}{pilot[0].pk}/").status_code == 403


def test_a_browser_session_that_is_not_hr_gets_403(pilot):
    client = APIClient()
    client.force_login(UserFactory())
    assert client.get(URL).status_code == 403
