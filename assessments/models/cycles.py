"""A cycle (one year's assessment), its cases (one team each) and the case timeline."""

from decimal import Decimal
from fractions import Fraction

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from people.models import LeadershipTeam, Person

from .frameworks import Framework

PERCENT = [MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(100))]


def validate_fraction(value: str) -> None:
    try:
        fraction = Fraction(value)
    except (ValueError, ZeroDivisionError):
        raise ValidationError(_("Enter a fraction such as 1/3 or 0.5.")) from None
    if not 0 < fraction <= 1:
        raise ValidationError(_("The share must be above 0 and at most 1."))


class Cycle(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        OPEN = "open", _("Open")
        CLOSED = "closed", _("Closed")
        SCORED = "scored", _("Scored")
        RELEASED = "released", _("Released")
        ARCHIVED = "archived", _("Archived")

    name = models.CharField(_("name"), max_length=200)
    year = models.PositiveSmallIntegerField(_("year"), validators=[MinValueValidator(2000), MaxValueValidator(2100)])
    framework = models.ForeignKey(
        Framework, verbose_name=_("framework"), on_delete=models.PROTECT, related_name="cycles"
    )
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.DRAFT)

    scale_min = models.PositiveSmallIntegerField(_("lowest score"), default=1)
    scale_max = models.PositiveSmallIntegerField(_("highest score"), default=10, validators=[MaxValueValidator(100)])

    trim_above = models.PositiveSmallIntegerField(
        _("trim above"),
        default=5,
        help_text=_("With more valid ballots than this in a group, the highest and lowest score are dropped."),
    )
    void_if_all_identical = models.BooleanField(_("void a sheet whose scores are all identical"), default=True)
    void_if_all_max = models.BooleanField(_("void a sheet whose scores are all full marks"), default=True)
    excellent_quota_percent = models.DecimalField(
        _("excellent quota (%)"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=PERCENT,
        help_text=_("At most this share of the people on one sheet may be voted excellent; empty for no quota."),
    )

    band_excellent = models.DecimalField(
        _("excellent from"), max_digits=5, decimal_places=2, default=Decimal(90), validators=PERCENT
    )
    band_competent = models.DecimalField(
        _("competent from"), max_digits=5, decimal_places=2, default=Decimal(70), validators=PERCENT
    )
    band_basic = models.DecimalField(
        _("basically competent from"), max_digits=5, decimal_places=2, default=Decimal(60), validators=PERCENT
    )

    min_group_size = models.PositiveSmallIntegerField(
        _("minimum group size k"),
        default=3,
        validators=[MinValueValidator(1)],
        help_text=_("A rater group with fewer ballots than this is never shown separately."),
    )
    quorum_percent = models.DecimalField(
        _("quorum (%)"), max_digits=5, decimal_places=2, default=Decimal(50), validators=PERCENT
    )
    removal_share = models.CharField(
        _("removal review above"),
        max_length=20,
        default="1/3",
        validators=[validate_fraction],
        help_text=_("Share of incompetent votes above which a removal review is flagged."),
    )
    warning_share = models.CharField(
        _("warning talk below"),
        max_length=20,
        default="2/3",
        validators=[validate_fraction],
        help_text=_("Share of excellent + competent votes below which a warning talk is flagged."),
    )

    opens_at = models.DateTimeField(_("opens at"), null=True, blank=True)
    closes_at = models.DateTimeField(_("closes at"), null=True, blank=True)
    test_mode = models.BooleanField(
        _("test mode"), default=False, help_text=_("A rehearsal: its ballots are purged before the real run.")
    )
    results_version = models.PositiveIntegerField(_("results version"), default=0)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True, db_index=True)
    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = _("cycle")
        verbose_name_plural = _("cycles")
        ordering = ["-year", "name"]
        permissions = [("manage_cycles", _("Can run assessment cycles (HR)"))]
        constraints = [
            models.CheckConstraint(
                condition=Q(scale_min__lt=F("scale_max")),
                name="cycle_scale_ordered",
                violation_error_message=_("The lowest score must be below the highest score."),
            ),
            models.CheckConstraint(
                condition=Q(
                    band_basic__gt=0, band_competent__gt=F("band_basic"), band_excellent__gt=F("band_competent")
                ),
                name="cycle_bands_ordered",
                violation_error_message=_("Grade bands must rise: basically competent < competent < excellent."),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def weights(self) -> dict[str, Decimal]:
        """The counted groups' weights by code, in page order (the groups are read once per cycle object)."""
        return {g.code: g.weight for g in self.groups if g.counted}

    @property
    def groups(self) -> list:
        """The cycle's rater groups in page order. Read once per object: every page lists them several times."""
        cached = getattr(self, "_groups_cache", None)
        if cached is None:
            cached = self._groups_cache = list(self.rater_groups.order_by("order", "id"))
        return cached

    def clean(self) -> None:
        errors: dict[str, list] = {}
        if self.scale_min is not None and self.scale_max is not None and self.scale_min >= self.scale_max:
            errors.setdefault("scale_max", []).append(_("The highest score must be above the lowest score."))
        if None not in (self.band_basic, self.band_competent, self.band_excellent) and not (
            0 < self.band_basic < self.band_competent < self.band_excellent
        ):
            errors.setdefault("band_excellent", []).append(
                _("Grade bands must rise: 0 < basically competent < competent < excellent ≤ 100.")
            )
        if self.opens_at and self.closes_at and self.closes_at <= self.opens_at:
            errors.setdefault("closes_at", []).append(_("The window must close after it opens."))
        if self.trim_above is not None and self.trim_above < 2:
            errors.setdefault("trim_above", []).append(_("Trimming needs more than two ballots; use 2 or more."))
        if errors:
            raise ValidationError(errors)


class Case(models.Model):
    """One leadership team assessed in one cycle: the case file."""

    class Status(models.TextChoices):
        EVALUATING = "evaluating", _("Evaluating")
        SCORED = "scored", _("Scored")
        FEEDBACK = "feedback", _("Feedback")
        IMPROVING = "improving", _("Improving")
        CLOSED = "closed", _("Closed")

    cycle = models.ForeignKey(Cycle, verbose_name=_("cycle"), on_delete=models.PROTECT, related_name="cases")
    team = models.ForeignKey(LeadershipTeam, verbose_name=_("team"), on_delete=models.PROTECT, related_name="cases")
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.EVALUATING)
    # How many one-time codes to issue per anonymous rater group of the cycle: {"subordinate": 15}.
    code_counts = models.JSONField(_("anonymous ballots per group"), default=dict, blank=True)
    # How many anonymous ballots the case had when they were last mixed (services/mixing.py): the periodic mix
    # skips a case whose count has not moved. A count written by the mix, never a time written at submit.
    anonymous_mixed = models.PositiveIntegerField(default=0, editable=False)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True, db_index=True)
    history = HistoricalRecords(excluded_fields=["updated_at", "anonymous_mixed"])

    class Meta:
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        ordering = ["cycle", "team__org_unit__code"]
        constraints = [models.UniqueConstraint(fields=["cycle", "team"], name="case_one_per_team_and_cycle")]

    def __str__(self) -> str:
        return f"{self.cycle} · {self.team}"

    @property
    def anonymous_ballots(self) -> int:
        """How many one-time codes the case has been given, over all its anonymous groups."""
        return sum(self.code_counts.values())


class CaseSubject(models.Model):
    """Who is assessed in a case, as the team stood when the cycle opened (or the team as a whole)."""

    class Kind(models.TextChoices):
        MEMBER = "member", _("Team member")
        TEAM = "team", _("The team as a whole")

    case = models.ForeignKey(Case, verbose_name=_("case"), on_delete=models.CASCADE, related_name="subjects")
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.MEMBER)
    person = models.ForeignKey(
        Person, verbose_name=_("person"), null=True, blank=True, on_delete=models.PROTECT, related_name="case_subjects"
    )
    position = models.CharField(_("position"), max_length=100, blank=True)
    is_principal = models.BooleanField(_("principal"), default=False)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("subject")
        verbose_name_plural = _("subjects")
        ordering = ["case", "order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["case", "person"], name="subject_person_once_per_case"),
            models.UniqueConstraint(fields=["case"], condition=Q(kind="team"), name="subject_one_team_section"),
            models.CheckConstraint(
                condition=(Q(kind="team") & Q(person__isnull=True)) | (Q(kind="member") & Q(person__isnull=False)),
                name="subject_kind_matches_person",
            ),
        ]

    def __str__(self) -> str:
        if self.kind == self.Kind.TEAM:
            return str(_("The team as a whole"))
        return f"{self.person.name} · {self.position}"


class TimelineEvent(models.Model):
    """Every state change of a cycle or case, with who and why. Never records who cast which ballot."""

    cycle = models.ForeignKey(Cycle, verbose_name=_("cycle"), on_delete=models.CASCADE, related_name="events")
    case = models.ForeignKey(
        Case, verbose_name=_("case"), null=True, blank=True, on_delete=models.CASCADE, related_name="events"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("actor"), null=True, blank=True, on_delete=models.SET_NULL
    )
    action = models.CharField(_("action"), max_length=50)
    from_status = models.CharField(_("from"), max_length=20, blank=True)
    to_status = models.CharField(_("to"), max_length=20, blank=True)
    reason = models.TextField(_("reason"), blank=True)
    data = models.JSONField(_("details"), default=dict, blank=True)
    created_at = models.DateTimeField(_("when"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("timeline event")
        verbose_name_plural = _("timeline events")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.action}"

    ACTIONS = {
        "created": pgettext_lazy("timeline", "Cycle created"),
        "case_created": pgettext_lazy("timeline", "Team added"),
        "opened": pgettext_lazy("timeline", "Opened"),
        "closed": pgettext_lazy("timeline", "Closed"),
        "reopened": pgettext_lazy("timeline", "Reopened"),
        "scored": pgettext_lazy("timeline", "Results computed"),
        "released": pgettext_lazy("timeline", "Results released"),
        "archived": pgettext_lazy("timeline", "Archived"),
        "improving": pgettext_lazy("timeline", "Improvement started"),
        "test_purged": pgettext_lazy("timeline", "Test ballots purged"),
        "updated": pgettext_lazy("timeline", "Settings changed"),
        "codes_issued": pgettext_lazy("timeline", "More ballot codes issued"),
        "codes_replaced": pgettext_lazy("timeline", "Unused ballot codes replaced"),
        "reminded": pgettext_lazy("timeline", "Reminders sent"),
    }

    @property
    def action_label(self) -> str:
        return str(self.ACTIONS.get(self.action, self.action))

    # Labels of the events and states that later layers (followup: talks, appeals, plans) write on the timeline,
    # registered by them when their app is ready: assessments never imports them.
    EXTRA_STATUSES: dict[str, str] = {}

    @classmethod
    def labels_register(cls, *, actions: dict[str, str], statuses: dict[str, str]) -> None:
        cls.ACTIONS = {**cls.ACTIONS, **actions}
        cls.EXTRA_STATUSES = {**cls.EXTRA_STATUSES, **statuses}

    @classmethod
    def _status_label(cls, status: str) -> str:
        # Cycle and case labels win where a plan or appeal state shares the code ("draft" reads the same).
        labels = cls.EXTRA_STATUSES | dict(Cycle.Status.choices) | dict(Case.Status.choices)
        return str(labels.get(status, status))

    @property
    def from_label(self) -> str:
        return self._status_label(self.from_status)

    @property
    def to_label(self) -> str:
        return self._status_label(self.to_status)
