"""POST /api/v1/cases/{id}/transitions/: start improving after the feedback talks, then close; cycles:write."""

import pytest

from assessments.models import Case, TimelineEvent
from tests.assessments.factories import CaseFactory
from tests.integrations.factories import api_client

pytestmark = pytest.mark.django_db


def post(client, case: Case, **payload):
    return client.post(f"/api/v1/cases/{case.pk}/transitions/", payload, format="json")


def test_a_released_case_starts_improving_and_then_closes_with_a_reason(writer, released):
    _, case, _ = released
    response = post(writer, case, action="start_improving")
    assert response.status_code == 200
    assert response.json()["status"] == "improving" and response.json()["id"] == case.pk
    assert response.json()["timeline"][-1]["action"] == "improving"

    response = post(writer, case, action="close", reason="整改计划已验收")
    assert response.status_code == 200 and response.json()["status"] == "closed"
    event = TimelineEvent.objects.filter(case=case).last()
    assert (event.action, event.reason, event.actor) == ("closed", "整改计划已验收", writer.key.owner)


def test_a_refused_transition_is_400_with_the_services_reason(writer, released):
    _, case, _ = released
    response = post(writer, case, action="close")
    assert response.status_code == 400
    [error] = response.json()["errors"]
    assert error["attr"] == "non_field_errors" and error["detail"].startswith("Cannot close the case")
    assert Case.objects.get(pk=case.pk).status == "feedback"


@pytest.mark.parametrize(
    ("payload", "field"),
    [({"action": "reopen"}, "action"), ({}, "action"), ({"action": "close", "reason": ["why"]}, "reason")],
)
def test_a_bad_payload_is_400_naming_the_field_and_writes_nothing(writer, released, payload, field):
    _, case, _ = released
    events = TimelineEvent.objects.count()
    response = writer.post(f"/api/v1/cases/{case.pk}/transitions/", payload, format="json")
    assert response.status_code == 400 and [e["attr"] for e in response.json()["errors"]] == [field]
    assert TimelineEvent.objects.count() == events and Case.objects.get(pk=case.pk).status == "feedback"


def test_a_key_without_cycles_write_gets_403(released):
    _, case, _ = released
    assert post(api_client("cycles:read", "results:read"), case, action="start_improving").status_code == 403
    assert Case.objects.get(pk=case.pk).status == "feedback"


def test_an_unknown_case_is_404(writer):
    CaseFactory()
    assert writer.post("/api/v1/cases/999999/transitions/", {"action": "close"}, format="json").status_code == 404
