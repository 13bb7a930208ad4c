"""A real Celery worker process, on the broker the settings name, scores a cycle queued by the service,
mails reminders and delivers webhooks."""

import email
import email.policy
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from standardwebhooks import Webhook

from assessments.models import Cycle, SubjectResult
from assessments.services import cycle_close, cycle_score_later, reminders_send
from integrations.models import WebhookDelivery
from integrations.webhooks import webhook_endpoint_create
from tests.assessments.helpers import assignment_of, fill, open_case
from tests.integrations.factories import hr_user
from tests.integrations.receiver import local_receiver

ROOT = Path(__file__).resolve().parents[2]
pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def mailbox(tmp_path) -> Path:
    return tmp_path / "mail"


@pytest.fixture
def worker(mailbox):
    if connection.vendor != "postgresql":
        pytest.skip("the worker process needs a database it can share with the test: set DATABASE_URL to PostgreSQL")
    if not settings.REDIS_URL:
        pytest.skip("set REDIS_URL: this test runs the worker on Redis, as production does")
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        # The test database, not the one DATABASE_URL names.
        "DATABASE_URL": f"postgres://{connection.settings_dict['USER'] or ''}@{connection.settings_dict['HOST']}:"
        f"{connection.settings_dict['PORT'] or 5432}/{connection.settings_dict['NAME']}",
        "KAOPING_CELERY_QUEUE": settings.CELERY_TASK_DEFAULT_QUEUE,
        "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
        "EMAIL_FILE_PATH": str(mailbox),
    }
    process = subprocess.Popen(  # noqa: S603 - our own interpreter and arguments
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "config",
            "worker",
            "--pool=solo",
            "--loglevel=INFO",
            "--without-gossip",
            "--without-mingle",
            f"--queues={settings.CELERY_TASK_DEFAULT_QUEUE}",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    yield process
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()


def test_a_real_worker_scores_a_cycle_queued_after_commit(worker):
    cycle, case, (a, b), _, codes = open_case(members=2, superiors=0, codes=2, min_group_size=1)
    fill(assignment=assignment_of(case, a), scores={a: 9, b: 7, "team": 8})
    fill(code=codes[0], scores={a: 7, b: 6, "team": 8})
    cycle_close(cycle=cycle)
    cycle.refresh_from_db()
    cycle_score_later(cycle=cycle)  # autocommit: on_commit fires at once

    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if Cycle.objects.get(pk=cycle.pk).status == Cycle.Status.SCORED:
            break
        if worker.poll() is not None:
            pytest.fail(f"the worker died:\n{worker.stdout.read()}")
        time.sleep(0.5)
    else:
        worker.terminate()
        pytest.fail(f"the cycle was not scored within 60 s; worker output:\n{worker.communicate(timeout=20)[0]}")
    assert SubjectResult.objects.filter(cycle=cycle, subject__person=a).get().total is not None


def test_a_real_worker_mails_the_reminders_in_chinese(worker, mailbox):
    cycle, case, (a, b), (boss,), _ = open_case(members=2, superiors=1, codes=0)
    boss.email = "boss@example.com"
    boss.save()
    fill(assignment=assignment_of(case, a), scores={a: 9, b: 7, "team": 8})
    run = reminders_send(cycle=cycle)  # autocommit: the task is queued at once
    assert run.queued == 1 and run.no_email == 1

    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not (mailbox.exists() and any(mailbox.iterdir())):
        if worker.poll() is not None:
            pytest.fail(f"the worker died:\n{worker.stdout.read()}")
        time.sleep(0.5)
    files = list(mailbox.iterdir()) if mailbox.exists() else []
    assert len(files) == 1, "the worker sent no reminder within 60 s"
    message = email.message_from_bytes(files[0].read_bytes(), policy=email.policy.default)
    assert message["To"] == "boss@example.com"
    assert str(message["Subject"]).strip().startswith("提醒") and case.team.name in str(message["Subject"])
    assert "尚未提交" in message.get_content()


def test_a_real_worker_delivers_a_signed_webhook_when_it_scores_a_cycle(worker):
    cycle, case, (a, b), _, codes = open_case(members=2, superiors=0, codes=1, min_group_size=1)
    fill(assignment=assignment_of(case, a), scores={a: 9, b: 7, "team": 8})
    fill(code=codes[0], scores={a: 7, b: 6, "team": 8})
    cycle_close(cycle=cycle)
    cycle.refresh_from_db()
    with local_receiver() as receiver:
        endpoint = webhook_endpoint_create(url=receiver.url, events=["cycle.scored"], created_by=hr_user())
        cycle_score_later(cycle=cycle)  # the worker scores, and its commit queues the delivery

        if not receiver.arrived.wait(60):
            worker.terminate()
            pytest.fail(f"no webhook arrived within 60 s; worker output:\n{worker.communicate(timeout=20)[0]}")
        (request,) = receiver.received
        payload = Webhook(endpoint.secret).verify(request.body, request.headers)
        assert payload["type"] == "cycle.scored"
        assert payload["data"] == {"cycle_id": cycle.pk, "name": cycle.name, "year": cycle.year, "results_version": 1}

        deadline = time.monotonic() + 30
        while WebhookDelivery.objects.get().status != WebhookDelivery.Status.SUCCEEDED:
            assert time.monotonic() < deadline, "the worker did not record the delivery"
            time.sleep(0.2)
    delivery = WebhookDelivery.objects.get()
    assert (delivery.msg_id, delivery.attempts, delivery.last_status_code) == (request.headers["webhook-id"], 1, 200)
