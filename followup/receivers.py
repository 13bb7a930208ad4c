"""What follow-up has to say about assessments' transitions, which cannot ask it (they sit a layer below)."""

from typing import Any

from django.utils.translation import gettext as _

from assessments.errors import InvalidTransition
from assessments.models import Case

from .models import FeedbackTalk, ImprovementPlan


def case_closing_guard(sender: Any, *, case: Case, **kwargs: Any) -> None:
    """A case closes when every plan of it is verified and no appeal is still open."""
    open_plans = ImprovementPlan.objects.filter(subject__case=case).exclude(status=ImprovementPlan.Status.VERIFIED)
    if open_plans.exists():
        raise InvalidTransition(
            _("The case can close once every plan of it is verified: %(count)d not verified yet.")
            % {"count": open_plans.count()}
        )
    open_appeals = FeedbackTalk.objects.filter(
        subject__case=case, appeal_status__in=[FeedbackTalk.Appeal.PENDING, FeedbackTalk.Appeal.UNDER_REVIEW]
    )
    if open_appeals.exists():
        raise InvalidTransition(_("The case can close once its appeals are decided and its reviews concluded."))
