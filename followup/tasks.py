"""Thin tasks: take an id, call a service."""

import datetime as dt

from celery import shared_task

from .services.notices import overdue_emails_send
from .services.plans import actions_mark_overdue


@shared_task(
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=(ConnectionError, OSError),
    max_retries=5,
    retry_backoff=True,
)
def send_overdue_notices(plan_ids: list[int], on: str) -> int:
    """Mail the owners and HR about the actions found overdue on day `on`; returns how many mails went out."""
    return overdue_emails_send(plan_ids=plan_ids, on=dt.date.fromisoformat(on))


@shared_task(acks_late=True, reject_on_worker_lost=True)
def check_overdue_actions() -> int:
    """The daily beat: mark overdue actions and notify, once per action and day."""
    return len(actions_mark_overdue())
