"""Reminders: the desk queues one mail per unsubmitted named rater, a worker sends it in Chinese with a
link to the sheet; nobody is mailed twice in a row, and anonymous code holders are never involved."""

import datetime as dt

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from assessments.models import Assignment, TimelineEvent
from assessments.services import reminders_send
from config.celery_app import app
from tests.assessments.factories import CycleFactory
from tests.assessments.helpers import assignment_of, fill, open_case

pytestmark = pytest.mark.django_db


@pytest.fixture
def eager():
    """Run queued tasks in-process, as a worker would; the real worker is tested in tests/integration."""
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = False


def setup_case():
    cycle, case, (a, b, c), (boss,), _ = open_case(members=3, superiors=1, codes=2)
    for person, email in ((a, "a@example.com"), (b, ""), (c, "c@example.com"), (boss, "boss@example.com")):
        person.email = email
        person.save()
    fill(assignment=assignment_of(case, c), scores={a: 8, b: 7, c: 9, "team": 8})
    return cycle, case, (a, b, c, boss)


def test_the_desk_reminds_everyone_pending_once_in_chinese(client, hr, eager, django_capture_on_commit_callbacks):
    cycle, case, (_a, _b, _c, boss) = setup_case()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("assessments:hr_cycle_remind", args=[cycle.pk]), follow=True)
    assert "Reminders queued: 2. Without an email address: 1." in response.content.decode()
    assert sorted(m.to[0] for m in mail.outbox) == ["a@example.com", "boss@example.com"]
    message = next(m for m in mail.outbox if m.to == ["boss@example.com"])
    assert "提醒" in message.subject and case.team.name in message.subject
    assert "尚未提交" in message.body and boss.name in message.body
    assert f"/ballots/{assignment_of(case, boss).pk}/" in message.body
    assert TimelineEvent.objects.filter(cycle=cycle, action="reminded", data={"count": 2}, actor=hr).exists()

    # A second click within the gap mails nobody again.
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("assessments:hr_cycle_remind", args=[cycle.pk]), follow=True)
    assert "Reminders queued: 0." in response.content.decode() and "skipped: 2" in response.content.decode()
    assert mail.outbox == []


def test_a_reminder_is_due_again_after_the_gap(eager, django_capture_on_commit_callbacks):
    cycle, case, (_a, *_rest) = setup_case()
    Assignment.objects.filter(case=case).update(reminded_at=timezone.now() - dt.timedelta(hours=13))
    with django_capture_on_commit_callbacks(execute=True):
        run = reminders_send(cycle=cycle)
    assert run.queued == 2 and len(mail.outbox) == 2


def test_someone_who_submits_before_the_worker_runs_gets_no_mail(django_capture_on_commit_callbacks, eager):
    cycle, case, (a, b, c, boss) = setup_case()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        reminders_send(cycle=cycle)
    fill(assignment=assignment_of(case, boss), scores={a: 8, b: 7, c: 9, "team": 8})
    for callback in callbacks:
        callback()
    assert [m.to for m in mail.outbox] == [["a@example.com"]]


def test_reminding_one_case_touches_only_that_case(client, hr, eager, django_capture_on_commit_callbacks):
    cycle, case, (_a, *_rest) = setup_case()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("assessments:hr_cycle_remind", args=[cycle.pk]), {"case": case.pk})
    assert response["Location"] == reverse("assessments:hr_case", args=[case.pk])
    assert len(mail.outbox) == 2
    assert client.post(reverse("assessments:hr_cycle_remind", args=[cycle.pk]), {"case": "abc"}).status_code == 404
    assert client.post(reverse("assessments:hr_cycle_remind", args=[cycle.pk]), {"case": 99999}).status_code == 404


def test_reminders_are_refused_unless_the_cycle_is_open(client, hr):
    cycle = CycleFactory()
    response = client.post(reverse("assessments:hr_cycle_remind", args=[cycle.pk]), follow=True)
    assert "only while the cycle is open" in response.content.decode()
    assert mail.outbox == []
