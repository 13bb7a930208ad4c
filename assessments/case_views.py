"""HR's case file (one printable record of a case, for an inspector) and HR's decisions on appeals. HR only;
everyone else gets a 404."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from reports.case_file import reports_for_case

from . import plan_selectors, selectors, services
from .forms import AppealDecisionForm, ReviewConcludeForm
from .history import case_record, plans_for_case_file
from .models import Case, CaseSubject
from .rules import allowed


@login_required
def case_file(request: HttpRequest, pk: int) -> HttpResponse:
    """The team, the results as HR may see them (suppressed below k like everywhere), the feedback talks and
    appeals, every plan, the reports made, and the whole record of who did what, oldest first. Named raters
    are not listed: the file is read by people who must not learn who rated whom."""
    if not allowed(request.user, "assessments.run_cycle"):
        raise Http404
    case = get_object_or_404(Case.objects.select_related("cycle", "team__org_unit"), pk=pk)
    subjects = list(case.subjects.select_related("person").order_by("order", "id"))
    talks = selectors.feedback_for_case(case=case)
    plans = plans_for_case_file(case=case)
    return render(
        request,
        "assessments/hr/case_file.html",
        {
            "case": case,
            "members": [s for s in subjects if s.person_id],
            "team_result": selectors.case_result_for(viewer=request.user, case=case),
            "talks": [(s, talks[s.pk]) for s in subjects if s.pk in talks],
            "plans": [{"plan": p, "progress": plan_selectors.plan_progress(p)} for p in plans],
            "reports": list(reports_for_case(case=case)),
            "record": case_record(case=case),
        },
    )


@login_required
@require_POST
def appeal_decide(request: HttpRequest, pk: int) -> HttpResponse:
    """A pending appeal dismissed or sent for review (`decision`), or a review concluded (`outcome`): always
    with the reason the leader reads. Nothing here changes a score."""
    subject = get_object_or_404(CaseSubject.objects.select_related("case__cycle", "person"), pk=pk)
    if not allowed(request.user, "assessments.decide_appeal", subject):
        raise Http404
    concluding = "outcome" in request.POST
    form = ReviewConcludeForm(request.POST) if concluding else AppealDecisionForm(request.POST)
    if form.is_valid():
        try:
            if concluding:
                services.feedback_review_conclude(
                    subject=subject, outcome=form.cleaned_data["outcome"], actor=request.user
                )
                done = _("Review of {}'s result concluded.")
            else:
                review = form.cleaned_data["decision"] == AppealDecisionForm.REVIEW
                services.feedback_appeal_decide(
                    subject=subject, review=review, reason=form.cleaned_data["reason"], actor=request.user
                )
                done = _("{}'s result is sent for review.") if review else _("{}'s appeal is dismissed.")
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, format_html(done, subject.person.name))
    else:
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
    return redirect(reverse("assessments:hr_case", args=[subject.case_id]) + f"#talk-{subject.pk}")
