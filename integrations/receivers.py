"""Domain events of other apps, turned into webhook deliveries. Connected in IntegrationsConfig.ready."""

from typing import Any

from .models import WebhookEvent
from .webhooks import webhook_emit


def cycle_scored_emit(sender: Any, *, cycle: Any, **kwargs: Any) -> None:
    if cycle.test_mode:
        return  # a rehearsal's results are purged before the real run: no HR system should act on them
    # Ids and aggregates only: a receiver reads results through the API, under its own key's scopes.
    webhook_emit(
        event_type=WebhookEvent.CYCLE_SCORED,
        data={"cycle_id": cycle.pk, "name": cycle.name, "year": cycle.year, "results_version": cycle.results_version},
    )
