import pytest
from django.contrib.auth.models import Permission

from tests.assessments.factories import UserFactory


@pytest.fixture
def hr(client):
    """A logged-in HR user: may run assessment cycles, is no superuser."""
    user = UserFactory()
    user.user_permissions.add(Permission.objects.get(codename="manage_cycles"))
    client.force_login(user)
    return user
