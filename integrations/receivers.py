"""Domain events of other apps, turned into webhook deliveries. Connected in IntegrationsConfig.ready."""

from typing import Any

from .models import WebhookEvent
from .webhooks import webhook_emit


def cycle_scored_emit(sender: Any, *, cycle: Any, **kwargs: Any) -> None:
    if cycle.test_mode:
        return  # a rehearsal's results are purged before the real run: no HR system should act on them
    # Ids and aggregates only: a receiver reads results through the API, under its own key's scopes.
    webhook_emit(
        event_type=WebhookEvent.CYCLE_SCORED,
        data={"cycle_id": cycle.pk, "name": cycle.name, "year": cycle.year, "results_version": cycle.results_version},
    )


def report_ready_emit(sender: Any, *, job: Any, **kwargs: Any) -> None:
    if job.cycle.test_mode:
        return
    # Where to fetch it, and what it is: the file itself is read through the API under the key's scopes.
    webhook_emit(
        event_type=WebhookEvent.REPORT_READY,
        data={
            "report_job_id": job.pk,
            "kind": job.kind,
            "cycle_id": job.cycle_id,
            "case_id": job.case_id,
            "subject_id": job.subject_id,
            "sha256": job.sha256,
            "file_url": f"/api/v1/report-jobs/{job.pk}/file/",
        },
    )


def plan_overdue_emit(sender: Any, *, plan: Any, action_ids: list[int], on: Any, **kwargs: Any) -> None:
    case = plan.subject.case
    # The plan and its late actions by id: what the plan says is read through the API (plans:read).
    webhook_emit(
        event_type=WebhookEvent.PLAN_OVERDUE,
        data={
            "plan_id": plan.pk,
            "subject_id": plan.subject_id,
            "case_id": case.pk,
            "cycle_id": case.cycle_id,
            "status": plan.status,
            "overdue_action_ids": sorted(action_ids),
            "on": on.isoformat(),
            "plan_url": f"/api/v1/plans/{plan.pk}/",
        },
    )
