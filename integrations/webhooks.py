"""Writes of webhooks: subscriptions, events turned into deliveries, and delivering them (Standard Webhooks).

A delivery row is the job. Emitting an event writes one row per subscribed endpoint in the caller's
transaction and queues the task on commit; the task claims the row, POSTs it signed, and records the
outcome with the next attempt's time. Retries that fit in the broker are queued with a countdown; the
beat sweep re-queues anything pending whose time passed long ago (a lost task, a restarted Redis, or a
retry too far off to wait in the broker). Delivery is at least once: a receiver drops duplicates by
the `webhook-id` header, the same on every attempt.
"""

import base64
import json
import logging
import math
import secrets
import uuid
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from standardwebhooks import Webhook

from . import outbound
from .models import WebhookDelivery, WebhookEndpoint, WebhookEvent

logger = logging.getLogger(__name__)

D = WebhookDelivery.Status
SECRET_PREFIX = "whsec_"  # noqa: S105 - the format's prefix, not a secret
SECRET_BYTES = 32  # Standard Webhooks asks for 24 to 64 random bytes.
EDITABLE = ("url", "events", "description", "active")
# How much of an error or of the receiver's answer the row keeps (the column sizes).
TEXT_LIMIT = 1000

FIRST_RETRY = timedelta(seconds=30)
BACKOFF_FACTOR = 4  # 30 s, 2 min, 8 min, 32 min, 2 h 8 min, 8 h 32 min, then the cap
MAX_RETRY_DELAY = timedelta(hours=12)
# An attempt in flight holds the row this long (above the task's hard time limit): a duplicate message
# finds it claimed, and if the worker dies mid-attempt the sweep takes the row back after it.
ATTEMPT_LEASE = timedelta(minutes=2)
# A task may run a little before the row's time (clocks of two hosts, the broker's countdown).
EARLY = timedelta(seconds=5)
# Retries further off than this wait for the sweep, not in the broker: Redis hands an unacknowledged
# countdown task to another worker after its visibility timeout (2 h), which would only make duplicates.
COUNTDOWN_LIMIT = timedelta(hours=1)
# The sweep re-queues a pending row once it is this late, and marks it as re-queued just then, so a
# long queue is not flooded with copies of the same delivery every minute.
STUCK_AFTER = timedelta(minutes=5)
SWEEP_BATCH = 500


# --- Subscriptions ------------------------------------------------------------------------------


def secret_generate() -> str:
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(SECRET_BYTES)).decode("ascii")


def webhook_url_clean(url: str) -> str:
    """The URL, if we may send to it; else ValidationError saying why (scheme, host, private address)."""
    url = (url or "").strip()
    if len(url) > WebhookEndpoint._meta.get_field("url").max_length:
        raise ValidationError(_("The URL is too long."))
    try:
        outbound.url_check(url)
    except outbound.AddressRefused as refusal:
        raise ValidationError(str(refusal)) from None
    return url


def _events_clean(events: Iterable[str]) -> list[str]:
    events = sorted(set(events))
    unknown = [e for e in events if e not in WebhookEvent.values]
    if unknown:
        raise ValidationError({"events": _("Unknown events: %(events)s") % {"events": ", ".join(unknown)}})
    if not events:
        raise ValidationError({"events": _("Subscribe to at least one event.")})
    return events


def _url_field_clean(url: str) -> str:
    try:
        return webhook_url_clean(url)
    except ValidationError as error:
        raise ValidationError({"url": error.messages}) from None


@transaction.atomic
def webhook_endpoint_create(
    *, url: str, events: Iterable[str], created_by, description: str = "", active: bool = True
) -> WebhookEndpoint:
    """A new endpoint with a fresh signing secret (`endpoint.secret`): show it to the client this once."""
    endpoint = WebhookEndpoint(
        url=_url_field_clean(url),
        events=_events_clean(events),
        secret=secret_generate(),
        description=(description or "").strip(),
        active=active,
        created_by=created_by,
    )
    endpoint.save()
    logger.info("webhook endpoint %s created by %s for %s", endpoint.pk, created_by, endpoint.events)
    return endpoint


@transaction.atomic
def webhook_endpoint_update(*, endpoint: WebhookEndpoint, **changes: Any) -> WebhookEndpoint:
    """Change the URL, events, description or active flag. Deactivating fails the deliveries still pending:
    nothing goes out to an endpoint its owner switched off."""
    unknown = set(changes) - set(EDITABLE)
    if unknown:
        raise ValidationError(_("These fields cannot be changed: %(fields)s") % {"fields": ", ".join(sorted(unknown))})
    endpoint = WebhookEndpoint.objects.select_for_update().get(pk=endpoint.pk)
    # An unchanged URL is not checked again: a passing DNS hiccup must not block switching an endpoint off.
    if "url" in changes and changes["url"] != endpoint.url:
        endpoint.url = _url_field_clean(changes["url"])
    if "events" in changes:
        endpoint.events = _events_clean(changes["events"])
    if "description" in changes:
        endpoint.description = (changes["description"] or "").strip()
    deactivated = endpoint.active and changes.get("active") is False
    if "active" in changes:
        endpoint.active = bool(changes["active"])
    endpoint.save()
    if deactivated:
        endpoint.deliveries.filter(status=D.PENDING).update(
            status=D.FAILED, next_attempt_at=None, last_error=_("The endpoint was deactivated.")
        )
    return endpoint


def webhook_endpoint_deactivate(*, endpoint: WebhookEndpoint) -> WebhookEndpoint:
    return webhook_endpoint_update(endpoint=endpoint, active=False)


# --- Events -------------------------------------------------------------------------------------


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def _enqueue(delivery_ids: list[int]) -> None:
    """Queue the first attempt once the rows are committed. robust: if the broker is down the rows are
    still there, and the sweep queues them later; the caller's work must not fail for it."""
    from .tasks import deliver_webhook

    def send() -> None:
        for pk in delivery_ids:
            deliver_webhook.delay(pk)

    if delivery_ids:
        transaction.on_commit(send, robust=True)


@transaction.atomic
def webhook_emit(*, event_type: str, data: dict[str, Any]) -> list[WebhookDelivery]:
    """Record `event_type` for every active endpoint subscribed to it and queue the deliveries on commit.

    `data` goes out as is, so it must hold ids and aggregates only (never ballots, raters or scores of a
    person): receivers fetch the rest through the API, under their key's scopes.
    """
    if event_type not in WebhookEvent.values:
        raise ValueError(f"unknown webhook event {event_type!r}")
    event_type = WebhookEvent(event_type).value
    now = timezone.now()
    payload = {"type": event_type, "timestamp": _iso(now), "data": data}
    # Few endpoints, and JSON containment is not portable to SQLite: filter the events in Python.
    endpoints = [e for e in WebhookEndpoint.objects.filter(active=True).order_by("pk") if e.subscribes_to(event_type)]
    deliveries = WebhookDelivery.objects.bulk_create(
        WebhookDelivery(
            endpoint=e,
            event_type=event_type,
            msg_id=f"msg_{uuid.uuid4().hex}",
            payload=payload,
            max_attempts=settings.KAOPING_WEBHOOK_MAX_ATTEMPTS,
            next_attempt_at=now,
        )
        for e in endpoints
    )
    _enqueue([d.pk for d in deliveries])
    return deliveries


# --- Delivering ---------------------------------------------------------------------------------


def retry_delay(attempts: int) -> timedelta:
    """How long to wait after the `attempts`-th failed attempt: 30 s, then four times longer each time."""
    return min(FIRST_RETRY * BACKOFF_FACTOR ** max(attempts - 1, 0), MAX_RETRY_DELAY)


def signed_request(delivery: WebhookDelivery, *, at: datetime | None = None) -> tuple[bytes, dict[str, str]]:
    """The body and the Standard Webhooks headers for one attempt: the signature covers id, time and body."""
    body = json.dumps(delivery.payload, ensure_ascii=False, separators=(",", ":"))
    at = (at or datetime.now(UTC)).astimezone(UTC)
    # standardwebhooks' sign() replaces the time zone with UTC instead of converting: give it UTC.
    signature = Webhook(delivery.endpoint.secret).sign(msg_id=delivery.msg_id, timestamp=at, data=body)
    headers = {
        "Content-Type": "application/json",
        "webhook-id": delivery.msg_id,
        "webhook-timestamp": str(math.floor(at.timestamp())),
        "webhook-signature": signature,
    }
    return body.encode("utf-8"), headers


def _claim(delivery: WebhookDelivery, now: datetime) -> bool:
    """Take the row for one attempt. One UPDATE that checks what we read: of two copies of the task, or a
    task and its early duplicate, only one sends."""
    claimed = (
        WebhookDelivery.objects.filter(pk=delivery.pk, status=D.PENDING, attempts=delivery.attempts)
        .filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now + EARLY))
        .update(attempts=F("attempts") + 1, last_attempt_at=now, next_attempt_at=now + ATTEMPT_LEASE)
    )
    return claimed == 1


def _truncate(text: str) -> str:
    return text if len(text) <= TEXT_LIMIT else text[: TEXT_LIMIT - 1] + "…"


def webhook_delivery_attempt(*, delivery_id: int) -> WebhookDelivery | None:
    """Make one attempt at a pending delivery that is due; None if there was nothing to do (already
    delivered or failed, not yet due, or another worker has it)."""
    now = timezone.now()
    delivery = WebhookDelivery.objects.select_related("endpoint").filter(pk=delivery_id).first()
    if delivery is None or delivery.status != D.PENDING:
        return None
    if not delivery.endpoint.active:
        WebhookDelivery.objects.filter(pk=delivery.pk, status=D.PENDING).update(
            status=D.FAILED, next_attempt_at=None, last_error=_("The endpoint was deactivated.")
        )
        return None
    if not _claim(delivery, now):
        return None
    delivery.attempts += 1
    delivery.last_attempt_at = now

    permanent = False
    status_code: int | None = None
    response_text = error = ""
    try:
        body, headers = signed_request(delivery)
        answer = outbound.post(
            delivery.endpoint.url, body=body, headers=headers, timeout=settings.KAOPING_WEBHOOK_TIMEOUT
        )
        status_code, response_text = answer.status, answer.body
        if not 200 <= status_code < 300:
            error = f"HTTP {status_code}"
    except outbound.AddressRefused as refusal:
        # A policy refusal, not a passing fault: trying again would only knock on the same door.
        permanent, error = True, str(refusal)
    except Exception as failure:  # whatever broke this attempt (refused, timeout, TLS, garbage) is its outcome
        error = f"{type(failure).__name__}: {failure}"

    done = timezone.now()
    delivery.last_status_code = status_code
    delivery.last_response = _truncate(response_text)
    delivery.last_error = _truncate(error)
    if not error:
        delivery.status, delivery.delivered_at, delivery.next_attempt_at = D.SUCCEEDED, done, None
    elif permanent or delivery.attempts >= delivery.max_attempts:
        delivery.status, delivery.next_attempt_at = D.FAILED, None
    else:
        delivery.next_attempt_at = done + retry_delay(delivery.attempts)
    delivery.save(
        update_fields=[
            "status",
            "delivered_at",
            "next_attempt_at",
            "last_status_code",
            "last_response",
            "last_error",
        ]
    )
    logger.log(
        logging.INFO if not error else logging.WARNING,
        "webhook %s attempt %s/%s to endpoint %s: %s",
        delivery.msg_id,
        delivery.attempts,
        delivery.max_attempts,
        delivery.endpoint_id,
        error or f"HTTP {status_code}",
    )
    if delivery.status == D.PENDING:
        _retry_later(delivery, delay=delivery.next_attempt_at - done)
    return delivery


def _retry_later(delivery: WebhookDelivery, *, delay: timedelta) -> None:
    from .tasks import deliver_webhook

    if delay <= COUNTDOWN_LIMIT:
        # robust: with the broker away the row keeps its time, and the sweep queues it.
        transaction.on_commit(
            lambda: deliver_webhook.apply_async((delivery.pk,), countdown=math.ceil(delay.total_seconds())),
            robust=True,
        )


def webhook_deliveries_sweep(*, now: datetime | None = None) -> int:
    """Queue again the pending deliveries whose time passed STUCK_AFTER ago; returns how many."""
    now = now or timezone.now()
    with transaction.atomic():
        due = list(
            WebhookDelivery.objects.filter(status=D.PENDING, next_attempt_at__lte=now - STUCK_AFTER)
            .order_by("next_attempt_at")
            .values_list("pk", flat=True)[:SWEEP_BATCH]
        )
        # Their time becomes now: the task still finds them due, and the next sweeps leave them alone
        # for STUCK_AFTER, however long the queue.
        WebhookDelivery.objects.filter(pk__in=due, status=D.PENDING).update(next_attempt_at=now)
        _enqueue(due)
    if due:
        logger.info("webhook sweep re-queued %s deliveries", len(due))
    return len(due)


@transaction.atomic
def webhook_deliveries_resend(*, deliveries: Iterable[WebhookDelivery]) -> list[WebhookDelivery]:
    """Queue the deliveries again for one more attempt, whatever their state (a receiver that lost what
    it was sent, or failed until it was fixed). Deliveries to deactivated endpoints are left out.
    Returns the deliveries queued."""
    now = timezone.now()
    ids = [d.pk for d in deliveries]
    queued = list(WebhookDelivery.objects.select_for_update().filter(pk__in=ids, endpoint__active=True).order_by("pk"))
    for delivery in queued:
        delivery.status = D.PENDING
        delivery.max_attempts = max(delivery.max_attempts, delivery.attempts + 1)
        delivery.next_attempt_at = now
        delivery.delivered_at = None
        delivery.save(update_fields=["status", "max_attempts", "next_attempt_at", "delivered_at"])
        logger.info("webhook %s queued again by hand (attempt %s)", delivery.msg_id, delivery.attempts + 1)
    _enqueue([d.pk for d in queued])
    return queued
