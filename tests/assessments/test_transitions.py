"""One table per state machine: the desk, the API and the admin offer and apply the same transitions."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from assessments.models import Cycle, TimelineEvent
from assessments.services.transitions import (
    CASE_TRANSITIONS,
    CYCLE_TRANSITIONS,
    cycle_transition_apply,
    cycle_transitions_for,
)
from tests.assessments.factories import CycleFactory, UserFactory
from tests.assessments.helpers import open_case
from tests.integrations.factories import api_client, hr_user

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("status", "test_mode", "offered"),
    [
        ("draft", False, ["open"]),
        ("open", False, ["close"]),
        ("open", True, ["purge", "close"]),
        ("closed", False, ["score", "reopen"]),
        ("scored", False, ["score", "release", "reopen"]),
        ("released", False, ["archive"]),
        ("archived", False, []),
    ],
)
def test_hr_is_offered_the_transitions_of_the_cycles_status(status, test_mode, offered):
    cycle = CycleFactory(status=status, test_mode=test_mode)
    assert [t.name for t in cycle_transitions_for(cycle=cycle, actor=hr_user())] == offered
    assert cycle_transitions_for(cycle=cycle, actor=UserFactory()) == []


def test_the_desk_shows_the_offered_transitions_as_buttons_and_the_reopen_as_a_form(client):
    cycle = CycleFactory(status=Cycle.Status.SCORED)
    client.force_login(hr_user())
    page = client.get(reverse("assessments:hr_cycle", args=[cycle.pk])).content.decode()
    for name in ("score", "release", "reopen"):
        assert f'name="action" value="{name}"' in page
    assert 'value="open"' not in page and 'value="archive"' not in page


def test_the_desk_and_the_api_apply_the_same_transition():
    cycle, *_ = open_case()
    client = api_client("cycles:read", "cycles:write")
    response = client.post(f"/api/v1/cycles/{cycle.pk}/transitions/", {"action": "close"}, format="json")
    assert response.status_code == 200
    cycle.refresh_from_db()
    assert cycle.status == Cycle.Status.CLOSED
    with pytest.raises(ValidationError):  # the service refuses what the status does not allow, whoever asks
        cycle_transition_apply(cycle=cycle, name="close", actor=hr_user())
    with pytest.raises(ValidationError, match="Unknown action"):
        cycle_transition_apply(cycle=cycle, name="explode", actor=hr_user())


def test_the_api_accepts_the_tables_names_and_no_other():
    from assessments.api.serializers import CaseTransitionSerializer, CycleTransitionSerializer

    assert set(CycleTransitionSerializer().fields["action"].choices) == set(CYCLE_TRANSITIONS) - {"purge"}
    assert set(CaseTransitionSerializer().fields["action"].choices) == set(CASE_TRANSITIONS)


def test_the_admin_action_runs_the_same_transition(admin_client):
    cycle, *_ = open_case()
    response = admin_client.post(
        reverse("admin:assessments_cycle_changelist"),
        {"action": "close_cycles", "_selected_action": [cycle.pk]},
        follow=True,
    )
    assert response.status_code == 200
    cycle.refresh_from_db()
    assert cycle.status == Cycle.Status.CLOSED
    assert TimelineEvent.objects.filter(cycle=cycle, case__isnull=True, action="closed").exists()
