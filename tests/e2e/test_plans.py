"""The improvement plan in a browser, from suggestion to verified: the leader (on a phone) drafts it from
"My results", edits an action and submits; HR approves; the leader posts progress with evidence to 100 % on
every action and marks it completed; HR verifies; the leader sees "Verified". axe audits the pages on the way."""

import re

import pytest
from django.contrib.auth.models import Permission
from playwright.sync_api import Page, expect

from followup.models import ImprovementPlan
from tests.assessments.factories import UserFactory
from tests.e2e.helpers import capture, log_in, user_for
from tests.e2e.test_accessibility import audit
from tests.followup.plan_helpers import case_with_weak_leader

pytestmark = pytest.mark.django_db(transaction=True)

PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000100e221bc330000000049454e44ae426082"
)


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def test_a_plan_goes_from_suggestion_to_verified(phone: Page, page: Page, url):
    cycle, case, (leader, *_) = case_with_weak_leader()
    hr = UserFactory()
    hr.user_permissions.add(Permission.objects.get(codename="manage_cycles"))
    found: list[str] = []

    # The leader drafts the plan from "My results", on a phone.
    log_in(phone, url, user_for(leader))
    phone.get_by_role("link", name="My results").click()
    phone.get_by_role("button", name="Draft my improvement plan").click()
    expect(phone.get_by_role("heading", level=1)).to_have_text("Improvement plan")
    expect(phone.locator('[aria-current="step"]')).to_contain_text("Draft")
    expect(phone.get_by_text("Where the suggestions come from")).to_be_visible()
    plan = ImprovementPlan.objects.get(subject__person=leader)
    actions = list(plan.actions.all())
    assert len(actions) == 3
    capture(phone, "plan-draft")
    found += audit(phone, "plan draft")

    first = phone.locator(f"#action-{actions[0].pk}")
    first.get_by_text("Edit this action").click()
    first.get_by_label(re.compile(r"^Action\b")).fill("每月一次理论专题学习")
    first.get_by_role("button", name="Save the action").click()
    expect(phone.get_by_role("heading", name="每月一次理论专题学习")).to_be_visible()
    phone.get_by_role("button", name="Submit the plan to HR").click()
    expect(phone.get_by_text("Submitted: HR will review your plan.").first).to_be_visible()

    # HR finds it from the cycle desk and approves it.
    log_in(page, url, hr)
    page.get_by_role("link", name="Cycle desk").click()
    page.get_by_role("link", name=cycle.name).click()
    page.get_by_role("link", name=re.compile("^Plans")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Improvement plans")
    capture(page, "hr-plans")
    found += audit(page, "hr plans")
    page.get_by_role("link", name=leader.name).click()
    expect(page.get_by_role("button", name="Approve the plan")).to_be_visible()
    found += audit(page, "hr plan")
    page.get_by_role("button", name="Approve the plan").click()
    expect(page.get_by_text("The plan is approved.")).to_be_visible()

    # The leader posts progress on every action, with evidence on the first, and marks the plan completed.
    phone.reload()
    expect(phone.locator('[aria-current="step"]')).to_contain_text("Approved")
    for i, action in enumerate(actions):
        card = phone.locator(f"#action-{action.pk}")
        card.get_by_text("Post progress").click()
        card.get_by_label("What was done").fill(f"第{i + 1}项已落实")
        card.get_by_label("Progress now (%)").fill("100")
        if i == 0:
            card.get_by_label("Evidence files (optional)").set_input_files(
                [{"name": "学习记录.png", "mimeType": "image/png", "buffer": PNG}]
            )
            capture(phone, "plan-progress-form")
        card.get_by_role("button", name="Post the update").click()
        expect(phone.get_by_text("Progress posted.")).to_be_visible()
    phone.locator(f"#action-{actions[0].pk}").get_by_text("1 update").click()
    expect(phone.get_by_role("link", name="学习记录.png")).to_be_visible()
    capture(phone, "plan-in-progress")
    found += audit(phone, "plan in progress")
    phone.get_by_role("button", name="Mark the plan completed").click()
    expect(phone.get_by_text("The plan is marked completed: HR will verify it.")).to_be_visible()

    # HR verifies; the leader sees it.
    page.reload()
    page.get_by_label("Verification note").fill("材料齐全，经核实已完成。")
    page.get_by_role("button", name="Verify the plan").click()
    expect(page.get_by_text("The plan is verified.")).to_be_visible()
    expect(page.get_by_role("heading", name="Change history")).to_be_visible()
    capture(page, "hr-plan-verified")

    phone.reload()
    expect(phone.get_by_role("heading", name="Verified")).to_be_visible()
    expect(phone.get_by_text("材料齐全，经核实已完成。")).to_be_visible()
    capture(phone, "plan-verified")
    found += audit(phone, "plan verified")

    page.goto(url(f"/hr/cases/{case.pk}/file/"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("Case file")
    capture(page, "case-file")
    found += audit(page, "case file")
    assert not found, "serious or critical WCAG 2.1 AA violations:\n" + "\n".join(found)


def test_an_appeal_is_sent_for_review_and_the_leader_sees_it(phone: Page, page: Page, url):
    """The leader appeals on a phone; HR sends the result for review with a reason on the case page; the
    leader's page then marks the result as under review and shows HR's reason. No score changes."""
    from assessments.models import SubjectResult

    _, case, (leader, *_) = case_with_weak_leader()
    hr = UserFactory()
    hr.user_permissions.add(Permission.objects.get(codename="manage_cycles"))
    total = SubjectResult.objects.get(subject__person=leader, subject__case=case).total

    log_in(phone, url, user_for(leader))
    phone.get_by_role("link", name="My results").click()
    phone.get_by_label("I appeal against it").check()
    phone.get_by_label("In your own words").fill("专业能力一项的评分与实际工作不符。")
    phone.get_by_role("button", name="Save my response").click()
    expect(phone.get_by_text("Your response is recorded.")).to_be_visible()

    log_in(page, url, hr)
    page.goto(url(f"/hr/cases/{case.pk}/"))
    talk = page.locator(f"#talk-{case.subjects.get(person=leader).pk}")
    talk.get_by_label("Send the result for review").check()
    talk.get_by_label("Reason (the leader reads it)").fill("调取原始测评表复核")
    talk.get_by_role("button", name="Record the decision").click()
    expect(page.get_by_text("result is sent for review")).to_be_visible()
    found = audit(page, "hr case with appeal")

    phone.reload()
    expect(phone.get_by_text("Under review: following your appeal, this result is being reviewed.")).to_be_visible()
    expect(phone.get_by_text("调取原始测评表复核")).to_be_visible()
    expect(phone.get_by_text("Change my response")).to_have_count(0)  # it stands while under review
    capture(phone, "appeal-under-review")
    found += audit(phone, "results under review")
    assert SubjectResult.objects.get(subject__person=leader, subject__case=case).total == total
    assert found == [], found
