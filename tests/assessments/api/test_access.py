"""Who may call what, with a browser session: exactly their web permissions. HR's endpoints answer 403 to
others; results answer each person what the web shows them, and someone else's result is a 404."""

import pytest
from rest_framework.test import APIClient

from assessments.models import CaseSubject, SubjectResult
from tests.assessments.factories import PersonFactory, UserFactory
from tests.integrations.factories import hr_user

pytestmark = pytest.mark.django_db

ROLES = ("anonymous", "stranger", "leader", "principal", "hr", "superuser")


def expect(default, **overrides) -> dict:
    row = dict.fromkeys(ROLES, default)
    row["anonymous"] = 401
    row.update(overrides)
    return row


HR = {"hr": 200, "superuser": 200}


@pytest.fixture
def world(released):
    cycle, case, (principal, leader, *_) = released

    def result(person) -> SubjectResult:
        return SubjectResult.objects.get(subject=CaseSubject.objects.get(case=case, person=person))

    users = {"anonymous": None, "hr": hr_user(), "superuser": UserFactory(is_superuser=True)}
    users["stranger"] = PersonFactory(user=UserFactory()).user
    for role, person in (("leader", leader), ("principal", principal)):
        person.user = UserFactory()
        person.save()
        users[role] = person.user
    v1 = "/api/v1"
    rows = [
        ("frameworks", "get", f"{v1}/frameworks/", expect(403, **HR)),
        ("framework", "get", f"{v1}/frameworks/{cycle.framework_id}/", expect(403, **HR)),
        ("cycles", "get", f"{v1}/cycles/", expect(403, **HR)),
        ("cycle", "get", f"{v1}/cycles/{cycle.pk}/", expect(403, **HR)),
        ("cycle transitions", "post", f"{v1}/cycles/{cycle.pk}/transitions/", expect(403, hr=400, superuser=400)),
        ("cases", "get", f"{v1}/cases/", expect(403, **HR)),
        ("case", "get", f"{v1}/cases/{case.pk}/", expect(403, **HR)),
        ("case transitions", "post", f"{v1}/cases/{case.pk}/transitions/", expect(403, hr=400, superuser=400)),
        ("results", "get", f"{v1}/results/", expect(200)),
        ("leader's result", "get", f"{v1}/results/{result(leader).pk}/", expect(404, leader=200, principal=200, **HR)),
        ("principal's result", "get", f"{v1}/results/{result(principal).pk}/", expect(404, principal=200, **HR)),
        ("results.csv", "get", f"{v1}/cycles/{cycle.pk}/results.csv", expect(403, **HR)),
        ("results.xlsx", "get", f"{v1}/cycles/{cycle.pk}/results.xlsx", expect(403, **HR)),
    ]
    return users, rows


@pytest.mark.parametrize("role", ROLES)
def test_every_role_gets_exactly_what_the_matrix_says(world, role):
    users, rows = world
    client = APIClient()
    if users[role] is not None:
        client.force_login(users[role])
    got, want = {}, {}
    for name, method, url, expected in rows:
        # A transition nobody knows: HR gets as far as the payload check, and nothing changes for anyone.
        response = client.post(url, {"action": "nonsense"}, format="json") if method == "post" else client.get(url)
        got[name], want[name] = response.status_code, expected[role]
    assert got == want
