"""Thin tasks: take a job's id, call a service. PDFs go to their own queue (settings.KAOPING_PDF_QUEUE), so a
bulk run of 20,000 reports never holds up reminders and webhooks on the default queue."""

from celery import shared_task
from celery.signals import worker_process_init
from django.conf import settings

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
