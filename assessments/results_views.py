"""Leaders' pages: my released results with my response to the feedback talk, and a principal's team view.
Every figure comes through the k-suppressing selectors; every object through a rule, refused as a 404."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from . import selectors, services
from .charts import Series, radar_svg
from .forms import FeedbackResponseForm
from .models import Case, CaseSubject
from .rules import allowed
from .selectors import LeaderResultPage
from .services.feedback import OPEN_CASE


def _radar(page: LeaderResultPage) -> str | None:
    if page.result.suppressed_all:
        return None
    codes = [d.code for d in page.dimensions]
    return radar_svg(
        axes=[d.label for d in page.dimensions],
        series=[
            Series(_("Me"), [page.result.dimensions.get(c) for c in codes], "#b4231f"),
            Series(_("Team average"), [page.team_dimensions.get(c) for c in codes], "#0969da", dashed=True),
            Series(_("Cycle average"), [page.cycle_dimensions.get(c) for c in codes], "#57606a", dashed=True),
        ],
        title=_("Scores by dimension"),
        chart_id=f"radar-{page.subject.pk}",
    )


def _feedback_form(subject: CaseSubject, talk) -> FeedbackResponseForm | None:
    if subject.case.status not in OPEN_CASE:
        return None
    initial = {"response": talk.response, "text": talk.response_text} if talk and talk.response else None
    return FeedbackResponseForm(initial=initial, auto_id=f"fb{subject.pk}_%s")


@login_required
def my_results(request: HttpRequest) -> HttpResponse:
    """A leader's released results, one cycle after another."""
    pages = []
    for page in selectors.leader_results_for(user=request.user):
        talk = selectors.feedback_for(subject=page.subject)
        pages.append(
            {
                "page": page,
                "radar": _radar(page),
                "rows": page.rows,
                "groups": page.group_labels,
                "talk": talk,
                "feedback_form": _feedback_form(page.subject, talk),
            }
        )
    return render(
        request,
        "assessments/my_results.html",
        {"pages": pages, "team_cases": selectors.principal_cases_for(user=request.user)},
    )


@login_required
@require_POST
def feedback_respond(request: HttpRequest, pk: int) -> HttpResponse:
    subject = get_object_or_404(CaseSubject.objects.select_related("case__cycle", "person"), pk=pk)
    if not allowed(request.user, "assessments.respond_to_feedback", subject):
        raise Http404
    form = FeedbackResponseForm(request.POST, auto_id=f"fb{subject.pk}_%s")
    if form.is_valid():
        try:
            services.feedback_respond(subject=subject, actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Your response is recorded."))
            return redirect(reverse("assessments:my_results") + f"#result-{subject.pk}")
    # Show the page again with what they wrote and what is wrong: nothing typed is lost.
    return render(request, "assessments/feedback_form.html", {"subject": subject, "feedback_form": form}, status=400)


@login_required
def team_results(request: HttpRequest, pk: int) -> HttpResponse:
    """The principal's view of their team's released results (HR may open it too)."""
    case = get_object_or_404(Case.objects.select_related("cycle", "team"), pk=pk)
    if not allowed(request.user, "assessments.view_team_result", case):
        raise Http404
    result = selectors.case_result_for(viewer=request.user, case=case)
    if result is None:
        raise Http404
    return render(request, "assessments/team_results.html", {"case": case, "result": result})
