"""What an API key may do. A key holds a subset; a browser session is judged by its web permissions."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Scope(models.TextChoices):
    PEOPLE_READ = "people:read", _("Read org units, people, teams and memberships")
    PEOPLE_WRITE = "people:write", _("Create and update org units, people, teams and memberships")
    CYCLES_READ = "cycles:read", _("Read frameworks, cycles and cases")
    CYCLES_WRITE = "cycles:write", _("Run cycle and case transitions")
    RESULTS_READ = "results:read", _("Read results (aggregates only) and export them")
    PLANS_READ = "plans:read", _("Read improvement plans")
    PLANS_WRITE = "plans:write", _("Write improvement plans")
    REPORTS_READ = "reports:read", _("Request and download reports")
    WEBHOOKS = "webhooks:manage", _("Manage webhook subscriptions")
