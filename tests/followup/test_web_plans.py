"""The improvement-plan pages: the leader drafts from "My results", edits, submits; HR returns with a reason,
approves, verifies; progress with evidence checked by what the file is; downloads only for those who may see
the plan; everyone else gets a 404 on every plan URL."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from assessments.models import Case, Indicator, TimelineEvent
from followup.models import Action, Evidence, ImprovementPlan, ProgressUpdate
from followup.services import plan_verify
from tests.assessments.factories import PersonFactory
from tests.followup.plan_helpers import case_with_weak_leader, hr_user, plan_to, subject_of, user_of

pytestmark = pytest.mark.django_db

PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000100e221bc330000000049454e44ae426082"
)
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def later(days: int = 30) -> str:
    return (timezone.localdate() + dt.timedelta(days=days)).isoformat()


def page(client, name: str, *args) -> str:
    response = client.get(reverse(name, args=args))
    assert response.status_code == 200
    return response.content.decode()


def test_a_leader_drafts_from_my_results_edits_and_submits(client):
    _, case, (a, *_) = case_with_weak_leader()
    client.force_login(user_of(a))
    html = page(client, "followup:my_results")
    assert "Draft my improvement plan" in html

    response = client.post(reverse("followup:plan_draft", args=[subject_of(case, a).pk]))
    plan = ImprovementPlan.objects.get(subject__person=a)
    assert response.status_code == 302 and response["Location"] == reverse("followup:plan", args=[plan.pk])
    actions = list(plan.actions.all())
    assert {x.indicator.code for x in actions} == {"theory_study", "resp_service", "prof_people"}
    html = page(client, "followup:plan", plan.pk)
    assert "Where the suggestions come from" in html and "team average" in html
    assert 'aria-current="step"' in html and "Submit the plan to HR" in html
    assert "Open my plan" in page(client, "followup:my_results")
    assert "Draft my improvement plan" not in page(client, "followup:my_results")

    first = actions[0]
    other = Indicator.objects.filter(dimension__framework=case.cycle.framework, code="prof_execution").get()
    url = reverse("followup:plan_action", args=[plan.pk, first.pk])
    response = client.post(
        url, {"op": "save", "title": "每月一次专题学习", "description": "", "indicator": other.pk, "due_on": later(60)}
    )
    assert response.status_code == 302
    first.refresh_from_db()
    assert first.title == "每月一次专题学习" and first.indicator == other

    # An indicator of another framework is not on offer; a past date is the service's to refuse.
    foreign = Indicator.objects.exclude(dimension__framework=case.cycle.framework).first()
    if foreign is not None:
        response = client.post(url, {"op": "save", "title": "x", "indicator": foreign.pk, "due_on": later()})
        assert response.status_code == 400
    response = client.post(url, {"op": "save", "title": "我的原话", "due_on": "2020-01-01"})
    assert response.status_code == 400
    html = response.content.decode()
    assert "The due date cannot be in the past." in html and "我的原话" in html

    add = reverse("followup:plan_action_add", args=[plan.pk])
    assert client.post(add, {"title": "走访十个班组", "due_on": later(90)}).status_code == 302
    added = plan.actions.get(title="走访十个班组")
    assert client.post(reverse("followup:plan_action", args=[plan.pk, added.pk]), {"op": "remove"}).status_code == 302
    assert not plan.actions.filter(pk=added.pk).exists()
    assert client.post(reverse("followup:plan_edit", args=[plan.pk]), {"goal": "补齐理论学习短板"}).status_code == 302

    response = client.post(reverse("followup:plan_transition", args=[plan.pk]), {"action": "submit"}, follow=True)
    plan.refresh_from_db()
    assert plan.status == "submitted" and plan.goal == "补齐理论学习短板"
    html = response.content.decode()
    assert "Submitted: HR will review your plan." in html and "Submit the plan to HR" not in html


def test_hr_returns_with_a_reason_the_leader_sees_then_approves_the_resubmitted_plan(client):
    _, case, (a, *_) = case_with_weak_leader()
    hr = hr_user()
    plan = plan_to("submitted", case, a, hr)
    client.force_login(hr)
    url = reverse("followup:hr_plan_transition", args=[plan.pk])
    response = client.post(url, {"action": "return", "reason": "  "})
    assert response.status_code == 400 and "This field is required." in response.content.decode()
    client.post(url, {"action": "return", "reason": "措施不够具体，请写明频次。"})
    plan.refresh_from_db()
    assert plan.status == "returned"

    client.force_login(user_of(a))
    html = page(client, "followup:plan", plan.pk)
    assert "Returned by HR: please revise" in html and "措施不够具体，请写明频次。" in html
    client.post(reverse("followup:plan_transition", args=[plan.pk]), {"action": "submit"})
    plan.refresh_from_db()
    assert plan.status == "submitted"

    client.force_login(hr)
    html = page(client, "followup:hr_plan", plan.pk)
    assert "Approve the plan" in html and "Change history" in html and hr.get_username() in html
    client.post(url, {"action": "approve"})
    plan.refresh_from_db()
    assert plan.status == "approved"
    assert TimelineEvent.objects.filter(case=case, action="plan_returned", reason="措施不够具体，请写明频次。").exists()


def test_progress_with_evidence_to_completed_and_verified(client):
    _, case, (a, *_) = case_with_weak_leader()
    hr = hr_user()
    plan = plan_to("approved", case, a, hr)
    client.force_login(user_of(a))
    actions = list(plan.actions.all())
    for i, action in enumerate(actions):
        files = [SimpleUploadedFile("会议纪要.pdf", PDF), SimpleUploadedFile("照片.png", PNG)] if i == 0 else []
        response = client.post(
            reverse("followup:plan_progress", args=[plan.pk, action.pk]),
            {"note": "已完成", "progress": "100", "files": files},
        )
        assert response.status_code == 302, response.content.decode()[:2000]
    assert {(e.name, e.content_type) for e in Evidence.objects.all()} == {
        ("会议纪要.pdf", "application/pdf"),
        ("照片.png", "image/png"),
    }
    html = page(client, "followup:plan", plan.pk)
    assert "会议纪要.pdf" in html and "100%" in html and "Mark the plan completed" in html
    client.post(reverse("followup:plan_transition", args=[plan.pk]), {"action": "complete"})
    plan.refresh_from_db()
    assert plan.status == "completed"

    client.force_login(hr)
    client.post(reverse("followup:hr_plan_transition", args=[plan.pk]), {"action": "verify", "note": "材料齐全"})
    plan.refresh_from_db()
    assert plan.status == "verified"
    client.force_login(user_of(a))
    html = page(client, "followup:plan", plan.pk)
    assert "HR verified this plan" in html and "材料齐全" in html


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("big.png", PNG + b"\0" * 2000, "is too large"),
        ("report.pdf", b"\x7fELF\x02\x01\x01\x00" + b"\0" * 200, "is not a file type we accept"),
        ("notes.docx", "这是一段纯文本，不是 Word 文件。".encode(), "is not a file type we accept"),
    ],
)
def test_a_bad_evidence_file_refuses_the_update_and_keeps_what_was_typed(client, settings, name, content, message):
    settings.KAOPING_EVIDENCE_MAX_BYTES = 1000
    _, case, (a, *_) = case_with_weak_leader()
    plan = plan_to("approved", case, a, hr_user())
    action = plan.actions.first()
    client.force_login(user_of(a))
    response = client.post(
        reverse("followup:plan_progress", args=[plan.pk, action.pk]),
        {
            "note": "我写的进展说明",
            "progress": "40",
            "files": [SimpleUploadedFile("ok.png", PNG), SimpleUploadedFile(name, content)],
        },
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert message in html and name in html and "我写的进展说明" in html and 'value="40"' in html
    assert not ProgressUpdate.objects.exists() and not Evidence.objects.exists()
    action.refresh_from_db()
    assert action.progress == 0
    plan.refresh_from_db()
    assert plan.status == "approved"


def test_progress_cannot_go_back_and_says_so(client):
    _, case, (a, *_) = case_with_weak_leader()
    plan = plan_to("in_progress", case, a, hr_user())  # the first action stands at 10 %
    action = plan.actions.first()
    client.force_login(user_of(a))
    response = client.post(reverse("followup:plan_progress", args=[plan.pk, action.pk]), {"note": "x", "progress": 5})
    assert response.status_code == 400 and "Progress cannot go back" in response.content.decode()


def test_evidence_is_downloaded_only_by_those_who_may_see_the_plan(client):
    _, case, (a, b, *_) = case_with_weak_leader()
    hr = hr_user()
    plan = plan_to("approved", case, a, hr)
    client.force_login(user_of(a))
    client.post(
        reverse("followup:plan_progress", args=[plan.pk, plan.actions.first().pk]),
        {"note": "纪要", "progress": 20, "files": [SimpleUploadedFile("学习 纪要.pdf", PDF)]},
    )
    evidence = Evidence.objects.get()
    url = reverse("followup:plan_evidence", args=[evidence.pk])
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"].startswith("attachment; filename*=utf-8''")
    assert "%E5%AD%A6%E4%B9%A0%20%E7%BA%AA%E8%A6%81.pdf" in response["Content-Disposition"]
    assert b"".join(response.streaming_content) == PDF

    client.force_login(hr)
    assert client.get(url).status_code == 200
    client.force_login(user_of(b))  # a colleague, not the principal
    assert client.get(url).status_code == 404
    client.force_login(user_of(PersonFactory()))
    assert client.get(url).status_code == 404
    assert client.get(reverse("followup:plan_evidence", args=[evidence.pk + 1000])).status_code == 404
    client.logout()
    response = client.get(url)
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_another_leader_gets_a_404_on_every_plan_url(client):
    _, case, (a, b, *_) = case_with_weak_leader()
    plan = plan_to("approved", case, a, hr_user())
    action = plan.actions.first()
    client.force_login(user_of(b))
    gets = [reverse("followup:plan", args=[plan.pk]), reverse("followup:hr_plan", args=[plan.pk])]
    posts = [
        (reverse("followup:plan_draft", args=[subject_of(case, a).pk]), {}),
        (reverse("followup:plan_edit", args=[plan.pk]), {"goal": "x"}),
        (reverse("followup:plan_transition", args=[plan.pk]), {"action": "complete"}),
        (reverse("followup:plan_action_add", args=[plan.pk]), {"title": "x", "due_on": later()}),
        (reverse("followup:plan_action", args=[plan.pk, action.pk]), {"op": "remove"}),
        (reverse("followup:plan_progress", args=[plan.pk, action.pk]), {"note": "x", "progress": 50}),
        (reverse("followup:hr_plan_transition", args=[plan.pk]), {"action": "approve"}),
    ]
    for url in gets:
        assert client.get(url).status_code == 404, url
    for url, data in posts:
        assert client.post(url, data).status_code == 404, url
    assert not ProgressUpdate.objects.exists() and plan.actions.count() == 3
    html = page(client, "followup:plans")
    assert reverse("followup:plan", args=[plan.pk]) not in html and "My team" not in html


def test_the_principal_reads_the_members_plan_but_cannot_change_it(client):
    _, case, (a, b, *_) = case_with_weak_leader()
    plan = plan_to("submitted", case, b, hr_user())  # a is the principal
    client.force_login(user_of(a))
    html = page(client, "followup:plans")
    assert "My team's plans" in html and reverse("followup:plan", args=[plan.pk]) in html
    html = page(client, "followup:plan", plan.pk)
    assert "Submit the plan to HR" not in html and "Edit this action" not in html
    assert client.post(reverse("followup:plan_edit", args=[plan.pk]), {"goal": "x"}).status_code == 404


def test_hr_lists_a_cycles_plans_with_filters_counts_and_who_has_none(client, hr):
    cycle, case, (a, b, c, d) = case_with_weak_leader()
    plan_to("approved", case, a, hr)
    plan_to("submitted", case, b, hr)
    Action.objects.filter(plan__subject__person=a).update(due_on=timezone.localdate() - dt.timedelta(days=2))
    url = reverse("followup:hr_plans", args=[cycle.pk])
    html = page(client, "followup:hr_plans", cycle.pk)
    assert a.name in html and b.name in html and "Overdue" in html
    assert "Members with no plan yet" in html and c.name in html and d.name in html

    def listed(**filters) -> str:
        response = client.get(url, filters)
        assert response.status_code == 200
        return response.content.decode().split('id="plans-title"', 1)[1].split("</table>", 1)[0]

    assert b.name in listed(status="submitted") and a.name not in listed(status="submitted")
    assert a.name in listed(overdue="on") and b.name not in listed(overdue="on")
    assert a.name in listed(org_unit=case.team.org_unit_id) and b.name in listed(org_unit=case.team.org_unit_id)
    # A unit outside the cycle is no choice: the filter is dropped rather than an error page shown.
    assert a.name in listed(org_unit=case.team.org_unit_id + 999)
    html = page(client, "followup:hr_plans", cycle.pk)
    assert ">Approved</a> <strong>1</strong>" in html and ">Submitted</a> <strong>1</strong>" in html
    assert reverse("followup:hr_plans", args=[cycle.pk]) in page(client, "assessments:hr_cycle", cycle.pk)


def test_hr_pages_are_404_for_a_leader(client):
    cycle, case, (a, *_) = case_with_weak_leader()
    plan = plan_to("submitted", case, a, hr_user())
    client.force_login(user_of(a))
    assert client.get(reverse("followup:hr_plans", args=[cycle.pk])).status_code == 404
    assert client.get(reverse("followup:hr_plan", args=[plan.pk])).status_code == 404
    assert client.get(reverse("reports:case_file", args=[case.pk])).status_code == 404


def test_hr_closes_a_case_on_its_page_once_every_plan_is_verified(client):
    _, case, (a, b, *_) = case_with_weak_leader()
    hr = hr_user()
    plan_to("verified", case, a, hr)
    plan_b = plan_to("completed", case, b, hr)
    client.force_login(hr)
    url = reverse("assessments:hr_case_transition", args=[case.pk])
    page = client.post(url, {"action": "close"}, follow=True).content.decode()
    assert "every plan of it is verified: 1 not verified yet" in page
    case.refresh_from_db()
    assert case.status == Case.Status.IMPROVING
    plan_verify(plan=plan_b, actor=hr)
    page = client.post(url, {"action": "close", "reason": "整改全部完成"}, follow=True).content.decode()
    assert "The case is closed." in page
    case.refresh_from_db()
    assert case.status == Case.Status.CLOSED
    assert case.events.get(action="closed").reason == "整改全部完成"


def test_hr_sees_each_members_plan_on_the_case_page(client):
    _, case, (a, *_) = case_with_weak_leader()
    hr = hr_user()
    plan = plan_to("submitted", case, a, hr)
    client.force_login(hr)
    page = client.get(reverse("assessments:hr_case", args=[case.pk])).content.decode()
    assert reverse("followup:hr_plan", args=[plan.pk]) in page
    assert "Submitted" in page and page.count("No improvement plan yet.") == 3
