"""Cycle and case life cycles. Each transition locks the row, checks the state, writes the new state
and a timeline event in one transaction."""

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_update_with_history

from people.models import LeadershipTeam, Person
from people.selectors import memberships_current

from ..errors import AssessmentError, InvalidTransition
from ..models import (
    Assignment,
    Ballot,
    BallotCode,
    BallotDraft,
    Case,
    CaseSubject,
    Cycle,
    CycleRaterGroup,
    Framework,
    TimelineEvent,
)
from ..signals import case_closing, cycle_scored
from .codes import codes_issue
from .groups import case_raters_validate, case_raters_write, first_group, preset_apply, weights_problem
from .mixing import anonymous_ballots_mix, cases_to_mix
from .scoring import cycle_compute_results, results_drop
from .timeline import actor_user as _user
from .timeline import by as _by
from .timeline import event_write as _event

S = Cycle.Status
CS = Case.Status


def _refusal(cycle: Cycle, verb: str) -> InvalidTransition:
    return InvalidTransition(
        _("Cannot %(verb)s the cycle “%(cycle)s”: it is %(status)s.")
        % {"verb": verb, "cycle": cycle.name, "status": cycle.get_status_display()}
    )


def _lock_cycle(cycle: Cycle, allowed: Iterable[str], verb: str) -> Cycle:
    locked = Cycle.objects.select_for_update().get(pk=cycle.pk)
    if locked.status not in allowed:
        raise _refusal(locked, verb)
    return locked


def _set_cycle_status(
    cycle: Cycle, new: str, *, actor, action: str, reason: str = "", data: dict | None = None
) -> None:
    old = cycle.status
    cycle.status = new
    _by(cycle, actor).save(update_fields=["status", "updated_at"])
    _event(cycle=cycle, actor=actor, action=action, old=old, new=new, reason=reason, data=data)


def _move_cases(cycle: Cycle, *, from_statuses: Iterable[str], new: str, actor, action: str) -> None:
    cases = list(Case.objects.select_for_update().filter(cycle=cycle, status__in=list(from_statuses)))
    TimelineEvent.objects.bulk_create(
        TimelineEvent(cycle=cycle, case=c, actor=_user(actor), action=action, from_status=c.status, to_status=new)
        for c in cases
    )
    now = timezone.now()
    for c in cases:
        c.status, c.updated_at = new, now
    # With a history row each, as a case saved one by one would have: the case file's record shows the change.
    bulk_update_with_history(cases, Case, ["status", "updated_at"], default_user=_user(actor))


@transaction.atomic
def cycle_create(
    *, framework: Framework, name: str, year: int, preset: str = "standard", actor=None, **settings: Any
) -> Cycle:
    """A draft cycle with the rater groups of `preset` (see presets.py); HR may change them until it opens."""
    cycle = Cycle(framework=framework, name=name, year=year, **settings)
    cycle.full_clean()
    _by(cycle, actor).save()
    preset_apply(cycle=cycle, preset=preset)
    _event(cycle=cycle, actor=actor, action="created", new=cycle.status)
    return cycle


# Settings HR may change while a cycle is a draft; the framework and year stay as created.
EDITABLE_SETTINGS = (
    "name",
    "scale_min",
    "scale_max",
    "trim_above",
    "void_if_all_identical",
    "void_if_all_max",
    "excellent_quota_percent",
    "band_excellent",
    "band_competent",
    "band_basic",
    "min_group_size",
    "quorum_percent",
    "removal_share",
    "warning_share",
    "opens_at",
    "closes_at",
    "test_mode",
)


@transaction.atomic
def cycle_update(*, cycle: Cycle, actor=None, **changes: Any) -> Cycle:
    """Change a draft cycle's settings; once open, its rules are fixed for every ballot."""
    unknown = set(changes) - set(EDITABLE_SETTINGS)
    if unknown:
        raise AssessmentError(
            _("These settings cannot be changed: %(fields)s") % {"fields": ", ".join(sorted(unknown))}
        )
    cycle = _lock_cycle(cycle, [S.DRAFT], _("change the settings of"))
    changed = [f for f, v in changes.items() if getattr(cycle, f) != v]
    for field, value in changes.items():
        setattr(cycle, field, value)
    cycle.full_clean()
    _by(cycle, actor).save()
    if changed:
        _event(cycle=cycle, actor=actor, action="updated", data={"fields": sorted(changed)})
    return cycle


@transaction.atomic
def cases_add(
    *,
    cycle: Cycle,
    teams: Iterable[LeadershipTeam],
    raters: Mapping[str, Iterable[Person]] | None = None,
    codes: Mapping[str, int] | None = None,
    superiors: Iterable[Person] = (),
    anonymous_ballots: int = 0,
    actor=None,
) -> list[Case]:
    """Add several teams to a draft cycle at once, with the same named raters and numbers of codes; all or none."""
    raters = {code: list(people) for code, people in (raters or {}).items()}
    superiors = list(superiors)
    return [
        case_create(
            cycle=cycle,
            team=t,
            raters=raters,
            codes=codes,
            superiors=superiors,
            anonymous_ballots=anonymous_ballots,
            actor=actor,
        )
        for t in teams
    ]


def _with_shorthand(
    cycle: Cycle, raters: dict, codes: dict, superiors: list[Person], anonymous_ballots: int
) -> tuple[dict, dict]:
    """`superiors=` and `anonymous_ballots=` name the raters of the cycle's first per-team named group and the codes
    of its first anonymous group, whatever those are called: what a cycle of one of each needs."""
    if superiors:
        group = first_group(cycle, CycleRaterGroup.Source.NAMED)
        if group is None:
            raise AssessmentError(_("This cycle has no group whose raters HR names per team."))
        raters = {**raters, group.code: [*raters.get(group.code, []), *superiors]}
    if anonymous_ballots:
        group = first_group(cycle, CycleRaterGroup.Source.CODES)
        if group is None or isinstance(anonymous_ballots, bool) or not isinstance(anonymous_ballots, int):
            raise AssessmentError(_("This cycle has no anonymous rater group."))
        if anonymous_ballots < 0:
            raise AssessmentError(_("The number of anonymous ballots cannot be negative."))
        codes = {**codes, group.code: codes.get(group.code, 0) + anonymous_ballots}
    return raters, codes


@transaction.atomic
def case_create(
    *,
    cycle: Cycle,
    team: LeadershipTeam,
    raters: Mapping[str, Iterable[Person]] | None = None,
    codes: Mapping[str, int] | None = None,
    superiors: Iterable[Person] = (),
    anonymous_ballots: int = 0,
    actor=None,
) -> Case:
    """Add a team to a draft cycle. `raters`: the people HR names per rater-group code; `codes`: how many one-time
    codes each anonymous group gets."""
    cycle = _lock_cycle(cycle, [S.DRAFT], _("add a team to"))
    raters, codes = _with_shorthand(
        cycle, {c: list(p) for c, p in (raters or {}).items()}, dict(codes or {}), list(superiors), anonymous_ballots
    )
    named, counts = case_raters_validate(cycle=cycle, raters=raters, codes=codes)
    if Case.objects.filter(cycle=cycle, team=team).exists():
        raise AssessmentError(_("The team “%(team)s” is already in this cycle.") % {"team": team.name})
    case = _by(Case(cycle=cycle, team=team, code_counts=counts), actor)
    case.save()
    case_raters_write(case=case, named=named)
    _event(cycle=cycle, case=case, actor=actor, action="case_created", new=case.status)
    return case


def _snapshot_subjects(case: Case, on: dt.date) -> list[CaseSubject]:
    seats = list(memberships_current(team=case.team, on=on))
    subjects = [
        CaseSubject(
            case=case,
            kind=CaseSubject.Kind.MEMBER,
            person=m.person,
            position=m.position,
            is_principal=m.is_principal,
            order=i,
        )
        for i, m in enumerate(seats, start=1)
        if m.person.active
    ]
    subjects.append(CaseSubject(case=case, kind=CaseSubject.Kind.TEAM, order=len(subjects) + 1))
    return CaseSubject.objects.bulk_create(subjects)


@transaction.atomic
def cycle_open(*, cycle: Cycle, actor=None) -> dict[int, list[str]]:
    """Open a draft cycle: snapshot each team's members, create the named assignments and issue the
    anonymous codes. Returns the plain-text codes per case id: shown once, never stored."""
    cycle = _lock_cycle(cycle, [S.DRAFT], _("open"))
    cases = list(Case.objects.filter(cycle=cycle).select_related("team").prefetch_related("named_raters"))
    if not cases:
        raise AssessmentError(_("Add at least one team before opening the cycle."))
    problem = weights_problem(cycle.groups)
    if problem:
        raise AssessmentError(problem)
    on = timezone.localdate(cycle.opens_at) if cycle.opens_at else timezone.localdate()
    empty = [
        c.team.name for c in cases if not memberships_current(team=c.team, on=on).filter(person__active=True).exists()
    ]
    if empty:
        raise AssessmentError(_("These teams have no current members: %(teams)s") % {"teams": "、".join(empty)})

    issued: dict[int, list[str]] = {}
    groups = cycle.groups
    # A member's sheet counts for the members' group, their own and the team section for the self-evaluation;
    # with no members' group a member fills only those two, and with neither, no sheet.
    own = first_group(cycle, CycleRaterGroup.Source.MEMBERS) or first_group(cycle, CycleRaterGroup.Source.SELF)
    panels = [
        (g.code, list(g.panel.filter(active=True).order_by("employee_number")))
        for g in groups
        if g.source == CycleRaterGroup.Source.PANEL
    ]
    for case in cases:
        subjects = _snapshot_subjects(case, on)
        members = {s.person_id for s in subjects if s.person_id}
        taken = set(members) if own else set()
        assignments = [Assignment(case=case, rater_id=p, rater_group=own.code) for p in sorted(members)] if own else []
        for rater in case.named_raters.all():
            if rater.person_id not in members and rater.person_id not in taken:
                taken.add(rater.person_id)
                code = next(g.code for g in groups if g.pk == rater.group_id)
                assignments.append(Assignment(case=case, rater_id=rater.person_id, rater_group=code))
        for code, people in panels:
            for person in people:
                # A panel member who sits on the team, or already rates it, is not asked a second time.
                if person.pk not in members and person.pk not in taken:
                    taken.add(person.pk)
                    assignments.append(Assignment(case=case, rater=person, rater_group=code))
        Assignment.objects.bulk_create(assignments)
        issued[case.pk] = [
            code
            for group, count in case.code_counts.items()
            for code in codes_issue(case=case, count=count, rater_group=group)
        ]

    framework = cycle.framework
    if not framework.locked:
        framework.locked = True
        framework.save(update_fields=["locked"])
    _set_cycle_status(cycle, S.OPEN, actor=actor, action="opened", data={"cases": len(cases)})
    return issued


@transaction.atomic
def cycle_close(*, cycle: Cycle, actor=None) -> Cycle:
    cycle = _lock_cycle(cycle, [S.OPEN], _("close"))
    # Under the cycle's FOR UPDATE no sheet is in flight: a closed cycle is always mixed. Its cases that received
    # nothing since their last mix while open are mixed already; every code row of the cycle is rewritten.
    anonymous_ballots_mix(cycle=cycle, cases=cases_to_mix(cycle=cycle))
    _set_cycle_status(cycle, S.CLOSED, actor=actor, action="closed")
    return cycle


@transaction.atomic
def cycle_reopen(*, cycle: Cycle, reason: str, actor=None) -> Cycle:
    """Back to open for late ballots. Computed results are dropped (they no longer match the ballots)."""
    if not (reason or "").strip():
        raise AssessmentError(_("Give a reason for reopening the cycle."))
    cycle = _lock_cycle(cycle, [S.CLOSED, S.SCORED], _("reopen"))
    results_drop(cycle=cycle)
    _move_cases(cycle, from_statuses=[CS.SCORED], new=CS.EVALUATING, actor=actor, action="reopened")
    _set_cycle_status(cycle, S.OPEN, actor=actor, action="reopened", reason=reason.strip())
    return cycle


@transaction.atomic
def cycle_score(*, cycle: Cycle, actor=None) -> Cycle:
    """Compute (or recompute) the results of a closed cycle. Released results are locked."""
    cycle = _lock_cycle(cycle, [S.CLOSED, S.SCORED], _("score"))
    version = cycle_compute_results(cycle=cycle)
    cycle.refresh_from_db()
    _move_cases(cycle, from_statuses=[CS.EVALUATING], new=CS.SCORED, actor=actor, action="scored")
    _set_cycle_status(cycle, S.SCORED, actor=actor, action="scored", data={"version": version})
    cycle_scored.send(sender=Cycle, cycle=cycle)
    return cycle


def cycle_score_later(*, cycle: Cycle, actor=None) -> None:
    """Queue scoring on a worker once the current transaction commits; refuse at once if it cannot run."""
    from ..tasks import score_cycle

    if cycle.status not in (S.CLOSED, S.SCORED):
        raise _refusal(cycle, _("score"))
    user = _user(actor)
    actor_id = user.pk if user else None
    transaction.on_commit(lambda: score_cycle.delay(cycle.pk, actor_id))


@transaction.atomic
def cycle_release(*, cycle: Cycle, actor=None) -> Cycle:
    cycle = _lock_cycle(cycle, [S.SCORED], _("release"))
    if cycle.test_mode:
        raise AssessmentError(_("This cycle is a rehearsal: purge its test ballots before the real run."))
    _move_cases(cycle, from_statuses=[CS.SCORED], new=CS.FEEDBACK, actor=actor, action="released")
    _set_cycle_status(cycle, S.RELEASED, actor=actor, action="released")
    return cycle


@transaction.atomic
def cycle_archive(*, cycle: Cycle, actor=None) -> Cycle:
    cycle = _lock_cycle(cycle, [S.RELEASED], _("archive"))
    _set_cycle_status(cycle, S.ARCHIVED, actor=actor, action="archived")
    return cycle


@transaction.atomic
def cycle_purge_test_ballots(*, cycle: Cycle, actor=None) -> dict[int, list[str]]:
    """End a rehearsal: delete its ballots, drafts and results, reset assignments, replace every code
    (rehearsal codes may have been seen), and leave the cycle open for the real run.
    Returns the new plain-text codes per case id."""
    cycle = _lock_cycle(cycle, [S.OPEN, S.CLOSED, S.SCORED], _("purge the test ballots of"))
    if not cycle.test_mode:
        raise AssessmentError(_("Only a cycle in test mode has test ballots to purge."))
    ballots = Ballot.objects.filter(cycle=cycle, is_test=True)
    purged = ballots.count()
    results_drop(cycle=cycle)
    ballots.delete()
    BallotDraft.objects.filter(assignment__case__cycle=cycle).delete()
    BallotDraft.objects.filter(code__case__cycle=cycle).delete()
    Assignment.objects.filter(case__cycle=cycle).update(status=Assignment.Status.PENDING, submitted_at=None)
    BallotCode.objects.filter(case__cycle=cycle).exclude(status=BallotCode.Status.REVOKED).update(
        status=BallotCode.Status.REVOKED
    )
    issued = {
        case.pk: [
            code
            for group, count in case.code_counts.items()
            for code in codes_issue(case=case, count=count, rater_group=group)
        ]
        for case in Case.objects.filter(cycle=cycle)
    }
    _move_cases(cycle, from_statuses=[CS.SCORED], new=CS.EVALUATING, actor=actor, action="test_purged")
    cycle.test_mode = False
    cycle.save(update_fields=["test_mode", "updated_at"])
    _set_cycle_status(cycle, S.OPEN, actor=actor, action="test_purged", data={"ballots": purged})
    return issued


def _case_transition(
    case: Case, allowed: Iterable[str], new: str, *, verb: str, actor, action: str, reason: str = ""
) -> Case:
    locked = Case.objects.select_for_update().select_related("cycle").get(pk=case.pk)
    if locked.status not in allowed:
        raise InvalidTransition(
            _("Cannot %(verb)s the case “%(case)s”: it is %(status)s.")
            % {"verb": verb, "case": locked, "status": locked.get_status_display()}
        )
    old = locked.status
    locked.status = new
    _by(locked, actor).save(update_fields=["status", "updated_at"])
    _event(cycle=locked.cycle, case=locked, actor=actor, action=action, old=old, new=new, reason=reason)
    return locked


@transaction.atomic
def case_start_improving(*, case: Case, actor=None) -> Case:
    return _case_transition(
        case, [CS.FEEDBACK], CS.IMPROVING, verb=_("start improvement for"), actor=actor, action="improving"
    )


@transaction.atomic
def case_close(*, case: Case, actor=None, reason: str = "") -> Case:
    """A case closes when every plan of it is verified and no appeal is still open: followup says so, by
    raising InvalidTransition from its `case_closing` receiver (assessments does not know plans)."""
    Case.objects.select_for_update().get(pk=case.pk)
    case_closing.send(sender=Case, case=case)
    return _case_transition(
        case, [CS.IMPROVING], CS.CLOSED, verb=_("close"), actor=actor, action="closed", reason=reason
    )
