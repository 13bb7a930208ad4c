"""HR's cycle desk: cycles, live turnout per case and rater group (numbers, never names), the
transitions, and the case page with its timeline. Everything here is HR-only; others get a 404."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from . import selectors, services
from .models import Case, CaseResult, Cycle

TRANSITIONS = {
    "open": (services.cycle_open, gettext_lazy("The cycle is open: assignments made and ballot codes issued.")),
    "close": (services.cycle_close, gettext_lazy("The cycle is closed for ballots.")),
    "score": (services.cycle_score_later, gettext_lazy("Results are being computed by a worker; reload in a moment.")),
    "release": (services.cycle_release, gettext_lazy("Results are released to leaders.")),
}


def _hr_only(request: HttpRequest) -> None:
    if not selectors.is_hr(request.user):
        raise Http404


@login_required
def cycles(request: HttpRequest) -> HttpResponse:
    _hr_only(request)
    return render(request, "assessments/hr/cycles.html", {"cycles": Cycle.objects.select_related("framework")})


@login_required
def cycle(request: HttpRequest, pk: int) -> HttpResponse:
    _hr_only(request)
    cycle = get_object_or_404(Cycle, pk=pk)
    cases = list(Case.objects.filter(cycle=cycle).select_related("team__org_unit").order_by("team__org_unit__code"))
    turnouts = selectors.turnouts_for_cycle(cycle=cycle)
    results = {r.case_id: r for r in CaseResult.objects.filter(case__cycle=cycle)}
    rows = [{"case": c, "turnout": turnouts.get(c.pk), "result": results.get(c.pk)} for c in cases]
    issued = sum(r["turnout"].issued for r in rows if r["turnout"])
    submitted = sum(r["turnout"].submitted for r in rows if r["turnout"])
    return render(
        request,
        "assessments/hr/cycle.html",
        {"cycle": cycle, "rows": rows, "issued": issued, "submitted": submitted, "actions": _actions_for(cycle)},
    )


def _actions_for(cycle: Cycle) -> list[tuple[str, str]]:
    allowed = {
        Cycle.Status.DRAFT: [("open", _("Open the cycle"))],
        Cycle.Status.OPEN: [("close", _("Close for ballots"))],
        Cycle.Status.CLOSED: [("score", _("Compute results"))],
        Cycle.Status.SCORED: [("score", _("Compute again")), ("release", _("Release results"))],
    }
    return allowed.get(cycle.status, [])


@login_required
@require_POST
def cycle_transition(request: HttpRequest, pk: int) -> HttpResponse:
    _hr_only(request)
    cycle = get_object_or_404(Cycle, pk=pk)
    action = request.POST.get("action", "")
    if action not in TRANSITIONS:
        messages.error(request, _("Unknown action."))
        return redirect("assessments:hr_cycle", pk=pk)
    service, done = TRANSITIONS[action]
    try:
        issued = service(cycle=cycle, actor=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("assessments:hr_cycle", pk=pk)
    messages.success(request, done)
    if action == "open" and any(issued.values()):
        # Plain-text codes exist only now: show them once, to print.
        cases = Case.objects.filter(pk__in=issued).select_related("team")
        return render(
            request, "assessments/hr/codes.html", {"cycle": cycle, "cases": [(c, issued[c.pk]) for c in cases]}
        )
    return redirect("assessments:hr_cycle", pk=pk)


@login_required
def case(request: HttpRequest, pk: int) -> HttpResponse:
    _hr_only(request)
    case = get_object_or_404(Case.objects.select_related("cycle", "team__org_unit"), pk=pk)
    return render(
        request,
        "assessments/hr/case.html",
        {
            "case": case,
            "subjects": case.subjects.select_related("person").order_by("order"),
            "assignments": case.assignments.select_related("rater").order_by("role", "rater__name"),
            "turnout": selectors.turnout_for_case(case=case),
            "team_result": selectors.case_result_for(viewer=request.user, case=case),
            "timeline": selectors.timeline_for_case(case=case),
        },
    )
