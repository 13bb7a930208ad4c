"""/api/v1/plans/: improvement plans to read (plans:read; each owner sees what the web shows them) and HR's
transitions approve, return and verify (plans:write, HR only)."""

import base64
import datetime as dt
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from rest_framework.fields import DateField, DateTimeField
from rest_framework.test import APIClient

from assessments.models import Case, CaseSubject, Cycle, TimelineEvent
from followup.api.serializers import (
    ActionDetailSerializer,
    ActionSerializer,
    EvidenceSerializer,
    PlanDetailSerializer,
    PlanSerializer,
    ProgressUpdateSerializer,
)
from followup.evidence import evidence_check
from followup.models import Action, ImprovementPlan, ProgressUpdate
from followup.services import plan_create, progress_post
from tests.assessments.api.conftest import walk
from tests.assessments.factories import CaseFactory, CycleFactory, PersonFactory, UserFactory
from tests.followup.plan_helpers import case_with_weak_leader, hr_user, plan_to, user_of
from tests.integrations.factories import api_client

pytestmark = pytest.mark.django_db
URL = "/api/v1/plans/"
PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
    b"\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82"
)


def when(value: dt.datetime | None) -> str | None:
    return DateTimeField().to_representation(value) if value else None


def day(value: dt.date | None) -> str | None:
    return DateField().to_representation(value) if value else None


@pytest.fixture
def world():
    """A released case (members a, b, c, d; a is the principal) with plans: a's submitted, b's in progress
    (its first update carries a PNG as evidence), c's completed, and the team's a draft."""
    cycle, case, (a, b, c, d) = case_with_weak_leader()
    hr = hr_user()
    plans = {
        "a": plan_to("submitted", case, a, hr),
        "b": plan_to("approved", case, b, hr),
        "c": plan_to("completed", case, c, hr),
        "team": plan_create(subject=CaseSubject.objects.get(case=case, kind="team"), actor=user_of(a)),
    }
    first = plans["b"].actions.order_by("order", "id").first()
    png = evidence_check(SimpleUploadedFile("学习笔记.png", PNG, content_type="image/png"))
    progress_post(action=first, actor=user_of(b), note="开始落实", progress=10, files=[png])
    for plan in plans.values():
        plan.refresh_from_db()
    return {"cycle": cycle, "case": case, "people": (a, b, c, d), "hr": hr, "plans": plans}


@pytest.fixture
def plans_reader():
    return api_client("plans:read")


@pytest.fixture
def plans_writer():
    return api_client("plans:read", "plans:write")


def expected_action(action: Action, *, detail: bool = False) -> dict:
    indicator = action.indicator
    row = {
        "id": action.pk,
        "indicator": {"id": indicator.pk, "code": indicator.code, "dimension": indicator.dimension.code}
        if indicator
        else None,
        "title": action.title,
        "description": action.description,
        "owner": {"employee_number": action.owner.employee_number, "name": action.owner.name},
        "due_on": day(action.due_on),
        "status": action.status,
        "progress": action.progress,
        "overdue": False,
        "overdue_since": day(action.overdue_since),
        "completed_on": day(action.completed_on),
        "updates_count": action.updates.count(),
        "updated_at": when(action.updated_at),
    }
    if detail:
        row["updates"] = [
            {
                "id": update.pk,
                "note": update.note,
                "progress": update.progress,
                "created_at": when(update.created_at),
                "evidence": [
                    {
                        "id": e.pk,
                        "name": e.name,
                        "content_type": e.content_type,
                        "size": e.size,
                        "sha256": e.sha256,
                        "created_at": when(e.created_at),
                    }
                    for e in update.evidence.order_by("id")
                ],
            }
            for update in action.updates.order_by("created_at", "id")
        ]
    return row


def expected(plan: ImprovementPlan, *, detail: bool = False) -> dict:
    plan.refresh_from_db()
    subject = plan.subject
    team, person = subject.case.team, subject.person
    actions = list(plan.actions.order_by("order", "id"))
    return {
        "id": plan.pk,
        "subject": subject.pk,
        "case": subject.case_id,
        "cycle": subject.case.cycle_id,
        "kind": subject.kind,
        "person": {"id": person.pk, "employee_number": person.employee_number, "name": person.name} if person else None,
        "team": {"id": team.pk, "name": team.name},
        "org_unit": {"id": team.org_unit.pk, "code": team.org_unit.code, "name": team.org_unit.name},
        "status": plan.status,
        "goal": plan.goal,
        "return_reason": plan.return_reason,
        "verification_note": plan.verification_note,
        "progress": round(sum(a.progress for a in actions) / len(actions)) if actions else 0,
        "overdue": False,
        "created_at": when(plan.created_at),
        "submitted_at": when(plan.submitted_at),
        "approved_at": when(plan.approved_at),
        "completed_at": when(plan.completed_at),
        "verified_at": when(plan.verified_at),
        "updated_at": when(plan.updated_at),
        "actions": [expected_action(a, detail=detail) for a in actions],
    }


def ids(client, **params) -> list[int]:
    response = client.get(URL, params)
    assert response.status_code == 200, response.content
    return [row["id"] for row in response.json()["results"]]


def snapshot(plan: ImprovementPlan) -> tuple:
    plan.refresh_from_db()
    return plan.status, plan.return_reason, plan.verification_note, plan.updated_at


# --- Reading ------------------------------------------------------------------------------------------------


def test_it_lists_plans_with_their_actions_in_the_order_they_changed(plans_reader, world):
    rows = walk(plans_reader, f"{URL}?page_size=2")
    in_order = sorted(world["plans"].values(), key=lambda p: (p.updated_at, p.pk))
    assert rows == [expected(plan) for plan in in_order]
    in_progress = next(row for row in rows if row["id"] == world["plans"]["b"].pk)
    assert in_progress["status"] == "in_progress" and in_progress["actions"][0]["updates_count"] == 1
    team = next(row for row in rows if row["id"] == world["plans"]["team"].pk)
    assert (team["kind"], team["person"]) == ("team", None)


def test_a_plan_shows_its_progress_updates_with_the_evidence_checksums(plans_reader, world):
    plan = world["plans"]["b"]
    response = plans_reader.get(f"{URL}{plan.pk}/")
    assert response.status_code == 200
    body = response.json()
    assert body == expected(plan, detail=True)
    [update] = body["actions"][0]["updates"]
    [evidence] = update["evidence"]
    assert (update["note"], update["progress"]) == ("开始落实", 10)
    assert (evidence["name"], evidence["content_type"], evidence["size"]) == ("学习笔记.png", "image/png", len(PNG))
    assert len(evidence["sha256"]) == 64 and "url" not in evidence and "file" not in evidence


def test_the_schema_names_exactly_the_fields_a_plan_has(plans_reader, world):
    listed = plans_reader.get(URL).json()["results"][0]
    shown = plans_reader.get(f"{URL}{world['plans']['b'].pk}/").json()
    assert list(listed) == list(PlanSerializer().fields) == list(shown)
    assert list(listed["actions"][0]) == list(ActionSerializer().fields)
    assert list(shown["actions"][0]) == list(ActionDetailSerializer().fields)
    assert list(shown["actions"][0]["updates"][0]) == list(ProgressUpdateSerializer().fields)
    assert list(shown["actions"][0]["updates"][0]["evidence"][0]) == list(EvidenceSerializer().fields)
    assert list(PlanDetailSerializer().fields) == list(PlanSerializer().fields)


def keys_of(value) -> set[str]:
    if isinstance(value, dict):
        return set(value) | {k for v in value.values() for k in keys_of(v)}
    if isinstance(value, list):
        return {k for v in value for k in keys_of(v)}
    return set()


def test_no_field_shows_a_rater_an_author_or_a_score(plans_reader, world):
    """Plans are written from the leader's results, but carry none of the rating: no ballot, score, rater,
    rater group, and not who posted an update or moved the plan on (usernames never appear)."""
    listed = plans_reader.get(URL).json()
    shown = [plans_reader.get(f"{URL}{plan.pk}/").json() for plan in world["plans"].values()]
    keys = keys_of(listed) | keys_of(shown)
    for word in ("rater", "ballot", "score", "group", "vote", "author", "actor", "by", "user", "assignment"):
        assert not [k for k in keys if word in k.split("_")], word
    text = json.dumps([listed, shown], ensure_ascii=False)
    people = [*world["people"], *(s.person for s in world["case"].subjects.exclude(person=None))]
    usernames = {p.user.get_username() for p in people if p.user_id} | {world["hr"].get_username()}
    assert not [name for name in usernames if name in text]


def test_an_overdue_action_marks_its_plan_overdue_while_it_is_under_way(plans_reader, world):
    b, c = world["plans"]["b"], world["plans"]["c"]
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    late = b.actions.exclude(status="done").order_by("order", "id").first()
    Action.objects.filter(pk=late.pk).update(due_on=yesterday)
    # A completed plan's actions are all done: a past due day makes nothing overdue there.
    Action.objects.filter(plan=c).update(due_on=yesterday)
    body = plans_reader.get(f"{URL}{b.pk}/").json()
    assert body["overdue"] is True
    assert [a["overdue"] for a in body["actions"]] == [a.pk == late.pk for a in b.actions.order_by("order", "id")]
    assert plans_reader.get(f"{URL}{c.pk}/").json()["overdue"] is False
    assert ids(plans_reader, overdue="true") == [b.pk]
    assert set(ids(plans_reader, overdue="false")) == {p.pk for p in world["plans"].values()} - {b.pk}


# --- Filters -----------------------------------------------------------------------------------------------


def test_it_filters_by_cycle_case_status_org_unit_person_and_kind(plans_reader, world):
    plans, case = world["plans"], world["case"]
    b = world["people"][1]
    elsewhere = plan_to("submitted", *other_case_and_leader(), hr=world["hr"])
    everything = {p.pk for p in plans.values()}
    assert set(ids(plans_reader, cycle=world["cycle"].pk)) == everything
    assert set(ids(plans_reader, case=case.pk)) == everything
    assert set(ids(plans_reader, status="submitted")) == {plans["a"].pk, elsewhere.pk}
    assert set(ids(plans_reader, status=["draft", "completed"])) == {plans["team"].pk, plans["c"].pk}
    assert set(ids(plans_reader, org_unit=case.team.org_unit.code)) == everything
    assert ids(plans_reader, org_unit=elsewhere.subject.case.team.org_unit.code) == [elsewhere.pk]
    assert ids(plans_reader, person=b.employee_number) == [plans["b"].pk]
    assert ids(plans_reader, kind="team") == [plans["team"].pk]
    assert ids(plans_reader, cycle=world["cycle"].pk, status="submitted") == [plans["a"].pk]


def other_case_and_leader() -> tuple:
    _, case, (leader, *_) = case_with_weak_leader()
    return case, leader


def test_updated_since_finds_plans_whose_progress_moved(plans_reader, world):
    """A progress update changes the action's row, not the plan's, but it changes the plan as the API shows
    it: a syncing client must see it."""
    b = world["plans"]["b"]
    since = timezone.now()
    assert ids(plans_reader, updated_since=since.isoformat()) == []
    action = b.actions.order_by("order", "id").first()
    progress_post(action=action, actor=user_of(world["people"][1]), note="过半", progress=60)
    assert ids(plans_reader, updated_since=since.isoformat()) == [b.pk]


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"overdue": "null"}, "overdue"),
        ({"overdue": "yes"}, "overdue"),
        ({"overdue": ""}, "overdue"),
        ({"status": "lost"}, "status"),
        ({"status": ["approved", "lost"]}, "status"),
        ({"cycle": "one"}, "cycle"),
        ({"person": ""}, "person"),
        ({"updated_since": "yesterday"}, "updated_since"),
        ({"ordering": "status"}, "ordering"),
        ({"page_size": "501"}, "page_size"),
    ],
)
def test_a_bad_filter_is_400_naming_the_parameter(plans_reader, params, field):
    response = plans_reader.get(URL, params)
    assert response.status_code == 400, response.content
    assert [e["attr"] for e in response.json()["errors"]] == [field]


def test_it_pages_with_a_cursor_in_either_order(plans_reader):
    made = plan_rows(5)
    assert [p["id"] for p in walk(plans_reader, f"{URL}?page_size=2&ordering=id")] == [p.pk for p in made]
    assert [p["id"] for p in walk(plans_reader, f"{URL}?page_size=2&ordering=-id")] == [p.pk for p in made[::-1]]


@pytest.mark.parametrize("position", ["abc", "1\x00", "2026-13-45"])
@pytest.mark.parametrize("ordering", [None, "-updated_at", "id"])
def test_a_tampered_cursor_is_404(plans_reader, position, ordering):
    plan_rows(2)
    cursor = base64.b64encode(f"p={position}".encode()).decode()
    params = {"cursor": cursor, **({"ordering": ordering} if ordering else {})}
    response = plans_reader.get(URL, params)
    assert response.status_code == 404 and response.json()["errors"][0]["code"] == "not_found"


# --- Who sees what ------------------------------------------------------------------------------------------


def test_a_key_without_plans_read_gets_403(world):
    client = api_client("cycles:read", "results:read")
    plan = world["plans"]["a"]
    assert client.get(URL).status_code == 403
    response = client.get(f"{URL}{plan.pk}/")
    assert response.status_code == 403
    assert response.json()["errors"][0]["detail"] == "This API key lacks the scope plans:read."


def test_a_leaders_key_sees_only_their_own_plan_and_a_foreign_one_is_404(world):
    a, b, *_ = world["people"]
    plans = world["plans"]
    leader = api_client("plans:read", owner=user_of(b))
    assert ids(leader) == [plans["b"].pk]
    assert leader.get(f"{URL}{plans['b'].pk}/").status_code == 200
    for foreign in ("a", "c", "team"):
        response = leader.get(f"{URL}{plans[foreign].pk}/")
        assert response.status_code == 404 and response.json()["errors"][0]["code"] == "not_found"
    # The team's principal follows every plan of the team.
    principal = api_client("plans:read", owner=user_of(a))
    assert set(ids(principal)) == {p.pk for p in plans.values()}


def test_a_browser_session_sees_what_the_web_shows_it(world):
    stranger = APIClient()
    stranger.force_login(PersonFactory(user=UserFactory()).user)
    assert ids(stranger) == []
    assert stranger.get(f"{URL}{world['plans']['a'].pk}/").status_code == 404
    leader = APIClient()
    leader.force_login(user_of(world["people"][2]))
    assert ids(leader) == [world["plans"]["c"].pk]
    assert APIClient().get(URL).status_code == 401


def test_an_unknown_plan_or_an_id_that_is_no_number_is_a_json_404(plans_writer, world):
    for segment in ("999999", "abc", "1.5"):
        assert plans_writer.get(f"{URL}{segment}/").json()["errors"][0]["code"] == "not_found"
        response = plans_writer.post(f"{URL}{segment}/approve/", format="json")
        assert response.status_code == 404 and response.json()["errors"][0]["code"] == "not_found"


# --- HR's transitions ---------------------------------------------------------------------------------------


def test_hr_approves_a_submitted_plan_and_the_case_starts_improving(plans_writer, world):
    plan, case = world["plans"]["a"], world["case"]
    response = plans_writer.post(f"{URL}{plan.pk}/approve/", format="json")
    assert response.status_code == 200, response.content
    assert response.json() == expected(plan, detail=True)
    assert response.json()["status"] == "approved" and response.json()["approved_at"]
    assert Case.objects.get(pk=case.pk).status == "improving"
    event = TimelineEvent.objects.filter(case=case, action="plan_approved").last()
    assert event.actor == plans_writer.key.owner


def test_hr_returns_a_submitted_plan_with_the_reason(plans_writer, world):
    plan = world["plans"]["a"]
    response = plans_writer.post(f"{URL}{plan.pk}/return/", {"reason": "  措施不够具体  "}, format="json")
    assert response.status_code == 200, response.content
    assert (response.json()["status"], response.json()["return_reason"]) == ("returned", "措施不够具体")
    event = TimelineEvent.objects.filter(action="plan_returned").last()
    assert (event.reason, event.actor) == ("措施不够具体", plans_writer.key.owner)


@pytest.mark.parametrize("payload", [{"note": "经核实，已完成"}, {}])
def test_hr_verifies_a_completed_plan_with_or_without_a_note(plans_writer, world, payload):
    plan = world["plans"]["c"]
    response = plans_writer.post(f"{URL}{plan.pk}/verify/", payload, format="json")
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["status"], body["verification_note"]) == ("verified", payload.get("note", ""))
    assert body == expected(plan, detail=True)


@pytest.mark.parametrize(
    ("plan", "path", "payload", "message"),
    [
        ("b", "approve", None, "Cannot approve this plan: it is In progress."),
        ("team", "return", {"reason": "不行"}, "Cannot return this plan: it is Draft."),
        ("a", "verify", {"note": "好"}, "Cannot verify this plan: it is Submitted."),
    ],
)
def test_a_refused_transition_is_400_with_the_services_reason_and_changes_nothing(
    plans_writer, world, plan, path, payload, message
):
    plan = world["plans"][plan]
    before, events = snapshot(plan), TimelineEvent.objects.count()
    response = plans_writer.post(f"{URL}{plan.pk}/{path}/", payload, format="json")
    assert response.status_code == 400
    assert response.json() == {
        "type": "validation_error",
        "errors": [{"code": "invalid", "detail": message, "attr": "non_field_errors"}],
    }
    assert snapshot(plan) == before and TimelineEvent.objects.count() == events


@pytest.mark.parametrize(
    ("path", "payload", "field", "code"),
    [
        ("return", {}, "reason", "required"),
        ("return", {"reason": ""}, "reason", "blank"),
        ("return", {"reason": "   "}, "reason", "blank"),
        ("return", {"reason": "太" * 5001}, "reason", "max_length"),
        ("return", {"reason": 12}, "reason", "invalid"),
        ("return", {"reason": ["why"]}, "reason", "invalid"),
        ("return", {"reason": None}, "reason", "null"),
        ("verify", {"note": 5}, "note", "invalid"),
        ("verify", {"note": "好" * 5001}, "note", "max_length"),
    ],
)
def test_a_bad_payload_is_400_naming_the_field_and_changes_nothing(plans_writer, world, path, payload, field, code):
    plan = world["plans"]["a" if path == "return" else "c"]
    before, events = snapshot(plan), TimelineEvent.objects.count()
    response = plans_writer.post(f"{URL}{plan.pk}/{path}/", payload, format="json")
    assert response.status_code == 400, response.content
    assert [(e["attr"], e["code"]) for e in response.json()["errors"]] == [(field, code)]
    assert snapshot(plan) == before and TimelineEvent.objects.count() == events


def test_a_body_that_is_not_json_is_400(plans_writer, world):
    plan = world["plans"]["a"]
    response = plans_writer.post(f"{URL}{plan.pk}/return/", "{", content_type="application/json")
    assert response.status_code == 400 and response.json()["type"] == "client_error"
    assert snapshot(plan)[0] == "submitted"


def test_a_key_without_plans_write_gets_403_and_changes_nothing(world):
    plan = world["plans"]["a"]
    before = snapshot(plan)
    response = api_client("plans:read", "cycles:write").post(f"{URL}{plan.pk}/approve/", format="json")
    assert response.status_code == 403
    assert response.json()["errors"][0]["detail"] == "This API key lacks the scope plans:write."
    assert snapshot(plan) == before


def test_only_hr_runs_the_transitions_even_on_their_own_plan(world):
    """A leader's key with every plan scope still acts as the leader: approving is HR's."""
    a = world["people"][0]
    plan = world["plans"]["a"]
    before = snapshot(plan)
    leader = api_client("plans:read", "plans:write", owner=user_of(a))
    for path, payload in (("approve", None), ("return", {"reason": "自己退回"}), ("verify", {})):
        assert leader.post(f"{URL}{plan.pk}/{path}/", payload, format="json").status_code == 403
    assert snapshot(plan) == before


# --- Query counts -------------------------------------------------------------------------------------------

# The request's own: savepoint and release (ATOMIC_REQUESTS), the key, the owner's two permission reads.
OVERHEAD = 5


def plan_rows(n: int) -> list[ImprovementPlan]:
    """n plans in n cases of one released cycle, written directly: two actions each (one on an indicator, one
    late), an update on the first."""
    cycle = CycleFactory(status=Cycle.Status.RELEASED)
    indicator = cycle.framework.dimensions.first().indicators.first()
    today = timezone.localdate()
    made = []
    for _ in range(n):
        case = CaseFactory(cycle=cycle, status=Case.Status.IMPROVING)
        person = PersonFactory(org_unit=case.team.org_unit)
        subject = CaseSubject.objects.create(case=case, person=person, position="经理", is_principal=True, order=1)
        plan = ImprovementPlan.objects.create(subject=subject, status=ImprovementPlan.Status.IN_PROGRESS, goal="提升")
        first = Action.objects.create(
            plan=plan, indicator=indicator, title="学习", owner=person, due_on=today, progress=20, order=1
        )
        Action.objects.create(plan=plan, title="调研", owner=person, due_on=today - dt.timedelta(days=3), order=2)
        ProgressUpdate.objects.create(action=first, note="已学习两次", progress=20)
        made.append(plan)
    return made


@pytest.mark.parametrize("rows", [5, 50])
def test_the_list_costs_the_same_queries_for_5_and_50_plans(plans_reader, django_assert_num_queries, rows):
    plan_rows(rows)
    plans_reader.get("/api/v1/me/")  # the key's first use of the minute writes last_used_at
    # Plans with subject, person, case, team and unit; their actions with indicator, dimension, owner and count.
    with django_assert_num_queries(OVERHEAD + 2):
        response = plans_reader.get(URL, {"page_size": 100, "overdue": "true"})
    assert response.status_code == 200 and len(response.json()["results"]) == rows
    assert all(row["overdue"] and row["progress"] == 10 for row in response.json()["results"])


@pytest.mark.parametrize("rows", [1, 10])
def test_a_plan_costs_the_same_queries_however_many_updates_it_has(plans_reader, django_assert_num_queries, rows):
    [plan] = plan_rows(1)
    action = plan.actions.first()
    for i in range(rows):
        ProgressUpdate.objects.create(action=action, note=f"第{i}次", progress=20)
    plans_reader.get("/api/v1/me/")
    # The plan, its actions, their updates, the updates' evidence.
    with django_assert_num_queries(OVERHEAD + 4):
        response = plans_reader.get(f"{URL}{plan.pk}/")
    assert response.status_code == 200 and len(response.json()["actions"][0]["updates"]) == rows + 1
