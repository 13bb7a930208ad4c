"""Writes to the organisation. Natural keys: org unit code, employee number, team's unit."""

import datetime as dt
from typing import Any

from django.db import models, transaction

from .models import LeadershipTeam, Membership, OrgUnit, Person


def _apply(obj: models.Model, fields: dict[str, Any]) -> bool:
    """Set fields that differ; return whether anything changed."""
    changed = False
    for name, value in fields.items():
        field = obj._meta.get_field(name)
        if field.many_to_one:
            # Compare a foreign key by id: reading obj.<name> would fetch the related row on every upsert.
            current, new = getattr(obj, field.attname), value.pk if value is not None else None
        else:
            current, new = getattr(obj, name), value
        if current != new:
            setattr(obj, name, value)
            changed = True
    return changed


def org_unit_upsert(
    *, code: str, name: str, kind: str, parent: OrgUnit | None, active: bool = True
) -> tuple[OrgUnit, str]:
    """Create or update a unit by code. Returns the unit and 'created', 'updated' or 'unchanged'."""
    unit = OrgUnit.objects.filter(code=code).order_by().first()
    fields = {"name": name, "kind": kind, "parent": parent, "active": active}
    if unit is None:
        return OrgUnit.objects.create(code=code, **fields), "created"
    if _apply(unit, fields):
        unit.full_clean()
        unit.save()
        return unit, "updated"
    return unit, "unchanged"


def person_upsert(*, employee_number: str, **fields: Any) -> tuple[Person, str]:
    person = Person.objects.filter(employee_number=employee_number).order_by().first()
    if person is None:
        return Person.objects.create(employee_number=employee_number, **fields), "created"
    if _apply(person, fields):
        person.save()
        return person, "updated"
    return person, "unchanged"


def team_upsert(*, org_unit: OrgUnit, name: str, active: bool = True) -> tuple[LeadershipTeam, str]:
    team = LeadershipTeam.objects.filter(org_unit=org_unit).order_by().first()
    if team is None:
        return LeadershipTeam.objects.create(org_unit=org_unit, name=name, active=active), "created"
    if _apply(team, {"name": name, "active": active}):
        team.save()
        return team, "updated"
    return team, "unchanged"


@transaction.atomic
def membership_upsert(
    *,
    team: LeadershipTeam,
    person: Person,
    position: str,
    is_principal: bool,
    start_date: dt.date,
    end_date: dt.date | None,
) -> tuple[Membership, str]:
    """A seat is identified by team, person and start date; a later start ends no earlier seat by itself."""
    # order_by(): Meta.ordering would join (and on PostgreSQL lock) the team and its unit to sort one row.
    membership = (
        Membership.objects.select_for_update()
        .filter(team=team, person=person, start_date=start_date)
        .order_by()
        .first()
    )
    fields = {"position": position, "is_principal": is_principal, "end_date": end_date}
    if membership is None:
        return Membership.objects.create(team=team, person=person, start_date=start_date, **fields), "created"
    if _apply(membership, fields):
        membership.save()
        return membership, "updated"
    return membership, "unchanged"


def membership_end(*, membership: Membership, end_date: dt.date) -> Membership:
    membership.end_date = end_date
    membership.full_clean()
    membership.save(update_fields=["end_date", "updated_at"])
    return membership
