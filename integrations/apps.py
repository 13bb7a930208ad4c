from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IntegrationsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "integrations"
    verbose_name = _("Integrations")

    def ready(self) -> None:
        # integrations listens to the domain apps, never the other way round: they send their domain signals
        # without knowing that webhooks exist.
        from assessments.signals import cycle_scored
        from followup.signals import plan_overdue
        from reports.signals import report_ready

        from .receivers import cycle_scored_emit, plan_overdue_emit, report_ready_emit

        cycle_scored.connect(cycle_scored_emit, dispatch_uid="integrations.webhooks.cycle_scored")
        report_ready.connect(report_ready_emit, dispatch_uid="integrations.webhooks.report_ready")
        plan_overdue.connect(plan_overdue_emit, dispatch_uid="integrations.webhooks.plan_overdue")
