"""Computed results, replaced as a whole by each scoring run (with a version) and locked on release."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from .choices import Grade
from .cycles import Case, CaseSubject, Cycle


class ResultJSONField(models.JSONField):
    """A JSONField that keeps bulk inserts on plain multi-row VALUES. On PostgreSQL, Django 5.2 otherwise
    sends bulk inserts as UNNEST over arrays, and psycopg quotes arrays of JSON text in Python, which made
    writing a cycle's results several times slower than computing them (bench/scoring.py)."""

    def get_placeholder(self, value, compiler, connection) -> str:
        return "%s"


class SubjectResult(models.Model):
    """A subject's result: the figures every surface (web, API, PDF) shows, before k-suppression."""

    cycle = models.ForeignKey(Cycle, verbose_name=_("cycle"), on_delete=models.CASCADE, related_name="subject_results")
    case = models.ForeignKey(Case, verbose_name=_("case"), on_delete=models.CASCADE, related_name="subject_results")
    subject = models.OneToOneField(
        CaseSubject, verbose_name=_("subject"), on_delete=models.CASCADE, related_name="result"
    )
    total = models.DecimalField(_("weighted total"), max_digits=5, decimal_places=2, null=True)
    grade = models.CharField(_("grade"), max_length=20, choices=Grade.choices, blank=True)
    rank_in_team = models.PositiveIntegerField(_("rank in team"), null=True)
    rank_in_cycle = models.PositiveIntegerField(_("rank in cycle"), null=True)
    # {"superior": {"n": 3, "void": 0, "score": 85.1, "dimensions": {"theory": 84.0, ...}, "counted": true,
    #  "k": 3}, "peer": ..., "self": ...}: each group with the rules it was scored under (fixed once open).
    groups = ResultJSONField(_("by rater group"), default=dict)
    # Valid ballots of the groups that count in the total: whether the figures are shown at all, as a column so a
    # list filters on it in SQL whatever groups each cycle has.
    counted_raters = models.PositiveIntegerField(_("raters in the total"), default=0)
    # The weighted (self-free) score per dimension code, 0–100.
    dimensions = ResultJSONField(_("by dimension"), default=dict)
    # {"peer": {"<indicator id>": [n, mean, trimmed mean], ...}, ...}, means on the cycle's scale.
    cells = ResultJSONField(_("by indicator and rater group"), default=dict)
    weights_used = ResultJSONField(_("weights used"), default=dict)
    renormalised = models.BooleanField(_("weights renormalised"), default=False)
    votes = ResultJSONField(_("votes"), default=dict)
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

    def __str__(self) -> str:
        return f"{self.subject} · {self.total}"


class CaseResult(models.Model):
    """A team's aggregates: turnout, quorum, the members' averages and grade distribution."""

    case = models.OneToOneField(Case, verbose_name=_("case"), on_delete=models.CASCADE, related_name="result")
    issued = models.PositiveIntegerField(_("ballots issued"))
    submitted = models.PositiveIntegerField(_("ballots submitted"))
    void = models.PositiveIntegerField(_("void ballots"))
    turnout = models.DecimalField(_("turnout (%)"), max_digits=5, decimal_places=2)
    quorum_met = models.BooleanField(_("quorum met"))
    member_average = models.DecimalField(_("members' average"), max_digits=5, decimal_places=2, null=True)
    dimensions = ResultJSONField(_("members' average by dimension"), default=dict)
    grade_counts = ResultJSONField(_("grades"), default=dict)
    # The averages and grade counts are over the members whose figures are published, never a hidden one.
    subjects = models.PositiveIntegerField(_("members in the averages"), default=0)
    version = models.PositiveIntegerField(_("version"))

    class Meta:
        verbose_name = _("case result")
        verbose_name_plural = _("case results")

    def __str__(self) -> str:
        return f"{self.case} · {self.turnout}%"


class CycleResult(models.Model):
    cycle = models.OneToOneField(Cycle, verbose_name=_("cycle"), on_delete=models.CASCADE, related_name="result")
    average = models.DecimalField(_("average"), max_digits=5, decimal_places=2, null=True)
    dimensions = ResultJSONField(_("average by dimension"), default=dict)
    grade_counts = ResultJSONField(_("grades"), default=dict)
    subjects = models.PositiveIntegerField(_("people in the averages"))
    computed_at = models.DateTimeField(_("computed at"))
    version = models.PositiveIntegerField(_("version"))

    class Meta:
        verbose_name = _("cycle result")
        verbose_name_plural = _("cycle results")

    def __str__(self) -> str:
        return f"{self.cycle} · {self.average}"
