"""An appeal (申辩) is decided by HR with a reason: dismissed, or the result sent back for review. Neither ever
changes a score; the case cannot close while an appeal is open."""

import pytest
from django.core.exceptions import ValidationError

from assessments.models import SubjectResult, TimelineEvent
from assessments.services import case_close, case_start_improving
from followup.models import FeedbackTalk
from followup.services import feedback_appeal_decide, feedback_respond, feedback_review_conclude
from tests.followup.plan_helpers import case_with_weak_leader, hr_user, subject_of, user_of

pytestmark = pytest.mark.django_db
A = FeedbackTalk.Appeal


def appeal(case, person, text="专业能力一项的评分与实际工作不符。"):
    return feedback_respond(subject=subject_of(case, person), response="appeal", text=text, actor=user_of(person))


def test_an_appeal_sent_for_review_changes_no_score_and_is_on_the_timeline():
    _, case, (a, *_) = case_with_weak_leader()
    hr = hr_user()
    subject = subject_of(case, a)
    before = SubjectResult.objects.values("total", "dimensions", "version").get(subject=subject)
    talk = appeal(case, a)
    assert talk.appeal_status == A.PENDING
    with pytest.raises(ValidationError, match="reason"):
        feedback_appeal_decide(subject=subject, review=True, reason=" ", actor=hr)
    talk = feedback_appeal_decide(subject=subject, review=True, reason="调取原始测评表复核", actor=hr)
    assert talk.appeal_status == A.UNDER_REVIEW and talk.appeal_decided_by == hr
    assert SubjectResult.objects.values("total", "dimensions", "version").get(subject=subject) == before
    event = TimelineEvent.objects.get(case=case, action="appeal_review")
    assert (event.from_status, event.to_status, event.reason, event.actor) == (
        "pending",
        "under_review",
        "调取原始测评表复核",
        hr,
    )
    # Under review, the leader's response stands as it is.
    with pytest.raises(ValidationError, match="decided"):
        feedback_respond(subject=subject, response="accept", actor=user_of(a))
    talk = feedback_review_conclude(subject=subject, outcome="复核后维持原评价结果", actor=hr)
    assert talk.appeal_status == A.RESOLVED and talk.appeal_outcome == "复核后维持原评价结果"
    assert TimelineEvent.objects.filter(case=case, action="appeal_resolved").exists()
    assert talk.history.count() >= 3


def test_an_appeal_is_dismissed_with_a_reason_or_withdrawn_by_the_leader():
    _, case, (a, b, *_) = case_with_weak_leader()
    hr = hr_user()
    appeal(case, a)
    talk = feedback_appeal_decide(subject=subject_of(case, a), review=False, reason="评分程序合规，维持结果", actor=hr)
    assert talk.appeal_status == A.DISMISSED
    with pytest.raises(ValidationError, match="no appeal awaiting"):
        feedback_appeal_decide(subject=subject_of(case, a), review=True, reason="再议", actor=hr)
    with pytest.raises(ValidationError, match="not under review"):
        feedback_review_conclude(subject=subject_of(case, a), outcome="x", actor=hr)

    appeal(case, b)
    talk = feedback_respond(subject=subject_of(case, b), response="accept", actor=user_of(b))
    assert talk.appeal_status == ""
    assert TimelineEvent.objects.filter(case=case, action="appeal_withdrawn").count() == 1


def test_the_case_cannot_close_while_an_appeal_is_open():
    _, case, (a, *_) = case_with_weak_leader()
    hr = hr_user()
    case_start_improving(case=case, actor=hr)
    appeal(case, a)
    with pytest.raises(ValidationError, match="appeals"):
        case_close(case=case, actor=hr)
    feedback_appeal_decide(subject=subject_of(case, a), review=False, reason="维持", actor=hr)
    case_close(case=case, actor=hr)
