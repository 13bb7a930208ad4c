"""The feedback talk after release: HR records that it was held, the leader records a response or appeal."""

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ..errors import AssessmentError
from ..models import Case, CaseSubject, Cycle, FeedbackTalk
from .timeline import event_write

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


def _text(value: str, label: str) -> str:
    value = (value or "").strip()
    if len(value) > MAX_TEXT:
        raise AssessmentError(
            _("%(field)s is too long: at most %(max)d characters.") % {"field": label, "max": MAX_TEXT}
        )
    return value


@transaction.atomic
def feedback_record_talk(*, subject: CaseSubject, held_on: dt.date, notes: str = "", actor=None) -> FeedbackTalk:
    if held_on > timezone.localdate():
        raise AssessmentError(_("The talk cannot be dated in the future."))
    talk = _talk_for(subject)
    talk.held_on = held_on
    talk.held_by = actor if getattr(actor, "is_authenticated", False) else None
    talk.notes = _text(notes, _("The notes"))
    talk.save()
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
    talk.response = response
    talk.response_text = text
    talk.responded_at = timezone.now()
    talk.save()
    case = talk.subject.case
    event_write(
        cycle=case.cycle,
        case=case,
        actor=actor,
        action="feedback_response",
        data={"subject": subject.pk, "response": response},
    )
    return talk
