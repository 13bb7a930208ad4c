"""The feedback talk (反馈谈话) after release: HR's record of it and the leader's own response or appeal."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .cycles import CaseSubject


class FeedbackTalk(models.Model):
    class Response(models.TextChoices):
        ACCEPT = "accept", _("I accept the assessment")
        COMMENT = "comment", _("I accept it, with remarks")
        APPEAL = "appeal", _("I appeal against it")

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
    notes = models.TextField(_("notes of the talk"), blank=True)
    response = models.CharField(_("response"), max_length=20, choices=Response.choices, blank=True)
    response_text = models.TextField(_("response in the leader's words"), blank=True)
    responded_at = models.DateTimeField(_("responded at"), null=True, blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
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
