"""The daily overdue check: by the calendar day in Asia/Shanghai, once per action and day, with mails to the
owner and HR and a signed `plan.overdue` webhook."""

import datetime as dt

import pytest
from django.core import mail
from django.utils import timezone

from assessments.models import TimelineEvent
from followup.models import Action
from followup.services import actions_mark_overdue
from followup.services.notices import overdue_emails_send
from followup.tasks import check_overdue_actions
from integrations.models import WebhookDelivery
from integrations.webhooks import webhook_endpoint_create
from tests.followup.plan_helpers import case_with_weak_leader, hr_user, plan_to

pytestmark = pytest.mark.django_db
UTC = dt.UTC
DUE = dt.date(2026, 12, 1)


@pytest.fixture
def late_plan():
    """An approved plan whose first action falls due on 1 December 2026 (the others much later)."""
    _, case, (a, *_) = case_with_weak_leader()
    a.email = "leader@example.com"
    a.save()
    hr = hr_user()
    hr.email = "hr@example.com"
    hr.save()
    plan = plan_to("approved", case, a, hr)
    first = plan.actions.first()
    Action.objects.filter(pk=first.pk).update(due_on=DUE)
    plan.actions.exclude(pk=first.pk).update(due_on=DUE + dt.timedelta(days=100))
    return plan, first


def at(utc: str) -> dt.datetime:
    return dt.datetime.fromisoformat(utc).replace(tzinfo=UTC)


def test_an_action_is_not_overdue_on_its_due_day_in_shanghai_even_when_utc_is_a_day_behind(late_plan):
    plan, first = late_plan
    # 23:59 on 1 December in Shanghai is 15:59 UTC: still the due day.
    assert actions_mark_overdue(now=at("2026-12-01T15:59:00")) == []
    # 00:01 on 2 December in Shanghai is 16:01 UTC on 1 December: overdue.
    assert actions_mark_overdue(now=at("2026-12-01T16:01:00")) == [plan.pk]
    first.refresh_from_db()
    assert first.overdue_since == dt.date(2026, 12, 2) and first.overdue_notified_on == dt.date(2026, 12, 2)


def test_the_check_tells_nobody_twice_on_one_day_and_again_the_next_day(late_plan, django_capture_on_commit_callbacks):
    plan, first = late_plan
    endpoint = webhook_endpoint_create(url="http://127.0.0.1:9/hook", events=["plan.overdue"], created_by=hr_user())
    with django_capture_on_commit_callbacks() as callbacks:
        assert actions_mark_overdue(now=at("2026-12-02T01:00:00")) == [plan.pk]
        assert actions_mark_overdue(now=at("2026-12-02T09:00:00")) == []
    assert len(callbacks) >= 1
    assert WebhookDelivery.objects.filter(endpoint=endpoint).count() == 1
    delivery = WebhookDelivery.objects.get(endpoint=endpoint)
    assert delivery.payload["data"]["plan_id"] == plan.pk
    assert delivery.payload["data"]["overdue_action_ids"] == [first.pk]
    assert delivery.payload["data"]["on"] == "2026-12-02"
    assert TimelineEvent.objects.filter(action="plan_overdue").count() == 1

    assert overdue_emails_send(plan_ids=[plan.pk], on=dt.date(2026, 12, 2)) == 2
    to = sorted(m.to[0] for m in mail.outbox)
    assert to == ["hr@example.com", "leader@example.com"]
    leader_mail = next(m for m in mail.outbox if m.to == ["leader@example.com"])
    assert first.title in leader_mail.body and "2026-12-01" in leader_mail.body
    assert f"/plans/{plan.pk}/" in leader_mail.body

    # The next day it is still late: one more notice, one more delivery.
    assert actions_mark_overdue(now=at("2026-12-03T01:00:00")) == [plan.pk]
    assert WebhookDelivery.objects.filter(endpoint=endpoint).count() == 2
    first.refresh_from_db()
    assert first.overdue_since == dt.date(2026, 12, 2)


def test_done_actions_and_plans_not_under_way_are_never_overdue(late_plan):
    from followup.services import progress_post
    from tests.followup.plan_helpers import user_of

    plan, first = late_plan
    progress_post(action=first, actor=user_of(plan.subject.person), note="按期完成", progress=100)
    assert actions_mark_overdue(now=at("2026-12-05T01:00:00")) == []
    # A draft's dates are not commitments yet.
    _, case, (_, b, *_) = case_with_weak_leader()
    draft = plan_to("draft", case, b, hr_user())
    draft.actions.update(due_on=DUE)
    assert actions_mark_overdue(now=at("2026-12-05T01:00:00")) == []


def test_the_beat_task_runs_the_check(late_plan, settings):
    plan, _ = late_plan
    # The task uses the real clock: make the due day long past.
    plan.actions.update(due_on=timezone.localdate() - dt.timedelta(days=3))
    assert check_overdue_actions.apply().get() == 1
    assert check_overdue_actions.apply().get() == 0
    assert "plans-overdue-check" in settings.CELERY_BEAT_SCHEDULE
