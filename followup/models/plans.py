"""Improvement plans (提升/整改计划): what a leader will do about their weakest points, and how it went.

A plan belongs to one case subject — a leader in one cycle, or the team as a whole — and moves through
draft → submitted → approved → in progress → completed → verified, or is returned with a reason. Its
actions carry their own progress, with updates and evidence files.

Every table keeps the name it had when these models lived in assessments (Meta.db_table): the move to
followup changed Django's state only, never the database (see migrations/0001_initial.py)."""

from django.conf import settings
from django.core.validators import MaxValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from assessments.models import CaseSubject, Indicator
from people.models import Person


class ActionTemplate(models.Model):
    """HR's library of suggested actions. Keyed by the dimension's and indicator's codes, not by rows, so a
    new framework version (new rows, same codes) keeps its library."""

    dimension_code = models.SlugField(_("dimension code"), max_length=50)
    indicator_code = models.SlugField(
        _("indicator code"),
        max_length=50,
        blank=True,
        help_text=_("Leave empty for a suggestion that fits every indicator of the dimension."),
    )
    title = models.CharField(_("action title"), max_length=200)
    description = models.TextField(_("what will be done"), blank=True)
    duration_days = models.PositiveSmallIntegerField(
        _("suggested duration (days)"), default=180, validators=[MaxValueValidator(730)]
    )
    active = models.BooleanField(_("active"), default=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        db_table = "assessments_actiontemplate"
        verbose_name = _("action template")
        verbose_name_plural = _("action templates")
        ordering = ["dimension_code", "indicator_code", "order", "id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(duration_days__gte=1), name="action_template_duration_positive")
        ]

    def __str__(self) -> str:
        return self.title


class ImprovementPlan(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted")
        RETURNED = "returned", _("Returned")
        APPROVED = "approved", _("Approved")
        IN_PROGRESS = "in_progress", _("In progress")
        COMPLETED = "completed", _("Completed")
        VERIFIED = "verified", _("Verified")

    subject = models.OneToOneField(
        CaseSubject, verbose_name=_("for"), on_delete=models.PROTECT, related_name="improvement_plan"
    )
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.DRAFT)
    goal = models.TextField(_("goal"), blank=True)
    return_reason = models.TextField(_("reason returned"), blank=True)
    verification_note = models.TextField(_("verification note"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("created by"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)
    verified_at = models.DateTimeField(_("verified at"), null=True, blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True, db_index=True)
    history = HistoricalRecords(excluded_fields=["updated_at"], table_name="assessments_historicalimprovementplan")

    class Meta:
        db_table = "assessments_improvementplan"
        verbose_name = _("improvement plan")
        verbose_name_plural = _("improvement plans")
        ordering = ["subject__case", "subject__order", "id"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(status="returned") | ~models.Q(return_reason=""),
                name="plan_returned_has_reason",
                violation_error_message=_("A returned plan needs the reason."),
            )
        ]

    def __str__(self) -> str:
        return str(self.subject)

    @property
    def editable(self) -> bool:
        return self.status in (self.Status.DRAFT, self.Status.RETURNED)

    @property
    def under_way(self) -> bool:
        return self.status in (self.Status.APPROVED, self.Status.IN_PROGRESS)


class Action(models.Model):
    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        IN_PROGRESS = "in_progress", _("In progress")
        DONE = "done", _("Done")

    plan = models.ForeignKey(ImprovementPlan, verbose_name=_("plan"), on_delete=models.CASCADE, related_name="actions")
    indicator = models.ForeignKey(
        Indicator,
        verbose_name=_("targets indicator"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    title = models.CharField(_("action title"), max_length=200)
    description = models.TextField(_("what will be done"), blank=True)
    owner = models.ForeignKey(Person, verbose_name=_("owner"), on_delete=models.PROTECT, related_name="plan_actions")
    due_on = models.DateField(_("due on"))
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.PLANNED)
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0, validators=[MaxValueValidator(100)])
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    # The first day (Asia/Shanghai) the daily check found it overdue, and the last day it told anyone:
    # one notice per action per day, however often the check runs.
    overdue_since = models.DateField(_("overdue since"), null=True, blank=True)
    overdue_notified_on = models.DateField(_("overdue notice sent on"), null=True, blank=True)
    completed_on = models.DateField(_("completed on"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True, db_index=True)
    history = HistoricalRecords(
        excluded_fields=["updated_at", "overdue_notified_on"], table_name="assessments_historicalaction"
    )

    class Meta:
        db_table = "assessments_action"
        verbose_name = _("action")
        verbose_name_plural = _("actions")
        ordering = ["plan", "order", "id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(progress__lte=100), name="action_progress_at_most_100"),
            models.CheckConstraint(
                condition=~models.Q(status="done") | models.Q(progress=100),
                name="action_done_is_complete",
            ),
        ]
        indexes = [models.Index(fields=["due_on", "status"], name="action_due_status")]

    def __str__(self) -> str:
        return self.title


class ProgressUpdate(models.Model):
    action = models.ForeignKey(Action, verbose_name=_("action"), on_delete=models.CASCADE, related_name="updates")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("author"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    note = models.TextField(_("note"))
    progress = models.PositiveSmallIntegerField(_("progress (%)"), validators=[MaxValueValidator(100)])
    created_at = models.DateTimeField(_("posted at"), auto_now_add=True)

    class Meta:
        db_table = "assessments_progressupdate"
        verbose_name = _("progress update")
        verbose_name_plural = _("progress updates")
        ordering = ["action", "created_at", "id"]

    def __str__(self) -> str:
        return f"{self.action} · {self.progress}%"


def evidence_path(instance: "Evidence", filename: str) -> str:
    # A path of ids and a random part, never the uploaded name: the name is kept in a column instead.
    return f"evidence/{instance.update.action.plan_id}/{instance.token}{instance.extension}"


class Evidence(models.Model):
    update = models.ForeignKey(
        ProgressUpdate, verbose_name=_("progress update"), on_delete=models.CASCADE, related_name="evidence"
    )
    token = models.CharField(max_length=32, unique=True, editable=False)
    file = models.FileField(_("file"), upload_to=evidence_path, max_length=200)
    name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(_("type"), max_length=100)
    extension = models.CharField(max_length=10)
    size = models.PositiveIntegerField(_("size (bytes)"))
    sha256 = models.CharField(max_length=64)
    created_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    class Meta:
        db_table = "assessments_evidence"
        verbose_name = _("evidence")
        verbose_name_plural = _("evidence")
        ordering = ["update", "id"]

    def __str__(self) -> str:
        return self.name
