"""Who may download which report: HR any; a leader their own member report, a team's principal the team
report, both only once the cycle's results are released. A refusal is a 404 (see assessments/rules.py)."""

import rules

from assessments.rules import is_hr, is_own_released_place, is_principal_after_release

from .models import ReportJob


@rules.predicate
def is_own_report(user, job: ReportJob | None) -> bool:
    return job is not None and job.kind == ReportJob.Kind.MEMBER and is_own_released_place.test(user, job.subject)


@rules.predicate
def is_own_team_report(user, job: ReportJob | None) -> bool:
    return job is not None and job.kind == ReportJob.Kind.TEAM and is_principal_after_release.test(user, job.case)


rules.add_perm("reports.download_report", is_hr | is_own_report | is_own_team_report)
rules.add_perm("reports.request_reports", is_hr)
