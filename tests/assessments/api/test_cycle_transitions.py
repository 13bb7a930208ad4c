"""POST /api/v1/cycles/{id}/transitions/: HR's cycle transitions over the API; scope cycles:write."""

import pytest

from assessments.models import Ballot, BallotCode, Cycle, SubjectResult, TimelineEvent
from assessments.services import case_create
from config.celery_app import app
from tests.assessments.factories import CycleFactory, PersonFactory, team_with_members
from tests.assessments.helpers import assignment_of, close, fill, open_case
from tests.integrations.factories import api_client

pytestmark = pytest.mark.django_db


def url(cycle: Cycle) -> str:
    return f"/api/v1/cycles/{cycle.pk}/transitions/"


def post(client, cycle: Cycle, **payload):
    return client.post(url(cycle), payload, format="json")


@pytest.fixture
def eager():
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = False


@pytest.fixture
def draft():
    """A draft cycle with one team of two and two anonymous codes to issue."""
    cycle = CycleFactory()
    team, _ = team_with_members(2)
    case = case_create(cycle=cycle, team=team, superiors=[PersonFactory()], anonymous_ballots=2)
    return cycle, case


def test_opening_answers_with_the_cycle_and_the_plain_codes_once(writer, draft):
    cycle, case = draft
    response = post(writer, cycle, action="open")
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    body = response.json()
    assert body["cycle"]["status"] == "open" and body["cycle"]["id"] == cycle.pk
    [issued] = body["codes"]
    assert issued["case"] == case.pk and len(issued["codes"]) == 2
    assert BallotCode.objects.filter(case=case).count() == 2
    event = TimelineEvent.objects.get(cycle=cycle, action="opened")
    assert event.actor == writer.key.owner  # the key acts as its owner, on the timeline too


def test_a_cycle_goes_through_close_score_release_and_archive(writer, eager, django_capture_on_commit_callbacks):
    cycle, case, (a, b), _, _ = open_case(members=2, superiors=0)
    for person in (a, b):
        fill(assignment=assignment_of(case, person), scores={a: 8, b: 7, "team": 8})

    response = post(writer, cycle, action="close")
    assert response.status_code == 200
    assert response.json() == {"cycle": response.json()["cycle"], "codes": []}
    assert response.json()["cycle"]["status"] == "closed" and "Cache-Control" not in response

    with django_capture_on_commit_callbacks(execute=True):
        response = post(writer, cycle, action="score")
    assert response.status_code == 202
    assert response.json()["cycle"]["status"] == "closed"  # the worker moves it on
    cycle.refresh_from_db()
    assert cycle.status == "scored" and SubjectResult.objects.filter(cycle=cycle).count() == 3

    assert post(writer, cycle, action="release").json()["cycle"]["status"] == "released"
    assert post(writer, cycle, action="archive").json()["cycle"]["status"] == "archived"
    actions = list(TimelineEvent.objects.filter(cycle=cycle, case=None).values_list("action", flat=True))
    assert actions[-4:] == ["closed", "scored", "released", "archived"]


def test_reopening_needs_a_reason_and_records_it(writer):
    cycle, *_ = open_case(members=2, superiors=0)
    close(cycle)
    response = post(writer, cycle, action="reopen", reason="  ")
    assert response.status_code == 400
    assert response.json() == {
        "type": "validation_error",
        "errors": [{"code": "invalid", "detail": "Give a reason for reopening the cycle.", "attr": "reason"}],
    }
    cycle.refresh_from_db()
    assert cycle.status == "closed" and not TimelineEvent.objects.filter(action="reopened").exists()

    response = post(writer, cycle, action="reopen", reason="两张选票迟交")
    assert response.status_code == 200 and response.json()["cycle"]["status"] == "open"
    assert TimelineEvent.objects.get(action="reopened", case=None).reason == "两张选票迟交"


def test_a_refused_transition_is_400_with_the_services_reason_and_changes_nothing(writer):
    cycle = CycleFactory(name="2026年度考评")
    events = TimelineEvent.objects.count()
    response = post(writer, cycle, action="close")
    assert response.status_code == 400
    assert response.json() == {
        "type": "validation_error",
        "errors": [
            {
                "code": "invalid",
                "detail": "Cannot close the cycle “2026年度考评”: it is Draft.",
                "attr": "non_field_errors",
            }
        ],
    }
    cycle.refresh_from_db()
    assert cycle.status == "draft" and TimelineEvent.objects.count() == events


def test_opening_a_cycle_without_teams_is_refused(writer):
    cycle = CycleFactory()
    response = post(writer, cycle, action="open")
    assert response.status_code == 400
    assert response.json()["errors"][0]["detail"] == "Add at least one team before opening the cycle."
    assert Cycle.objects.get(pk=cycle.pk).status == "draft"


def test_scoring_a_cycle_that_is_not_closed_is_refused_at_once(writer, django_capture_on_commit_callbacks):
    cycle, *_ = open_case(members=2, superiors=0)
    with django_capture_on_commit_callbacks() as queued:
        response = post(writer, cycle, action="score")
    assert response.status_code == 400 and queued == []
    assert "Cannot score the cycle" in response.json()["errors"][0]["detail"]


@pytest.mark.parametrize(
    ("payload", "field", "code"),
    [
        ({"action": "explode"}, "action", "invalid_choice"),
        ({}, "action", "required"),
        ({"action": "close", "reason": "x" * 2001}, "reason", "max_length"),
        ({"action": ["close"]}, "action", "invalid_choice"),
    ],
)
def test_a_bad_payload_is_400_naming_the_field_and_writes_nothing(writer, draft, payload, field, code):
    cycle, _ = draft
    events = TimelineEvent.objects.count()
    response = writer.post(url(cycle), payload, format="json")
    assert response.status_code == 400
    assert [(e["attr"], e["code"]) for e in response.json()["errors"]] == [(field, code)]
    assert TimelineEvent.objects.count() == events and Cycle.objects.get(pk=cycle.pk).status == "draft"


def test_a_body_that_is_not_json_is_415(writer, draft):
    cycle, _ = draft
    response = writer.post(url(cycle), "action=open", content_type="application/x-www-form-urlencoded")
    assert response.status_code == 415 and Cycle.objects.get(pk=cycle.pk).status == "draft"


@pytest.mark.parametrize("scopes", [("cycles:read",), ("results:read",), ("cycles:read", "results:read")])
def test_a_key_without_cycles_write_gets_403_and_changes_nothing(draft, scopes):
    cycle, _ = draft
    response = post(api_client(*scopes), cycle, action="open")
    assert response.status_code == 403
    assert Cycle.objects.get(pk=cycle.pk).status == "draft" and not Ballot.objects.exists()


def test_a_write_only_key_may_run_transitions(draft):
    cycle, _ = draft
    assert post(api_client("cycles:write"), cycle, action="open").status_code == 200


def test_an_unknown_cycle_is_404(writer):
    response = writer.post("/api/v1/cycles/999999/transitions/", {"action": "close"}, format="json")
    assert response.status_code == 404
