"""Reads of the organisation for other apps."""

import datetime as dt

from django.db.models import Q, QuerySet

from .models import LeadershipTeam, Membership, Person


def memberships_current(*, team: LeadershipTeam, on: dt.date) -> QuerySet[Membership]:
    """The seats of a team held on a given day, principal first."""
    return (
        Membership.objects.filter(team=team, start_date__lte=on)
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=on))
        .select_related("person")
        .order_by("-is_principal", "start_date", "person__employee_number")
    )


def person_for_user(*, user) -> Person | None:
    if not getattr(user, "is_authenticated", False):
        return None
    return Person.objects.filter(user=user).first()
