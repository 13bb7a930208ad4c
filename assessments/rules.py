"""Object-level permissions, one place: every view asks `allowed(user, <perm>, obj)` and answers 404
when refused, so a refusal never confirms that someone else's ballot, assignment or result exists.
The predicates lean on the selectors, which hold the rules themselves (HR, own, released, principal)."""

import rules

from core import roles

from . import selectors
from .models import Assignment, Case, CaseSubject


@rules.predicate
def is_hr(user) -> bool:
    return roles.is_hr(user)


@rules.predicate
def is_own_assignment(user, assignment: Assignment | None) -> bool:
    return assignment is not None and user.is_authenticated and assignment.rater.user_id == user.pk


@rules.predicate
def may_see_result(user, subject: CaseSubject | None) -> bool:
    return subject is not None and selectors.can_view_subject_result(viewer=user, subject=subject)


@rules.predicate
def is_own_released_place(user, subject: CaseSubject | None) -> bool:
    return (
        subject is not None
        and subject.kind == CaseSubject.Kind.MEMBER
        and user.is_authenticated
        and subject.person.user_id == user.pk
        and subject.case.cycle.status in selectors.RELEASED
    )


@rules.predicate
def is_principal_after_release(user, case: Case | None) -> bool:
    return case is not None and selectors.is_principal_of(user=user, case=case)


# Whether the sheet still takes changes (window, status) is the ballot service's to say, with a message.
rules.add_perm("assessments.fill_assignment", is_own_assignment)
rules.add_perm("assessments.view_subject_result", may_see_result)
rules.add_perm("assessments.view_team_result", is_hr | is_principal_after_release)
rules.add_perm("assessments.run_cycle", is_hr)


def allowed(user, perm: str, obj=None) -> bool:
    """The rule itself, not `user.has_perm`: Django grants a superuser every permission, but even a
    superuser must not fill someone else's ballot or answer for someone else's feedback talk (followup's rules
    are asked the same way)."""
    return rules.has_perm(perm, user, obj)
