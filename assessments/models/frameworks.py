"""What is assessed: a versioned framework of dimensions and indicators, each with its rubric."""

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


class Bilingual(models.Model):
    """Content typed by HR in Chinese with an English rendering; shown in the reader's language."""

    name = models.CharField(_("name (Chinese)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200, blank=True)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        if (get_language() or "").startswith("en") and self.name_en:
            return self.name_en
        return self.name


class Framework(Bilingual):
    code = models.SlugField(_("code"), max_length=50)
    version = models.PositiveIntegerField(_("version"), default=1)
    description = models.TextField(_("description"), blank=True)
    locked = models.BooleanField(
        _("locked"), default=False, help_text=_("A framework used by a cycle is locked; edit a new version instead.")
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("framework")
        verbose_name_plural = _("frameworks")
        ordering = ["code", "-version"]
        constraints = [models.UniqueConstraint(fields=["code", "version"], name="framework_code_version_unique")]

    def __str__(self) -> str:
        return f"{self.label} v{self.version}"


class FrameworkPart(Bilingual):
    class Meta:
        abstract = True

    def _framework(self) -> Framework:
        raise NotImplementedError

    def clean(self) -> None:
        framework = self._framework()
        if framework is not None and framework.locked:
            raise ValidationError(_("This framework is used by a cycle and locked; create a new version to change it."))


class Dimension(FrameworkPart):
    framework = models.ForeignKey(
        Framework, verbose_name=_("framework"), on_delete=models.CASCADE, related_name="dimensions"
    )
    code = models.SlugField(_("code"), max_length=50)
    weight = models.DecimalField(_("weight"), max_digits=6, decimal_places=2, default=1)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("dimension")
        verbose_name_plural = _("dimensions")
        ordering = ["framework", "order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["framework", "code"], name="dimension_code_unique"),
            models.CheckConstraint(condition=models.Q(weight__gt=0), name="dimension_weight_positive"),
        ]

    def _framework(self) -> Framework | None:
        return self.framework if self.framework_id else None


class RubricLevel(models.TextChoices):
    """Rubric levels, as shares of the scale's maximum, so one rubric serves any scale."""

    # xgettext:no-python-format
    EXCELLENT = "excellent", _("Excellent (90% of the scale and above)")
    GOOD = "good", _("Good (75–89%)")
    FAIR = "fair", _("Fair (60–74%)")
    POOR = "poor", _("Poor (below 60%)")


RUBRIC_LEVEL_FLOORS = {RubricLevel.EXCELLENT: 90, RubricLevel.GOOD: 75, RubricLevel.FAIR: 60, RubricLevel.POOR: 0}


def validate_rubric(value: object) -> None:
    if not isinstance(value, dict):
        raise ValidationError(_("The rubric must map each level to its text."))
    unknown = set(value) - set(RubricLevel.values)
    if unknown:
        raise ValidationError(_("Unknown rubric levels: %(levels)s"), params={"levels": ", ".join(sorted(unknown))})
    for level, text in value.items():
        if (
            not isinstance(text, dict)
            or not isinstance(text.get("zh", ""), str)
            or not isinstance(text.get("en", ""), str)
        ):
            raise ValidationError(
                _('Rubric level %(level)s needs its text as {"zh": …, "en": …}.'), params={"level": level}
            )


class Indicator(FrameworkPart):
    dimension = models.ForeignKey(
        Dimension, verbose_name=_("dimension"), on_delete=models.CASCADE, related_name="indicators"
    )
    code = models.SlugField(_("code"), max_length=50)
    description = models.TextField(_("description (Chinese)"), blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    weight = models.DecimalField(_("weight"), max_digits=6, decimal_places=2, default=1)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    rubric = models.JSONField(_("rubric"), default=dict, blank=True, validators=[validate_rubric])

    class Meta:
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")
        ordering = ["dimension__order", "order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["dimension", "code"], name="indicator_code_unique"),
            models.CheckConstraint(condition=models.Q(weight__gt=0), name="indicator_weight_positive"),
        ]

    def _framework(self) -> Framework | None:
        return self.dimension.framework if self.dimension_id else None

    @property
    def description_label(self) -> str:
        if (get_language() or "").startswith("en") and self.description_en:
            return self.description_en
        return self.description

    def rubric_text(self, level: str) -> str:
        text = self.rubric.get(level) or {}
        if (get_language() or "").startswith("en") and text.get("en"):
            return text["en"]
        return text.get("zh", "")
