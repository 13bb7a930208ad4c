"""Report jobs: each PDF (or bulk run) is a row that a Celery task picks up by id, so no job lives only in
the broker. A dead worker or a restarted Redis loses the message, never the job: the sweep re-queues the row."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from assessments.models import Case, CaseSubject, Cycle


class ReportJob(models.Model):
    class Kind(models.TextChoices):
        MEMBER = "member", _("Member report")
        TEAM = "team", _("Team report")
        CYCLE = "cycle", _("Cycle summary")
        BULK = "bulk", _("All reports (ZIP)")
        SLIPS = "slips", _("Ballot-code slips")

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        SUCCEEDED = "succeeded", _("Succeeded")
        FAILED = "failed", _("Failed")

    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    # Every report belongs to a cycle (permissions and lists start there); a team report, the slips and a
    # bulk run of one case name the case; a member report names the subject.
    cycle = models.ForeignKey(Cycle, verbose_name=_("cycle"), on_delete=models.CASCADE, related_name="report_jobs")
    case = models.ForeignKey(
        Case, verbose_name=_("case"), null=True, blank=True, on_delete=models.CASCADE, related_name="report_jobs"
    )
    subject = models.ForeignKey(
        CaseSubject,
        verbose_name=_("subject"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="report_jobs",
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("bulk run"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="children",
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requested by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.QUEUED)
    # A bulk run counts its children; a single report goes 0 → 1.
    total = models.PositiveIntegerField(_("reports in all"), default=1)
    done = models.PositiveIntegerField(_("reports done"), default=0)
    failed = models.PositiveIntegerField(_("reports failed"), default=0)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    max_attempts = models.PositiveSmallIntegerField(_("max attempts"), default=3)
    file = models.FileField(_("file"), max_length=300, blank=True)
    sha256 = models.CharField(_("SHA-256"), max_length=64, blank=True)
    page_count = models.PositiveIntegerField(_("pages"), null=True, blank=True)
    # The hash of the data the report was drawn from: equal inputs → the same file, not a new render.
    input_hash = models.CharField(_("input hash"), max_length=64, blank=True)
    error = models.TextField(_("error"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True, db_index=True)

    class Meta:
        verbose_name = _("report job")
        verbose_name_plural = _("report jobs")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status", "updated_at"], name="reportjob_status_updated")]
        constraints = [
            models.CheckConstraint(
                condition=(Q(kind="member") & Q(subject__isnull=False))
                | (Q(kind__in=["team", "slips"]) & Q(case__isnull=False))
                | Q(kind__in=["cycle", "bulk"]),
                name="reportjob_target_matches_kind",
            ),
            models.CheckConstraint(condition=Q(done__lte=models.F("total")), name="reportjob_done_within_total"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.pk}"

    @property
    def progress(self) -> int:
        """Per cent of the reports done (failed ones count as done: they will not be retried)."""
        if self.status == self.Status.SUCCEEDED:
            return 100
        return int(100 * (self.done + self.failed) / self.total) if self.total else 0

    @property
    def finished(self) -> bool:
        return self.status in (self.Status.SUCCEEDED, self.Status.FAILED)
