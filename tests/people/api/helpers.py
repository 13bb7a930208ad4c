"""What the people API tests share: clients, the four endpoints, dates as the API writes them."""

import datetime as dt
from collections.abc import Callable

from rest_framework import serializers
from rest_framework.test import APIClient

from people.models import OrgUnit
from tests.integrations.factories import api_client
from tests.people.factories import MembershipFactory, OrgUnitFactory, PersonFactory, TeamFactory

READ, WRITE = "people:read", "people:write"
API = "/api/v1/"
ENDPOINTS = ["org-units", "people", "teams", "memberships"]

# One row per call, each with its own related rows, so that a list that fetched them one by one would show.
# Each new unit goes under the one made before it.
MAKERS: dict[str, Callable] = {
    "org-units": lambda: OrgUnitFactory(parent=OrgUnit.objects.order_by("-id").first()),
    "people": PersonFactory,
    "teams": TeamFactory,
    "memberships": MembershipFactory,
}


def hr_client(*scopes: str) -> APIClient:
    """HR's integration, speaking JSON: a key with both people scopes unless told otherwise."""
    client = api_client(*(scopes or (READ, WRITE)))
    client.default_format = "json"
    return client


def iso(value: dt.datetime) -> str:
    """A timestamp as the API writes it (local time with its offset, microseconds)."""
    return serializers.DateTimeField().to_representation(value)


def all_pages(client: APIClient, path: str, **params) -> list[dict]:
    """Every row of a list, following `next` links."""
    rows: list[dict] = []
    response = client.get(path, params)
    while True:
        assert response.status_code == 200, response.json()
        body = response.json()
        rows += body["results"]
        if body["next"] is None:
            return rows
        response = client.get(body["next"])


def errors(response) -> dict[str, list[str]]:
    """The error shape, as {attr: [detail, …]}, for asserting every field error of a 400 at once."""
    assert response.status_code == 400, response.content
    body = response.json()
    assert body["type"] == "validation_error", body
    found: dict[str, list[str]] = {}
    for error in body["errors"]:
        found.setdefault(error["attr"], []).append(error["detail"])
    return found
