"""Improvement plans: one function per transition (draft → submitted → approved → in progress → completed →
verified, or returned with a reason), each locking the plan, checking its state, and writing the new
state and a timeline event in one transaction; the actions and their progress; the daily overdue check."""

import datetime as dt
import secrets
from collections.abc import Iterable

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from assessments.errors import AssessmentError, InvalidTransition
from assessments.models import Case, CaseSubject, Cycle, Indicator
from assessments.services.timeline import actor_user, by, event_write
from people.selectors import person_for_user

from ..evidence import CheckedFile
from ..models import Action, Evidence, ImprovementPlan, ProgressUpdate
from ..selectors import overdue_actions, plan_author_person_id, plan_suggestions
from ..signals import plan_overdue

P = ImprovementPlan.Status
A = Action.Status
OPEN_CASE = (Case.Status.FEEDBACK, Case.Status.IMPROVING)
RELEASED = (Cycle.Status.RELEASED, Cycle.Status.ARCHIVED)
TEXT_LIMIT = 5000
TITLE_LIMIT = 200
ACTIONS_LIMIT = 20
FILES_PER_UPDATE = 5


# --- Helpers ------------------------------------------------------------------------------------------


def _text(value: str | None, label: str, limit: int = TEXT_LIMIT) -> str:
    value = (value or "").strip()
    if len(value) > limit:
        raise AssessmentError(_("%(field)s is too long: at most %(max)d characters.") % {"field": label, "max": limit})
    return value


def _lock(plan: ImprovementPlan, allowed: Iterable[str], verb: str) -> ImprovementPlan:
    """The plan, locked: two concurrent transitions would otherwise both pass the state check."""
    locked = (
        ImprovementPlan.objects.select_for_update(of=("self",)).select_related("subject__case__cycle").get(pk=plan.pk)
    )
    if locked.status not in allowed:
        raise InvalidTransition(
            _("Cannot %(verb)s this plan: it is %(status)s.") % {"verb": verb, "status": locked.get_status_display()}
        )
    return locked


def _open_case(subject: CaseSubject) -> None:
    case = subject.case
    if case.cycle.status not in RELEASED or case.status not in OPEN_CASE:
        raise AssessmentError(_("Plans can be written once results are released and until the case is closed."))


def _event(plan: ImprovementPlan, *, actor, action: str, old: str = "", reason: str = "", data: dict | None = None):
    case = plan.subject.case
    event_write(
        cycle=case.cycle,
        case=case,
        actor=actor,
        action=action,
        old=old,
        new=plan.status,
        reason=reason,
        data={"plan": plan.pk, "subject": plan.subject_id, **(data or {})},
    )


def _set_status(plan: ImprovementPlan, new: str, *, actor, action: str, reason: str = "", **stamps) -> None:
    old = plan.status
    plan.status = new
    for name, value in stamps.items():
        setattr(plan, name, value)
    by(plan, actor).save()
    _event(plan, actor=actor, action=action, old=old, reason=reason)


def _touch(plan_ids: Iterable[int]) -> None:
    """A change to an action is a change to its plan for whoever syncs plans by `updated_at` (the API's
    `updated_since`). A queryset UPDATE: it writes no history row, as nothing of the plan itself changed."""
    ImprovementPlan.objects.filter(pk__in=list(plan_ids)).update(updated_at=timezone.now())


def _require_actor_is_author(plan_or_subject, actor) -> None:
    subject = plan_or_subject.subject if isinstance(plan_or_subject, ImprovementPlan) else plan_or_subject
    person = person_for_user(user=actor)
    if person is None or person.pk != plan_author_person_id(subject):
        raise AssessmentError(_("Only the leader whose plan it is may change it."))


def _indicator(plan: ImprovementPlan, indicator: Indicator | int | None) -> Indicator | None:
    if indicator in (None, ""):
        return None
    pk = indicator.pk if isinstance(indicator, Indicator) else indicator
    found = Indicator.objects.filter(pk=pk, dimension__framework_id=plan.subject.case.cycle.framework_id).first()
    if found is None:
        raise AssessmentError(_("Choose one of this cycle's indicators."))
    return found


def _due(due_on: dt.date | None) -> dt.date:
    if not isinstance(due_on, dt.date):
        raise AssessmentError(_("Give the action a due date."))
    if due_on < timezone.localdate():
        raise AssessmentError(_("The due date cannot be in the past."))
    if due_on > timezone.localdate() + dt.timedelta(days=3 * 366):
        raise AssessmentError(_("The due date must be within three years."))
    return due_on


# --- Drafting -----------------------------------------------------------------------------------------


@transaction.atomic
def plan_create(*, subject: CaseSubject, actor, suggested: bool = True) -> ImprovementPlan:
    """A new draft for the subject, with an action for each suggestion (the first template of each) unless
    `suggested` is False. A subject has one plan: asking again returns the one there is."""
    subject = (
        CaseSubject.objects.select_for_update(of=("self",))
        .select_related("case__cycle__framework", "person")
        .get(pk=subject.pk)
    )
    _require_actor_is_author(subject, actor)
    existing = ImprovementPlan.objects.filter(subject=subject).first()
    if existing is not None:
        return existing
    _open_case(subject)
    plan = by(ImprovementPlan(subject=subject, created_by=actor_user(actor)), actor)
    plan.save()
    owner_id = plan_author_person_id(subject)
    today = timezone.localdate()
    if suggested:
        for order, suggestion in enumerate(plan_suggestions(subject=subject)):
            template = suggestion.templates[0] if suggestion.templates else None
            by(
                Action(
                    plan=plan,
                    indicator=suggestion.indicator,
                    title=template.title if template else _("Improve: %(target)s") % {"target": suggestion.target},
                    description=template.description if template else "",
                    owner_id=owner_id,
                    due_on=today + dt.timedelta(days=template.duration_days if template else 180),
                    order=order,
                ),
                actor,
            ).save()
    _event(plan, actor=actor, action="plan_drafted", data={"actions": plan.actions.count()})
    return plan


@transaction.atomic
def plan_update(*, plan: ImprovementPlan, goal: str, actor) -> ImprovementPlan:
    plan = _lock(plan, (P.DRAFT, P.RETURNED), _("edit"))
    _require_actor_is_author(plan, actor)
    plan.goal = _text(goal, _("The goal"))
    by(plan, actor).save()
    return plan


def _action_fields(plan: ImprovementPlan, *, title, description, indicator, due_on) -> dict:
    title = _text(title, _("The title"), TITLE_LIMIT)
    if not title:
        raise AssessmentError(_("Give the action a title."))
    return {
        "title": title,
        "description": _text(description, _("What will be done")),
        "indicator": _indicator(plan, indicator),
        "due_on": _due(due_on),
    }


@transaction.atomic
def action_add(
    *,
    plan: ImprovementPlan,
    actor,
    title: str,
    due_on: dt.date,
    description: str = "",
    indicator: Indicator | int | None = None,
) -> Action:
    plan = _lock(plan, (P.DRAFT, P.RETURNED), _("edit"))
    _require_actor_is_author(plan, actor)
    if plan.actions.count() >= ACTIONS_LIMIT:
        raise AssessmentError(_("A plan may have at most %(max)d actions.") % {"max": ACTIONS_LIMIT})
    fields = _action_fields(plan, title=title, description=description, indicator=indicator, due_on=due_on)
    last = plan.actions.order_by("-order").values_list("order", flat=True).first()
    _touch([plan.pk])
    action = by(Action(plan=plan, owner_id=plan_author_person_id(plan.subject), order=(last or 0) + 1, **fields), actor)
    action.save()
    return action


@transaction.atomic
def action_update(
    *,
    action: Action,
    actor,
    title: str,
    due_on: dt.date,
    description: str = "",
    indicator: Indicator | int | None = None,
) -> Action:
    plan = _lock(action.plan, (P.DRAFT, P.RETURNED), _("edit"))
    _require_actor_is_author(plan, actor)
    action = Action.objects.select_for_update().get(pk=action.pk, plan=plan)
    for name, value in _action_fields(
        plan, title=title, description=description, indicator=indicator, due_on=due_on
    ).items():
        setattr(action, name, value)
    # A new due date starts the overdue count afresh.
    action.overdue_since = None
    by(action, actor).save()
    _touch([plan.pk])
    return action


@transaction.atomic
def action_remove(*, action: Action, actor) -> None:
    plan = _lock(action.plan, (P.DRAFT, P.RETURNED), _("edit"))
    _require_actor_is_author(plan, actor)
    if action.updates.exists():
        raise AssessmentError(_("An action with progress on record stays in the plan."))
    Action.objects.filter(pk=action.pk, plan=plan).delete()
    _touch([plan.pk])


# --- Transitions --------------------------------------------------------------------------------------


@transaction.atomic
def plan_submit(*, plan: ImprovementPlan, actor) -> ImprovementPlan:
    plan = _lock(plan, (P.DRAFT, P.RETURNED), _("submit"))
    _require_actor_is_author(plan, actor)
    _open_case(plan.subject)
    actions = list(plan.actions.all())
    if not actions:
        raise AssessmentError(_("Add at least one action before submitting the plan."))
    today = timezone.localdate()
    late = [a.title for a in actions if a.due_on < today and a.status != A.DONE]
    if late:
        raise AssessmentError(
            _("These actions are due in the past; give them a new due date: %(titles)s") % {"titles": "、".join(late)}
        )
    _set_status(plan, P.SUBMITTED, actor=actor, action="plan_submitted", submitted_at=timezone.now())
    return plan


@transaction.atomic
def plan_return(*, plan: ImprovementPlan, actor, reason: str) -> ImprovementPlan:
    """HR sends a submitted plan back to its author, or a completed one back for more work: with the reason,
    which the author sees."""
    plan = _lock(plan, (P.SUBMITTED, P.COMPLETED), _("return"))
    reason = _text(reason, _("The reason"))
    if not reason:
        raise AssessmentError(_("Say why the plan is returned."))
    _set_status(plan, P.RETURNED, actor=actor, action="plan_returned", reason=reason, return_reason=reason)
    return plan


@transaction.atomic
def plan_approve(*, plan: ImprovementPlan, actor) -> ImprovementPlan:
    plan = _lock(plan, (P.SUBMITTED,), _("approve"))
    _open_case(plan.subject)
    _set_status(plan, P.APPROVED, actor=actor, action="plan_approved", approved_at=timezone.now(), return_reason="")
    # The first approved plan takes the case from its feedback talks into the improvement stage.
    case = Case.objects.select_for_update().get(pk=plan.subject.case_id)
    if case.status == Case.Status.FEEDBACK:
        case.status = Case.Status.IMPROVING
        by(case, actor).save(update_fields=["status", "updated_at"])
        event_write(
            cycle=plan.subject.case.cycle,
            case=case,
            actor=actor,
            action="improving",
            old=Case.Status.FEEDBACK,
            new=Case.Status.IMPROVING,
        )
    return plan


@transaction.atomic
def plan_start(*, plan: ImprovementPlan, actor) -> ImprovementPlan:
    plan = _lock(plan, (P.APPROVED,), _("start"))
    _require_actor_is_author(plan, actor)
    _set_status(plan, P.IN_PROGRESS, actor=actor, action="plan_started")
    return plan


@transaction.atomic
def plan_complete(*, plan: ImprovementPlan, actor) -> ImprovementPlan:
    plan = _lock(plan, (P.IN_PROGRESS,), _("complete"))
    _require_actor_is_author(plan, actor)
    open_actions = [a.title for a in plan.actions.all() if a.status != A.DONE]
    if open_actions:
        raise AssessmentError(
            _("Every action must be done first. Still open: %(titles)s") % {"titles": "、".join(open_actions)}
        )
    _set_status(plan, P.COMPLETED, actor=actor, action="plan_completed", completed_at=timezone.now())
    return plan


@transaction.atomic
def plan_verify(*, plan: ImprovementPlan, actor, note: str = "") -> ImprovementPlan:
    plan = _lock(plan, (P.COMPLETED,), _("verify"))
    note = _text(note, _("The note"))
    _set_status(
        plan,
        P.VERIFIED,
        actor=actor,
        action="plan_verified",
        reason=note,
        verification_note=note,
        verified_at=timezone.now(),
    )
    return plan


# --- Progress -----------------------------------------------------------------------------------------


def progress_post(
    *, action: Action, actor, note: str, progress: int, files: Iterable[CheckedFile] = ()
) -> ProgressUpdate:
    """A progress update on one action, with evidence already checked (`evidence_check`). The first update
    on an approved plan starts it; an action at 100 % is done."""
    stored: list[Evidence] = []
    try:
        return _progress_post(
            action=action, actor=actor, note=note, progress=progress, files=list(files), stored=stored
        )
    except BaseException:
        # Django has no on-rollback hook: files written for rows that never committed are removed here.
        for evidence in stored:
            evidence.file.storage.delete(evidence.file.name)
        raise


@transaction.atomic
def _progress_post(
    *, action: Action, actor, note: str, progress: int, files: list[CheckedFile], stored: list[Evidence]
) -> ProgressUpdate:
    plan = _lock(action.plan, (P.APPROVED, P.IN_PROGRESS), _("update"))
    _require_actor_is_author(plan, actor)
    note = _text(note, _("The note"))
    if not note:
        raise AssessmentError(_("Say what was done."))
    if isinstance(progress, bool) or not isinstance(progress, int) or not 0 <= progress <= 100:
        raise AssessmentError(_("Progress is a whole number from 0 to 100."))
    if len(files) > FILES_PER_UPDATE:
        raise AssessmentError(_("At most %(max)d files per update.") % {"max": FILES_PER_UPDATE})
    action = Action.objects.select_for_update().filter(pk=action.pk, plan=plan).first()
    if action is None:
        raise AssessmentError(_("This action is not part of the plan."))
    if action.status == A.DONE:
        raise AssessmentError(_("This action is done already."))
    if progress < action.progress:
        raise AssessmentError(
            _("Progress cannot go back: it stands at %(progress)d%%.") % {"progress": action.progress}
        )
    if plan.status == P.APPROVED:
        _set_status(plan, P.IN_PROGRESS, actor=actor, action="plan_started")
    update = ProgressUpdate.objects.create(action=action, author=actor_user(actor), note=note, progress=progress)
    for checked in files:
        evidence = Evidence(
            update=update,
            token=secrets.token_hex(16),
            name=checked.name,
            content_type=checked.content_type,
            extension=checked.extension,
            size=checked.size,
            sha256=checked.sha256,
        )
        evidence.file.save(evidence.token + checked.extension, checked.upload, save=False)
        stored.append(evidence)
        evidence.save()
    action.progress = progress
    if progress == 100:
        action.status = A.DONE
        action.completed_on = timezone.localdate()
        action.overdue_since = None
    elif progress > 0:
        action.status = A.IN_PROGRESS
    by(action, actor).save()
    _touch([plan.pk])
    _event(
        plan,
        actor=actor,
        action="plan_progress",
        data={"action": action.pk, "progress": progress, "files": len(files)},
    )
    return update


# --- The daily overdue check ----------------------------------------------------------------------------


def actions_mark_overdue(*, now: dt.datetime | None = None) -> list[int]:
    """Mark actions that are past due (by the calendar day in settings.TIME_ZONE, Asia/Shanghai) and claim
    today's notice for each, at most once per action per day however often this runs; returns the plans
    with a new notice, after queueing the emails and the `plan.overdue` event for them."""
    today = timezone.localdate(now or timezone.now())
    with transaction.atomic():
        late = overdue_actions(today=today)
        # Plans before actions, as a progress post locks them: the two never wait on each other crosswise.
        _touch(late.order_by().values_list("plan_id", flat=True).distinct())
        late.filter(overdue_since__isnull=True).update(overdue_since=today, updated_at=timezone.now())
        # The claim is the UPDATE itself: a second run the same day (or a second beat) finds nothing to claim.
        claimed = list(
            Action.objects.select_for_update(skip_locked=True)
            .filter(pk__in=late.values("pk"))
            .filter(Q(overdue_notified_on__isnull=True) | Q(overdue_notified_on__lt=today))
            .values_list("pk", "plan_id")
        )
        Action.objects.filter(pk__in=[pk for pk, _ in claimed]).update(overdue_notified_on=today)
        plan_ids = sorted({plan_id for _, plan_id in claimed})
        for plan in ImprovementPlan.objects.filter(pk__in=plan_ids).select_related("subject__case__cycle"):
            actions = [pk for pk, plan_id in claimed if plan_id == plan.pk]
            _event(plan, actor=None, action="plan_overdue", data={"actions": actions, "on": today.isoformat()})
            plan_overdue.send(sender=ImprovementPlan, plan=plan, action_ids=actions, on=today)
        if plan_ids:
            from ..tasks import send_overdue_notices

            transaction.on_commit(lambda: send_overdue_notices.delay(plan_ids, today.isoformat()))
    return plan_ids
