"""A cycle's rater groups: who rates, how their raters come, and how much each group weighs.

Groups are rows, not columns: an organisation department adds 考核组 or 服务对象 to a draft cycle in the admin
or on the HR desk, and every page, export and report lists what the cycle has. Ballots, scores and results keep
the group's `code`, which is unique within its cycle. A cycle's groups are fixed once it opens (services and a
database trigger both refuse a change); the weights of its counted groups sum to 100 before it may open.
"""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from people.models import Person

from .cycles import Case, Cycle

# The self-evaluation is one group whose code is fixed: visibility rules (a member's own rating, seen only by that
# member and HR) find it by this code in every stored result.
SELF = "self"

CODE_VALIDATOR = RegexValidator(r"^[a-z][a-z0-9_]{0,19}$", _("Use lower-case letters, digits and _, from a letter."))


class CycleRaterGroup(models.Model):
    class Source(models.TextChoices):
        MEMBERS = "members", _("Team members rate one another")
        SELF = "self", _("Each member rates themselves and the team")
        NAMED = "named", _("People HR names for each team")
        PANEL = "panel", _("A panel HR names for the cycle, rating every team")
        CODES = "codes", _("Anonymous one-time codes")

    cycle = models.ForeignKey(Cycle, verbose_name=_("cycle"), on_delete=models.CASCADE, related_name="rater_groups")
    code = models.CharField(_("code"), max_length=20, validators=[CODE_VALIDATOR])
    name_zh = models.CharField(_("name (Chinese)"), max_length=100)
    name_en = models.CharField(_("name (English)"), max_length=100, blank=True)
    source = models.CharField(_("raters come from"), max_length=20, choices=Source.choices)
    weight = models.DecimalField(
        _("weight (%)"),
        max_digits=5,
        decimal_places=2,
        default=Decimal(0),
        validators=[MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(100))],
    )
    counted = models.BooleanField(
        _("counts in the total"),
        default=True,
        help_text=_("The self-evaluation is shown beside the total, never in it."),
    )
    min_size = models.PositiveSmallIntegerField(
        _("own minimum size k"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1)],
        help_text=_("Empty: the cycle's k. A group with fewer ballots is never shown separately."),
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    panel = models.ManyToManyField(
        Person,
        verbose_name=_("panel members"),
        blank=True,
        related_name="panel_groups",
        help_text=_("For a panel: the people who rate every team of the cycle."),
    )

    class Meta:
        verbose_name = _("rater group")
        verbose_name_plural = _("rater groups")
        ordering = ["cycle", "order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["cycle", "code"], name="rater_group_code_once_per_cycle"),
            models.UniqueConstraint(fields=["cycle"], condition=Q(source="self"), name="rater_group_one_self"),
            models.UniqueConstraint(fields=["cycle"], condition=Q(source="members"), name="rater_group_one_members"),
            models.CheckConstraint(
                condition=(Q(source="self") & Q(code=SELF) & Q(counted=False)) | (~Q(source="self") & ~Q(code=SELF)),
                name="rater_group_self_is_self",
                violation_error_message=_("The self-evaluation group has the code “self” and is not counted."),
            ),
            models.CheckConstraint(
                condition=(Q(counted=True) & Q(weight__gt=0) & Q(weight__lte=100)) | (Q(counted=False) & Q(weight=0)),
                name="rater_group_weight_if_counted",
                violation_error_message=_("A counted group weighs more than 0 and at most 100; another weighs 0."),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        """The name in the reader's language: English where given and asked for, else Chinese."""
        if self.name_en and (get_language() or "").startswith("en"):
            return self.name_en
        return self.name_zh

    @property
    def k(self) -> int:
        return self.min_size or self.cycle.min_group_size

    @property
    def named_per_case(self) -> bool:
        return self.source == self.Source.NAMED

    def clean(self) -> None:
        errors: dict[str, list] = {}
        if self.source == self.Source.SELF:
            if self.code != SELF:
                errors.setdefault("code", []).append(_("The self-evaluation group has the code “self”."))
            if self.counted:
                errors.setdefault("counted", []).append(_("The self-evaluation is never counted in the total."))
        elif self.code == SELF:
            errors.setdefault("code", []).append(_("The code “self” is kept for the self-evaluation."))
        if self.counted and not (self.weight or 0) > 0:
            errors.setdefault("weight", []).append(_("A group that counts in the total needs a weight above 0."))
        if not self.counted and self.weight:
            errors.setdefault("weight", []).append(_("A group that does not count in the total weighs 0."))
        if errors:
            raise ValidationError(errors)


class CaseRater(models.Model):
    """A person HR names to rate one case in a group of the cycle (e.g. 上级领导 / 分管领导)."""

    case = models.ForeignKey(Case, verbose_name=_("case"), on_delete=models.CASCADE, related_name="named_raters")
    group = models.ForeignKey(
        CycleRaterGroup, verbose_name=_("rater group"), on_delete=models.CASCADE, related_name="case_raters"
    )
    person = models.ForeignKey(Person, verbose_name=_("person"), on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("named rater")
        verbose_name_plural = _("named raters")
        ordering = ["case", "group__order", "person__employee_number"]
        constraints = [models.UniqueConstraint(fields=["case", "person"], name="case_rater_once_per_case")]

    def __str__(self) -> str:
        return f"{self.person} · {self.group}"
