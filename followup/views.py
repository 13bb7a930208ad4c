"""Improvement-plan pages: the leader's plan (draft, edit, submit, progress with evidence, complete), the list of
my plans and my team's, the evidence download, and HR's list of a cycle's plans and review page. Every plan
through a rule, refused as a 404; every write through a plan service, whose message is shown as it is."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from assessments.models import CaseSubject, Cycle
from assessments.rules import allowed
from people.selectors import person_for_user

from . import selectors, services
from .evidence import evidence_check, name_for_type
from .forms import ActionForm, PlanFilterForm, PlanGoalForm, ProgressForm, ReturnForm, VerifyForm
from .history import plan_history
from .models import Action, Evidence, ImprovementPlan
from .services.plans import OPEN_CASE
from .services.transitions import plan_transition_apply, plan_transitions_for

P = ImprovementPlan.Status
STEPS = [P.DRAFT, P.SUBMITTED, P.APPROVED, P.IN_PROGRESS, P.COMPLETED, P.VERIFIED]


# --- Helpers ------------------------------------------------------------------------------------------


def _plan_or_404(request: HttpRequest, pk: int, perm: str = "followup.view_plan") -> ImprovementPlan:
    try:
        plan = selectors.plan_with_everything(pk=pk)
    except ImprovementPlan.DoesNotExist:
        raise Http404 from None
    if not allowed(request.user, perm, plan):
        raise Http404
    return plan


def _action_of(plan: ImprovementPlan, action_pk: int) -> Action:
    for action in plan.actions.all():
        if action.pk == action_pk:
            return action
    raise Http404


def steps_for(plan: ImprovementPlan) -> list[dict]:
    """The step indicator: each step done, current or to come. A returned plan stands at the draft step."""
    current = STEPS.index(P.DRAFT if plan.status == P.RETURNED else plan.status)
    labels = dict(P.choices)
    steps = []
    for i, status in enumerate(STEPS):
        label = labels[P.RETURNED] if status == P.DRAFT and plan.status == P.RETURNED else labels[status]
        state = "done" if i < current or plan.status == P.VERIFIED else "current" if i == current else "todo"
        steps.append({"label": label, "state": state, "current": i == current})
    return steps


def _plan_context(
    request: HttpRequest,
    plan: ImprovementPlan,
    *,
    goal_form: PlanGoalForm | None = None,
    add_form: ActionForm | None = None,
    bound: tuple[int, str, object] | None = None,
) -> dict:
    """Everything the plan page shows. `bound` is (action id, "edit" or "progress", form): the one form that
    came back with errors, shown open with what was typed."""
    can_write = allowed(request.user, "followup.write_plan", plan)
    editable = can_write and plan.editable
    under_way = can_write and plan.under_way
    indicators = selectors.plan_indicators(plan=plan) if editable else None
    actions = list(plan.actions.all())
    rows = []
    for action in actions:
        edit_form = progress_form = None
        if editable:
            edit_form = ActionForm(
                indicators=indicators,
                auto_id=f"a{action.pk}_%s",
                initial={
                    "title": action.title,
                    "description": action.description,
                    "indicator": action.indicator_id,
                    "due_on": action.due_on,
                },
            )
        if under_way and action.status != Action.Status.DONE:
            progress_form = ProgressForm(auto_id=f"p{action.pk}_%s", initial={"progress": action.progress})
            # Progress only goes forward (the service says so too); the browser can say it before sending.
            progress_form.fields["progress"].widget.attrs["min"] = action.progress
        open_form = ""
        if bound and bound[0] == action.pk:
            open_form = bound[1]
            if bound[1] == "edit":
                edit_form = bound[2]
            else:
                progress_form = bound[2]
        rows.append(
            {
                "action": action,
                "overdue": selectors.action_is_overdue(action),
                "edit_form": edit_form,
                "progress_form": progress_form,
                "open_form": open_form,
                "updates": list(action.updates.all()),
            }
        )
    if editable and add_form is None:
        add_form = ActionForm(indicators=indicators, auto_id="new_%s")
    return {
        "plan": plan,
        "subject": plan.subject,
        "case": plan.subject.case,
        "steps": steps_for(plan),
        "progress": selectors.plan_progress(plan),
        "rows": rows,
        "can_write": can_write,
        "editable": editable,
        "under_way": under_way,
        # Offered once every action is done: the service would refuse it before, naming the open ones.
        "offered": (offered := _offered(request, plan)),
        "can_complete": "complete" in offered
        and bool(actions)
        and all(a.status == Action.Status.DONE for a in actions),
        "goal_form": goal_form or (PlanGoalForm(initial={"goal": plan.goal}) if editable else None),
        "add_form": add_form if editable else None,
        "suggestions": selectors.plan_suggestions(subject=plan.subject),
        "is_hr": allowed(request.user, "followup.review_plan"),
    }


def _plan_page(request: HttpRequest, plan: ImprovementPlan, status: int = 200, **forms) -> HttpResponse:
    return render(request, "followup/plans/plan.html", _plan_context(request, plan, **forms), status=status)


def _to_plan(plan: ImprovementPlan, anchor: str = "") -> HttpResponse:
    return redirect(reverse("followup:plan", args=[plan.pk]) + (f"#{anchor}" if anchor else ""))


# --- The leader's pages -----------------------------------------------------------------------------------


@login_required
def plan_list(request: HttpRequest) -> HttpResponse:
    """My plans (and the team's, which a principal writes), my team's members' plans to read, and the released
    cycles where I may still draft one."""
    person = person_for_user(user=request.user)
    visible = list(
        selectors.plans_visible_to(user=request.user)
        .select_related("subject__person", "subject__case__cycle", "subject__case__team")
        .prefetch_related("actions")
        .order_by("-subject__case__cycle__year", "-subject__case__cycle_id", "subject__order")
    )
    mine, team = [], []
    for plan in visible:
        row = {"plan": plan, "progress": selectors.plan_progress(plan)}
        is_mine = person is not None and selectors.plan_author_person_id(plan.subject) == person.pk
        (mine if is_mine else team).append(row)
    drafts = [
        s
        for s in selectors.subjects_to_plan_for(user=request.user)
        if s.case.status in OPEN_CASE and allowed(request.user, "followup.write_plan", s)
    ]
    return render(request, "followup/plans/list.html", {"mine": mine, "team": team, "drafts": drafts})


@login_required
@require_POST
def plan_draft(request: HttpRequest, pk: int) -> HttpResponse:
    """A new draft from Kaoping's suggestions, for my place (or my team's, as its principal) in a released case."""
    subject = get_object_or_404(CaseSubject.objects.select_related("case__cycle", "person"), pk=pk)
    if not allowed(request.user, "followup.write_plan", subject):
        raise Http404
    try:
        plan = services.plan_create(subject=subject, actor=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect(reverse("followup:my_results") + f"#result-{subject.pk}")
    messages.success(request, _("Your draft is ready: check the actions, change what you like, then submit it."))
    return _to_plan(plan)


@login_required
def plan(request: HttpRequest, pk: int) -> HttpResponse:
    return _plan_page(request, _plan_or_404(request, pk))


@login_required
@require_POST
def plan_edit(request: HttpRequest, pk: int) -> HttpResponse:
    plan = _plan_or_404(request, pk, "followup.write_plan")
    form = PlanGoalForm(request.POST)
    if form.is_valid():
        try:
            services.plan_update(plan=plan, goal=form.cleaned_data["goal"], actor=request.user)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The goal is saved."))
            return _to_plan(plan, "goal")
    return _plan_page(request, plan, status=400, goal_form=form)


@login_required
@require_POST
def plan_action_add(request: HttpRequest, pk: int) -> HttpResponse:
    plan = _plan_or_404(request, pk, "followup.write_plan")
    form = ActionForm(request.POST, indicators=selectors.plan_indicators(plan=plan), auto_id="new_%s")
    if form.is_valid():
        try:
            action = services.action_add(plan=plan, actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Action added."))
            return _to_plan(plan, f"action-{action.pk}")
    return _plan_page(request, plan, status=400, add_form=form)


@login_required
@require_POST
def plan_action(request: HttpRequest, pk: int, action_pk: int) -> HttpResponse:
    """Change one action (`op=save`) or take it out of the plan (`op=remove`), while the plan is a draft."""
    plan = _plan_or_404(request, pk, "followup.write_plan")
    action = _action_of(plan, action_pk)
    if request.POST.get("op") == "remove":
        try:
            services.action_remove(action=action, actor=request.user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("Action removed."))
        return _to_plan(plan, "actions")
    form = ActionForm(request.POST, indicators=selectors.plan_indicators(plan=plan), auto_id=f"a{action.pk}_%s")
    if form.is_valid():
        try:
            services.action_update(action=action, actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Action saved."))
            return _to_plan(plan, f"action-{action.pk}")
    return _plan_page(request, plan, status=400, bound=(action.pk, "edit", form))


@login_required
@require_POST
def plan_progress(request: HttpRequest, pk: int, action_pk: int) -> HttpResponse:
    """A progress update on one action, with evidence files checked by what they are. A bad file refuses the
    whole update (nothing is stored) and the page comes back with what was typed."""
    plan = _plan_or_404(request, pk, "followup.write_plan")
    action = _action_of(plan, action_pk)
    form = ProgressForm(request.POST, request.FILES, auto_id=f"p{action.pk}_%s")
    if form.is_valid():
        checked = []
        for upload in form.cleaned_data["files"]:
            try:
                checked.append(evidence_check(upload))
            except ValidationError as error:
                form.add_error("files", error)
        if not form.errors:
            try:
                services.progress_post(
                    action=action,
                    actor=request.user,
                    note=form.cleaned_data["note"],
                    progress=form.cleaned_data["progress"],
                    files=checked,
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, _("Progress posted."))
                return _to_plan(plan, f"action-{action.pk}")
    return _plan_page(request, plan, status=400, bound=(action.pk, "progress", form))


# HR's transitions that take a text, with the form that checks it: (context key, form, field).
TEXT_FORMS = {"return": ("return_form", ReturnForm, "reason"), "verify": ("verify_form", VerifyForm, "note")}


@login_required
@require_POST
def plan_transition(request: HttpRequest, pk: int) -> HttpResponse:
    plan = _plan_or_404(request, pk, "followup.write_plan")
    try:
        # The table's messages are lazy: each request reads them in its own language.
        transition, _plan = plan_transition_apply(plan=plan, name=request.POST.get("action", ""), actor=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, str(transition.done))
    return _to_plan(plan)


@login_required
def evidence(request: HttpRequest, pk: int) -> HttpResponse:
    """An evidence file, for whoever may see its plan: an attachment under its original base name with the
    extension of its checked type (RFC 5987), with that type, never sniffed into something a browser would run."""
    try:
        item = selectors.evidence_for_download(pk=pk)
    except Evidence.DoesNotExist:
        raise Http404 from None
    if not allowed(request.user, "followup.view_plan", item.update.action.plan):
        raise Http404
    if not item.file or not item.file.storage.exists(item.file.name):
        raise Http404
    # Files stored before names followed their type still carry the extension they were uploaded with.
    filename = name_for_type(item.name, item.extension)
    response = FileResponse(item.file.storage.open(item.file.name, "rb"), as_attachment=True, filename=filename)
    response["Content-Type"] = item.content_type
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


# --- HR -------------------------------------------------------------------------------------------------


def _hr_only(request: HttpRequest) -> None:
    if not allowed(request.user, "followup.review_plan"):
        raise Http404


@login_required
def hr_plans(request: HttpRequest, pk: int) -> HttpResponse:
    """Every plan of a cycle, filtered by status, overdue actions and unit; counts per status; who has none."""
    _hr_only(request)
    cycle = get_object_or_404(Cycle, pk=pk)
    units = selectors.org_units_of_cycle(cycle=cycle)
    form = PlanFilterForm(request.GET or None, org_units=units)
    filters = form.cleaned_data if form.is_valid() else {}
    org_unit_id = filters.get("org_unit")
    plans = selectors.plans_for_cycle(
        cycle=cycle,
        status=filters.get("status", ""),
        overdue=bool(filters.get("overdue")),
        org_unit_id=org_unit_id,
    )
    page = Paginator(plans, 100).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    counts = selectors.plan_status_counts(cycle=cycle)
    return render(
        request,
        "followup/hr/plans.html",
        {
            "cycle": cycle,
            "form": form,
            "page": page,
            "rows": [{"plan": p, "progress": selectors.plan_progress(p)} for p in page],
            "counts": [(label, counts[value], value) for value, label in P.choices],
            "total": sum(counts.values()),
            "without": list(selectors.members_without_plan(cycle=cycle, org_unit_id=org_unit_id)[:500]),
            "query": query.urlencode(),
        },
    )


def _offered(request: HttpRequest, plan: ImprovementPlan) -> set[str]:
    """The plan transitions this user may take now: what the buttons offer (services/transitions.py)."""
    return {t.name for t in plan_transitions_for(plan=plan, actor=request.user)}


def _hr_plan_page(request: HttpRequest, plan: ImprovementPlan, status: int = 200, **forms) -> HttpResponse:
    context = _plan_context(request, plan)
    offered = context["offered"]  # read once: each lookup asks the plan rules again
    context.update(
        {
            "return_form": forms.get("return_form") or (ReturnForm() if "return" in offered else None),
            "verify_form": forms.get("verify_form") or (VerifyForm() if "verify" in offered else None),
            "can_approve": "approve" in offered,
            "history": plan_history(plan=plan),
        }
    )
    return render(request, "followup/hr/plan.html", context, status=status)


@login_required
def hr_plan(request: HttpRequest, pk: int) -> HttpResponse:
    _hr_only(request)
    return _hr_plan_page(request, _plan_or_404(request, pk))


@login_required
@require_POST
def hr_plan_transition(request: HttpRequest, pk: int) -> HttpResponse:
    """Approve, return (with the reason the leader reads) or verify (with a note)."""
    _hr_only(request)
    plan = _plan_or_404(request, pk)
    action = request.POST.get("action", "")
    forms: dict = {}
    text = ""
    # The reason and the note are checked by their forms first, so that the page can show them field by field.
    if action in TEXT_FORMS:
        key, form_class, field = TEXT_FORMS[action]
        form = forms[key] = form_class(request.POST)
        if not form.is_valid():
            return _hr_plan_page(request, plan, status=400, **forms)
        text = form.cleaned_data[field]
    try:
        transition, _plan = plan_transition_apply(plan=plan, name=action, actor=request.user, reason=text)
    except ValidationError as error:
        if forms:
            next(iter(forms.values())).add_error(None, error)
            return _hr_plan_page(request, _plan_or_404(request, pk), status=400, **forms)
        messages.error(request, " ".join(error.messages))
        return redirect("followup:hr_plan", pk=plan.pk)
    messages.success(request, str(transition.done))
    return redirect("followup:hr_plan", pk=plan.pk)
