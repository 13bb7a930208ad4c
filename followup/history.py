"""The change history of feedback talks, plans and actions (django-simple-history), read with assessments'
history helpers: a plan's own history, and a case's follow-up changes for the case file's record."""

from itertools import chain

from django.db.models import Prefetch
from django.utils.translation import gettext_lazy as _

from assessments.history import HistoryEntry, history_entries
from assessments.history import case_record as assessments_case_record
from assessments.models import Case

from .models import Action, FeedbackTalk, ImprovementPlan, ProgressUpdate

# What a newly created row is recognised by.
PLAN_ON_CREATE = ("status",)
ACTION_ON_CREATE = ("title", "due_on", "indicator")
TALK_ON_CREATE = ("held_on",)


def _action_name(record) -> str:
    return str(_("Action: %(title)s") % {"title": record.title})


def plan_history(*, plan: ImprovementPlan) -> list[HistoryEntry]:
    """The plan's and its actions' changes, oldest first."""
    plan_records = ImprovementPlan.history.filter(id=plan.pk).select_related("history_user")
    action_records = Action.history.filter(plan_id=plan.pk).select_related("history_user")
    entries = history_entries(
        plan_records, lambda r: str(_("Improvement plan")), on_create=PLAN_ON_CREATE
    ) + history_entries(action_records, _action_name, on_create=ACTION_ON_CREATE)
    return sorted(entries, key=lambda e: e.when)


def followup_history(*, case: Case) -> list[HistoryEntry]:
    """Every recorded change of the case's feedback talks, its plans and their actions."""
    subjects = {s.pk: s for s in case.subjects.select_related("person")}
    plan_ids = list(ImprovementPlan.history.filter(subject_id__in=subjects).values_list("id", flat=True).distinct())

    def subject_name(record) -> str:
        subject = subjects.get(record.subject_id)
        return str(subject) if subject else ""

    entries = chain(
        history_entries(
            FeedbackTalk.history.filter(subject_id__in=subjects).select_related("history_user"),
            lambda r: str(_("Feedback talk with %(who)s") % {"who": subject_name(r)}),
            on_create=TALK_ON_CREATE,
        ),
        history_entries(
            ImprovementPlan.history.filter(subject_id__in=subjects).select_related("history_user"),
            lambda r: str(_("Improvement plan of %(who)s") % {"who": subject_name(r)}),
            on_create=PLAN_ON_CREATE,
        ),
        history_entries(
            Action.history.filter(plan_id__in=plan_ids).select_related("history_user"),
            _action_name,
            on_create=ACTION_ON_CREATE,
        ),
    )
    return sorted(entries, key=lambda e: e.when)


def case_record(*, case: Case) -> list[HistoryEntry]:
    """The case file's record: the case's timeline and changes with those of its talks, plans and actions."""
    return assessments_case_record(case=case, changes=followup_history(case=case))


def plans_for_case_file(*, case: Case) -> list[ImprovementPlan]:
    """Every plan of the case with its actions, their updates and evidence, in seat order."""
    updates = ProgressUpdate.objects.select_related("author").prefetch_related("evidence").order_by("created_at", "id")
    return list(
        ImprovementPlan.objects.filter(subject__case=case)
        .select_related("subject__person")
        .prefetch_related(
            Prefetch(
                "actions",
                queryset=Action.objects.select_related("indicator", "owner").prefetch_related(
                    Prefetch("updates", queryset=updates)
                ),
            )
        )
        .order_by("subject__order", "id")
    )
