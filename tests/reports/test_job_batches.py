"""The cheap job path: a bulk run's reports go out a few to a message, each still its own job (claimed, counted,
retried and ended on its own), and a member report's job costs a bounded number of queries."""

from unittest import mock

import pytest
from celery.exceptions import SoftTimeLimitExceeded
from django.db import connection
from django.test.utils import CaptureQueriesContext

from reports import tasks
from reports.models import ReportJob
from reports.rendering import RenderError
from reports.services import BATCH_MAX, batches, report_job_run, report_request, reports_bulk_request
from tests.assessments.helpers import released_case
from tests.integrations.factories import hr_user

from .helpers import FakeRender

pytestmark = pytest.mark.django_db
S = ReportJob.Status


@pytest.fixture
def released():
    return released_case()


@pytest.fixture
def hr():
    return hr_user()


def test_batches_keep_the_order_and_spread_a_run_over_enough_messages():
    assert batches([1, 2, 3]) == [[1], [2], [3]]  # a small run: one report a message, every worker gets some
    twenty = list(range(20))
    assert batches(twenty) == [twenty[i : i + 3] for i in range(0, 20, 3)]
    thousand = list(range(1000))
    sent = batches(thousand)
    assert len(sent) == 125 and {len(b) for b in sent} == {BATCH_MAX}
    assert [i for b in sent for i in b] == thousand


def test_a_bulk_run_goes_out_in_batches_and_a_single_report_alone(
    released, hr, settings, django_capture_on_commit_callbacks
):
    cycle, case, people = released
    subject = case.subjects.get(person=people[0])
    with (
        mock.patch.object(tasks.render_reports, "apply_async") as batch,
        mock.patch.object(tasks.render_report, "delay") as single,
        django_capture_on_commit_callbacks(execute=True),
    ):
        bulk = reports_bulk_request(actor=hr, cycle=cycle)
        job = report_request(actor=hr, kind="member", subject=subject)
    children = list(bulk.children.order_by("pk").values_list("pk", flat=True))
    sent = [call.args[0][0] for call in batch.call_args_list]
    assert sent == batches(children)  # every report of the run once, in order
    assert {call.kwargs["queue"] for call in batch.call_args_list} == {settings.KAOPING_PDF_QUEUE}
    assert [call.args for call in single.call_args_list] == [(job.pk,)]


def test_a_batch_runs_each_report_as_its_own_job_and_retries_a_failure_alone(released, hr):
    cycle, _case, _people = released
    bulk = reports_bulk_request(actor=hr, cycle=cycle)
    ids = list(bulk.children.order_by("pk").values_list("pk", flat=True))
    broken = ids[1]
    broken_subject = ReportJob.objects.select_related("subject__person").get(pk=broken).subject
    fake = FakeRender()

    def render(kind, data):
        if kind == "member" and data["person"]["name"] == broken_subject.person.name:
            raise RenderError("unknown variable: oops")
        return fake(kind, data)

    with (
        mock.patch("reports.rendering.render", render),
        mock.patch.object(tasks.render_report, "apply_async") as retry,
    ):
        statuses = tasks.render_reports(ids)
    assert statuses == [S.SUCCEEDED if pk != broken else None for pk in ids]
    jobs = {j.pk: j for j in ReportJob.objects.filter(pk__in=ids)}
    # The failure is back in the queue with its error, and goes out alone after the delay its attempt calls for.
    assert (jobs[broken].status, jobs[broken].attempts, jobs[broken].subject_id) == (S.QUEUED, 1, broken_subject.pk)
    assert "unknown variable: oops" in jobs[broken].error
    assert retry.call_args_list == [mock.call((broken,), countdown=10, retries=1)]
    # The others ended one by one, each counted once on the run.
    assert all(jobs[pk].status == S.SUCCEEDED and jobs[pk].attempts == 1 for pk in ids if pk != broken)
    bulk.refresh_from_db()
    assert (bulk.done, bulk.failed, bulk.status) == (len(ids) - 1, 0, S.RUNNING)

    # A second delivery of the same message (a worker lost before the ack) renders and counts nothing again,
    # but does take the report that is queued again.
    calls = fake.calls
    with mock.patch("reports.rendering.render", fake), mock.patch.object(tasks.render_report, "apply_async"):
        assert tasks.render_reports(ids) == [S.SUCCEEDED if pk == broken else None for pk in ids]
    assert fake.calls == calls + 1
    bulk.refresh_from_db()
    assert (bulk.done, bulk.failed) == (len(ids), 0)


def test_a_batch_out_of_time_hands_its_other_reports_on_one_message_each(released, hr):
    cycle, _case, _people = released
    bulk = reports_bulk_request(actor=hr, cycle=cycle)
    ids = list(bulk.children.order_by("pk").values_list("pk", flat=True))
    fake = FakeRender()

    def render(kind, data):
        if fake.calls == 1:
            raise SoftTimeLimitExceeded()
        return fake(kind, data)

    with (
        mock.patch("reports.rendering.render", render),
        mock.patch.object(tasks.render_report, "apply_async") as retry,
        mock.patch.object(tasks.render_report, "delay") as single,
    ):
        statuses = tasks.render_reports(ids)
    assert statuses == [S.SUCCEEDED, None]  # the first made, the second stopped: the rest not begun
    assert [call.args for call in single.call_args_list] == [(pk,) for pk in ids[2:]]
    assert retry.call_args_list == [mock.call((ids[1],), countdown=10, retries=1)]
    assert set(ReportJob.objects.filter(pk__in=ids[1:]).values_list("status", flat=True)) == {S.QUEUED}


def test_a_member_report_job_reads_a_bounded_number_of_queries(released, hr, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path  # no file of an earlier test run at the same path (then reuse is looked up)
    cycle, _case, _people = released
    bulk = reports_bulk_request(actor=hr, cycle=cycle)
    first, second, *_ = bulk.children.filter(kind="member").order_by("pk")
    render, shared = FakeRender(), {}
    # Claim (2); the data (8: the result, the cycle's average and the leader's places with their teams'
    # averages, which say which averages the leader may see, its comments, dimensions, indicators, the cycle's
    # rater groups, last cycle's result); the end and the run's count (3, between a savepoint's 2 here, inside the
    # test's transaction). It was 21 before batches and the one-statement claim and count.
    with CaptureQueriesContext(connection) as cold:
        report_job_run(job_id=first.pk, render=render, shared=shared)
    # The batch's next report: the framework and the cycle's rater groups are already read.
    with CaptureQueriesContext(connection) as warm:
        report_job_run(job_id=second.pk, render=render, shared=shared)
    assert len(cold) <= 15, [q["sql"][:120] for q in cold.captured_queries]
    assert len(warm) <= len(cold) - 3, [q["sql"][:120] for q in warm.captured_queries]
    assert ReportJob.objects.filter(pk__in=[first.pk, second.pk], status=S.SUCCEEDED).count() == 2
