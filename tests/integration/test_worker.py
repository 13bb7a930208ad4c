"""A real Celery worker process, on the broker the settings name, scores a cycle queued by the service."""

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from assessments.models import Cycle, SubjectResult
from assessments.services import cycle_close, cycle_score_later
from tests.assessments.helpers import assignment_of, fill, open_case

ROOT = Path(__file__).resolve().parents[2]
pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def worker():
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
    }
    process = subprocess.Popen(
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
            "--queues=celery",
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
