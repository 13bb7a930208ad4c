"""What follow-up adds to assessments' pages (core.sections): HR's cycle page links to the cycle's plans, and
HR's case page shows each member's feedback talk, appeal and plan."""

from django.http import HttpRequest
from django.template.loader import render_to_string

from assessments import selectors as assessments_selectors
from assessments.hr_views import HR_CASE_SLOT, HR_CYCLE_SLOT
from assessments.models import Case, CaseSubject, Cycle
from core import sections

from . import selectors
from .services.feedback import OPEN_CASE


def hr_cycle_plans_link(*, request: HttpRequest, cycle: Cycle) -> dict[str, str]:
    if cycle.status not in assessments_selectors.RELEASED:
        return {}
    return {"links": render_to_string("followup/hr/cycle_plans_link.html", {"cycle": cycle}, request=request)}


def hr_case_feedback(*, request: HttpRequest, case: Case, subjects: list[CaseSubject]) -> dict[str, str]:
    if case.cycle.status not in assessments_selectors.RELEASED:
        return {}
    talks = selectors.feedback_for_case(case=case)
    plans = selectors.plans_by_subject(case=case)
    # Every talk form starts closed, but the one just refused (feedback_talk sends HR back with ?talk=<subject>).
    refused = request.GET.get("talk", "")
    context = {
        "feedback_rows": [
            {"subject": s, "talk": talks.get(s.pk), "plan": plans.get(s.pk), "open": str(s.pk) == refused}
            for s in subjects
            if s.person_id
        ],
        "feedback_open": case.status in OPEN_CASE,
    }
    return {"feedback": render_to_string("followup/hr/case_feedback.html", context, request=request)}


def register_all() -> None:
    sections.register(HR_CYCLE_SLOT, hr_cycle_plans_link)
    sections.register(HR_CASE_SLOT, hr_case_feedback)
