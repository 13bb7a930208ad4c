"""The feedback talk after release: HR records that it was held, the leader records a response or appeal."""

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from assessments.errors import AssessmentError
from assessments.models import Case, CaseSubject, Cycle
from assessments.services.timeline import by, event_write

from ..models import FeedbackTalk

MAX_TEXT = 5000
OPEN_CASE = (Case.Status.FEEDBACK, Case.Status.IMPROVING)


def _talk_for(subject: CaseSubject) -> FeedbackTalk:
    """The subject's talk row, locked, once the case is in feedback or improvement."""
    subject = CaseSubject.objects.select_related("case__cycle").get(pk=subject.pk)
    if subject.kind != CaseSubject.Kind.MEMBER:
        raise AssessmentError(_("Feedback talks are held with team members."))
    case = subject.case
    if case.cycle.status not in (Cycle.Status.RELEASED, Cycle.Status.ARCHIVED) or case.status not in OPEN_CASE:
        raise AssessmentError(_("Feedback can be recorded once results are released and until the case is closed."))
    talk, _created = FeedbackTalk.objects.select_for_update().get_or_create(subject=subject)
    talk.subject = subject
    return talk


def _text(value: str, label: str, limit: int = MAX_TEXT) -> str:
    value = (value or "").strip()
    if len(value) > limit:
        raise AssessmentError(_("%(field)s is too long: at most %(max)d characters.") % {"field": label, "max": limit})
    return value


@transaction.atomic
def feedback_record_talk(
    *, subject: CaseSubject, held_on: dt.date, notes: str = "", participants: str = "", actor=None
) -> FeedbackTalk:
    if held_on > timezone.localdate():
        raise AssessmentError(_("The talk cannot be dated in the future."))
    talk = _talk_for(subject)
    talk.held_on = held_on
    talk.held_by = actor if getattr(actor, "is_authenticated", False) else None
    talk.notes = _text(notes, _("The notes"))
    talk.participants = _text(participants, _("Who took part"), limit=500)
    by(talk, actor).save()
    case = talk.subject.case
    event_write(cycle=case.cycle, case=case, actor=actor, action="feedback_talk", data={"subject": subject.pk})
    return talk


@transaction.atomic
def feedback_respond(*, subject: CaseSubject, response: str, text: str = "", actor=None) -> FeedbackTalk:
    """The leader's own response; it may be revised until the case closes, each time on the timeline."""
    if response not in FeedbackTalk.Response.values:
        raise AssessmentError(_("Choose how you respond to the assessment."))
    text = _text(text, _("Your response"))
    if response == FeedbackTalk.Response.APPEAL and not text:
        raise AssessmentError(_("An appeal needs its reasons."))
    talk = _talk_for(subject)
    if talk.appeal_status in DECIDED:
        raise AssessmentError(_("Your appeal has been decided; the response stands as recorded."))
    was_appeal = talk.appeal_status == A.PENDING
    talk.response = response
    talk.response_text = text
    talk.responded_at = timezone.now()
    # Appealing (again) puts it before HR; turning an undecided appeal into another response withdraws it.
    talk.appeal_status = A.PENDING if response == FeedbackTalk.Response.APPEAL else ""
    by(talk, actor).save()
    case = talk.subject.case
    action = "feedback_response"
    if response == FeedbackTalk.Response.APPEAL:
        action = "appeal_lodged"
    elif was_appeal:
        action = "appeal_withdrawn"
    event_write(
        cycle=case.cycle,
        case=case,
        actor=actor,
        action=action,
        data={"subject": subject.pk, "response": response},
    )
    return talk


A = FeedbackTalk.Appeal
DECIDED = (A.UNDER_REVIEW, A.DISMISSED, A.RESOLVED)


def _decide(subject: CaseSubject, *, expected: str, new: str, reason: str, actor, action: str) -> FeedbackTalk:
    talk = _talk_for(subject)
    if talk.appeal_status != expected:
        raise AssessmentError(
            _("There is no appeal awaiting this decision.")
            if expected == A.PENDING
            else _("This result is not under review.")
        )
    reason = _text(reason, _("The reason"))
    if not reason:
        raise AssessmentError(_("Give the reason for the decision: the leader will read it."))
    old = talk.appeal_status
    talk.appeal_status = new
    talk.appeal_outcome = reason
    talk.appeal_decided_at = timezone.now()
    talk.appeal_decided_by = actor if getattr(actor, "is_authenticated", False) else None
    by(talk, actor).save()
    case = talk.subject.case
    event_write(
        cycle=case.cycle,
        case=case,
        actor=actor,
        action=action,
        old=old,
        new=new,
        reason=reason,
        data={"subject": subject.pk},
    )
    return talk


@transaction.atomic
def feedback_appeal_decide(*, subject: CaseSubject, review: bool, reason: str, actor=None) -> FeedbackTalk:
    """HR decides an appeal: dismiss it, or send the result back for review. Neither touches a score: a
    result under review changes only through a logged reopen and rescoring of the cycle."""
    return _decide(
        subject,
        expected=A.PENDING,
        new=A.UNDER_REVIEW if review else A.DISMISSED,
        reason=reason,
        actor=actor,
        action="appeal_review" if review else "appeal_dismissed",
    )


@transaction.atomic
def feedback_review_conclude(*, subject: CaseSubject, outcome: str, actor=None) -> FeedbackTalk:
    """HR records how the review ended (the result upheld, or corrected by a rescoring that is on the timeline)."""
    return _decide(
        subject, expected=A.UNDER_REVIEW, new=A.RESOLVED, reason=outcome, actor=actor, action="appeal_resolved"
    )
