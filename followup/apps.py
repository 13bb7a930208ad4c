from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class FollowupConfig(AppConfig):
    name = "followup"
    verbose_name = _("Follow-up")

    def ready(self) -> None:
        # followup hooks into assessments, never the other way round: assessments sends `case_closing`, keeps a
        # label registry for its timeline and page sections for its pages, without knowing who fills them.
        from assessments.models import TimelineEvent
        from assessments.signals import case_closing

        from . import sections
        from .models import FeedbackTalk, ImprovementPlan
        from .receivers import case_closing_guard

        case_closing.connect(case_closing_guard, dispatch_uid="followup.case_closing_guard")
        TimelineEvent.labels_register(
            actions=TIMELINE_ACTIONS,
            statuses=dict(FeedbackTalk.Appeal.choices) | dict(ImprovementPlan.Status.choices),
        )
        sections.register_all()


TIMELINE_ACTIONS = {
    "feedback_talk": pgettext_lazy("timeline", "Feedback talk recorded"),
    "feedback_response": pgettext_lazy("timeline", "Leader responded to the feedback"),
    "plan_drafted": pgettext_lazy("timeline", "Improvement plan drafted"),
    "plan_submitted": pgettext_lazy("timeline", "Improvement plan submitted"),
    "plan_returned": pgettext_lazy("timeline", "Improvement plan returned"),
    "plan_approved": pgettext_lazy("timeline", "Improvement plan approved"),
    "plan_started": pgettext_lazy("timeline", "Improvement plan started"),
    "plan_progress": pgettext_lazy("timeline", "Progress posted"),
    "plan_completed": pgettext_lazy("timeline", "Improvement plan completed"),
    "plan_verified": pgettext_lazy("timeline", "Improvement plan verified"),
    "plan_overdue": pgettext_lazy("timeline", "Actions overdue"),
    "appeal_lodged": pgettext_lazy("timeline", "Appeal lodged"),
    "appeal_withdrawn": pgettext_lazy("timeline", "Appeal withdrawn"),
    "appeal_dismissed": pgettext_lazy("timeline", "Appeal dismissed"),
    "appeal_review": pgettext_lazy("timeline", "Result sent for review"),
    "appeal_resolved": pgettext_lazy("timeline", "Review concluded"),
}
