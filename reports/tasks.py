"""Thin tasks: take a job's id, call a service. PDFs go to their own queue (settings.KAOPING_PDF_QUEUE), so a
bulk run of 20,000 reports never holds up reminders and webhooks on the default queue."""

from celery import shared_task
from celery.exceptions import SoftTimeLimitExceeded
from celery.signals import worker_process_init
from django.conf import settings

from .models import ReportJob
from .services import bulk_assemble, report_job_run, report_jobs_sweep, retry_delay, slips_job_run

PDF = {
    "acks_late": True,
    "reject_on_worker_lost": True,
    "soft_time_limit": settings.KAOPING_REPORT_TIME_LIMIT - 30,
    "time_limit": settings.KAOPING_REPORT_TIME_LIMIT,
}


@shared_task(bind=True, max_retries=None, **PDF)
def render_report(self, job_id: int) -> str | None:
    """Render one report. The row counts the attempts and stops at its cap, so Celery's own count is off."""
    try:
        job = report_job_run(job_id=job_id)
    except Exception as error:
        # The row is back to queued with the error; try again later (the sweep also would).
        attempts = self.request.retries + 1
        raise self.retry(exc=error, countdown=retry_delay(attempts)) from error
    return job.status if job else None


@shared_task(**PDF)
def render_reports(job_ids: list[int]) -> list[str | None]:
    """A few reports of one bulk run (services.batches), one after the other, each as `render_report` runs it:
    its own claim, attempt count and end, so progress counts report by report. A worker lost mid-batch loses
    nothing: the message goes back to the queue (acks_late, reject_on_worker_lost), and a second delivery skips
    what is done (and what a live worker is on), as the sweep would re-queue it. A report that fails is retried
    on its own, after the delay its attempts call for; the others go on."""
    shared: dict = {}  # what the batch's reports read once (the framework): see selectors.member_report_data
    statuses: list[str | None] = []
    again: list[int] = []
    for n, job_id in enumerate(job_ids):
        try:
            job = report_job_run(job_id=job_id, shared=shared)
        except SoftTimeLimitExceeded:
            # Out of time: this one is queued again (its row says so), the rest go out one message each.
            again.append(job_id)
            for rest in job_ids[n + 1 :]:
                render_report.delay(rest)
            statuses.append(None)
            break
        except Exception:
            again.append(job_id)  # report_job_run logged it and put the row back to queued, with the error
            statuses.append(None)
            continue
        statuses.append(job.status if job else None)
    for job_id, attempts in ReportJob.objects.filter(pk__in=again).values_list("pk", "attempts"):
        # As render_report's own retry would: the delay grows with the attempts made.
        render_report.apply_async((job_id,), countdown=retry_delay(attempts), retries=attempts)
    return statuses


@shared_task(bind=True, max_retries=None, **PDF)
def render_slips(self, job_id: int, sealed: str) -> str | None:
    """The slips of freshly issued codes; the sealed codes ride in the message and nowhere else."""
    try:
        job = slips_job_run(job_id=job_id, sealed=sealed)
    except Exception as error:
        raise self.retry(exc=error, countdown=retry_delay(self.request.retries + 1)) from error
    return job.status if job else None


@shared_task(**PDF)
def assemble_bulk(job_id: int) -> str | None:
    job = bulk_assemble(job_id=job_id)
    return job.file.name if job else None


@shared_task(acks_late=True)
def sweep_report_jobs() -> int:
    return report_jobs_sweep()


@worker_process_init.connect
def _warm_the_compiler(**_kwargs) -> None:
    """One Typst compiler per worker process, made before the first job, not during it."""
    from .rendering import warm

    warm()
