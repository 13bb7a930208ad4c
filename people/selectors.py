"""Reads of the organisation for other apps and the API."""

import datetime as dt

from django.db.models import F, Q, QuerySet

from core.roles import Actor, is_hr

from .models import LeadershipTeam, Membership, OrgUnit, Person


def held_on(on: dt.date) -> Q:
    """A seat is held from its start date through its end date, both included."""
    return Q(start_date__lte=on) & (Q(end_date__isnull=True) | Q(end_date__gte=on))


def memberships_current(*, team: LeadershipTeam, on: dt.date) -> QuerySet[Membership]:
    """The seats of a team held on a given day, principal first."""
    return (
        Membership.objects.filter(held_on(on), team=team)
        .select_related("person")
        .order_by("-is_principal", "start_date", "person__employee_number")
    )


def person_for_user(*, user) -> Person | None:
    if not getattr(user, "is_authenticated", False):
        return None
    return Person.objects.filter(user=user).first()


def teams_active() -> QuerySet[LeadershipTeam]:
    return LeadershipTeam.objects.filter(active=True).select_related("org_unit").order_by("org_unit__code")


def people_by_employee_numbers(*, numbers: list[str]) -> tuple[list[Person], list[str]]:
    """The active people with these employee numbers, in the order given, and the numbers not found."""
    found = {p.employee_number: p for p in Person.objects.filter(employee_number__in=numbers, active=True)}
    return [found[n] for n in numbers if n in found], [n for n in numbers if n not in found]


# --- The API: rows with their natural keys, as far as the viewer may see ----------------------------


def _sees_organisation(viewer: Actor) -> bool:
    # HR keeps the organisation; nobody else reads it wholesale.
    return is_hr(viewer)


def org_units_visible(*, viewer) -> QuerySet[OrgUnit]:
    """Each unit with `parent_code`, in one query."""
    units = OrgUnit.objects.annotate(parent_code=F("parent__code"))
    return units if _sees_organisation(viewer) else units.none()


def people_visible(*, viewer) -> QuerySet[Person]:
    """Each person with `org_unit_code`, in one query."""
    people = Person.objects.annotate(org_unit_code=F("org_unit__code"))
    return people if _sees_organisation(viewer) else people.none()


def teams_visible(*, viewer) -> QuerySet[LeadershipTeam]:
    """Each team with its unit's `org_unit_code`, in one query."""
    teams = LeadershipTeam.objects.annotate(org_unit_code=F("org_unit__code"))
    return teams if _sees_organisation(viewer) else teams.none()


def memberships_visible(*, viewer) -> QuerySet[Membership]:
    """Each seat with `team_code` (the team's unit) and `employee_number`, in one query."""
    seats = Membership.objects.annotate(
        team_code=F("team__org_unit__code"), employee_number=F("person__employee_number")
    )
    return seats if _sees_organisation(viewer) else seats.none()
