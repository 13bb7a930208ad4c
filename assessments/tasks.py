"""Thin tasks: take an id, call a service."""

from celery import shared_task
from django.contrib.auth import get_user_model

from .models import Cycle
from .services import cycle_score
from .services.mixing import ballot_tables_vacuum, open_cycles_mix
from .services.reminders import reminder_emails_send


@shared_task(
    acks_late=True, reject_on_worker_lost=True, autoretry_for=(ConnectionError,), max_retries=3, retry_backoff=True
)
def score_cycle(cycle_id: int, actor_id: int | None = None) -> int:
    """Score a closed cycle in the background (a group company's cycle takes a while); returns the version."""
    actor = get_user_model().objects.filter(pk=actor_id).first() if actor_id else None
    cycle = cycle_score(cycle=Cycle.objects.get(pk=cycle_id), actor=actor)
    return cycle.results_version


@shared_task(
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=(ConnectionError, OSError),
    max_retries=5,
    retry_backoff=True,
)
def send_reminders(assignment_ids: list[int]) -> int:
    """Mail the reminders the desk queued; returns how many went out."""
    return reminder_emails_send(assignment_ids=assignment_ids)


@shared_task(acks_late=True, reject_on_worker_lost=True)
def mix_anonymous_ballots() -> int:
    """The beat: mix the anonymous ballots of open cycles that received some since their last mix."""
    return open_cycles_mix()


@shared_task(acks_late=True, reject_on_worker_lost=True, autoretry_for=(ConnectionError,), max_retries=3)
def vacuum_ballot_tables() -> None:
    """After a mix: remove the dead row versions that still carry the submits' transaction ids."""
    ballot_tables_vacuum()
