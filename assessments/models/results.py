"""Computed results, replaced as a whole by each scoring run (with a version) and locked on release."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from .choices import Grade, RaterGroup
from .cycles import Case, CaseSubject, Cycle
from .frameworks import Indicator


class ResultCell(models.Model):
    """One subject × indicator × rater group: how many valid scores, their mean and trimmed mean."""

    cycle = models.ForeignKey(Cycle, on_delete=models.CASCADE, related_name="+")
    subject = models.ForeignKey(CaseSubject, on_delete=models.CASCADE, related_name="cells")
    indicator = models.ForeignKey(Indicator, on_delete=models.PROTECT, related_name="+")
    rater_group = models.CharField(max_length=20, choices=RaterGroup.choices)
    n = models.PositiveIntegerField()
    mean = models.FloatField()
    trimmed_mean = models.FloatField()
    version = models.PositiveIntegerField()

    class Meta:
        verbose_name = _("result cell")
        verbose_name_plural = _("result cells")
        constraints = [
            models.UniqueConstraint(fields=["subject", "indicator", "rater_group"], name="cell_unique"),
        ]
        indexes = [models.Index(fields=["cycle"], name="cell_cycle_idx")]


class SubjectResult(models.Model):
    """A subject's result: the figures every surface (web, API, PDF) shows, before k-suppression."""

    cycle = models.ForeignKey(Cycle, verbose_name=_("cycle"), on_delete=models.CASCADE, related_name="subject_results")
    case = models.ForeignKey(Case, verbose_name=_("case"), on_delete=models.CASCADE, related_name="subject_results")
    subject = models.OneToOneField(CaseSubject, verbose_name=_("subject"), on_delete=models.CASCADE, related_name="result")
    total = models.DecimalField(_("weighted total"), max_digits=5, decimal_places=2, null=True)
    grade = models.CharField(_("grade"), max_length=20, choices=Grade.choices, blank=True)
    rank_in_team = models.PositiveIntegerField(_("rank in team"), null=True)
    rank_in_cycle = models.PositiveIntegerField(_("rank in cycle"), null=True)
    # {"superior": {"n": 3, "score": 85.1, "dimensions": {"theory": 84.0, ...}}, "peer": ..., "self": ...}
    groups = models.JSONField(_("by rater group"), default=dict)
    # The weighted (self-free) score per dimension code, 0–100.
    dimensions = models.JSONField(_("by dimension"), default=dict)
    weights_used = models.JSONField(_("weights used"), default=dict)
    renormalised = models.BooleanField(_("weights renormalised"), default=False)
    votes = models.JSONField(_("votes"), default=dict)
    votes_total = models.PositiveIntegerField(_("votes counted"), default=0)
    flag_removal_review = models.BooleanField(_("removal review"), default=False)
    flag_warning_talk = models.BooleanField(_("warning talk"), default=False)
    ballots_valid = models.PositiveIntegerField(_("valid ballots"), default=0)
    ballots_void = models.PositiveIntegerField(_("void ballots"), default=0)
    version = models.PositiveIntegerField(_("version"))

    class Meta:
        verbose_name = _("subject result")
        verbose_name_plural = _("subject results")
        ordering = ["case", "rank_in_team", "subject__order"]


class CaseResult(models.Model):
    """A team's aggregates: turnout, quorum, the members' averages and grade distribution."""

    case = models.OneToOneField(Case, verbose_name=_("case"), on_delete=models.CASCADE, related_name="result")
    issued = models.PositiveIntegerField(_("ballots issued"))
    submitted = models.PositiveIntegerField(_("ballots submitted"))
    void = models.PositiveIntegerField(_("void ballots"))
    turnout = models.DecimalField(_("turnout (%)"), max_digits=5, decimal_places=2)
    quorum_met = models.BooleanField(_("quorum met"))
    member_average = models.DecimalField(_("members' average"), max_digits=5, decimal_places=2, null=True)
    dimensions = models.JSONField(_("members' average by dimension"), default=dict)
    grade_counts = models.JSONField(_("grades"), default=dict)
    version = models.PositiveIntegerField(_("version"))

    class Meta:
        verbose_name = _("case result")
        verbose_name_plural = _("case results")


class CycleResult(models.Model):
    cycle = models.OneToOneField(Cycle, verbose_name=_("cycle"), on_delete=models.CASCADE, related_name="result")
    average = models.DecimalField(_("average"), max_digits=5, decimal_places=2, null=True)
    dimensions = models.JSONField(_("average by dimension"), default=dict)
    grade_counts = models.JSONField(_("grades"), default=dict)
    subjects = models.PositiveIntegerField(_("people assessed"))
    computed_at = models.DateTimeField(_("computed at"))
    version = models.PositiveIntegerField(_("version"))

    class Meta:
        verbose_name = _("cycle result")
        verbose_name_plural = _("cycle results")
