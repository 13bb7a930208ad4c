"""HR's admin for the action library, plans, actions and feedback talks, with their change history
(django-simple-history). Plans and talks move through their services on the web pages; the admin corrects text."""

from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from .models import Action, ActionTemplate, FeedbackTalk, ImprovementPlan


@admin.register(ActionTemplate)
class ActionTemplateAdmin(admin.ModelAdmin):
    """HR's library of suggested actions, keyed by the framework's dimension and indicator codes."""

    list_display = ("title", "dimension_code", "indicator_code", "duration_days", "active", "order")
    list_editable = ("duration_days", "active", "order")
    list_filter = ("dimension_code", "active")
    search_fields = ("title", "description", "indicator_code")


class ActionInline(admin.TabularInline):
    model = Action
    extra = 0
    fields = ("order", "title", "indicator", "owner", "due_on", "status", "progress", "overdue_since")
    readonly_fields = ("status", "progress", "overdue_since")
    raw_id_fields = ("indicator", "owner")
    show_change_link = True


@admin.register(ImprovementPlan)
class ImprovementPlanAdmin(SimpleHistoryAdmin):
    """Plans move through their services (the web pages); the admin corrects text and actions, and shows who
    changed what. The status is never set by hand: a transition writes its timeline event."""

    list_display = ("subject", "case", "status", "submitted_at", "approved_at", "verified_at")
    list_filter = ("status", "subject__case__cycle")
    search_fields = ("subject__person__name", "subject__person__employee_number", "subject__case__team__name")
    list_select_related = ("subject__person", "subject__case__team", "subject__case__cycle")
    readonly_fields = (
        "subject",
        "status",
        "created_by",
        "created_at",
        "submitted_at",
        "approved_at",
        "completed_at",
        "verified_at",
    )
    fields = ("subject", "status", "goal", "return_reason", "verification_note", *readonly_fields[2:])
    inlines = [ActionInline]

    @admin.display(description=_("case"))
    def case(self, plan: ImprovementPlan):
        return plan.subject.case

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # a plan is drafted by its author, from the results page


@admin.register(Action)
class ActionAdmin(SimpleHistoryAdmin):
    list_display = ("title", "plan", "owner", "due_on", "status", "progress", "overdue_since")
    list_filter = ("status", "plan__subject__case__cycle")
    search_fields = ("title", "owner__name", "owner__employee_number")
    list_select_related = ("plan__subject__person", "owner")
    raw_id_fields = ("plan", "indicator", "owner")
    readonly_fields = ("status", "progress", "overdue_since", "overdue_notified_on", "completed_on")


@admin.register(FeedbackTalk)
class FeedbackTalkAdmin(SimpleHistoryAdmin):
    list_display = ("subject", "held_on", "response", "appeal_status")
    list_filter = ("response", "appeal_status", "subject__case__cycle")
    search_fields = ("subject__person__name", "subject__person__employee_number")
    list_select_related = ("subject__person",)
    readonly_fields = (
        "subject",
        "response",
        "response_text",
        "responded_at",
        "appeal_status",
        "appeal_outcome",
        "appeal_decided_at",
        "appeal_decided_by",
    )
    raw_id_fields = ("held_by",)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False
