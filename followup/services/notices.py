"""Telling people about overdue actions: the owner of each late plan, and HR once per run with the list.
Called by the worker after the daily check has claimed the day's notices (`actions_mark_overdue`)."""

import datetime as dt

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMessage, get_connection
from django.db.models import Prefetch
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from ..models import Action, ImprovementPlan


def _hr_addresses() -> list[str]:
    users = get_user_model().objects.with_perm(
        "assessments.manage_cycles", include_superusers=False, backend="django.contrib.auth.backends.ModelBackend"
    )
    return sorted({u.email for u in users.filter(is_active=True).exclude(email="")})


def overdue_emails_send(*, plan_ids: list[int], on: dt.date) -> int:
    late = Action.objects.filter(overdue_notified_on=on).exclude(status=Action.Status.DONE).select_related("owner")
    plans = list(
        ImprovementPlan.objects.filter(pk__in=plan_ids)
        .select_related("subject__person", "subject__case__team", "subject__case__cycle")
        .prefetch_related(Prefetch("actions", queryset=late, to_attr="late_actions"))
    )
    plans = [p for p in plans if p.late_actions]
    base = settings.KAOPING_BASE_URL.rstrip("/")
    messages = []
    with translation.override(settings.KAOPING_EMAIL_LANGUAGE):
        for plan in plans:
            owners = sorted({a.owner.email for a in plan.late_actions if a.owner.email})
            if not owners:
                continue
            context = {"plan": plan, "on": on, "url": base + reverse("followup:plan", args=[plan.pk])}
            messages.append(
                EmailMessage(
                    subject=render_to_string("followup/email/overdue_subject.txt", context).strip(),
                    body=render_to_string("followup/email/overdue.txt", context),
                    to=owners,
                )
            )
        hr = _hr_addresses()
        if hr and plans:
            context = {
                "plans": [(p, base + reverse("followup:hr_plan", args=[p.pk])) for p in plans],
                "on": on,
            }
            messages.append(
                EmailMessage(
                    subject=render_to_string("followup/email/overdue_hr_subject.txt", context).strip(),
                    body=render_to_string("followup/email/overdue_hr.txt", context),
                    to=hr,
                )
            )
    if not messages:
        return 0
    with get_connection() as connection:
        return connection.send_messages(messages) or 0
