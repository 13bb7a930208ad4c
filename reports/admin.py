from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from .models import ReportJob
from .services import report_jobs_requeue


@admin.register(ReportJob)
class ReportJobAdmin(admin.ModelAdmin):
    list_display = [
        "id",
        "kind",
        "cycle",
        "case",
        "subject",
        "status",
        "done",
        "failed",
        "total",
        "attempts",
        "updated_at",
    ]
    list_filter = ["status", "kind", "cycle"]
    list_select_related = ["cycle", "case__team", "subject__person"]
    raw_id_fields = ["cycle", "case", "subject", "parent", "requested_by"]
    readonly_fields = [f.name for f in ReportJob._meta.fields]
    actions = ["requeue"]

    def has_add_permission(self, request) -> bool:
        return False  # jobs are asked for on the desk or over the API, where the checks are

    @admin.action(description=_("Queue the selected failed jobs again"))
    def requeue(self, request, queryset) -> None:
        count = report_jobs_requeue(jobs=queryset)
        messages.success(request, ngettext("%(n)s job queued again.", "%(n)s jobs queued again.", count) % {"n": count})
