"""Messages follow each request's language, whichever language the module was first imported under."""

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from followup.models import ImprovementPlan
from followup.services import plan_return
from tests.followup.plan_helpers import case_with_weak_leader, hr_user, subject_of, user_of

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english_by_default():
    """Overrides the suite's English-for-everything fixture: this test is about the language of each request."""
    yield


def submit(client, plan, language: str) -> list[str]:
    response = client.post(
        reverse("followup:plan_transition", args=[plan.pk]), {"action": "submit"}, HTTP_ACCEPT_LANGUAGE=language
    )
    assert response.status_code == 302
    return [str(m) for m in get_messages(response.wsgi_request)]


def test_a_leaders_flash_message_is_in_the_language_of_their_request(client, settings):
    settings.LANGUAGE_CODE = "zh-hans"
    _, case, (a, *_) = case_with_weak_leader()
    client.force_login(user_of(a))
    client.post(reverse("followup:plan_draft", args=[subject_of(case, a).pk]), HTTP_ACCEPT_LANGUAGE="zh-hans")
    plan = ImprovementPlan.objects.get(subject__person=a)

    assert submit(client, plan, "zh-hans")[-1] == "已提交：组织人事部门将审核您的计划。"
    plan_return(plan=plan, actor=hr_user(), reason="请写明频次")
    assert submit(client, plan, "en")[-1] == "Submitted: HR will review your plan."
