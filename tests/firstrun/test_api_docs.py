"""Issue 13, the first run: /api/v1/ says where the endpoints are, and the API's documentation works offline."""

import re

import pytest
from django.urls import reverse

from tests.integrations.factories import hr_user

pytestmark = pytest.mark.django_db

EXTERNAL = re.compile(r"""(?:https?:)?//(?!testserver[/:"'])[\w.-]+\.[a-z]{2,}""", re.IGNORECASE)


def test_the_api_root_lists_the_endpoints_and_the_docs(client):
    response = client.get("/api/v1/")
    assert response.status_code == 200
    listing = response.json()
    assert listing["endpoints"]["people"] == "http://testserver/api/v1/people/"
    assert listing["endpoints"]["report-jobs"] == "http://testserver/api/v1/report-jobs/"
    assert listing["docs"] == "http://testserver/api/schema/redoc/"
    for address in listing["endpoints"].values():  # every one of them exists
        assert client.get(address).status_code in (200, 401, 403, 405)


@pytest.mark.parametrize("viewer", ["api:redoc", "api:swagger"])
def test_the_api_docs_load_nothing_from_another_host(client, viewer):
    client.force_login(hr_user())
    response = client.get(reverse(viewer))
    page = response.content.decode()
    assert response.status_code == 200
    assert "/static/drf_spectacular_sidecar/" in page
    assert not EXTERNAL.findall(page), EXTERNAL.findall(page)
