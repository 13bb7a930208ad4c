"""Who rates whom (assignments, anonymous codes) and what they submitted (sheets, sections, scores).

Anonymity rules (DESIGN.md): a submitted anonymous sheet keeps its case and rater group and nothing
that leads back to its code: no code id, no timestamp, and a random primary key so that row order
says nothing about the order of submission.
"""

import uuid

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from people.models import Person

from .choices import Vote
from .cycles import Case, CaseSubject, Cycle
from .frameworks import Indicator


class Assignment(models.Model):
    """A named rater's duty to fill one sheet for one case."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Not started")
        DRAFT = "draft", _("Draft saved")
        SUBMITTED = "submitted", _("Submitted")

    case = models.ForeignKey(Case, verbose_name=_("case"), on_delete=models.CASCADE, related_name="assignments")
    rater = models.ForeignKey(Person, verbose_name=_("rater"), on_delete=models.PROTECT, related_name="assignments")
    # The code of the cycle's rater group this rater rates as. A member's own section and the team section of a
    # member's sheet count as the self-evaluation (services/ballots.py).
    rater_group = models.CharField(_("rater group"), max_length=20)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.PENDING)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    reminded_at = models.DateTimeField(_("last reminded"), null=True, blank=True)

    class Meta:
        verbose_name = _("assignment")
        verbose_name_plural = _("assignments")
        ordering = ["case", "rater_group", "rater__employee_number"]
        constraints = [models.UniqueConstraint(fields=["case", "rater"], name="assignment_one_per_rater_and_case")]

    def __str__(self) -> str:
        return f"{self.rater} → {self.case}"


class BallotCode(models.Model):
    """A one-time anonymous ballot code. Only its SHA-256 is kept; the code itself is shown once."""

    class Status(models.TextChoices):
        ISSUED = "issued", _("Issued")
        DRAFT = "draft", _("Draft saved")
        SPENT = "spent", _("Spent")
        REVOKED = "revoked", _("Revoked")

    case = models.ForeignKey(Case, verbose_name=_("case"), on_delete=models.CASCADE, related_name="codes")
    rater_group = models.CharField(_("rater group"), max_length=20)
    code_hash = models.CharField(_("code hash"), max_length=64, unique=True)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.ISSUED)

    class Meta:
        verbose_name = _("ballot code")
        verbose_name_plural = _("ballot codes")

    def __str__(self) -> str:
        return f"{self.case} · {self.code_hash[:8]}…"


class BallotDraft(models.Model):
    """A half-filled sheet, saved on every change; replaced by a Ballot on submit."""

    assignment = models.OneToOneField(Assignment, null=True, blank=True, on_delete=models.CASCADE, related_name="draft")
    code = models.OneToOneField(BallotCode, null=True, blank=True, on_delete=models.CASCADE, related_name="draft")
    data = models.JSONField(default=dict)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("ballot draft")
        verbose_name_plural = _("ballot drafts")
        constraints = [
            models.CheckConstraint(
                condition=Q(assignment__isnull=False, code__isnull=True)
                | Q(assignment__isnull=True, code__isnull=False),
                name="draft_belongs_to_assignment_or_code",
            )
        ]

    def __str__(self) -> str:
        return f"draft · {self.assignment or self.code}"


class Ballot(models.Model):
    """One submitted sheet. No timestamps on purpose (see module docstring)."""

    class Kind(models.TextChoices):
        NAMED = "named", _("Named")
        ANONYMOUS = "anonymous", _("Anonymous")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    cycle = models.ForeignKey(Cycle, verbose_name=_("cycle"), on_delete=models.PROTECT, related_name="+")
    case = models.ForeignKey(Case, verbose_name=_("case"), on_delete=models.PROTECT, related_name="ballots")
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    assignment = models.OneToOneField(
        Assignment, null=True, blank=True, on_delete=models.PROTECT, related_name="ballot"
    )
    anonymous_group = models.CharField(_("rater group"), max_length=20, blank=True)
    is_void = models.BooleanField(_("void"), default=False)
    void_reason = models.CharField(_("why void"), max_length=200, blank=True)
    is_test = models.BooleanField(_("test ballot"), default=False)

    class Meta:
        verbose_name = _("ballot")
        verbose_name_plural = _("ballots")
        constraints = [
            models.CheckConstraint(
                condition=Q(kind="named", assignment__isnull=False, anonymous_group="")
                | (Q(kind="anonymous", assignment__isnull=True) & ~Q(anonymous_group="")),
                name="ballot_named_or_anonymous",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.case}"


class SectionResponse(models.Model):
    """A sheet's section for one subject: the overall vote and an optional comment."""

    ballot = models.ForeignKey(Ballot, on_delete=models.CASCADE, related_name="sections")
    subject = models.ForeignKey(CaseSubject, on_delete=models.PROTECT, related_name="sections")
    rater_group = models.CharField(max_length=20)
    vote = models.CharField(max_length=20, choices=Vote.choices)
    comment = models.TextField(blank=True)
    counted = models.BooleanField(default=True)

    class Meta:
        verbose_name = _("ballot section")
        verbose_name_plural = _("ballot sections")
        constraints = [models.UniqueConstraint(fields=["ballot", "subject"], name="section_once_per_ballot")]
        indexes = [models.Index(fields=["subject", "counted", "rater_group"], name="section_scoring_idx")]

    def __str__(self) -> str:
        return f"{self.subject} · {self.get_vote_display()}"


class Score(models.Model):
    """One indicator score for one subject on one sheet. `cycle` and `counted` are copied from the
    ballot at submission so scoring is one scan of this table, with no join."""

    # No index of their own: the unique constraint (ballot, …) and score_cycle_idx (cycle, …) lead with these
    # columns and serve every lookup by them. Each index is written on every one of a ballot's ~100 inserts.
    ballot = models.ForeignKey(Ballot, on_delete=models.CASCADE, related_name="scores", db_index=False)
    cycle = models.ForeignKey(Cycle, on_delete=models.PROTECT, related_name="+", db_index=False)
    subject = models.ForeignKey(CaseSubject, on_delete=models.PROTECT, related_name="scores")
    indicator = models.ForeignKey(Indicator, on_delete=models.PROTECT, related_name="scores")
    rater_group = models.CharField(max_length=20)
    value = models.PositiveSmallIntegerField()
    counted = models.BooleanField(default=True)

    class Meta:
        verbose_name = _("score")
        verbose_name_plural = _("scores")
        constraints = [
            models.UniqueConstraint(fields=["ballot", "subject", "indicator"], name="score_once_per_ballot"),
        ]
        indexes = [models.Index(fields=["cycle", "counted"], name="score_cycle_idx")]

    def __str__(self) -> str:
        return f"{self.subject} · {self.indicator} · {self.value}"
