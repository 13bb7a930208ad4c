"""Thin tasks: take an id, call a service. The rows are the jobs; these only say when to look at them."""

from celery import shared_task

from .webhooks import webhook_deliveries_sweep, webhook_delivery_attempt


# No autoretry: the service records every failed attempt on the row and queues the next one itself, with
# the backoff the row says. The time limits bound a receiver that answers one byte at a time; the hard
# one stays below the attempt lease (webhooks.ATTEMPT_LEASE), so a row is never sent twice at once.
@shared_task(acks_late=True, reject_on_worker_lost=True, soft_time_limit=60, time_limit=90)
def deliver_webhook(delivery_id: int) -> str | None:
    """One attempt at a webhook delivery; returns its status afterwards, or None if there was nothing to do."""
    delivery = webhook_delivery_attempt(delivery_id=delivery_id)
    return delivery.status if delivery else None


@shared_task(acks_late=True, reject_on_worker_lost=True)
def sweep_webhook_deliveries() -> int:
    """Beat, every minute: queue again the deliveries whose task was lost or whose retry waited in the database."""
    return webhook_deliveries_sweep()
