"""Webhooks: subscriptions, signed deliveries (Standard Webhooks) to a real receiver, retries with backoff,
the sweep, the guard against requests into our own network, the admin and the API."""

import base64
import datetime as dt
import json
from urllib.parse import urlsplit

import pytest
from django.contrib.admin.models import LogEntry
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from rest_framework.fields import DateTimeField
from standardwebhooks import Webhook
from standardwebhooks.webhooks import WebhookVerificationError

from assessments.services import cycle_score
from config.celery_app import app
from integrations import outbound
from integrations.models import WebhookDelivery, WebhookEndpoint
from integrations.tasks import deliver_webhook, sweep_webhook_deliveries
from integrations.webhooks import (
    STUCK_AFTER,
    retry_delay,
    signed_request,
    webhook_deliveries_resend,
    webhook_emit,
    webhook_endpoint_create,
    webhook_endpoint_deactivate,
)
from tests.assessments.helpers import assignment_of, close, fill, open_case
from tests.integrations.factories import api_client, hr_user
from tests.integrations.receiver import closed_port_url, local_receiver
from tests.people.factories import UserFactory

pytestmark = pytest.mark.django_db
D = WebhookDelivery.Status
HOOKS = "/api/v1/webhooks/"


@pytest.fixture
def eager():
    """Run queued tasks in-process, as a worker would; the real worker is tested in tests/integration."""
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = False


@pytest.fixture
def receiver():
    with local_receiver() as r:
        yield r


def endpoint_for(url: str, events=("cycle.scored",), **fields) -> WebhookEndpoint:
    return webhook_endpoint_create(url=url, events=events, created_by=fields.pop("created_by", None) or hr_user())


def emit(capture, event_type: str = "cycle.scored", data: dict | None = None) -> list[WebhookDelivery]:
    with capture(execute=True):
        return webhook_emit(event_type=event_type, data=data or {"cycle_id": 1})


def due_now(delivery: WebhookDelivery) -> None:
    """Pretend the backoff has passed."""
    WebhookDelivery.objects.filter(pk=delivery.pk).update(next_attempt_at=timezone.now() - dt.timedelta(seconds=1))


def drf_time(moment) -> str:
    return DateTimeField().to_representation(moment)


# --- Signing and delivering ------------------------------------------------------------------


def test_a_delivery_is_signed_and_verifies_with_the_endpoint_secret(
    receiver, eager, django_capture_on_commit_callbacks
):
    endpoint = endpoint_for(receiver.url)
    assert endpoint.secret.startswith("whsec_") and len(base64.b64decode(endpoint.secret[6:])) == 32

    (delivery,) = emit(django_capture_on_commit_callbacks, data={"cycle_id": 7, "name": "2026年度考评"})

    (request,) = receiver.received
    assert request.path == "/hooks/kaoping"
    assert request.headers["content-type"] == "application/json"
    assert request.headers["webhook-id"] == delivery.msg_id and delivery.msg_id.startswith("msg_")
    payload = Webhook(endpoint.secret).verify(request.body, request.headers)
    assert payload == {
        "type": "cycle.scored",
        "timestamp": delivery.payload["timestamp"],
        "data": {"cycle_id": 7, "name": "2026年度考评"},
    }
    assert abs(dt.datetime.fromisoformat(payload["timestamp"]) - timezone.now()) < dt.timedelta(seconds=30)
    with pytest.raises(WebhookVerificationError):
        Webhook(endpoint_for(receiver.url).secret).verify(request.body, request.headers)  # another endpoint's secret
    with pytest.raises(WebhookVerificationError):
        Webhook(endpoint.secret).verify(request.body.replace(b"7", b"8"), request.headers)

    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == (D.SUCCEEDED, 1, 200)
    assert delivery.delivered_at is not None and delivery.next_attempt_at is None
    assert (delivery.last_error, delivery.last_response) == ("", "answered 200")


def test_each_attempt_is_signed_afresh_with_the_same_message_id(receiver):
    endpoint = endpoint_for(receiver.url)
    (delivery,) = webhook_emit(event_type="cycle.scored", data={"cycle_id": 1})
    delivery.endpoint = endpoint
    earlier = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=3)
    body, headers = signed_request(delivery, at=earlier)
    again, later_headers = signed_request(delivery)
    assert body == again and headers["webhook-id"] == later_headers["webhook-id"] == delivery.msg_id
    assert int(later_headers["webhook-timestamp"]) - int(headers["webhook-timestamp"]) in range(179, 182)
    assert headers["webhook-signature"] != later_headers["webhook-signature"]
    for h in (headers, later_headers):
        Webhook(endpoint.secret).verify(body, h)


def test_a_scored_cycle_is_announced_to_its_subscribers_with_ids_only(
    receiver, eager, django_capture_on_commit_callbacks
):
    subscribed = endpoint_for(receiver.url, events=["cycle.scored", "report.ready"])
    endpoint_for(receiver.url, events=["report.ready"])  # not subscribed
    off = endpoint_for(receiver.url)
    webhook_endpoint_deactivate(endpoint=off)
    cycle, case, (a, b), _, codes = open_case(members=2, superiors=0, codes=1, min_group_size=1)
    fill(assignment=assignment_of(case, a), scores={a: 9, b: 7, "team": 8})
    fill(code=codes[0], scores={a: 7, b: 6, "team": 8})

    with django_capture_on_commit_callbacks(execute=True):
        cycle = cycle_score(cycle=close(cycle))

    (delivery,) = WebhookDelivery.objects.all()
    assert delivery.endpoint == subscribed and delivery.event_type == "cycle.scored"
    assert delivery.payload == {
        "type": "cycle.scored",
        "timestamp": delivery.payload["timestamp"],
        "data": {"cycle_id": cycle.pk, "name": cycle.name, "year": 2026, "results_version": cycle.results_version},
    }
    assert cycle.results_version == 1
    (request,) = receiver.received
    assert Webhook(subscribed.secret).verify(request.body, request.headers) == delivery.payload
    assert WebhookDelivery.objects.get().status == D.SUCCEEDED


def test_a_rehearsal_is_not_announced(receiver, eager, django_capture_on_commit_callbacks):
    endpoint_for(receiver.url)
    cycle, case, (a, b), _, _codes = open_case(members=2, superiors=0, min_group_size=1, test_mode=True)
    fill(assignment=assignment_of(case, a), scores={a: 9, b: 7, "team": 8})
    with django_capture_on_commit_callbacks(execute=True):
        cycle_score(cycle=close(cycle))
    assert not WebhookDelivery.objects.exists() and receiver.received == []


def test_scoring_that_rolls_back_announces_nothing(receiver, eager, django_capture_on_commit_callbacks):
    endpoint_for(receiver.url)
    cycle, case, (a, b), _, _codes = open_case(members=2, superiors=0, min_group_size=1)
    fill(assignment=assignment_of(case, a), scores={a: 9, b: 7, "team": 8})
    close(cycle)

    class Abort(Exception):
        pass

    with django_capture_on_commit_callbacks(execute=True), pytest.raises(Abort), transaction.atomic():
        cycle_score(cycle=cycle)
        raise Abort

    assert not WebhookDelivery.objects.exists() and receiver.received == []


@pytest.mark.parametrize("event_type", ["report.ready", "plan.overdue"])
def test_later_events_go_to_their_subscribers(event_type, receiver, eager, django_capture_on_commit_callbacks):
    mine = endpoint_for(receiver.url, events=[event_type])
    endpoint_for(receiver.url, events=["cycle.scored"])

    (delivery,) = emit(django_capture_on_commit_callbacks, event_type, {"report_id": 3})

    assert delivery.endpoint == mine and delivery.payload["type"] == event_type
    assert delivery.payload["data"] == {"report_id": 3}
    (request,) = receiver.received
    assert Webhook(mine.secret).verify(request.body, request.headers)["type"] == event_type


def test_an_event_without_subscribers_writes_nothing_and_an_unknown_one_is_a_bug():
    assert webhook_emit(event_type="plan.overdue", data={}) == []
    with pytest.raises(ValueError, match="unknown webhook event"):
        webhook_emit(event_type="cycle.deleted", data={})
    assert not WebhookDelivery.objects.exists()


# --- Retries, backoff, idempotency -----------------------------------------------------------


def test_the_backoff_grows_four_times_from_30_seconds_up_to_12_hours():
    minutes = [retry_delay(n) / dt.timedelta(minutes=1) for n in range(1, 9)]
    assert minutes == [0.5, 2, 8, 32, 128, 512, 720, 720]


def test_a_receiver_error_is_retried_later_and_later_until_the_attempts_run_out(
    receiver, eager, settings, django_capture_on_commit_callbacks
):
    settings.KAOPING_WEBHOOK_MAX_ATTEMPTS = 3
    receiver.answers = [500, 503, 502]
    endpoint_for(receiver.url)
    (delivery,) = emit(django_capture_on_commit_callbacks)

    waits = []
    for attempt in (1, 2):
        delivery.refresh_from_db()
        assert (delivery.status, delivery.attempts) == (D.PENDING, attempt)
        assert delivery.last_status_code == [500, 503][attempt - 1]
        assert delivery.last_error.startswith("HTTP 5") and delivery.last_response.startswith("answered 5")
        waits.append(delivery.next_attempt_at - delivery.last_attempt_at)
        # Not due yet: a duplicate or early task sends nothing.
        assert deliver_webhook.delay(delivery.pk).get() is None and len(receiver.received) == attempt
        due_now(delivery)
        assert deliver_webhook.delay(delivery.pk).get() in (D.PENDING, D.FAILED)

    assert [round(w.total_seconds() / 10) * 10 for w in waits] == [30, 120]
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == (D.FAILED, 3, 502)
    assert delivery.next_attempt_at is None and delivery.delivered_at is None
    assert [r.headers["webhook-id"] for r in receiver.received] == [delivery.msg_id] * 3
    due_now(delivery)
    assert deliver_webhook.delay(delivery.pk).get() is None and len(receiver.received) == 3


def test_a_refused_connection_is_recorded_and_retried(eager, django_capture_on_commit_callbacks):
    endpoint_for(closed_port_url())
    (delivery,) = emit(django_capture_on_commit_callbacks)
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == (D.PENDING, 1, None)
    assert delivery.last_error.startswith("ConnectionRefusedError")
    assert dt.timedelta(seconds=25) < delivery.next_attempt_at - timezone.now() <= dt.timedelta(seconds=30)


def test_a_redirect_is_not_followed(receiver, eager, django_capture_on_commit_callbacks):
    receiver.answers = [302]
    endpoint_for(receiver.url)
    (delivery,) = emit(django_capture_on_commit_callbacks)
    delivery.refresh_from_db()
    assert (delivery.status, delivery.last_error, len(receiver.received)) == (D.PENDING, "HTTP 302", 1)


def test_success_after_a_failure_is_final_and_never_sent_again(receiver, eager, django_capture_on_commit_callbacks):
    receiver.answers = [500]
    endpoint_for(receiver.url)
    (delivery,) = emit(django_capture_on_commit_callbacks)
    due_now(delivery)
    assert deliver_webhook.delay(delivery.pk).get() == D.SUCCEEDED
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.last_status_code, delivery.last_error) == (
        D.SUCCEEDED,
        2,
        200,
        "",
    )
    due_now(delivery)  # even if a stale task or a sweep came by
    assert deliver_webhook.delay(delivery.pk).get() is None
    assert deliver_webhook.delay(123456).get() is None  # a row that is gone
    assert len(receiver.received) == 2


def test_a_long_answer_from_the_receiver_is_kept_truncated(receiver, eager, monkeypatch):
    receiver.answers = [500]
    endpoint_for(receiver.url)
    (delivery,) = webhook_emit(event_type="cycle.scored", data={})
    original = outbound.post

    def chatty(url: str, **kwargs) -> outbound.Response:
        return outbound.Response(status=original(url, **kwargs).status, body="错" * 3000)

    monkeypatch.setattr(outbound, "post", chatty)
    deliver_webhook.delay(delivery.pk)
    delivery.refresh_from_db()
    assert (delivery.last_status_code, len(delivery.last_response)) == (500, 1000)
    assert delivery.last_response.endswith("错…")


def test_the_sweep_requeues_deliveries_whose_task_was_lost(receiver, eager, django_capture_on_commit_callbacks):
    endpoint_for(receiver.url)
    # Queued, but the broker lost the task: on_commit never ran.
    with django_capture_on_commit_callbacks(execute=False):
        (lost,) = webhook_emit(event_type="cycle.scored", data={"cycle_id": 1})
    long_ago = timezone.now() - STUCK_AFTER - dt.timedelta(minutes=1)
    WebhookDelivery.objects.filter(pk=lost.pk).update(next_attempt_at=long_ago)
    with django_capture_on_commit_callbacks(execute=False):
        (recent,) = webhook_emit(
            event_type="cycle.scored", data={"cycle_id": 2}
        )  # just due: its task may be on the way

    with django_capture_on_commit_callbacks(execute=True):
        assert sweep_webhook_deliveries.delay().get() == 1
    assert [json.loads(r.body)["data"] for r in receiver.received] == [{"cycle_id": 1}]
    lost.refresh_from_db()
    recent.refresh_from_db()
    assert (lost.status, recent.status) == (D.SUCCEEDED, D.PENDING)
    with django_capture_on_commit_callbacks(execute=True):
        assert sweep_webhook_deliveries.delay().get() == 0


def test_a_swept_delivery_is_not_swept_again_while_it_waits_in_the_queue(receiver, django_capture_on_commit_callbacks):
    endpoint_for(receiver.url)
    with django_capture_on_commit_callbacks(execute=False):
        (delivery,) = webhook_emit(event_type="cycle.scored", data={})
    WebhookDelivery.objects.filter(pk=delivery.pk).update(next_attempt_at=timezone.now() - STUCK_AFTER * 2)
    with django_capture_on_commit_callbacks(execute=False) as queued:
        assert sweep_webhook_deliveries() == 1
        assert sweep_webhook_deliveries() == 0
    assert len(queued) == 1


def test_deactivating_an_endpoint_fails_what_is_pending_and_sends_nothing(
    receiver, eager, django_capture_on_commit_callbacks
):
    endpoint = endpoint_for(receiver.url)
    with django_capture_on_commit_callbacks(execute=False) as queued:
        (delivery,) = webhook_emit(event_type="cycle.scored", data={})
    webhook_endpoint_deactivate(endpoint=endpoint)
    for callback in queued:
        callback()
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.last_error) == (D.FAILED, 0, "The endpoint was deactivated.")
    assert receiver.received == []
    assert webhook_emit(event_type="cycle.scored", data={}) == []


# --- Requests into our own network -----------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:8000/hooks",
        "http://localhost/hooks",
        "http://10.1.2.3/hooks",
        "http://192.168.0.10/hooks",
        "http://172.16.5.4/hooks",
        "http://169.254.169.254/latest/meta-data/",
        "http://[::1]/hooks",
        "http://[::ffff:127.0.0.1]/hooks",
        "http://[fd00::1]/hooks",
        "http://0.0.0.0/hooks",
        "http://100.64.0.1/hooks",
    ],
)
def test_an_address_inside_the_network_is_refused_in_production(url, settings):
    settings.KAOPING_WEBHOOK_ALLOW_PRIVATE = False
    with pytest.raises(ValidationError, match="inside the network") as refusal:
        endpoint_for(url)
    assert list(refusal.value.message_dict) == ["url"]
    assert not WebhookEndpoint.objects.exists()


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("ftp://93.184.215.14/hooks", "Only http and https"),
        ("file:///etc/passwd", "Only http and https"),
        ("gopher://93.184.215.14/", "Only http and https"),
        ("http:///hooks", "no host"),
        ("https://user:pass@93.184.215.14/hooks", "user name or password"),
        ("http://93.184.215.14:99999/", "not a valid URL"),
    ],
)
def test_only_http_urls_with_a_real_host_are_accepted(url, message, settings):
    settings.KAOPING_WEBHOOK_ALLOW_PRIVATE = False
    with pytest.raises(ValidationError, match=message):
        endpoint_for(url)


def test_a_public_address_is_accepted_in_production(settings):
    settings.KAOPING_WEBHOOK_ALLOW_PRIVATE = False
    assert endpoint_for("https://93.184.215.14/hooks").url == "https://93.184.215.14/hooks"


def test_a_host_that_does_not_resolve_yet_is_accepted_and_retried_when_sending(
    settings, eager, django_capture_on_commit_callbacks
):
    settings.KAOPING_WEBHOOK_ALLOW_PRIVATE = False
    endpoint_for("https://hooks.no-such-host.invalid/kaoping")  # its DNS record may be published later
    (delivery,) = emit(django_capture_on_commit_callbacks)
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == (D.PENDING, 1)
    assert delivery.last_error.startswith("gaierror") and delivery.next_attempt_at is not None


def test_an_address_that_turned_private_is_refused_at_send_time_for_good(
    receiver, settings, eager, django_capture_on_commit_callbacks
):
    endpoint_for(receiver.url)  # allowed when it was made (say, DNS pointed elsewhere then)
    settings.KAOPING_WEBHOOK_ALLOW_PRIVATE = False
    (delivery,) = emit(django_capture_on_commit_callbacks)
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.next_attempt_at) == (D.FAILED, 1, None)
    assert "resolves to an address inside the network (127.0.0.1)" in delivery.last_error
    assert receiver.received == []


def test_the_connection_itself_is_checked_whatever_the_url_check_said(receiver, settings, monkeypatch):
    """DNS rebinding: a name may resolve to a public address for the check and to 127.0.0.1 a moment later."""
    settings.KAOPING_WEBHOOK_ALLOW_PRIVATE = False
    port = urlsplit(receiver.url).port
    monkeypatch.setattr(outbound, "url_check", lambda url: ("http", "127.0.0.1", port))
    with pytest.raises(outbound.AddressRefused):
        outbound.post(receiver.url, body=b"{}", headers={}, timeout=2)
    assert receiver.received == []


# --- Admin -----------------------------------------------------------------------------------


@pytest.fixture
def admin_client(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


def test_the_admin_shows_a_new_endpoint_secret_once(admin_client, receiver):
    response = admin_client.post(
        reverse("admin:integrations_webhookendpoint_add"),
        {"url": receiver.url, "events": ["cycle.scored", "plan.overdue"], "description": "人事系统", "active": "on"},
    )
    assert response.status_code == 200 and "no-store" in response["Cache-Control"]
    endpoint = WebhookEndpoint.objects.get()
    assert endpoint.secret in response.content.decode() and response.context["secret"] == endpoint.secret
    assert endpoint.events == ["cycle.scored", "plan.overdue"] and endpoint.description == "人事系统"
    change = admin_client.get(reverse("admin:integrations_webhookendpoint_change", args=[endpoint.pk]))
    assert change.status_code == 200 and endpoint.secret not in change.content.decode()


def test_the_admin_refuses_a_private_address_in_production(admin_client, settings):
    settings.KAOPING_WEBHOOK_ALLOW_PRIVATE = False
    response = admin_client.post(
        reverse("admin:integrations_webhookendpoint_add"), {"url": "http://10.0.0.8/hooks", "events": ["cycle.scored"]}
    )
    assert response.status_code == 200 and "inside the network" in response.content.decode()
    assert not WebhookEndpoint.objects.exists()


def test_the_admin_changes_and_deactivates_endpoints(admin_client, receiver):
    endpoint = endpoint_for(receiver.url)
    response = admin_client.post(
        reverse("admin:integrations_webhookendpoint_change", args=[endpoint.pk]),
        {"url": receiver.url, "events": ["report.ready"], "description": "", "active": "on"},
    )
    assert response.status_code == 302
    endpoint.refresh_from_db()
    assert endpoint.events == ["report.ready"] and endpoint.active
    admin_client.post(
        reverse("admin:integrations_webhookendpoint_changelist"),
        {"action": "deactivate", "_selected_action": [endpoint.pk]},
    )
    endpoint.refresh_from_db()
    assert not endpoint.active


def test_the_admin_resends_deliveries_and_logs_it(
    admin_client, receiver, eager, settings, django_capture_on_commit_callbacks
):
    settings.KAOPING_WEBHOOK_MAX_ATTEMPTS = 1
    receiver.answers = [500]
    endpoint_for(receiver.url)
    (failed,) = emit(django_capture_on_commit_callbacks)
    failed.refresh_from_db()
    assert (failed.status, failed.attempts) == (D.FAILED, 1)
    changelist = reverse("admin:integrations_webhookdelivery_changelist")
    page = admin_client.get(changelist, {"status__exact": "failed", "event_type__exact": "cycle.scored"})
    assert page.status_code == 200 and failed.msg_id in page.content.decode()
    assert failed.msg_id not in admin_client.get(changelist, {"status__exact": "succeeded"}).content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(changelist, {"action": "resend", "_selected_action": [failed.pk]}, follow=True)
    assert "Deliveries queued again: 1." in response.content.decode()
    failed.refresh_from_db()
    assert (failed.status, failed.attempts, failed.max_attempts, failed.last_status_code) == (D.SUCCEEDED, 2, 2, 200)
    assert [r.headers["webhook-id"] for r in receiver.received] == [failed.msg_id] * 2
    log = LogEntry.objects.get(object_id=str(failed.pk))
    assert log.get_change_message() == "Queued again by hand (attempt 2)."


def test_resending_leaves_out_deactivated_endpoints(receiver, django_capture_on_commit_callbacks):
    endpoint = endpoint_for(receiver.url)
    with django_capture_on_commit_callbacks(execute=False):
        (delivery,) = webhook_emit(event_type="cycle.scored", data={})
    webhook_endpoint_deactivate(endpoint=endpoint)
    assert webhook_deliveries_resend(deliveries=[delivery]) == []
    delivery.refresh_from_db()
    assert delivery.status == D.FAILED


def test_the_delivery_log_is_read_only_in_the_admin(admin_client, receiver):
    endpoint_for(receiver.url)
    (delivery,) = webhook_emit(event_type="cycle.scored", data={})
    assert admin_client.get(reverse("admin:integrations_webhookdelivery_add")).status_code == 403
    page = admin_client.get(reverse("admin:integrations_webhookdelivery_change", args=[delivery.pk]))
    assert page.status_code == 200 and delivery.msg_id in page.content.decode()
    assert (
        admin_client.post(reverse("admin:integrations_webhookdelivery_delete", args=[delivery.pk])).status_code == 403
    )


# --- API -------------------------------------------------------------------------------------


def endpoint_json(endpoint: WebhookEndpoint) -> dict:
    return {
        "id": endpoint.pk,
        "url": endpoint.url,
        "events": endpoint.events,
        "description": endpoint.description,
        "active": endpoint.active,
        "created_by": endpoint.created_by.username,
        "created_at": drf_time(endpoint.created_at),
        "updated_at": drf_time(endpoint.updated_at),
    }


def test_the_api_creates_an_endpoint_and_returns_its_secret_once(receiver):
    client = api_client("webhooks:manage")
    response = client.post(
        HOOKS,
        {"url": receiver.url, "events": ["report.ready", "cycle.scored", "cycle.scored"], "description": " 人事系统 "},
        format="json",
    )
    assert response.status_code == 201, response.json()
    assert response["Cache-Control"] == "no-store"
    endpoint = WebhookEndpoint.objects.get()
    assert response.json() == {**endpoint_json(endpoint), "secret": endpoint.secret}
    assert endpoint.events == ["cycle.scored", "report.ready"] and endpoint.description == "人事系统"
    assert endpoint.created_by == client.key.owner and endpoint.active

    again = client.get(f"{HOOKS}{endpoint.pk}/")
    assert again.status_code == 200 and again.json() == endpoint_json(endpoint)
    assert endpoint.secret not in again.content.decode()
    assert endpoint.secret not in client.get(HOOKS).content.decode()


def test_hr_sees_every_endpoint_whoever_made_it(receiver):
    theirs = endpoint_for(receiver.url, created_by=hr_user())
    client = api_client("webhooks:manage")
    response = client.get(HOOKS)
    assert response.status_code == 200
    assert response.json() == {"next": None, "previous": None, "results": [endpoint_json(theirs)]}


def test_the_api_updates_url_events_and_active_but_never_deletes(receiver):
    endpoint = endpoint_for(receiver.url)
    client = api_client("webhooks:manage")
    response = client.patch(f"{HOOKS}{endpoint.pk}/", {"events": ["plan.overdue"], "active": False}, format="json")
    assert response.status_code == 200
    endpoint.refresh_from_db()
    assert response.json() == endpoint_json(endpoint)
    assert endpoint.events == ["plan.overdue"] and not endpoint.active

    with local_receiver("/other") as other:
        response = client.put(f"{HOOKS}{endpoint.pk}/", {"url": other.url, "events": ["cycle.scored"]}, format="json")
    assert response.status_code == 200
    endpoint.refresh_from_db()
    assert (endpoint.url, endpoint.events, endpoint.active) == (other.url, ["cycle.scored"], False)

    assert client.delete(f"{HOOKS}{endpoint.pk}/").status_code == 405
    assert WebhookEndpoint.objects.filter(pk=endpoint.pk).exists()


def test_an_unknown_endpoint_is_404():
    client = api_client("webhooks:manage")
    assert client.get(f"{HOOKS}999/").status_code == 404
    assert client.patch(f"{HOOKS}999/", {"active": False}, format="json").status_code == 404
    assert client.get(f"{HOOKS}999/deliveries/").status_code == 404
    for odd in ("0.5", "x", "9" * 30):
        for response in (client.get(f"{HOOKS}{odd}/"), client.get(f"{HOOKS}{odd}/deliveries/")):
            assert response.status_code == 404 and response.json()["type"] == "client_error"


def test_a_key_without_the_scope_gets_403_in_the_common_error_shape(receiver):
    endpoint = endpoint_for(receiver.url)
    client = api_client("cycles:read", "results:read")
    for response in (
        client.get(HOOKS),
        client.get(f"{HOOKS}{endpoint.pk}/deliveries/"),
        client.post(HOOKS, {"url": receiver.url, "events": ["cycle.scored"]}, format="json"),
    ):
        assert response.status_code == 403
        assert response.json() == {
            "type": "client_error",
            "errors": [
                {"code": "permission_denied", "detail": "This API key lacks the scope webhooks:manage.", "attr": None}
            ],
        }
    assert WebhookEndpoint.objects.count() == 1


def test_a_key_of_someone_outside_hr_gets_403():
    client = api_client("webhooks:manage", owner=UserFactory())
    assert client.get(HOOKS).status_code == 403


@pytest.mark.parametrize(
    ("body", "attr"),
    [
        ({"url": "not a url", "events": ["cycle.scored"]}, "url"),
        ({"url": "ftp://93.184.215.14/hooks", "events": ["cycle.scored"]}, "url"),
        ({"url": "http://10.0.0.1/hooks", "events": ["cycle.scored"]}, "url"),
        ({"url": "https://93.184.215.14/hooks", "events": ["cycle.scored", "cycle.deleted"]}, "events"),
        ({"url": "https://93.184.215.14/hooks", "events": [None]}, "events"),
        ({"url": "https://93.184.215.14/hooks", "events": []}, "events"),
        ({"url": "https://93.184.215.14/hooks"}, "events"),
        ({"url": "https://93.184.215.14/hooks", "events": "cycle.scored"}, "events"),
        ({"events": ["cycle.scored"]}, "url"),
        ({"url": "https://93.184.215.14/hooks", "events": ["cycle.scored"], "active": 0}, "active"),
        ({"url": "https://93.184.215.14/hooks", "events": ["cycle.scored"], "description": 0}, "description"),
        ({"url": 12, "events": ["cycle.scored"]}, "url"),
    ],
)
def test_a_bad_subscription_is_a_400_and_writes_nothing(body, attr, settings):
    settings.KAOPING_WEBHOOK_ALLOW_PRIVATE = False
    response = api_client("webhooks:manage").post(HOOKS, body, format="json")
    assert response.status_code == 400, response.json()
    errors = response.json()["errors"]
    assert response.json()["type"] == "validation_error" and [e["attr"] for e in errors] == [attr]
    assert not WebhookEndpoint.objects.exists()


def test_a_control_character_in_a_subscription_is_a_400_naming_the_field_and_writes_nothing():
    body = {"url": "https://93.184.215.14/hooks", "events": ["cycle.scored"], "description": "a\x00b"}
    response = api_client("webhooks:manage").post(HOOKS, body, format="json")
    assert response.status_code == 400
    assert [(e["attr"], e["code"]) for e in response.json()["errors"]] == [("description", "parse_error")]
    assert not WebhookEndpoint.objects.exists()


def test_a_bad_update_is_a_400_and_changes_nothing(receiver, settings):
    endpoint = endpoint_for(receiver.url)
    settings.KAOPING_WEBHOOK_ALLOW_PRIVATE = False
    client = api_client("webhooks:manage")
    for body in ({"url": "http://127.0.0.2/x"}, {"events": []}, {"events": ["nope"]}):
        assert client.patch(f"{HOOKS}{endpoint.pk}/", body, format="json").status_code == 400
    # The unchanged (private) URL is not checked again: switching it off still works.
    assert (
        client.patch(f"{HOOKS}{endpoint.pk}/", {"url": receiver.url, "active": False}, format="json").status_code == 200
    )
    endpoint.refresh_from_db()
    assert (endpoint.url, endpoint.events, endpoint.active) == (receiver.url, ["cycle.scored"], False)


def delivery_json(delivery: WebhookDelivery) -> dict:
    return {
        "id": delivery.pk,
        "msg_id": delivery.msg_id,
        "event_type": delivery.event_type,
        "payload": delivery.payload,
        "status": delivery.status,
        "attempts": delivery.attempts,
        "max_attempts": delivery.max_attempts,
        "next_attempt_at": delivery.next_attempt_at and drf_time(delivery.next_attempt_at),
        "last_attempt_at": delivery.last_attempt_at and drf_time(delivery.last_attempt_at),
        "last_status_code": delivery.last_status_code,
        "last_error": delivery.last_error,
        "last_response": delivery.last_response,
        "created_at": drf_time(delivery.created_at),
        "delivered_at": delivery.delivered_at and drf_time(delivery.delivered_at),
    }


def test_the_delivery_log_of_an_endpoint_pages_by_cursor(receiver, eager, django_capture_on_commit_callbacks):
    receiver.answers = [500]
    endpoint = endpoint_for(receiver.url, events=["cycle.scored", "plan.overdue"])
    endpoint_for(receiver.url)  # another endpoint's deliveries are not listed
    first = emit(django_capture_on_commit_callbacks, "cycle.scored", {"cycle_id": 1})[0]
    second = emit(django_capture_on_commit_callbacks, "plan.overdue", {"plan_id": 2})[0]
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.endpoint == second.endpoint == endpoint and first.status == D.PENDING

    client = api_client("webhooks:manage")
    url = f"{HOOKS}{endpoint.pk}/deliveries/"
    page = client.get(url, {"page_size": 1}).json()
    assert page["results"] == [delivery_json(first)] and page["previous"] is None
    assert client.get(page["next"]).json() == {
        "next": None,
        "previous": client.get(page["next"]).json()["previous"],
        "results": [delivery_json(second)],
    }
    assert client.get(url, {"status": "succeeded"}).json()["results"] == [delivery_json(second)]
    assert client.get(url, {"event_type": "cycle.scored"}).json()["results"] == [delivery_json(first)]


@pytest.mark.parametrize("position", ["abc", "1\x00", "2026-13-45"])
def test_a_forged_cursor_is_a_404_not_a_server_error(position, receiver):
    endpoint = endpoint_for(receiver.url)
    webhook_emit(event_type="cycle.scored", data={})
    client = api_client("webhooks:manage")
    cursor = base64.b64encode(f"p={position}".encode()).decode()
    for url in (HOOKS, f"{HOOKS}{endpoint.pk}/deliveries/"):
        response = client.get(url, {"cursor": cursor})
        assert response.status_code == 404, response.content
        assert response.json()["errors"][0]["detail"] == "Invalid cursor"


@pytest.mark.parametrize("rows", [1, 4])
def test_the_lists_cost_the_same_queries_however_many_rows(rows, receiver, django_assert_num_queries):
    client = api_client("webhooks:manage")
    endpoints = [endpoint_for(receiver.url, created_by=hr_user()) for _ in range(rows)]
    for _ in range(rows):
        webhook_emit(event_type="cycle.scored", data={})
    # Per request: the request's savepoint and its release, the key, the owner's permissions (two). Then the
    # first request notes the key's use, the second looks up the endpoint; and one query for each list.
    with django_assert_num_queries(7):
        assert len(client.get(HOOKS).json()["results"]) == rows
    with django_assert_num_queries(7):
        assert len(client.get(f"{HOOKS}{endpoints[0].pk}/deliveries/").json()["results"]) == rows
