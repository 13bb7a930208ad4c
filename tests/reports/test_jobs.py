"""Report jobs: asked for by HR, run by a task that takes the row's id, idempotent, capped, swept."""

import csv
import hashlib
import io
import zipfile
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from django.utils import timezone

from assessments.models import CaseSubject
from integrations.models import WebhookDelivery, WebhookEvent
from integrations.webhooks import webhook_endpoint_create
from reports.models import ReportJob
from reports.rendering import RenderError
from reports.services import (
    bulk_assemble,
    report_job_run,
    report_jobs_requeue,
    report_jobs_sweep,
    report_request,
    reports_bulk_request,
)
from tests.assessments.helpers import open_case, released_case
from tests.integrations.factories import hr_user

from .helpers import FakeRender

pytestmark = pytest.mark.django_db
S = ReportJob.Status


@pytest.fixture
def released():
    cycle, case, people = released_case()
    return cycle, case, people


@pytest.fixture
def hr():
    return hr_user()


def member(case, person) -> CaseSubject:
    return CaseSubject.objects.get(case=case, person=person)


def test_hr_asks_for_a_member_report_and_a_run_makes_the_file(released, hr, django_capture_on_commit_callbacks):
    cycle, case, (_principal, leader, *_) = released
    render = FakeRender()
    with django_capture_on_commit_callbacks() as queued:
        job = report_request(actor=hr, kind="member", subject=member(case, leader))
    assert len(queued) == 1  # the task goes out once the row is committed
    assert (job.status, job.cycle, job.case, job.attempts) == (S.QUEUED, cycle, case, 0)

    report_job_run(job_id=job.pk, render=render)

    job.refresh_from_db()
    assert (job.status, job.attempts, job.page_count, job.progress) == (S.SUCCEEDED, 1, 2, 100)
    with default_storage.open(job.file.name, "rb") as stored:
        content = stored.read()
    assert content.startswith(b"%PDF") and hashlib.sha256(content).hexdigest() == job.sha256
    assert job.finished_at is not None and job.error == ""


def test_a_second_delivery_of_a_finished_job_does_nothing(released, hr):
    _cycle, case, (_p, leader, *_) = released
    render = FakeRender()
    job = report_request(actor=hr, kind="member", subject=member(case, leader))
    report_job_run(job_id=job.pk, render=render)
    assert report_job_run(job_id=job.pk, render=render) is None
    job.refresh_from_db()
    assert (render.calls, job.attempts) == (1, 1)


def test_unchanged_inputs_reuse_the_file_and_changed_ones_make_a_new_one(released, hr):
    _cycle, case, (_p, leader, *_) = released
    render = FakeRender()
    first = report_request(actor=hr, kind="member", subject=member(case, leader))
    report_job_run(job_id=first.pk, render=render)
    again = report_request(actor=hr, kind="member", subject=member(case, leader))
    report_job_run(job_id=again.pk, render=render)
    first.refresh_from_db()
    again.refresh_from_db()
    assert render.calls == 1
    assert (again.file.name, again.sha256, again.status) == (first.file.name, first.sha256, S.SUCCEEDED)

    # The person's name changes: the report's inputs change, so it is made again, to a new file.
    person = leader
    person.name = "改名后"
    person.save()
    third = report_request(actor=hr, kind="member", subject=member(case, leader))
    report_job_run(job_id=third.pk, render=render)
    third.refresh_from_db()
    assert render.calls == 2
    assert third.file.name != first.file.name and third.sha256 != first.sha256
    assert default_storage.exists(first.file.name)  # an earlier report stays downloadable


def test_a_failing_template_is_retried_up_to_the_cap_then_ends_failed_without_looping(released, hr, settings):
    _cycle, case, (_p, leader, *_) = released
    render = FakeRender(fail=99)
    job = report_request(actor=hr, kind="member", subject=member(case, leader))
    assert job.max_attempts == settings.KAOPING_REPORT_MAX_ATTEMPTS == 3
    for attempt in (1, 2):
        with pytest.raises(RenderError):  # the task retries later
            report_job_run(job_id=job.pk, render=render)
        job.refresh_from_db()
        assert (job.status, job.attempts) == (S.QUEUED, attempt)
        assert "unknown variable: oops" in job.error
    assert report_job_run(job_id=job.pk, render=render) is not None  # the last attempt: stored, not raised
    job.refresh_from_db()
    assert (job.status, job.attempts, render.calls) == (S.FAILED, 3, 3)
    assert "RenderError: unknown variable: oops" in job.error
    # A late duplicate of the task finds a finished job: no fourth render.
    assert report_job_run(job_id=job.pk, render=render) is None
    assert render.calls == 3


def test_a_job_over_its_cap_is_failed_when_next_claimed(released, hr):
    _cycle, case, (_p, leader, *_) = released
    job = report_request(actor=hr, kind="member", subject=member(case, leader))
    ReportJob.objects.filter(pk=job.pk).update(attempts=3, status=S.RUNNING, error="worker lost")
    render = FakeRender()
    assert report_job_run(job_id=job.pk, render=render) is None
    job.refresh_from_db()
    assert (job.status, job.error, render.calls) == (S.FAILED, "worker lost", 0)


def test_only_hr_asks_for_reports_and_only_of_scored_cycles(released, hr):
    _cycle, case, (_p, leader, *_) = released
    with pytest.raises(PermissionDenied):
        report_request(actor=leader.user, kind="member", subject=member(case, leader))
    open_cycle, *_ = open_case(members=2)
    with pytest.raises(ValidationError, match="has no results yet"):
        report_request(actor=hr, kind="cycle", cycle=open_cycle)
    with pytest.raises(ValidationError):
        reports_bulk_request(actor=hr, cycle=open_cycle)
    assert ReportJob.objects.count() == 0


def test_a_bulk_run_fans_out_counts_progress_and_ends_in_a_zip_with_an_index(
    released, hr, django_capture_on_commit_callbacks
):
    cycle, _case, people = released
    render = FakeRender()
    with django_capture_on_commit_callbacks(execute=False) as queued:
        bulk = reports_bulk_request(actor=hr, cycle=cycle)
    assert len(queued) == 1
    children = list(bulk.children.order_by("id"))
    assert sorted(c.kind for c in children) == ["member"] * 4 + ["team"]
    assert (bulk.status, bulk.total, bulk.progress) == (S.RUNNING, 5, 0)

    # One member's report fails for good; the others succeed.
    broken = next(c for c in children if c.kind == "member")
    ReportJob.objects.filter(pk=broken.pk).update(attempts=2, max_attempts=3)
    for child in children:
        runner = FakeRender(fail=1) if child.pk == broken.pk else render
        with django_capture_on_commit_callbacks(execute=False) as queued:
            report_job_run(job_id=child.pk, render=runner)
        bulk.refresh_from_db()
    # The last child to finish queued the ZIP.
    assert len(queued) == 1
    assert (bulk.done, bulk.failed, bulk.progress) == (4, 1, 100)

    assert bulk_assemble(job_id=bulk.pk) is not None
    bulk.refresh_from_db()
    assert bulk.status == S.SUCCEEDED
    with default_storage.open(bulk.file.name, "rb") as stored:
        archive = zipfile.ZipFile(io.BytesIO(stored.read()))
    names = archive.namelist()
    assert len(names) == 5 and "index.csv" in names  # four PDFs and the index
    raw_index = archive.read("index.csv")
    assert raw_index.startswith("\ufeff".encode())  # Excel reads the Chinese
    rows = list(csv.reader(io.StringIO(raw_index.decode("utf-8-sig"))))
    assert rows[0][:3] == ["类型", "单位", "姓名"]
    assert len(rows) == 6
    assert sum(1 for row in rows[1:] if row[4] == "") == 1  # the failed one has no file, and says why
    in_zip = {name.split("_")[1] for name in names if name.endswith("_成员报告.pdf")}
    assert {p.name for p in people} - in_zip == {broken.subject.person.name}
    # Assembling twice changes nothing (a duplicate task).
    assert bulk_assemble(job_id=bulk.pk) is None


def test_a_second_bulk_run_renders_nothing_that_has_not_changed(released, hr):
    cycle, _case, _people = released
    render = FakeRender()
    for _run in range(2):
        bulk = reports_bulk_request(actor=hr, cycle=cycle)
        for child in bulk.children.all():
            report_job_run(job_id=child.pk, render=render)
        bulk_assemble(job_id=bulk.pk)
    assert render.calls == 5
    first, second = ReportJob.objects.filter(kind="bulk").order_by("id")
    assert sorted(first.children.values_list("sha256", flat=True)) == sorted(
        second.children.values_list("sha256", flat=True)
    )


def test_the_sweep_queues_again_what_waits_too_long_and_nothing_else(
    released, hr, settings, django_capture_on_commit_callbacks
):
    _cycle, case, (_p, leader, other, *_) = released
    lost = report_request(actor=hr, kind="member", subject=member(case, leader))
    fresh = report_request(actor=hr, kind="member", subject=member(case, other))
    dead = report_request(actor=hr, kind="team", case=case)
    now = timezone.now()
    ReportJob.objects.filter(pk=lost.pk).update(
        updated_at=now - timedelta(seconds=settings.KAOPING_REPORT_REQUEUE_AFTER + 5)
    )
    ReportJob.objects.filter(pk=dead.pk).update(
        status=S.RUNNING, started_at=now - timedelta(seconds=settings.KAOPING_REPORT_TIME_LIMIT + 120)
    )
    with django_capture_on_commit_callbacks(execute=False) as queued:
        assert report_jobs_sweep(now=now) == 2
    assert len(queued) == 1
    assert set(ReportJob.objects.filter(status=S.QUEUED).values_list("pk", flat=True)) == {lost.pk, fresh.pk, dead.pk}
    with django_capture_on_commit_callbacks(execute=False):
        assert report_jobs_sweep(now=now) == 0  # touched: not again until they wait too long once more


def test_a_ready_report_is_announced_by_webhook(released, hr):
    _cycle, case, (_p, _leader, *_) = released
    webhook_endpoint_create(url="https://hr.example.com/hooks", events=[WebhookEvent.REPORT_READY], created_by=hr)
    job = report_request(actor=hr, kind="team", case=case)
    report_job_run(job_id=job.pk, render=FakeRender())
    delivery = WebhookDelivery.objects.get()
    assert delivery.event_type == "report.ready"
    assert delivery.payload["data"]["report_job_id"] == job.pk
    assert delivery.payload["data"]["file_url"] == f"/api/v1/report-jobs/{job.pk}/file/"


def test_failed_single_reports_can_be_queued_again_from_the_admin_action(released, hr):
    _cycle, case, (_p, leader, *_) = released
    job = report_request(actor=hr, kind="member", subject=member(case, leader))
    ReportJob.objects.filter(pk=job.pk).update(status=S.FAILED, attempts=3, error="fonts missing")
    assert report_jobs_requeue(jobs=ReportJob.objects.all()) == 1
    job.refresh_from_db()
    assert (job.status, job.attempts, job.error) == (S.QUEUED, 0, "")


def test_a_duplicate_message_neither_renders_twice_nor_counts_twice(released, hr):
    cycle, _case, _people = released
    bulk = reports_bulk_request(actor=hr, cycle=cycle)
    child = bulk.children.first()
    render = FakeRender()
    # A worker is on it: a second message for it is refused.
    ReportJob.objects.filter(pk=child.pk).update(status=S.RUNNING, started_at=timezone.now(), attempts=1)
    assert report_job_run(job_id=child.pk, render=render) is None
    assert render.calls == 0
    # That worker died long ago: the job is claimed again, and its end is counted once.
    ReportJob.objects.filter(pk=child.pk).update(started_at=timezone.now() - timedelta(hours=2))
    report_job_run(job_id=child.pk, render=render)
    report_job_run(job_id=child.pk, render=render)
    bulk.refresh_from_db()
    assert (render.calls, bulk.done, bulk.failed) == (1, 1, 0)


def test_the_sweep_leaves_the_waiting_reports_of_a_bulk_run_that_moves(released, hr, settings):
    cycle, _case, _people = released
    bulk = reports_bulk_request(actor=hr, cycle=cycle)
    now = timezone.now()
    long_ago = now - timedelta(seconds=settings.KAOPING_REPORT_REQUEUE_AFTER + 5)
    bulk.children.update(updated_at=long_ago)
    assert report_jobs_sweep(now=now) == 0  # the run finished a report a moment ago: its messages are there
    ReportJob.objects.filter(pk=bulk.pk).update(updated_at=long_ago)
    assert report_jobs_sweep(now=now) == 5  # the run stalled: its reports' messages are lost
