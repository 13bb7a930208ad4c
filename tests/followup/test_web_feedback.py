"""After release: HR records the feedback talk, the leader records a response or an appeal, and the team's
principal sees the team's results. Others see nothing, and a refusal is a 404."""

import datetime as dt

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from assessments.models import CaseSubject, TimelineEvent
from assessments.services import case_start_improving
from followup.models import FeedbackTalk
from tests.assessments.factories import UserFactory
from tests.assessments.helpers import login_as, released_case

pytestmark = pytest.mark.django_db


def subject_of(case, person) -> CaseSubject:
    return CaseSubject.objects.get(case=case, person=person)


def test_a_leader_records_a_response_and_revises_it(client):
    _cycle, case, (_a, b, *_) = released_case()
    login_as(client, b)
    page = client.get(reverse("followup:my_results")).content.decode()
    assert "Record my response" in page
    url = reverse("followup:feedback_respond", args=[subject_of(case, b).pk])
    response = client.post(url, {"response": "comment", "text": "对专业能力的评价我有不同看法。"})
    assert response.status_code == 302
    talk = FeedbackTalk.objects.get(subject__person=b)
    assert talk.response == "comment" and talk.responded_at
    page = client.get(reverse("followup:my_results")).content.decode()
    assert "I accept it, with remarks" in page and "对专业能力的评价我有不同看法。" in page

    client.post(url, {"response": "accept", "text": ""})
    talk.refresh_from_db()
    assert talk.response == "accept"
    assert TimelineEvent.objects.filter(case=case, action="feedback_response").count() == 2


def test_an_appeal_without_reasons_is_refused_and_what_was_typed_is_kept(client):
    _, case, (a, *_) = released_case()
    login_as(client, a)
    url = reverse("followup:feedback_respond", args=[subject_of(case, a).pk])
    response = client.post(url, {"response": "appeal", "text": "   "})
    assert response.status_code == 400 and "An appeal needs its reasons." in response.content.decode()
    response = client.post(url, {"response": "shrug", "text": "我的原话"})
    assert response.status_code == 400 and "我的原话" in response.content.decode()
    assert not FeedbackTalk.objects.exists()


def test_responses_are_refused_before_release_and_after_the_case_closes(client):
    _, case, (a, *_) = released_case(release=False)
    login_as(client, a)
    url = reverse("followup:feedback_respond", args=[subject_of(case, a).pk])
    assert client.post(url, {"response": "accept"}).status_code == 404
    assert not FeedbackTalk.objects.exists()


def test_nobody_responds_for_someone_else(client):
    _, case, (a, b, *_) = released_case()
    login_as(client, a)  # the principal: sees b's result, but may not answer for b
    url = reverse("followup:feedback_respond", args=[subject_of(case, b).pk])
    assert client.post(url, {"response": "accept"}).status_code == 404
    assert client.post(reverse("followup:feedback_respond", args=[999999]), {"response": "accept"}).status_code == 404
    assert not FeedbackTalk.objects.exists()


def test_hr_records_the_talk_and_sees_the_response_on_the_case_page(client):
    _, case, (_a, b, *_) = released_case()
    hr = UserFactory()
    hr.user_permissions.add(Permission.objects.get(codename="manage_cycles"))
    client.force_login(hr)
    subject = subject_of(case, b)
    url = reverse("followup:hr_feedback_talk", args=[subject.pk])
    # One talk form at a time (issue 13): on the case page every member's form starts closed…
    page = client.get(reverse("assessments:hr_case", args=[case.pk])).content.decode()
    assert page.count('<details class="talk-form">') == 4 and '<details class="talk-form" open>' not in page
    assert client.post(url, {"held_on": "2099-01-01"}, follow=True).status_code == 200
    assert not FeedbackTalk.objects.filter(held_on__isnull=False).exists()
    response = client.post(url, {"held_on": "not a date"}, follow=True)
    assert "Enter a valid date." in response.content.decode()
    # … but the one just refused, which opens again, scrolled to.
    assert response.redirect_chain[-1][0].endswith(f"?talk={subject.pk}#talk-{subject.pk}")
    page = response.content.decode()
    assert page.count('<details class="talk-form" open>') == 1
    assert page.index(f'id="talk-{subject.pk}"') < page.index('<details class="talk-form" open>')
    response = client.post(url, {"held_on": dt.date.today().isoformat(), "notes": "肯定成绩，指出不足。"}, follow=True)
    assert "Feedback talk with" in response.content.decode()
    talk = FeedbackTalk.objects.get(subject=subject)
    assert talk.held_by == hr and talk.notes == "肯定成绩，指出不足。"

    login_as(client, b)
    client.post(reverse("followup:feedback_respond", args=[subject.pk]), {"response": "appeal", "text": "理由"})
    client.force_login(hr)
    page = client.get(reverse("assessments:hr_case", args=[case.pk])).content.decode()
    assert "I appeal against it" in page and "理由" in page and "肯定成绩，指出不足。" in page


def test_the_principal_sees_the_teams_released_results_and_members_do_not(client):
    _cycle, case, (a, b, *_) = released_case()
    login_as(client, a)
    page = client.get(reverse("followup:my_results")).content.decode()
    url = reverse("followup:team_results", args=[case.pk])
    assert url in page
    response = client.get(url)
    assert response.status_code == 200
    assert b.name in response.content.decode() and "Members' average" in response.content.decode()
    login_as(client, b)
    assert url not in client.get(reverse("followup:my_results")).content.decode()
    assert client.get(url).status_code == 404


def test_feedback_stays_open_while_improving(client):
    _, case, (a, *_) = released_case()
    case_start_improving(case=case)
    login_as(client, a)
    url = reverse("followup:feedback_respond", args=[subject_of(case, a).pk])
    assert client.post(url, {"response": "accept"}).status_code == 302
