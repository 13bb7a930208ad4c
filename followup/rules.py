"""Object-level permissions of follow-up, asked like assessments' with `assessments.rules.allowed(user, <perm>,
obj)` and refused as a 404. The predicates lean on the selectors, which hold the rules themselves."""

import rules

from assessments import selectors as assessments_selectors
from assessments.models import CaseSubject
from assessments.rules import is_hr, is_own_released_place

from . import selectors
from .models import ImprovementPlan


@rules.predicate
def is_principal_of_another_member(user, subject: CaseSubject | None) -> bool:
    """The team's principal records the feedback talk with the other members, never with themselves."""
    return (
        subject is not None
        and subject.kind == CaseSubject.Kind.MEMBER
        and subject.person.user_id != user.pk
        and assessments_selectors.is_principal_of(user=user, case=subject.case)
    )


@rules.predicate
def may_view_plan(user, plan: ImprovementPlan | None) -> bool:
    return plan is not None and selectors.can_view_plan(user=user, plan=plan)


@rules.predicate
def may_write_plan(user, target: ImprovementPlan | CaseSubject | None) -> bool:
    """The author, for a plan or for a subject that has none yet. Whether the plan's state still takes the
    change is the service's to say, with a message."""
    subject = target.subject if isinstance(target, ImprovementPlan) else target
    return subject is not None and selectors.can_write_plan(user=user, subject=subject)


rules.add_perm("followup.respond_to_feedback", is_own_released_place)
rules.add_perm("followup.record_feedback_talk", is_hr | is_principal_of_another_member)
rules.add_perm("followup.decide_appeal", is_hr)
rules.add_perm("followup.view_plan", may_view_plan)
rules.add_perm("followup.write_plan", may_write_plan)
rules.add_perm("followup.review_plan", is_hr)
