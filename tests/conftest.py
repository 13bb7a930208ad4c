import uuid

import pytest


@pytest.fixture(autouse=True)
def _english_by_default(settings):
    """Assertions read messages in English, in code and in pages; zh-hans is tested where it matters."""
    from django.utils import translation

    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def _fresh_cache(settings):
    """Each test sees an empty cache, also on CI's shared Redis, where a flush would hit Celery's queues too:
    throttling counters from one test (or an earlier run) must not leak into the next."""
    settings.CACHES = {
        name: {**config, "KEY_PREFIX": f"test-{uuid.uuid4().hex}"} for name, config in settings.CACHES.items()
    }


@pytest.fixture
def hr(client):
    """A logged-in HR user: may run assessment cycles, is no superuser."""
    from django.contrib.auth.models import Permission

    from tests.assessments.factories import UserFactory

    user = UserFactory()
    user.user_permissions.add(Permission.objects.get(codename="manage_cycles"))
    client.force_login(user)
    return user
