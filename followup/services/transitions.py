"""An improvement plan's state machine as one table (like assessments/services/transitions.py for cycles and
cases): the leader's plan page, HR's plan page and the API apply a transition by name and ask
`plan_transitions_for` which ones an actor may take now."""

from typing import Any

from django.utils.translation import gettext_lazy

from assessments.rules import allowed
from assessments.services.transitions import Transition, transition_apply
from core.roles import Actor, is_hr

from ..models import ImprovementPlan
from .plans import plan_approve, plan_complete, plan_return, plan_submit, plan_verify

P = ImprovementPlan.Status

PLAN_TRANSITIONS: dict[str, Transition] = {
    t.name: t
    for t in (
        Transition(
            "submit",
            gettext_lazy("Submit the plan to HR"),
            gettext_lazy("Submitted: HR will review your plan."),
            plan_submit,
            (P.DRAFT, P.RETURNED),
            by="author",
        ),
        Transition(
            "complete",
            gettext_lazy("Mark the plan completed"),
            gettext_lazy("The plan is marked completed: HR will verify it."),
            plan_complete,
            (P.IN_PROGRESS,),
            by="author",
        ),
        Transition(
            "approve",
            gettext_lazy("Approve the plan"),
            gettext_lazy("The plan is approved."),
            plan_approve,
            (P.SUBMITTED,),
        ),
        Transition(
            "return",
            gettext_lazy("Return with this reason"),
            gettext_lazy("The plan is returned to its author with your reason."),
            plan_return,
            (P.SUBMITTED, P.COMPLETED),
            reason="required",
        ),
        Transition(
            "verify",
            gettext_lazy("Verify the plan"),
            gettext_lazy("The plan is verified."),
            plan_verify,
            (P.COMPLETED,),
            reason="optional",
            text_param="note",
        ),
    )
}


def _may(transition: Transition, plan: ImprovementPlan, actor: Actor) -> bool:
    if transition.by == "author":
        return allowed(actor, "followup.write_plan", plan)
    return is_hr(actor)


def plan_transitions_for(*, plan: ImprovementPlan, actor: Actor) -> list[Transition]:
    """The transitions this actor may take on the plan now: the author's on their own plan, HR's on any."""
    return [t for t in PLAN_TRANSITIONS.values() if plan.status in t.sources and _may(t, plan, actor)]


def plan_transition_apply(
    *, plan: ImprovementPlan, name: str, actor: Actor, reason: str = ""
) -> tuple[Transition, Any]:
    """Take the named transition, if it is one this actor may take on this plan (else refused as unknown, which
    says nothing about the plan); the service then checks the plan's status."""
    transition = PLAN_TRANSITIONS.get(name)
    if transition is not None and not _may(transition, plan, actor):
        name = ""
    return transition_apply(PLAN_TRANSITIONS, name, actor=actor, reason=reason, plan=plan)
