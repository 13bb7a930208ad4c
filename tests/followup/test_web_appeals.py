"""Appeals on HR's case page: a pending appeal is dismissed or sent for review, a review is concluded, always
with a reason the leader reads; the team's principal records the talks with the other members."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from assessments.models import TimelineEvent
from followup.models import FeedbackTalk
from followup.services import feedback_respond
from tests.assessments.helpers import released_case
from tests.followup.plan_helpers import hr_user, subject_of, user_of

pytestmark = pytest.mark.django_db


def appealed():
    _, case, (a, b, *_) = released_case()
    feedback_respond(subject=subject_of(case, b), response="appeal", text="下级评分样本过少。")
    return case, a, b


def test_hr_dismisses_an_appeal_with_a_reason_the_leader_reads(client):
    case, _a, b = appealed()
    hr = hr_user()
    client.force_login(hr)
    html = client.get(reverse("assessments:hr_case", args=[case.pk])).content.decode()
    assert "Appeal awaiting a decision" in html and "Dismiss the appeal" in html and "Who took part" in html
    url = reverse("followup:hr_appeal", args=[subject_of(case, b).pk])
    response = client.post(url, {"decision": "dismiss", "reason": ""}, follow=True)
    assert "This field is required." in response.content.decode()
    assert FeedbackTalk.objects.get(subject__person=b).appeal_status == "pending"
    client.post(url, {"decision": "dismiss", "reason": "样本符合规定人数。"})
    talk = FeedbackTalk.objects.get(subject__person=b)
    assert talk.appeal_status == "dismissed" and talk.appeal_outcome == "样本符合规定人数。"
    assert TimelineEvent.objects.filter(case=case, action="appeal_dismissed", reason="样本符合规定人数。").exists()

    client.force_login(user_of(b))
    html = client.get(reverse("followup:my_results")).content.decode()
    assert "Appeal dismissed" in html and "样本符合规定人数。" in html


def test_a_result_sent_for_review_is_marked_for_the_leader_and_the_principal_until_concluded(client):
    case, a, b = appealed()
    client.force_login(hr_user())
    url = reverse("followup:hr_appeal", args=[subject_of(case, b).pk])
    client.post(url, {"decision": "review", "reason": "复核下级票。"})
    assert FeedbackTalk.objects.get(subject__person=b).appeal_status == "under_review"
    assert "Conclude the review" in client.get(reverse("assessments:hr_case", args=[case.pk])).content.decode()

    client.force_login(user_of(b))
    html = client.get(reverse("followup:my_results")).content.decode()
    assert "Under review: following your appeal, this result is being reviewed." in html and "复核下级票。" in html
    client.force_login(user_of(a))
    html = client.get(reverse("followup:team_results", args=[case.pk])).content.decode()
    assert "Under review" in html and "下级评分样本过少。" not in html  # the appeal's reasons stay the leader's

    client.force_login(hr_user())
    client.post(url, {"outcome": "复核后维持原结果。"})
    talk = FeedbackTalk.objects.get(subject__person=b)
    assert talk.appeal_status == "resolved" and talk.appeal_outcome == "复核后维持原结果。"
    assert [e.action for e in TimelineEvent.objects.filter(case=case, action__startswith="appeal_")] == [
        "appeal_lodged",
        "appeal_review",
        "appeal_resolved",
    ]
    client.force_login(user_of(b))
    html = client.get(reverse("followup:my_results")).content.decode()
    assert "Review concluded" in html and "复核后维持原结果。" in html and "Under review:" not in html


def test_only_hr_decides_appeals(client):
    case, a, b = appealed()
    url = reverse("followup:hr_appeal", args=[subject_of(case, b).pk])
    for person in (a, b):
        client.force_login(user_of(person))
        assert client.post(url, {"decision": "dismiss", "reason": "x"}).status_code == 404
    assert FeedbackTalk.objects.get(subject__person=b).appeal_status == "pending"


def test_hr_records_who_took_part(client):
    _, case, (_a, b, *_) = released_case()
    client.force_login(hr_user())
    client.post(
        reverse("followup:hr_feedback_talk", args=[subject_of(case, b).pk]),
        {
            "held_on": (timezone.localdate() - dt.timedelta(days=1)).isoformat(),
            "participants": "组织部 王五",
            "notes": "要点",
        },
    )
    talk = FeedbackTalk.objects.get(subject__person=b)
    assert talk.participants == "组织部 王五" and talk.notes == "要点"


def test_the_principal_records_the_talk_with_another_member_but_not_their_own(client):
    _, case, (a, b, *_) = released_case()  # a is the principal
    client.force_login(user_of(a))
    html = client.get(reverse("followup:team_results", args=[case.pk])).content.decode()
    assert reverse("followup:team_feedback_talk", args=[subject_of(case, b).pk]) in html
    assert reverse("followup:team_feedback_talk", args=[subject_of(case, a).pk]) not in html
    day = (timezone.localdate() - dt.timedelta(days=2)).isoformat()
    url = reverse("followup:team_feedback_talk", args=[subject_of(case, b).pk])
    response = client.post(url, {"held_on": "2999-01-01", "participants": "我的原话"})
    assert response.status_code == 400 and "我的原话" in response.content.decode()
    response = client.post(url, {"held_on": day, "participants": "班子正职、组织部", "notes": "谈话要点"})
    assert response.status_code == 302
    talk = FeedbackTalk.objects.get(subject__person=b)
    assert talk.participants == "班子正职、组织部" and talk.held_by == user_of(a)
    own = reverse("followup:team_feedback_talk", args=[subject_of(case, a).pk])
    assert client.post(own, {"held_on": day}).status_code == 404
    client.force_login(user_of(b))
    assert client.post(url, {"held_on": day}).status_code == 404
