"""Reads of report jobs (the data inside the reports is selectors.py's): what the desk lists, and the newest
finished file of a report for a leader or a team's principal."""

from django.db.models import QuerySet

from assessments.models import Case, CaseSubject, Cycle
from core.roles import is_hr

from .models import ReportJob

K, S = ReportJob.Kind, ReportJob.Status


def jobs_for_desk(*, cycle: Cycle, case: Case | None = None, limit: int = 50) -> list[ReportJob]:
    """The runs HR asked for (not the children of a bulk run, which its progress counts), newest first."""
    jobs = ReportJob.objects.filter(cycle=cycle, parent__isnull=True)
    if case is not None:
        jobs = jobs.filter(case=case)
    return list(
        jobs.select_related("case__team", "subject__person", "requested_by").order_by("-created_at", "-id")[:limit]
    )


def latest_member_report(*, subject: CaseSubject) -> ReportJob | None:
    return _latest(ReportJob.objects.filter(kind=K.MEMBER, subject=subject))


def latest_team_report(*, case: Case) -> ReportJob | None:
    return _latest(ReportJob.objects.filter(kind=K.TEAM, case=case))


def _latest(jobs: QuerySet[ReportJob]) -> ReportJob | None:
    return jobs.filter(status=S.SUCCEEDED).exclude(file="").order_by("-finished_at", "-id").first()


def visible_jobs(*, user) -> QuerySet[ReportJob]:
    """The API's list: HR sees every job; nobody else sees jobs (leaders download from their results page)."""
    return ReportJob.objects.all() if is_hr(user) else ReportJob.objects.none()
