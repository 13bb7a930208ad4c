"""The organisation: units, people, leadership teams and who sits on which team when."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class OrgUnit(models.Model):
    class Kind(models.TextChoices):
        COMPANY = "company", _("Company")
        PLANT = "plant", _("Plant")
        DEPARTMENT = "department", _("Department")
        WORKSHOP = "workshop", _("Workshop / operation area")
        TEAM = "team", _("Team / station")
        OTHER = "other", _("Other")

    code = models.CharField(_("code"), max_length=64, unique=True)
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.DEPARTMENT)
    parent = models.ForeignKey(
        "self", verbose_name=_("parent unit"), null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    active = models.BooleanField(_("active"), default=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True, db_index=True)

    class Meta:
        verbose_name = _("org unit")
        verbose_name_plural = _("org units")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"


class Person(models.Model):
    class Gender(models.TextChoices):
        MALE = "male", _("Male")
        FEMALE = "female", _("Female")
        UNKNOWN = "", _("Not given")

    class Party(models.TextChoices):
        CPC_MEMBER = "cpc", _("CPC member")
        CPC_PROBATIONARY = "cpc_probationary", _("CPC probationary member")
        LEAGUE = "league", _("Communist Youth League member")
        OTHER_PARTY = "other_party", _("Member of another party")
        NONE = "none", _("The masses (no party)")
        UNKNOWN = "", _("Not given")

    employee_number = models.CharField(_("employee number"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=100, db_index=True)
    gender = models.CharField(_("gender"), max_length=10, choices=Gender.choices, blank=True, default="")
    org_unit = models.ForeignKey(OrgUnit, verbose_name=_("org unit"), on_delete=models.PROTECT, related_name="people")
    title = models.CharField(_("title"), max_length=100, blank=True)
    party = models.CharField(_("party membership"), max_length=20, choices=Party.choices, blank=True, default="")
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("login account"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="person",
    )
    email = models.EmailField(_("email"), blank=True)
    active = models.BooleanField(_("active"), default=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True, db_index=True)

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("people")
        ordering = ["employee_number"]

    def __str__(self) -> str:
        return f"{self.name} ({self.employee_number})"


class LeadershipTeam(models.Model):
    """A unit's leadership team (领导班子); a unit has at most one."""

    org_unit = models.OneToOneField(
        OrgUnit, verbose_name=_("org unit"), on_delete=models.PROTECT, related_name="leadership_team"
    )
    name = models.CharField(_("name"), max_length=200)
    active = models.BooleanField(_("active"), default=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True, db_index=True)

    class Meta:
        verbose_name = _("leadership team")
        verbose_name_plural = _("leadership teams")
        ordering = ["org_unit__code"]

    def __str__(self) -> str:
        return self.name


class Membership(models.Model):
    """One person's seat on one team for a period; ended seats are kept as history."""

    team = models.ForeignKey(
        LeadershipTeam, verbose_name=_("team"), on_delete=models.PROTECT, related_name="memberships"
    )
    person = models.ForeignKey(Person, verbose_name=_("person"), on_delete=models.PROTECT, related_name="memberships")
    position = models.CharField(_("position"), max_length=100)
    is_principal = models.BooleanField(_("principal"), default=False)
    start_date = models.DateField(_("start date"))
    end_date = models.DateField(_("end date"), null=True, blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True, db_index=True)

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        ordering = ["team", "-is_principal", "start_date", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["team", "person"],
                condition=Q(end_date__isnull=True),
                name="membership_one_open_per_person_and_team",
                violation_error_message=_("This person already has an open membership in this team."),
            ),
            models.UniqueConstraint(fields=["team", "person", "start_date"], name="membership_unique_start"),
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=models.F("start_date")),
                name="membership_end_after_start",
                violation_error_message=_("The end date cannot be before the start date."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.team} · {self.person} · {self.position}"
