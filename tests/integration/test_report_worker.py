"""Report jobs through real Celery worker processes (prefork, so worker_process_init warms the Typst compiler) on
real Redis, against the test database: a job goes queued → running → succeeded; a worker killed with SIGKILL in
the middle of a bulk run loses nothing and makes nothing twice; a Redis that lost its queues loses no job; a
template that raises ends the job failed after the attempt cap, without looping."""

import contextlib
import hashlib
import io
import os
import shutil
import signal
import subprocess
import sys
import time
import uuid
import zipfile
from datetime import timedelta
from pathlib import Path

import pytest
import redis
from django.conf import settings
from django.db import connection
from django.utils import timezone

from assessments.models import CaseSubject
from assessments.services import case_create, cycle_open, cycle_release, cycle_score
from reports.models import ReportJob
from reports.services import batches, report_jobs_sweep, report_request, reports_bulk_request
from tests.assessments.factories import CycleFactory, team_with_members
from tests.assessments.helpers import assignment_of, close, fill, released_case
from tests.integrations.factories import hr_user

ROOT = Path(__file__).resolve().parents[2]
TEMPLATES = ROOT / "reports" / "rendering" / "templates"
pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]
S = ReportJob.Status

# Starts the worker with the engine pointed at another template folder: a template that raises, in a real worker.
BROKEN_TEMPLATES_WORKER = """
import pathlib, sys
import reports.rendering.engine as engine
engine.TEMPLATES = pathlib.Path(sys.argv.pop(1))
from celery.__main__ import main
sys.argv[0] = "celery"
main()
"""


def _queues() -> list[str]:
    return [settings.CELERY_TASK_DEFAULT_QUEUE, settings.KAOPING_PDF_QUEUE]


class Worker:
    def __init__(self, process: subprocess.Popen, log: Path):
        self.process, self.log = process, log

    def output(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""

    def alive(self) -> bool:
        return self.process.poll() is None

    def wait_ready(self, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if " ready." in self.output():
                return
            if not self.alive():
                pytest.fail(f"the worker died while starting:\n{self.output()}")
            time.sleep(0.1)
        pytest.fail(f"the worker was not ready within {timeout} s:\n{self.output()}")

    def kill(self, sig: int = signal.SIGKILL) -> None:
        """The whole process group: the main process and its pool children."""
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, sig)

    def stop(self) -> None:
        if self.alive():
            self.kill(signal.SIGTERM)
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.process.wait(timeout=15)
        self.kill(signal.SIGKILL)  # pool children left behind, if any
        if self.alive():
            self.process.wait(timeout=10)


@pytest.fixture
def media(tmp_path, settings) -> Path:
    """One MEDIA_ROOT for the test and its workers (settings read it from the environment)."""
    root = tmp_path / "media"
    root.mkdir()
    settings.MEDIA_ROOT = root
    return root


@pytest.fixture
def start_worker(tmp_path, media):
    if connection.vendor != "postgresql":
        pytest.skip("the worker process needs a database it can share with the test: set DATABASE_URL to PostgreSQL")
    if not settings.REDIS_URL:
        pytest.skip("set REDIS_URL: this test runs the worker on Redis, as production does")
    started: list[Worker] = []

    def start(*, concurrency: int = 1, templates: Path | None = None, wait: bool = True) -> Worker:
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "config.settings.test",
            # The test database, not the one DATABASE_URL names.
            "DATABASE_URL": f"postgres://{connection.settings_dict['USER'] or ''}@{connection.settings_dict['HOST']}:"
            f"{connection.settings_dict['PORT'] or 5432}/{connection.settings_dict['NAME']}",
            "KAOPING_CELERY_QUEUE": settings.CELERY_TASK_DEFAULT_QUEUE,
            "MEDIA_ROOT": str(media),
        }
        celery = [
            "-A",
            "config",
            "worker",
            "--pool=prefork",
            f"--concurrency={concurrency}",
            "--loglevel=INFO",
            "--without-gossip",
            "--without-mingle",
            f"--hostname=reports-{uuid.uuid4().hex[:8]}@%h",
            f"--queues={','.join(_queues())}",
        ]
        if templates is None:
            command = [sys.executable, "-m", "celery", *celery]
        else:
            command = [sys.executable, "-c", BROKEN_TEMPLATES_WORKER, str(templates), *celery]
        log = tmp_path / f"worker-{len(started)}.log"
        with log.open("w") as out:
            process = subprocess.Popen(  # noqa: S603 - our own interpreter and arguments
                command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
            )
        worker = Worker(process, log)
        started.append(worker)
        if wait:
            worker.wait_ready()
        return worker

    yield start
    for worker in started:
        worker.stop()


def wait_for(condition, *, timeout: float, workers: list[Worker], what: str, step: float = 0.1):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        for worker in workers:
            if not worker.alive():
                pytest.fail(f"the worker died while waiting for {what}:\n{worker.output()}")
        time.sleep(step)
    logs = "\n".join(w.output()[-4000:] for w in workers)
    pytest.fail(f"{what}: not within {timeout} s; worker output:\n{logs}")


def member_subjects(cycle) -> list[CaseSubject]:
    return list(CaseSubject.objects.filter(case__cycle=cycle, kind=CaseSubject.Kind.MEMBER).order_by("pk"))


def released_cycle(teams: int, members: int = 4):
    """One released cycle with several teams (each member rates the team, three anonymous subordinates each)."""
    cycle = CycleFactory(min_group_size=3)
    cases = []
    for _ in range(teams):
        team, people = team_with_members(members)
        cases.append((case_create(cycle=cycle, team=team, anonymous_ballots=3), people))
    issued = cycle_open(cycle=cycle)
    for case, people in cases:
        scores = {p: 5 + i % 5 for i, p in enumerate(people)} | {"team": 8}
        for p in people:
            fill(assignment=assignment_of(case, p), scores=scores)
        for i, code in enumerate(issued[case.pk]):
            fill(code=code, scores={p: 4 + (i + n) % 6 for n, p in enumerate(people)} | {"team": 7})
    cycle_score(cycle=close(cycle))
    cycle_release(cycle=cycle)
    cycle.refresh_from_db()
    return cycle


def test_a_member_report_goes_queued_running_succeeded_through_a_real_worker(start_worker, media):
    _, case, people = released_case()
    subject = CaseSubject.objects.get(case=case, person=people[0])
    job = report_request(actor=hr_user(), kind=ReportJob.Kind.MEMBER, subject=subject)
    job.refresh_from_db()
    assert (job.status, job.attempts, job.started_at) == (S.QUEUED, 0, None)

    worker = start_worker()
    seen = []

    def finished():
        current = ReportJob.objects.get(pk=job.pk)
        if not seen or seen[-1] != current.status:
            seen.append(current.status)
        return current.finished

    wait_for(finished, timeout=30, workers=[worker], what="the member report", step=0.02)
    job.refresh_from_db()
    assert job.status == S.SUCCEEDED, job.error
    assert seen[-1] == S.SUCCEEDED and S.FAILED not in seen
    assert job.attempts == 1 and job.started_at is not None and job.finished_at >= job.started_at
    path = media / job.file.name
    assert path.is_file() and job.file.name.startswith(f"reports/{job.cycle_id}/member/{subject.pk}-")
    pdf = path.read_bytes()
    assert pdf.startswith(b"%PDF")
    assert hashlib.sha256(pdf).hexdigest() == job.sha256
    assert job.page_count and job.page_count >= 1


def test_a_worker_killed_in_a_bulk_run_then_restarted_makes_every_report_exactly_once(start_worker, media):
    cycle = released_cycle(teams=4)  # 16 member reports and 4 team reports
    subjects = member_subjects(cycle)
    worker = start_worker()
    run = reports_bulk_request(actor=hr_user(), cycle=cycle)
    assert run.total == len(subjects) + 4 >= 12
    assert len(batches(list(range(run.total)))) < run.total  # a few reports a message: the kill lands mid-batch

    def some_done():
        done = ReportJob.objects.filter(parent=run, status=S.SUCCEEDED).count()
        return done if done >= 2 else 0

    wait_for(some_done, timeout=30, workers=[worker], what="the first reports", step=0.005)
    worker.kill(signal.SIGKILL)
    worker.process.wait(timeout=10)
    done_at_kill = ReportJob.objects.filter(parent=run, status=S.SUCCEEDED).count()
    assert 0 < done_at_kill < run.total, "the worker finished the run before it could be killed"

    again = start_worker()
    # What the dead worker held (its report in progress, its prefetched message) is only in Redis's unacked
    # set until the visibility timeout: the sweep (beat, every minute) queues those rows again.
    assert report_jobs_sweep(now=timezone.now() + timedelta(hours=1)) > 0

    def run_finished():
        return ReportJob.objects.get(pk=run.pk).finished

    wait_for(run_finished, timeout=60, workers=[again], what="the bulk run after the restart")
    run.refresh_from_db()
    children = list(ReportJob.objects.filter(parent=run))
    assert run.status == S.SUCCEEDED and (run.done, run.failed) == (run.total, 0)
    assert len(children) == run.total
    assert {c.status for c in children} == {S.SUCCEEDED}
    # One job row per report, each report's file once in storage.
    members = [c for c in children if c.kind == ReportJob.Kind.MEMBER]
    assert sorted(c.subject_id for c in members) == sorted(s.pk for s in subjects)
    files = sorted(p.name for p in (media / "reports" / str(cycle.pk) / "member").iterdir())
    assert len(files) == len(subjects)
    assert sorted(Path(c.file.name).name for c in members) == files
    assert sorted({name.split("-")[0] for name in files}) == sorted(str(s.pk) for s in subjects)
    for child in children:
        assert hashlib.sha256((media / child.file.name).read_bytes()).hexdigest() == child.sha256
    assert len(list((media / "reports" / str(cycle.pk) / "team").iterdir())) == 4

    with zipfile.ZipFile(io.BytesIO((media / run.file.name).read_bytes())) as archive:
        names = archive.namelist()
        pdfs = [n for n in names if n.endswith(".pdf")]
        assert len(pdfs) == run.total == len(set(pdfs))
        assert "index.csv" in names and len(names) == run.total + 1
        assert all(archive.read(n).startswith(b"%PDF") for n in pdfs)
        index = archive.read("index.csv").decode("utf-8-sig").splitlines()
        assert len(index) == run.total + 1


def test_two_workers_share_a_bulk_run_in_batches_and_count_every_report_once(start_worker, media):
    cycle = released_cycle(teams=4)  # 16 member reports and 4 team reports, in 7 messages
    workers = [start_worker(), start_worker()]
    run = reports_bulk_request(actor=hr_user(), cycle=cycle)
    seen = set()

    def run_finished():
        current = ReportJob.objects.get(pk=run.pk)
        seen.add(current.done + current.failed)
        return current.finished

    wait_for(run_finished, timeout=60, workers=workers, what="the bulk run on two workers", step=0.01)
    run.refresh_from_db()
    children = list(ReportJob.objects.filter(parent=run))
    assert (run.status, run.done, run.failed) == (S.SUCCEEDED, run.total, 0)
    # Each report rendered once, by one worker, and counted once: the count rose report by report.
    assert {(c.status, c.attempts) for c in children} == {(S.SUCCEEDED, 1)}
    assert len(seen) > 2 and max(seen) == run.total
    for child in children:
        assert hashlib.sha256((media / child.file.name).read_bytes()).hexdigest() == child.sha256
    logs = [w.output() for w in workers]
    assert all("reports.tasks.render_reports" in log for log in logs)  # both took batches
    assert sum(log.count("reports.tasks.assemble_bulk[") for log in logs) == 2  # one ZIP: received, succeeded
    with zipfile.ZipFile(io.BytesIO((media / run.file.name).read_bytes())) as archive:
        assert len(archive.namelist()) == run.total + 1


def test_jobs_queued_when_redis_loses_its_queues_are_not_lost(start_worker, media):
    _, case, people = released_case()
    hr = hr_user()
    jobs = [
        report_request(actor=hr, kind=ReportJob.Kind.MEMBER, subject=CaseSubject.objects.get(case=case, person=p))
        for p in people
    ]
    jobs.append(report_request(actor=hr, kind=ReportJob.Kind.TEAM, case=case))
    # No worker yet: the messages wait in Redis. A restarted Redis without persistence comes back without them
    # (this run's own queues are dropped, not the shared server's data).
    broker = redis.Redis.from_url(settings.REDIS_URL)
    assert broker.llen(settings.KAOPING_PDF_QUEUE) == len(jobs)
    assert broker.delete(*_queues()) >= 1
    assert broker.llen(settings.KAOPING_PDF_QUEUE) == 0

    worker = start_worker()
    assert report_jobs_sweep(now=timezone.now() + timedelta(hours=1)) == len(jobs)

    def all_finished():
        return all(j.finished for j in ReportJob.objects.filter(pk__in=[j.pk for j in jobs]))

    wait_for(all_finished, timeout=30, workers=[worker], what="the jobs queued again")
    for job in ReportJob.objects.filter(pk__in=[j.pk for j in jobs]):
        assert job.status == S.SUCCEEDED, job.error
        assert job.attempts == 1
        assert (media / job.file.name).read_bytes().startswith(b"%PDF")


def test_a_template_that_raises_ends_the_job_failed_after_the_cap_without_looping(start_worker, tmp_path, settings):
    templates = tmp_path / "templates"
    shutil.copytree(TEMPLATES, templates)
    (templates / "member.typ").write_text(
        '#let data = json(bytes(sys.inputs.data))\n#panic("模板故意出错: " + data.person.name)\n', encoding="utf-8"
    )
    settings.KAOPING_REPORT_MAX_ATTEMPTS = 2  # the second attempt comes after retry_delay(1) = 10 s
    _, case, people = released_case()
    worker = start_worker(templates=templates)
    job = report_request(
        actor=hr_user(), kind=ReportJob.Kind.MEMBER, subject=CaseSubject.objects.get(case=case, person=people[0])
    )
    assert job.max_attempts == 2

    wait_for(lambda: ReportJob.objects.get(pk=job.pk).finished, timeout=40, workers=[worker], what="the failure")
    job.refresh_from_db()
    assert (job.status, job.attempts) == (S.FAILED, 2)
    assert "RenderError" in job.error and "模板故意出错" in job.error and people[0].name in job.error
    assert not job.file and not job.sha256
    assert not (Path(settings.MEDIA_ROOT) / "reports").exists()
    # It does not loop: nothing more is queued or tried, and the sweep leaves a failed job alone.
    assert report_jobs_sweep(now=timezone.now() + timedelta(hours=1)) == 0
    time.sleep(2)
    job.refresh_from_db()
    assert (job.status, job.attempts) == (S.FAILED, 2)
    assert redis.Redis.from_url(settings.REDIS_URL).llen(settings.KAOPING_PDF_QUEUE) == 0
    assert worker.output().count("模板故意出错") >= 2
