"""HR's cycle desk: cycles, live turnout per case and rater group (numbers, never names), the
transitions, and the case page with its timeline. Everything here is HR-only; others get a 404."""

import copy

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST

from core import sections
from core.roles import hr_required

from . import selectors, services
from .codes import slip
from .forms import AddTeamsForm, CodesAddForm, CycleForm, CycleSettingsForm, RaterGroupFormSet, rater_group_initial
from .models import Case, CaseRater, Cycle, CycleRaterGroup
from .services.transitions import case_transition_apply, cycle_transition_apply, cycle_transitions_for

# Where the apps above assessments add to HR's cycle and case pages (core.sections).
HR_CYCLE_SLOT = "assessments.hr_cycle"
HR_CASE_SLOT = "assessments.hr_case"


@hr_required
def cycles(request: HttpRequest) -> HttpResponse:
    return render(request, "assessments/hr/cycles.html", {"cycles": Cycle.objects.select_related("framework")})


@hr_required
def cycle(request: HttpRequest, pk: int) -> HttpResponse:
    return _cycle_page(request, get_object_or_404(Cycle, pk=pk))


def _cycle_page(request: HttpRequest, cycle: Cycle, teams_form: AddTeamsForm | None = None, status: int = 200):
    cases = list(Case.objects.filter(cycle=cycle).select_related("team__org_unit").order_by("team__org_unit__code"))
    turnouts = selectors.turnouts_for_cycle(cycle=cycle)
    results = selectors.case_aggregates_for_cycle(viewer=request.user, cycle=cycle)
    rows = [{"case": c, "turnout": turnouts.get(c.pk), "result": results.get(c.pk)} for c in cases]
    issued = sum(r["turnout"].issued for r in rows if r["turnout"])
    submitted = sum(r["turnout"].submitted for r in rows if r["turnout"])
    groups = selectors.rater_groups_of(cycle)
    # A column per group that hands out sheets: the self-evaluation has none of its own unless the cycle has no
    # members' group (then the members' sheets count as self-evaluations).
    used = {code for r in rows if r["turnout"] for code in r["turnout"].by_group}
    return render(
        request,
        "assessments/hr/cycle.html",
        {
            "cycle": cycle,
            "groups": groups,
            "columns": [g for g in groups if g.source != CycleRaterGroup.Source.SELF or g.code in used],
            "rows": rows,
            "issued": issued,
            "submitted": submitted,
            "actions": _actions_for(cycle, request.user),
            "teams_form": teams_form or (AddTeamsForm(cycle=cycle) if cycle.status == Cycle.Status.DRAFT else None),
            "sections": sections.render(HR_CYCLE_SLOT, request=request, cycle=cycle),
        },
        status=status,
    )


def _actions_for(cycle: Cycle, actor) -> list[tuple[str, str]]:
    """The buttons of the desk: every transition HR may take now but the reopen, which asks for a reason in a
    form of its own."""
    return [(t.name, t.label) for t in cycle_transitions_for(cycle=cycle, actor=actor) if t.reason != "required"]


@hr_required
@require_POST
def cycle_transition(request: HttpRequest, pk: int) -> HttpResponse:
    cycle = get_object_or_404(Cycle, pk=pk)
    action = request.POST.get("action", "")
    try:
        transition, issued = cycle_transition_apply(
            cycle=cycle, name=action, actor=request.user, reason=request.POST.get("reason", "")[:2000]
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("assessments:hr_cycle", pk=pk)
    messages.success(request, transition.done)
    if transition.issues_codes and any(issued.values()):
        # Plain-text codes exist only now: show them once, to print.
        cases = Case.objects.filter(pk__in=issued).select_related("team", "cycle")
        return _slips(request, cycle, [(c, issued[c.pk]) for c in cases])
    return redirect("assessments:hr_cycle", pk=pk)


def _slips(request: HttpRequest, cycle: Cycle, cases: list[tuple[Case, list[str]]]) -> HttpResponse:
    """The printable sheet of QR slips: one per code, the only time the codes are ever shown."""
    sheets = []
    for case, codes in cases:
        base_url = request.build_absolute_uri("/")
        slips = []
        group_of = selectors.code_groups_for_slips(case=case, codes=codes)
        for code in codes:
            made = slip(code, base_url=base_url, title=_("QR code of the ballot link"))
            # The SVG holds only modules drawn from our own URL and our own title: nothing to escape.
            qr = mark_safe(made.qr_svg)  # noqa: S308
            group = group_of.get(code)
            slips.append({"code": made.code, "url": made.url, "qr": qr, "group": group.name_zh if group else ""})
        sheets.append({"case": case, "slips": slips})
    response = render(request, "assessments/hr/codes.html", {"cycle": cycle, "sheets": sheets})
    response["Cache-Control"] = "no-store"  # the codes must not linger in a browser or proxy cache
    return response


@hr_required
@require_http_methods(["GET", "POST"])
def cycle_new(request: HttpRequest) -> HttpResponse:
    year = timezone.localdate().year
    form = CycleForm(
        request.POST or None,
        initial={"year": year, "name": _("%(year)d assessment of leadership teams") % {"year": year}},
    )
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            cycle = services.cycle_create(
                framework=data.pop("framework"),
                name=data.pop("name"),
                year=data.pop("year"),
                actor=request.user,
                **data,
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Cycle created. Add the teams to assess, then open it."))
            return redirect("assessments:hr_cycle", pk=cycle.pk)
    return render(
        request,
        "assessments/hr/cycle_form.html",
        {"form": form, "title": _("New cycle")},
        status=400 if form.errors else 200,
    )


@hr_required
@require_http_methods(["GET", "POST"])
def cycle_edit(request: HttpRequest, pk: int) -> HttpResponse:
    cycle = get_object_or_404(Cycle, pk=pk)
    if cycle.status != Cycle.Status.DRAFT:
        messages.error(request, _("Only a draft cycle's settings can be changed."))
        return redirect("assessments:hr_cycle", pk=pk)
    # The form validates a copy, so a rejected change never touches the cycle it came from.
    form = CycleSettingsForm(request.POST or None, instance=copy.copy(cycle))
    if request.method == "POST" and form.is_valid():
        try:
            services.cycle_update(cycle=cycle, actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Settings saved."))
            return redirect("assessments:hr_cycle", pk=pk)
    return render(
        request,
        "assessments/hr/cycle_form.html",
        {"form": form, "cycle": cycle, "title": _("Settings of %(cycle)s") % {"cycle": cycle.name}},
        status=400 if form.errors else 200,
    )


@hr_required
@require_POST
def cycle_teams(request: HttpRequest, pk: int) -> HttpResponse:
    cycle = get_object_or_404(Cycle, pk=pk)
    form = AddTeamsForm(request.POST, cycle=cycle)
    if form.is_valid():
        try:
            with transaction.atomic():
                added = services.cases_add(cycle=cycle, actor=request.user, **form.cases_add_kwargs())
        except ValidationError as error:
            form.add_error(None, " ".join(error.messages))
        else:
            messages.success(
                request, ngettext("%(n)d team added.", "%(n)d teams added.", len(added)) % {"n": len(added)}
            )
            return redirect("assessments:hr_cycle", pk=pk)
    return _cycle_page(request, cycle, teams_form=form, status=400)


@hr_required
@require_POST
def cycle_remind(request: HttpRequest, pk: int) -> HttpResponse:
    cycle = get_object_or_404(Cycle, pk=pk)
    case = None
    if request.POST.get("case"):
        case = (
            Case.objects.filter(cycle=cycle, pk=request.POST["case"]).first()
            if request.POST["case"].isdigit()
            else None
        )
        if case is None:
            raise Http404
    try:
        run = services.reminders_send(cycle=cycle, case=case, actor=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            _(
                "Reminders queued: %(queued)d. Without an email address: %(no_email)d."
                " Reminded within the last hours, skipped: %(recent)d."
            )
            % {"queued": run.queued, "no_email": run.no_email, "recent": run.recently_reminded},
        )
    target = reverse("assessments:hr_case", args=[case.pk]) if case else reverse("assessments:hr_cycle", args=[pk])
    return redirect(target)


@hr_required
@require_POST
def case_codes(request: HttpRequest, pk: int) -> HttpResponse:
    """More codes for an open case, or new ones in place of the unused: the slips are shown once, right away."""
    case = get_object_or_404(Case.objects.select_related("cycle", "team"), pk=pk)
    try:
        if request.POST.get("action") == "replace":
            codes = services.codes_replace_unused(case=case, actor=request.user)
        else:
            form = CodesAddForm(request.POST, cycle=case.cycle)
            if not form.is_valid():
                raise ValidationError([e for errors in form.errors.values() for e in errors])
            codes = services.codes_add(
                case=case,
                count=form.cleaned_data["count"],
                rater_group=form.cleaned_data.get("rater_group"),
                actor=request.user,
            )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("assessments:hr_case", pk=pk)
    return _slips(request, case.cycle, [(case, codes)])


@hr_required
def case(request: HttpRequest, pk: int) -> HttpResponse:
    case = get_object_or_404(Case.objects.select_related("cycle", "team__org_unit"), pk=pk)
    subjects = list(case.subjects.select_related("person").order_by("order"))
    groups = selectors.rater_groups_of(case.cycle)
    turnout = selectors.turnout_for_case(case=case)
    return render(
        request,
        "assessments/hr/case.html",
        {
            "case": case,
            "subjects": subjects,
            "group_names": selectors.group_names(case.cycle),
            # The people HR named for this team, by group: before the cycle opens, its only raters by name.
            "named_raters": CaseRater.objects.filter(case=case).select_related("person", "group"),
            "code_groups": [g for g in groups if g.source == CycleRaterGroup.Source.CODES],
            "assignments": case.assignments.select_related("rater").order_by("rater_group", "rater__name"),
            "turnout": turnout,
            "turnout_groups": [
                (name, turnout.by_group[code]) for code, name in selectors.groups_in_order(case.cycle, turnout.by_group)
            ],
            "codes": selectors.code_counts_for_case(case=case),
            "team_result": selectors.case_result_for(viewer=request.user, case=case),
            "timeline": selectors.timeline_for_case(case=case),
            # The feedback talks, appeals and plans (followup's, a layer above) fill their own section.
            "sections": sections.render(HR_CASE_SLOT, request=request, case=case, subjects=subjects),
        },
    )


@hr_required
@require_http_methods(["GET", "POST"])
def cycle_groups(request: HttpRequest, pk: int) -> HttpResponse:
    """A draft cycle's rater groups, changed as a whole (services.rater_groups_set: all or nothing), with the
    members of each panel. Once the cycle opens the page only shows them."""
    cycle = get_object_or_404(Cycle, pk=pk)
    groups = selectors.rater_groups_of(cycle)
    context = {"cycle": cycle, "groups": groups}
    if cycle.status != Cycle.Status.DRAFT:
        if request.method == "POST":
            context["refused"] = _("The rater groups are fixed once the cycle opens.")
            return render(request, "assessments/hr/groups.html", context, status=409)
        return render(request, "assessments/hr/groups.html", context)
    formset = RaterGroupFormSet(request.POST or None, initial=rater_group_initial(groups), prefix="groups")
    if request.method == "POST" and formset.is_valid():
        try:
            with transaction.atomic():
                groups = services.rater_groups_set(cycle=cycle, groups=formset.rows(), actor=request.user)
                saved = {g.code: g for g in groups}
                for code, people in formset.panels().items():
                    group = saved[code]
                    if {p.pk for p in people} != set(group.panel.values_list("pk", flat=True)):
                        services.panel_set(group=group, people=people, actor=request.user)
        except ValidationError as error:
            context["problems"] = error.messages
        except IntegrityError:
            # Rows trading a code or a kind the cycle has once can meet in a unique index mid-save; nothing is kept.
            context["problems"] = [
                _("Some of these changes collide (two groups trading a code or a kind). Save them in two steps.")
            ]
        else:
            messages.success(request, _("Rater groups saved."))
            return redirect("assessments:hr_cycle", pk=pk)
    context["formset"] = formset
    return render(
        request,
        "assessments/hr/groups.html",
        context,
        status=400 if request.method == "POST" else 200,
    )


@hr_required
@require_POST
def case_transition(request: HttpRequest, pk: int) -> HttpResponse:
    """Move a case on after release: into improvement, then closed once its plans are verified."""
    case = get_object_or_404(Case, pk=pk)
    try:
        transition, _case = case_transition_apply(
            case=case,
            name=request.POST.get("action", ""),
            actor=request.user,
            reason=request.POST.get("reason", "")[:2000],
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, transition.done)
    return redirect("assessments:hr_case", pk=pk)
