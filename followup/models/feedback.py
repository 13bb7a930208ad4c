"""The feedback talk (反馈谈话) after release: HR's record of it and the leader's own response or appeal."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from assessments.models import CaseSubject


class FeedbackTalk(models.Model):
    class Response(models.TextChoices):
        ACCEPT = "accept", _("I accept the assessment")
        COMMENT = "comment", _("I accept it, with remarks")
        APPEAL = "appeal", _("I appeal against it")

    class Appeal(models.TextChoices):
        PENDING = "pending", _("Appeal awaiting a decision")
        UNDER_REVIEW = "under_review", _("Result under review")
        DISMISSED = "dismissed", _("Appeal dismissed")
        RESOLVED = "resolved", _("Review concluded")

    subject = models.OneToOneField(
        CaseSubject, verbose_name=_("subject"), on_delete=models.CASCADE, related_name="feedback"
    )
    held_on = models.DateField(_("talk held on"), null=True, blank=True)
    held_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("talk held by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    participants = models.CharField(_("who took part"), max_length=500, blank=True)
    notes = models.TextField(_("key points"), blank=True)
    response = models.CharField(_("response"), max_length=20, choices=Response.choices, blank=True)
    response_text = models.TextField(_("response in the leader's words"), blank=True)
    responded_at = models.DateTimeField(_("responded at"), null=True, blank=True)
    # An appeal is decided by HR with a reason; "under review" sends the result back for review, which only
    # a logged reopen and rescoring of the cycle can change: a decision never edits a score.
    appeal_status = models.CharField(_("appeal"), max_length=20, choices=Appeal.choices, blank=True)
    appeal_outcome = models.TextField(_("appeal outcome"), blank=True)
    appeal_decided_at = models.DateTimeField(_("appeal decided at"), null=True, blank=True)
    appeal_decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("appeal decided by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    # The tables keep the names they had in assessments: the move changed no table (see migrations/0001).
    history = HistoricalRecords(excluded_fields=["updated_at"], table_name="assessments_historicalfeedbacktalk")

    class Meta:
        db_table = "assessments_feedbacktalk"
        verbose_name = _("feedback talk")
        verbose_name_plural = _("feedback talks")
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(response="appeal") | ~models.Q(response_text=""),
                name="feedback_appeal_has_reasons",
                violation_error_message=_("An appeal needs its reasons."),
            )
        ]

    def __str__(self) -> str:
        return str(self.subject)
