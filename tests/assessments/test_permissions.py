"""The permission matrix: every URL of the site, with every role. A page a role may not see answers 404
(never 403, which would confirm that someone else's ballot, assignment or result exists); anonymous
visitors are sent to log in, except on the anonymous-ballot pages, which need only a code."""

import pytest
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import get_resolver, reverse

from assessments.models import Assignment, CaseSubject
from followup.evidence import evidence_check
from followup.services import plan_approve, plan_create, plan_submit, progress_post
from tests.assessments.factories import CycleFactory, PersonFactory, UserFactory
from tests.assessments.helpers import open_case, released_case

pytestmark = pytest.mark.django_db

PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000100e221bc330000000049454e44ae426082"
)

ROLES = ("anonymous", "evaluator", "stranger", "leader", "principal", "hr", "superuser")
LOGIN = "login"


def expect(default, **overrides):
    """A row of the matrix: the status every role gets, anonymous sent to log in unless said otherwise."""
    row = dict.fromkeys(ROLES[1:], default)
    row["anonymous"] = LOGIN
    row.update(overrides)
    return row


HR_ONLY = {"hr": 200, "superuser": 200}


def matrix(world) -> list[tuple[str, str, str, dict, dict]]:
    """(url name, method, url, data, expected status per role)."""
    w = world
    return [
        ("home", "get", reverse("assessments:home"), {}, expect(302)),
        ("my_ballots", "get", reverse("assessments:my_ballots"), {}, expect(200)),
        ("sheet", "get", reverse("assessments:sheet", args=[w["assignment"].pk]), {}, expect(404, evaluator=200)),
        ("submit", "get", reverse("assessments:submit", args=[w["assignment"].pk]), {}, expect(404, evaluator=200)),
        ("my_results", "get", reverse("followup:my_results"), {}, expect(200)),
        (
            "feedback_respond",
            "post",
            reverse("followup:feedback_respond", args=[w["leader_subject"].pk]),
            {"response": "accept"},
            expect(404, leader=302),
        ),
        (
            "team_results",
            "get",
            reverse("followup:team_results", args=[w["released_case"].pk]),
            {},
            expect(404, principal=200, **HR_ONLY),
        ),
        ("hr_cycles", "get", reverse("assessments:hr_cycles"), {}, expect(404, **HR_ONLY)),
        ("hr_cycle_new", "get", reverse("assessments:hr_cycle_new"), {}, expect(404, **HR_ONLY)),
        ("hr_cycle", "get", reverse("assessments:hr_cycle", args=[w["open_cycle"].pk]), {}, expect(404, **HR_ONLY)),
        (
            "hr_cycle_edit",
            "get",
            reverse("assessments:hr_cycle_edit", args=[w["draft_cycle"].pk]),
            {},
            expect(404, **HR_ONLY),
        ),
        (
            "hr_cycle_groups",
            "get",
            reverse("assessments:hr_cycle_groups", args=[w["draft_cycle"].pk]),
            {},
            expect(404, **HR_ONLY),
        ),
        (
            "hr_cycle_teams",
            "post",
            reverse("assessments:hr_cycle_teams", args=[w["draft_cycle"].pk]),
            {},
            expect(404, hr=400, superuser=400),
        ),
        (
            "hr_cycle_remind",
            "post",
            reverse("assessments:hr_cycle_remind", args=[w["open_cycle"].pk]),
            {},
            expect(404, hr=302, superuser=302),
        ),
        (
            "hr_cycle_transition",
            "post",
            reverse("assessments:hr_cycle_transition", args=[w["draft_cycle"].pk]),
            {"action": "nonsense"},
            expect(404, hr=302, superuser=302),
        ),
        ("hr_case", "get", reverse("assessments:hr_case", args=[w["open_case"].pk]), {}, expect(404, **HR_ONLY)),
        (
            "hr_case_codes",
            "post",
            reverse("assessments:hr_case_codes", args=[w["open_case"].pk]),
            {"action": "add", "count": 1},
            expect(404, **HR_ONLY),
        ),
        (
            "hr_case_transition",
            "post",
            reverse("assessments:hr_case_transition", args=[w["open_case"].pk]),
            {"action": "nonsense"},
            expect(404, hr=302, superuser=302),
        ),
        (
            "hr_feedback_talk",
            "post",
            reverse("followup:hr_feedback_talk", args=[w["leader_subject"].pk]),
            {"held_on": "2026-01-05"},
            expect(404, hr=302, superuser=302),
        ),
        *plan_rows(w),
        ("code_entry", "get", reverse("assessments:code_entry"), {}, expect(200, anonymous=200)),
        # A printed code is exchanged for a slot of this browser; a slot without the browser's cookie is nobody's.
        ("code_link", "get", reverse("assessments:code_link", args=[w["code"]]), {}, expect(303, anonymous=303)),
        ("code_sheet", "get", reverse("assessments:code_sheet", args=["elsewhere"]), {}, expect(404, anonymous=404)),
        ("code_submit", "get", reverse("assessments:code_submit", args=["elsewhere"]), {}, expect(404, anonymous=404)),
    ]


def plan_rows(w) -> list[tuple[str, str, str, dict, dict]]:
    """The plan pages, the case file, appeals and the principal's talk form. The leader writes their plan;
    their principal and HR read it; nobody else learns it exists."""
    plan, subject = w["plan"].pk, w["leader_subject"].pk
    action = w["plan"].actions.first().pk
    readers = {"leader": 200, "principal": 200, **HR_ONLY}
    return [
        ("plans", "get", reverse("followup:plans"), {}, expect(200)),
        ("plan_draft", "post", reverse("followup:plan_draft", args=[subject]), {}, expect(404, leader=302)),
        ("plan", "get", reverse("followup:plan", args=[plan]), {}, expect(404, **readers)),
        ("plan_edit", "post", reverse("followup:plan_edit", args=[plan]), {"goal": "x"}, expect(404, leader=400)),
        (
            "plan_transition",
            "post",
            reverse("followup:plan_transition", args=[plan]),
            {"action": "nonsense"},
            expect(404, leader=302),
        ),
        ("plan_action_add", "post", reverse("followup:plan_action_add", args=[plan]), {}, expect(404, leader=400)),
        (
            "plan_action",
            "post",
            reverse("followup:plan_action", args=[plan, action]),
            {"op": "save"},
            expect(404, leader=400),
        ),
        (
            "plan_progress",
            "post",
            reverse("followup:plan_progress", args=[plan, action]),
            {},
            expect(404, leader=400),
        ),
        (
            "plan_evidence",
            "get",
            reverse("followup:plan_evidence", args=[w["evidence"].pk]),
            {},
            expect(404, **readers),
        ),
        (
            "team_feedback_talk",
            "post",
            reverse("followup:team_feedback_talk", args=[subject]),
            {"held_on": "2026-01-05"},
            expect(404, principal=302, hr=302, superuser=302),
        ),
        (
            "hr_case_file",
            "get",
            reverse("reports:case_file", args=[w["released_case"].pk]),
            {},
            expect(404, **HR_ONLY),
        ),
        (
            "hr_appeal",
            "post",
            reverse("followup:hr_appeal", args=[subject]),
            {"decision": "dismiss", "reason": "x"},
            expect(404, hr=302, superuser=302),
        ),
        (
            "hr_plans",
            "get",
            reverse("followup:hr_plans", args=[w["released_case"].cycle_id]),
            {},
            expect(404, **HR_ONLY),
        ),
        ("hr_plan", "get", reverse("followup:hr_plan", args=[plan]), {}, expect(404, **HR_ONLY)),
        (
            "hr_plan_transition",
            "post",
            reverse("followup:hr_plan_transition", args=[plan]),
            {"action": "nonsense"},
            expect(404, hr=302, superuser=302),
        ),
    ]


@pytest.fixture
def world(settings, tmp_path):
    open_cycle, open_case_, _members, (boss,), codes = open_case(members=2, superiors=1, codes=1)
    _released_cycle, released, (principal, leader, *_rest) = released_case()
    users = {"anonymous": None, "hr": UserFactory(), "superuser": UserFactory(is_superuser=True, is_staff=True)}
    users["hr"].user_permissions.add(Permission.objects.get(codename="manage_cycles"))
    for role, person in (
        ("evaluator", boss),
        ("stranger", PersonFactory()),
        ("leader", leader),
        ("principal", principal),
    ):
        person.user = UserFactory()
        person.save()
        users[role] = person.user
    # The leader's plan, approved and with one piece of evidence on record.
    settings.MEDIA_ROOT = tmp_path
    leader_subject = CaseSubject.objects.get(case=released, person=leader)
    plan = plan_create(subject=leader_subject, actor=users["leader"])
    plan_submit(plan=plan, actor=users["leader"])
    plan_approve(plan=plan, actor=users["hr"])
    png = SimpleUploadedFile("证明.png", PNG, content_type="image/png")
    update = progress_post(
        action=plan.actions.first(), actor=users["leader"], note="开始", progress=10, files=[evidence_check(png)]
    )
    return {
        "users": users,
        "plan": plan,
        "evidence": update.evidence.get(),
        "open_cycle": open_cycle,
        "open_case": open_case_,
        "draft_cycle": CycleFactory(),
        "assignment": Assignment.objects.get(case=open_case_, rater=boss),
        "code": codes[0],
        "released_case": released,
        "leader_subject": CaseSubject.objects.get(case=released, person=leader),
    }


@pytest.mark.parametrize("role", ROLES)
def test_every_role_gets_exactly_what_the_matrix_says(client, world, role):
    user = world["users"][role]
    if user is not None:
        client.force_login(user)
    rows = matrix(world)
    # Every page of assessments and followup, and HR's case file (reports', at its old HR address).
    pages = {
        p.name
        for urls in ("assessments.urls", "followup.urls")
        for p in get_resolver(urls).url_patterns
        if getattr(p, "name", None)
    } | {"hr_case_file"}
    assert {row[0] for row in rows} == pages, "every page of the site needs its row in the matrix"
    got, want = {}, {}
    for name, method, url, data, expected in matrix(world):
        response = getattr(client, method)(url, data)
        status = response.status_code
        if status == 302 and response["Location"].startswith(reverse(LOGIN)):
            status = LOGIN
        got[name], want[name] = status, expected[role]
        assert status != 403, f"{name} answered 403 to {role}: refusals must be 404"
    assert got == want
