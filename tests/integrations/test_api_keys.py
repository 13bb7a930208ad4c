"""API keys: shown once, stored as a hash, recognisable, scoped, expiring, revocable; one error shape."""

import datetime as dt

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from integrations.models import ApiKey
from integrations.services import api_key_create, api_key_revoke, key_hash
from tests.integrations.factories import api_client, hr_user
from tests.people.factories import UserFactory

pytestmark = pytest.mark.django_db
ME = "/api/v1/me/"


def test_a_key_is_shown_once_stored_as_a_hash_and_says_who_it_is():
    client = api_client("people:read", "results:read")
    raw = client.raw_key
    assert raw.startswith("kp_") and raw.startswith(client.key.prefix + "_")
    stored = ApiKey.objects.get()
    assert stored.key_hash == key_hash(raw) and raw not in str(stored.__dict__)
    response = client.get(ME)
    assert response.status_code == 200
    assert response.json() == {
        "username": client.key.owner.username,
        "key_name": "人事系统",
        "key_prefix": client.key.prefix,
        "scopes": ["people:read", "results:read"],
        "expires_at": None,
    }
    stored.refresh_from_db()
    assert stored.last_used_at is not None


@pytest.mark.parametrize(
    "header",
    ["Bearer kp_nothing_like_a_key", "Bearer", "Bearer a b", "Bearer kp_\u00e9", "Bearer " + "x" * 500],
)
def test_a_bad_key_gets_401_in_the_common_error_shape(header):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=header)
    response = client.get(ME)
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == 'Bearer realm="api"'
    body = response.json()
    assert body["type"] == "client_error" and body["errors"][0]["code"] == "authentication_failed"


def test_no_credentials_get_401():
    response = APIClient().get(ME)
    assert response.status_code == 401 and response.json()["type"] == "client_error"


def test_revoked_and_expired_keys_stop_working_at_once():
    client = api_client("people:read")
    assert client.get(ME).status_code == 200
    api_key_revoke(key=client.key)
    assert client.get(ME).status_code == 401

    other = api_client("people:read")
    ApiKey.objects.filter(pk=other.key.pk).update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    assert other.get(ME).status_code == 401


def test_a_key_of_a_deactivated_owner_stops_working():
    client = api_client("people:read")
    client.key.owner.is_active = False
    client.key.owner.save()
    assert client.get(ME).status_code == 401


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"scopes": ["people:read", "everything"]}, "Unknown scopes: everything"),
        ({"scopes": []}, "at least one scope"),
        ({"scopes": ["people:read"], "name": "  "}, "Name the key"),
        ({"scopes": ["people:read"], "expires_at": dt.datetime(2000, 1, 1, tzinfo=dt.UTC)}, "in the future"),
    ],
)
def test_a_key_that_makes_no_sense_is_refused(kwargs, message):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError, match=message):
        api_key_create(**{"name": "x", "owner": UserFactory(), **kwargs})
    assert not ApiKey.objects.exists()


def test_the_admin_shows_a_new_key_once_and_keeps_only_its_hash(client):
    admin = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(admin)
    response = client.post(
        reverse("admin:integrations_apikey_add"),
        {"name": "人事系统", "owner": admin.pk, "scopes": ["people:read", "people:write"], "expires_at": ""},
    )
    assert response.status_code == 200 and "no-store" in response["Cache-Control"]
    raw = response.context["raw"]
    assert raw in response.content.decode()
    key = ApiKey.objects.get()
    assert key.key_hash == key_hash(raw) and key.scopes == ["people:read", "people:write"]
    assert raw not in client.get(reverse("admin:integrations_apikey_change", args=[key.pk])).content.decode()


def test_a_browser_session_is_its_web_user():
    user = hr_user()
    client = APIClient()
    client.force_login(user)
    assert client.get(ME).json()["username"] == user.username


def test_the_schema_builds_without_warnings_and_validates(tmp_path):
    call_command("spectacular", "--fail-on-warn", "--validate", "--file", str(tmp_path / "schema.yaml"))
    assert "Kaoping API" in (tmp_path / "schema.yaml").read_text()


def test_the_schema_and_its_viewers_are_behind_login_and_served_from_our_own_files(client):
    assert client.get("/api/schema/").status_code in (401, 403)
    client.force_login(UserFactory())
    assert client.get("/api/schema/").status_code == 200
    page = client.get("/api/schema/swagger/").content.decode()
    assert "/static/drf_spectacular_sidecar/" in page and "cdn" not in page.lower()
    assert "/static/drf_spectacular_sidecar/" in client.get("/api/schema/redoc/").content.decode()


def test_each_key_has_its_own_budget_at_the_rate_the_settings_say_now(settings):
    # Read on every request: a deployment's or a test's setting counts, not the one at import time.
    settings.KAOPING_API_RATE = "2/min"
    first, second = api_client("people:read"), api_client("people:read")
    assert [first.get(ME).status_code for _ in range(3)] == [200, 200, 429]
    assert second.get(ME).status_code == 200
    settings.KAOPING_API_RATE = "5/min"
    assert first.get(ME).status_code == 200
