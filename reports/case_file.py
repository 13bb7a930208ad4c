"""The reports made for one case, for HR's case file: the team report and each member's, finished ones only.
The ballot-code slips are left out: they are a print job, not part of the record."""

from django.db.models import Q, QuerySet

from assessments.models import Case

from .models import ReportJob

K, S = ReportJob.Kind, ReportJob.Status


def reports_for_case(*, case: Case) -> QuerySet[ReportJob]:
    return (
        ReportJob.objects.filter(Q(case=case, kind=K.TEAM) | Q(subject__case=case, kind=K.MEMBER), status=S.SUCCEEDED)
        .exclude(file="")
        .select_related("subject__person", "requested_by")
        .order_by("finished_at", "id")
    )
