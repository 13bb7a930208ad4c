"""Leaders' pages: my released results with my response to the feedback talk and my plan, and a principal's team
view. They live here, a layer above assessments, because they show results and follow-up side by side. Every
figure comes through assessments' k-suppressing selectors; every object through a rule, refused as a 404."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from assessments import selectors as assessments_selectors
from assessments.charts import Series, radar_svg
from assessments.models import Case, CaseSubject
from assessments.rules import allowed
from assessments.selectors import LeaderResultPage

from . import selectors, services
from .forms import FeedbackResponseForm, FeedbackTalkForm
from .models import FeedbackTalk
from .services.feedback import DECIDED, OPEN_CASE


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
    if talk and talk.appeal_status in DECIDED:
        return None  # the appeal is decided or under review: the response stands as recorded
    initial = {"response": talk.response, "text": talk.response_text} if talk and talk.response else None
    return FeedbackResponseForm(initial=initial, auto_id=f"fb{subject.pk}_%s")


@login_required
def my_results(request: HttpRequest) -> HttpResponse:
    """A leader's released results, one cycle after another."""
    pages = []
    for page in assessments_selectors.leader_results_for(user=request.user):
        talk = selectors.feedback_for(subject=page.subject)
        pages.append(
            {
                "page": page,
                "radar": _radar(page),
                "rows": page.rows,
                "groups": page.group_labels,
                "talk": talk,
                "feedback_form": _feedback_form(page.subject, talk),
                "plan": selectors.plan_of(subject=page.subject),
                "previous_plan": selectors.previous_plan_for(subject=page.subject, now=page.result),
                "may_draft": page.subject.case.status in OPEN_CASE
                and allowed(request.user, "followup.write_plan", page.subject),
            }
        )
    return render(
        request,
        "followup/my_results.html",
        {"pages": pages, "team_cases": assessments_selectors.principal_cases_for(user=request.user)},
    )


@login_required
@require_POST
def feedback_respond(request: HttpRequest, pk: int) -> HttpResponse:
    subject = get_object_or_404(CaseSubject.objects.select_related("case__cycle", "person"), pk=pk)
    if not allowed(request.user, "followup.respond_to_feedback", subject):
        raise Http404
    form = FeedbackResponseForm(request.POST, auto_id=f"fb{subject.pk}_%s")
    if form.is_valid():
        try:
            services.feedback_respond(subject=subject, actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Your response is recorded."))
            return redirect(reverse("followup:my_results") + f"#result-{subject.pk}")
    # Show the page again with what they wrote and what is wrong: nothing typed is lost.
    return render(request, "followup/feedback_form.html", {"subject": subject, "feedback_form": form}, status=400)


def _team_page(request: HttpRequest, case: Case, *, bound: tuple[int, FeedbackTalkForm] | None = None, status=200):
    result = assessments_selectors.case_result_for(viewer=request.user, case=case)
    if result is None:
        raise Http404
    talks = selectors.feedback_for_case(case=case)
    open_case = case.status in OPEN_CASE
    rows = []
    for member in result.members:
        subject = member.subject
        talk = talks.get(subject.pk)
        form = None
        if open_case and allowed(request.user, "followup.record_feedback_talk", subject):
            form = FeedbackTalkForm(
                auto_id=f"talk{subject.pk}_%s",
                initial={"held_on": talk.held_on, "participants": talk.participants, "notes": talk.notes}
                if talk
                else None,
            )
            if bound and bound[0] == subject.pk:
                form = bound[1]
        rows.append(
            {
                "member": member,
                "talk": talk,
                "under_review": bool(talk and talk.appeal_status == FeedbackTalk.Appeal.UNDER_REVIEW),
                "talk_form": form,
            }
        )
    team_subject = result.team.subject if result.team else None
    team_plan = selectors.plan_of(subject=team_subject) if team_subject else None
    context = {
        "case": case,
        "result": result,
        "rows": rows,
        "team_subject": team_subject,
        "team_plan": team_plan,
        "may_draft_team_plan": bool(
            team_subject
            and team_plan is None
            and open_case
            and allowed(request.user, "followup.write_plan", team_subject)
        ),
    }
    return render(request, "followup/team_results.html", context, status=status)


@login_required
def team_results(request: HttpRequest, pk: int) -> HttpResponse:
    """The principal's view of their team's released results (HR may open it too), where the principal also
    records the feedback talks with the other members."""
    case = get_object_or_404(Case.objects.select_related("cycle", "team"), pk=pk)
    if not allowed(request.user, "assessments.view_team_result", case):
        raise Http404
    return _team_page(request, case)


@login_required
@require_POST
def team_feedback_talk(request: HttpRequest, pk: int) -> HttpResponse:
    """The team's principal records the feedback talk with another member of the team (HR does so on the case
    page). Not with themselves: that talk is HR's to hold."""
    subject = get_object_or_404(CaseSubject.objects.select_related("case__cycle", "case__team", "person"), pk=pk)
    if not allowed(request.user, "followup.record_feedback_talk", subject):
        raise Http404
    form = FeedbackTalkForm(request.POST, auto_id=f"talk{subject.pk}_%s")
    if form.is_valid():
        try:
            services.feedback_record_talk(subject=subject, actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, format_html(_("Feedback talk with {} recorded."), subject.person.name))
            return redirect(reverse("followup:team_results", args=[subject.case_id]) + f"#member-{subject.pk}")
    if not allowed(request.user, "assessments.view_team_result", subject.case):
        raise Http404
    return _team_page(request, subject.case, bound=(subject.pk, form), status=400)
