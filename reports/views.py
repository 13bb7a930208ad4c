"""Report pages: HR asks for reports and follows their progress; everyone downloads what they may see, as
an attachment with its Chinese file name (RFC 5987, through Django's FileResponse)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from assessments import selectors as assessments_selectors
from assessments.models import Case, CaseSubject, Cycle
from assessments.rules import allowed
from core.roles import hr_required
from followup import selectors as followup_selectors
from followup.history import case_record, plans_for_case_file

from . import jobs, services
from .case_file import reports_for_case
from .models import ReportJob

K = ReportJob.Kind


@hr_required
def cycle_reports(request: HttpRequest, pk: int) -> HttpResponse:
    cycle = get_object_or_404(Cycle, pk=pk)
    return _desk(request, cycle=cycle, case=None)


@hr_required
def case_reports(request: HttpRequest, pk: int) -> HttpResponse:
    case = get_object_or_404(Case.objects.select_related("cycle", "team"), pk=pk)
    return _desk(request, cycle=case.cycle, case=case)


def _desk(request: HttpRequest, *, cycle: Cycle, case: Case | None) -> HttpResponse:
    listed = jobs.jobs_for_desk(cycle=cycle, case=case)
    subjects = (
        case.subjects.filter(kind=CaseSubject.Kind.MEMBER).select_related("person").order_by("order", "id")
        if case
        else []
    )
    context = {
        "cycle": cycle,
        "case": case,
        "jobs": listed,
        "subjects": subjects,
        "reportable": cycle.status in services.REPORTABLE,
        # Reload while something runs: the desk shows progress live without any JavaScript.
        "refresh": any(not job.finished for job in listed),
    }
    return render(request, "reports/desk.html", context)


@hr_required
@require_POST
def request_reports(request: HttpRequest, pk: int) -> HttpResponse:
    """One form for the desk's buttons: `kind` is bulk, cycle, team or member (with `subject`)."""
    cycle = get_object_or_404(Cycle, pk=pk)
    case = _in_cycle(Case.objects.filter(cycle=cycle), request.POST.get("case"))
    kind = request.POST.get("kind", "")
    back = redirect("reports:case", case.pk) if case else redirect("reports:cycle", cycle.pk)
    try:
        if kind == K.BULK:
            services.reports_bulk_request(actor=request.user, cycle=cycle, case=case)
        elif kind == K.MEMBER:
            subject = _in_cycle(CaseSubject.objects.filter(case__cycle=cycle), request.POST.get("subject"))
            services.report_request(actor=request.user, kind=kind, subject=subject)
        else:
            services.report_request(actor=request.user, kind=kind, cycle=cycle, case=case)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
        return back
    except PermissionDenied as error:
        raise Http404 from error
    messages.success(request, _("Queued: the reports are made by a worker. This page shows their progress."))
    return back


@hr_required
@require_POST
def request_slips(request: HttpRequest, pk: int) -> HttpResponse:
    """From the page that shows freshly issued codes once: the same slips as a PDF, made by a worker."""
    case = get_object_or_404(Case.objects.select_related("cycle", "team"), pk=pk)
    try:
        services.slips_request(
            actor=request.user,
            case=case,
            codes=request.POST.getlist("codes"),
            base_url=request.build_absolute_uri("/"),
        )
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    except PermissionDenied as error:
        raise Http404 from error
    else:
        messages.success(request, _("The slips are being made as a PDF. Download them here when they are ready."))
    return redirect("reports:case", case.pk)


def _in_cycle(queryset, value: str | None):
    if not value:
        return None
    if not value.isdigit():
        raise Http404
    return get_object_or_404(queryset, pk=int(value))


def _attachment(job: ReportJob) -> FileResponse:
    if job.status != ReportJob.Status.SUCCEEDED or not job.file or not default_storage.exists(job.file.name):
        raise Http404
    name = services.download_name(job)
    content_type = "application/zip" if job.kind == K.BULK else "application/pdf"
    response = FileResponse(default_storage.open(job.file.name, "rb"), as_attachment=True, filename=name)
    response["Content-Type"] = content_type
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
def download(request: HttpRequest, pk: int) -> HttpResponse:
    job = get_object_or_404(ReportJob.objects.select_related("subject__person", "case__cycle", "cycle"), pk=pk)
    if not allowed(request.user, "reports.download_report", job):
        raise Http404
    return _attachment(job)


@login_required
def subject_report(request: HttpRequest, pk: int) -> HttpResponse:
    """A leader's own report (or any, for HR), from "My results": the newest one made."""
    subject = get_object_or_404(CaseSubject.objects.select_related("case__cycle", "person"), pk=pk)
    if not allowed(request.user, "assessments.view_subject_result", subject):
        raise Http404
    job = jobs.latest_member_report(subject=subject)
    if job is None:
        return render(request, "reports/not_ready.html", {"cycle": subject.case.cycle}, status=404)
    if not allowed(request.user, "reports.download_report", job):
        raise Http404
    return _attachment(job)


@login_required
def team_report(request: HttpRequest, pk: int) -> HttpResponse:
    """A team's report for its principal (or HR): the newest one made."""
    case = get_object_or_404(Case.objects.select_related("cycle"), pk=pk)
    if not allowed(request.user, "assessments.view_team_result", case):
        raise Http404
    job = jobs.latest_team_report(case=case)
    if job is None:
        return render(request, "reports/not_ready.html", {"cycle": case.cycle}, status=404)
    return _attachment(job)


@hr_required
def case_file(request: HttpRequest, pk: int) -> HttpResponse:
    """HR's case file, one printable record of a case for an inspector: the team, the results as HR may see them
    (suppressed below k like everywhere), the feedback talks and appeals, every plan, the reports made, and the
    whole record of who did what, oldest first. Named raters are not listed: the file is read by people who must
    not learn who rated whom. Here, in the top layer, because it shows every layer's rows."""
    case = get_object_or_404(Case.objects.select_related("cycle", "team__org_unit"), pk=pk)
    subjects = list(case.subjects.select_related("person").order_by("order", "id"))
    talks = followup_selectors.feedback_for_case(case=case)
    plans = plans_for_case_file(case=case)
    return render(
        request,
        "reports/case_file.html",
        {
            "case": case,
            "members": [s for s in subjects if s.person_id],
            "team_result": assessments_selectors.case_result_for(viewer=request.user, case=case),
            "talks": [(s, talks[s.pk]) for s in subjects if s.pk in talks],
            "plans": [{"plan": p, "progress": followup_selectors.plan_progress(p)} for p in plans],
            "reports": list(reports_for_case(case=case)),
            "record": case_record(case=case),
        },
    )
