"""API keys for tests: an HR owner by default, any scopes."""

from django.contrib.auth.models import Permission
from rest_framework.test import APIClient

from integrations.services import api_key_create
from tests.people.factories import UserFactory


def hr_user(**fields):
    user = UserFactory(**fields)
    user.user_permissions.add(Permission.objects.get(codename="manage_cycles"))
    return user


def api_client(*scopes: str, owner=None) -> APIClient:
    """A client that sends a fresh key with these scopes; `client.key` is the ApiKey row."""
    key, raw = api_key_create(name="人事系统", owner=owner or hr_user(), scopes=scopes)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    client.key = key
    client.raw_key = raw
    return client
