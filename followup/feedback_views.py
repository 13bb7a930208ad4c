"""HR's side of the feedback talks, on HR's case page: the record of a talk, and the decisions on appeals. HR
only; everyone else gets a 404."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from assessments.models import CaseSubject
from assessments.rules import allowed
from core.roles import hr_required

from . import services
from .forms import AppealDecisionForm, FeedbackTalkForm, ReviewConcludeForm


@login_required
@require_POST
def appeal_decide(request: HttpRequest, pk: int) -> HttpResponse:
    """A pending appeal dismissed or sent for review (`decision`), or a review concluded (`outcome`): always
    with the reason the leader reads. Nothing here changes a score."""
    subject = get_object_or_404(CaseSubject.objects.select_related("case__cycle", "person"), pk=pk)
    if not allowed(request.user, "followup.decide_appeal", subject):
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


@hr_required
@require_POST
def feedback_talk(request: HttpRequest, pk: int) -> HttpResponse:
    """HR records that the feedback talk with one member was held (date and notes). Refused, the case page opens
    again with this member's form open (the others stay closed: one talk form at a time)."""
    subject = get_object_or_404(CaseSubject.objects.select_related("case__cycle", "person"), pk=pk)
    form = FeedbackTalkForm(request.POST)
    if form.is_valid():
        try:
            services.feedback_record_talk(subject=subject, actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, format_html(_("Feedback talk with {} recorded."), subject.person.name))
            return redirect(reverse("assessments:hr_case", args=[subject.case_id]) + "#feedback")
    else:
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
    case_page = reverse("assessments:hr_case", args=[subject.case_id])
    return redirect(f"{case_page}?talk={subject.pk}#talk-{subject.pk}")
