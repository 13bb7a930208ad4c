"""Reminding named evaluators who have not submitted. The service picks whom and records it; a worker
sends the mail, in the organisation's language (zh-hans), with a link straight to the sheet."""

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from ..errors import AssessmentError
from ..models import Assignment, Case, Cycle
from .timeline import event_write


@dataclass(frozen=True)
class ReminderRun:
    queued: int
    no_email: int
    recently_reminded: int


@transaction.atomic
def reminders_send(*, cycle: Cycle, case: Case | None = None, actor=None) -> ReminderRun:
    """Queue one reminder per unsubmitted named assignment of an open cycle (or one case of it), at most one
    per assignment within KAOPING_REMINDER_GAP_HOURS, so a double click never mails anyone twice."""
    cycle = Cycle.objects.select_for_update().get(pk=cycle.pk)
    if cycle.status != Cycle.Status.OPEN:
        raise AssessmentError(_("Reminders go out only while the cycle is open."))
    pending = (
        Assignment.objects.select_for_update(of=("self",))
        .filter(case__cycle=cycle)
        .exclude(status=Assignment.Status.SUBMITTED)
        .select_related("rater")
    )
    if case is not None:
        pending = pending.filter(case=case)
    now = timezone.now()
    since = now - dt.timedelta(hours=settings.KAOPING_REMINDER_GAP_HOURS)
    due, no_email, recent = [], 0, 0
    for assignment in pending:
        if not assignment.rater.email:
            no_email += 1
        elif assignment.reminded_at and assignment.reminded_at > since:
            recent += 1
        else:
            due.append(assignment.pk)
    if due:
        Assignment.objects.filter(pk__in=due).update(reminded_at=now)
        from ..tasks import send_reminders

        transaction.on_commit(lambda: send_reminders.delay(due))
        event_write(cycle=cycle, case=case, actor=actor, action="reminded", data={"count": len(due)})
    return ReminderRun(queued=len(due), no_email=no_email, recently_reminded=recent)


def reminder_emails_send(*, assignment_ids: list[int]) -> int:
    """Send the reminders (called by the worker). Skips anyone who submitted in the meantime."""
    assignments = (
        Assignment.objects.filter(pk__in=assignment_ids, case__cycle__status=Cycle.Status.OPEN)
        .exclude(status=Assignment.Status.SUBMITTED)
        .select_related("rater", "case__team", "case__cycle")
    )
    messages = []
    with translation.override(settings.KAOPING_EMAIL_LANGUAGE):
        for a in assignments:
            if not a.rater.email:
                continue
            context = {
                "assignment": a,
                "url": settings.KAOPING_BASE_URL.rstrip("/") + reverse("assessments:sheet", args=[a.pk]),
            }
            subject = render_to_string("assessments/email/reminder_subject.txt", context).strip()
            body = render_to_string("assessments/email/reminder.txt", context)
            messages.append(EmailMessage(subject=subject, body=body, to=[a.rater.email]))
    if not messages:
        return 0
    with get_connection() as connection:
        return connection.send_messages(messages) or 0
