"""The state machines of cycles and cases as one table each: the HR desk, the API and the admin apply a named
transition here and ask `*_transitions_for` which ones an actor may take now, instead of keeping tables of
their own. Each transition is still one service function that locks, checks and writes (services/cycles.py)."""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.roles import Actor, is_hr

from ..errors import AssessmentError
from ..models import Case, Cycle
from .cycles import (
    case_close,
    case_start_improving,
    cycle_archive,
    cycle_close,
    cycle_open,
    cycle_purge_test_ballots,
    cycle_release,
    cycle_reopen,
    cycle_score_later,
)

S, CS = Cycle.Status, Case.Status


@dataclass(frozen=True)
class Transition:
    name: str
    label: Promise  # what the button says
    done: Promise  # what the actor is told once it went through
    service: Callable[..., Any]
    sources: tuple[str, ...]  # the statuses it may be taken from
    reason: str = ""  # "required", "optional", or "" for a transition that takes none
    text_param: str = "reason"  # the service's keyword for that text (a plan's verification takes a "note")
    by: str = "hr"  # who takes it: "hr", or "author" (a plan's leader, checked by the app's own rule)
    issues_codes: bool = False  # answers with plain-text ballot codes, shown once
    queued: bool = False  # runs on a worker: done means "asked for"
    test_mode_only: bool = False

    def offered_from(self, status: str, *, test_mode: bool = False) -> bool:
        return status in self.sources and (test_mode or not self.test_mode_only)


CYCLE_TRANSITIONS: dict[str, Transition] = {
    t.name: t
    for t in (
        Transition(
            "purge",
            gettext_lazy("Purge the test ballots and start the real run"),
            gettext_lazy("The rehearsal's ballots are purged and every code replaced: print the new slips."),
            cycle_purge_test_ballots,
            (S.OPEN, S.CLOSED, S.SCORED),
            issues_codes=True,
            test_mode_only=True,
        ),
        Transition(
            "open",
            gettext_lazy("Open the cycle"),
            gettext_lazy("The cycle is open: assignments made and ballot codes issued."),
            cycle_open,
            (S.DRAFT,),
            issues_codes=True,
        ),
        Transition(
            "close",
            gettext_lazy("Close for ballots"),
            gettext_lazy("The cycle is closed for ballots."),
            cycle_close,
            (S.OPEN,),
        ),
        Transition(
            "score",
            gettext_lazy("Compute results"),
            gettext_lazy("Results are being computed by a worker; reload in a moment."),
            cycle_score_later,
            (S.CLOSED, S.SCORED),
            queued=True,
        ),
        Transition(
            "release",
            gettext_lazy("Release results"),
            gettext_lazy("Results are released to leaders."),
            cycle_release,
            (S.SCORED,),
        ),
        Transition(
            "reopen",
            gettext_lazy("Reopen the cycle"),
            gettext_lazy("The cycle is open again for ballots."),
            cycle_reopen,
            (S.CLOSED, S.SCORED),
            reason="required",
        ),
        Transition(
            "archive", gettext_lazy("Archive"), gettext_lazy("The cycle is archived."), cycle_archive, (S.RELEASED,)
        ),
    )
}

CASE_TRANSITIONS: dict[str, Transition] = {
    t.name: t
    for t in (
        Transition(
            "start_improving",
            gettext_lazy("Start the improvement stage"),
            gettext_lazy("The case is in its improvement stage."),
            case_start_improving,
            (CS.FEEDBACK,),
        ),
        Transition(
            "close",
            gettext_lazy("Close the case"),
            gettext_lazy("The case is closed."),
            case_close,
            (CS.IMPROVING,),
            reason="optional",
        ),
    )
}


def transition_apply(
    table: dict[str, Transition], name: str, *, actor: Actor, reason: str = "", **target
) -> tuple[Transition, Any]:
    """Take the named transition of a table on `target` (cycle=…, case=…, plan=…). The service checks the status
    and refuses with a ValidationError naming why; an unknown name is refused the same way."""
    transition = table.get(name)
    if transition is None:
        raise AssessmentError(_("Unknown action."))
    extra = {transition.text_param: reason} if transition.reason else {}
    return transition, transition.service(actor=actor, **target, **extra)


def cycle_transition_apply(*, cycle: Cycle, name: str, actor: Actor, reason: str = "") -> tuple[Transition, Any]:
    """Take the named transition; the service refuses (a ValidationError naming why) what may not be taken now.
    Returns the transition and what its service returned (the codes issued, for those that issue them)."""
    return transition_apply(CYCLE_TRANSITIONS, name, actor=actor, reason=reason, cycle=cycle)


def case_transition_apply(*, case: Case, name: str, actor: Actor, reason: str = "") -> tuple[Transition, Any]:
    return transition_apply(CASE_TRANSITIONS, name, actor=actor, reason=reason, case=case)


def cycle_transitions_for(*, cycle: Cycle, actor: Actor) -> list[Transition]:
    """The transitions this actor may take on the cycle now, in the order a desk offers them: HR only."""
    if not is_hr(actor):
        return []
    return [t for t in CYCLE_TRANSITIONS.values() if t.offered_from(cycle.status, test_mode=cycle.test_mode)]


def case_transitions_for(*, case: Case, actor: Actor) -> list[Transition]:
    if not is_hr(actor):
        return []
    return [t for t in CASE_TRANSITIONS.values() if t.offered_from(case.status)]
