"""Writes to the organisation. Natural keys: org unit code, employee number, team's unit.

Two kinds of writer. `*_upsert` writes one row whose input the caller has checked (the importer, the
demo). `*_upsert_batch` takes a batch of items by natural key (the API), checks every item against the
rest of the batch and the database, and either refuses the batch with every item's problems or writes
all of it. An item leaves the fields it does not name as they are; a new row takes the model's defaults
for them, but needs its required fields.
"""

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Hashable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import IntegrityError, connection, models, transaction
from django.utils.translation import gettext as _

from .models import LeadershipTeam, Membership, OrgUnit, Person


def _apply(obj: models.Model, fields: dict[str, Any]) -> bool:
    """Set fields that differ; return whether anything changed."""
    changed = False
    for name, value in fields.items():
        field = obj._meta.get_field(name)
        if field.many_to_one:
            # Compare a foreign key by id: reading obj.<name> would fetch the related row on every upsert.
            # `value` is a row, or an id when `name` is the attname (`parent_id`).
            current = getattr(obj, field.attname)
            new = value.pk if isinstance(value, models.Model) else value
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


# --- Batches by natural key ---------------------------------------------------------------------

Item = Mapping[str, Any]
# What a batch did with each item.
CREATED, UPDATED, UNCHANGED = "created", "updated", "unchanged"


class ItemErrors(Exception):
    """A batch was refused and nothing was written. `errors` maps each bad item's index to its problems,
    {field: [messages]}, with NON_FIELD_ERRORS for problems of the item as a whole."""

    def __init__(self, errors: dict[int, dict[str, list[str]]]) -> None:
        super().__init__(errors)
        self.errors = errors


@dataclass(frozen=True)
class BatchResult:
    """Per item, in the order given: the row's id and what was done with it."""

    ids: list[int]
    actions: list[str]

    @property
    def counts(self) -> dict[str, int]:
        return {action: self.actions.count(action) for action in (CREATED, UPDATED, UNCHANGED)}


class _Problems:
    def __init__(self) -> None:
        self.by_item: dict[int, dict[str, list[str]]] = {}

    def add(self, index: int, field: str, message: str) -> None:
        self.by_item.setdefault(index, {}).setdefault(field, []).append(str(message))

    def raise_any(self) -> None:
        if self.by_item:
            raise ItemErrors(dict(sorted(self.by_item.items())))


def _first_of_each_key(
    items: Sequence[Item], key: Callable[[Item], Hashable], field: str, problems: _Problems
) -> dict[Any, int]:
    """The index of each natural key's item. A second item with the same key is refused: neither could be
    said to win."""
    first: dict[Any, int] = {}
    for index, item in enumerate(items):
        if (k := key(item)) in first:
            problems.add(index, field, _("The same key is already in item %(index)d.") % {"index": first[k]})
        else:
            first[k] = index
    return first


def _already_exists(model: type[models.Model], fields: tuple[str, ...]) -> str:
    """Django's own "… with this … already exists." (translated in Django's catalogue)."""
    return " ".join(model().unique_error_message(model, fields).messages)


def _require_to_create(
    model: type[models.Model], item: Item, index: int, fields: dict[str, str], problems: _Problems
) -> None:
    """A new row needs these item fields ({item field: model field}); an update may leave them out."""
    for name, model_field in fields.items():
        if item.get(name) in (None, ""):
            problems.add(index, name, model._meta.get_field(model_field).error_messages["blank"])


def _save(
    model: type[models.Model], existing: models.Model | None, key: dict[str, Any], fields: dict[str, Any]
) -> tuple[models.Model, str]:
    if existing is None:
        return model.objects.create(**key, **fields), CREATED
    if _apply(existing, fields):
        existing.save()
        return existing, UPDATED
    return existing, UNCHANGED


def _given(item: Item, names: Sequence[str]) -> dict[str, Any]:
    return {name: item[name] for name in names if name in item}


@contextmanager
def _conflicts_refused() -> Iterator[None]:
    """Between a batch's checks and its writes a concurrent request may write the same keys; the database's
    constraints then refuse ours. That is for the client to send again, not a server error."""
    try:
        with transaction.atomic():
            yield
    except IntegrityError as exc:
        raise ValidationError(
            _("Another change to the same records was saved at the same moment; send this again.")
        ) from exc


# An arbitrary number that names the one advisory lock org-unit batches take.
_ORG_TREE_LOCK = 0x6B70_7472


def _lock_org_tree() -> None:
    """Org-unit batches run one at a time: two moves that are each fine alone (A under B, B under A) would
    together make a cycle that neither check saw. SQLite lets one transaction write at a time anyway."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_ORG_TREE_LOCK])


def _units_and_ancestors(codes: set[str]) -> dict[str, tuple[int, str | None]]:
    """code -> (id, parent code) for those of these units that exist and every unit above them: one query per
    level of the tree, not the whole table."""
    found: dict[str, tuple[int, str | None]] = {}
    todo = set(codes)
    while todo:
        rows = OrgUnit.objects.filter(code__in=todo).order_by().values_list("code", "id", "parent__code")
        found |= {code: (pk, parent) for code, pk, parent in rows}
        todo = {parent for _pk, parent in found.values() if parent is not None and parent not in found}
    return found


def _cycle_through(code: str, parents: Mapping[str, str | None]) -> list[str] | None:
    """The chain of parents from `code` back to itself, if the parents lead there."""
    chain, seen, current = [code], {code}, parents.get(code)
    while current is not None:
        chain.append(current)
        if current == code:
            return chain
        if current in seen:
            return None  # A cycle above this unit, which goes through another item and is reported there.
        seen.add(current)
        current = parents.get(current)
    return None


@transaction.atomic
def org_units_upsert_batch(*, items: Sequence[Item], new_only: bool = False) -> BatchResult:
    """Create or update units by `code` (with name, kind, parent_code, active). A parent may be another item
    of the batch, before or after its children. `new_only` refuses codes that exist."""
    problems = _Problems()
    first = _first_of_each_key(items, lambda item: item["code"], "code", problems)
    _lock_org_tree()
    existing = {unit.code: unit for unit in OrgUnit.objects.select_for_update().filter(code__in=first).order_by("id")}
    # The tree as it will be: the database's parents, overlaid with the batch's.
    tree = _units_and_ancestors(set(first) | {items[i].get("parent_code") for i in first.values()} - {None})
    ids = {code: pk for code, (pk, _parent) in tree.items()}
    parents = {code: parent for code, (_pk, parent) in tree.items()}
    for code, index in first.items():
        item = items[index]
        if code in existing and new_only:
            problems.add(index, "code", _already_exists(OrgUnit, ("code",)))
        if code not in existing:
            _require_to_create(OrgUnit, item, index, {"name": "name"}, problems)
        if "parent_code" in item or code not in existing:
            parents[code] = item.get("parent_code")
    for code, index in first.items():
        parent = items[index].get("parent_code")
        if parent is None:
            continue
        if parent not in parents:
            problems.add(index, "parent_code", _("Unknown parent unit %(code)s.") % {"code": parent})
        elif chain := _cycle_through(code, parents):
            problems.add(
                index, "parent_code", _("The parent units form a cycle: %(chain)s.") % {"chain": " → ".join(chain)}
            )
    problems.raise_any()

    def depth_in_batch(code: str) -> int:
        # Parents in the batch are written before their children. Iterative: a batch may be one long chain.
        depth, current = 0, parents[code]
        while current in first:
            depth, current = depth + 1, parents[current]
        return depth

    done: dict[str, tuple[models.Model, str]] = {}
    with _conflicts_refused():
        for code in sorted(first, key=lambda code: (depth_in_batch(code), code)):
            item = items[first[code]]
            fields = _given(item, ("name", "kind", "active"))
            if "parent_code" in item:
                fields["parent_id"] = ids[item["parent_code"]] if item["parent_code"] is not None else None
            done[code] = _save(OrgUnit, existing.get(code), {"code": code}, fields)
            ids[code] = done[code][0].pk
    return _result(items, lambda item: item["code"], done)


def _result(items: Sequence[Item], key: Callable[[Item], Hashable], done: dict) -> BatchResult:
    return BatchResult(ids=[done[key(item)][0].pk for item in items], actions=[done[key(item)][1] for item in items])


_PERSON_FIELDS = ("name", "gender", "title", "party", "email", "active")


@transaction.atomic
def people_upsert_batch(*, items: Sequence[Item], new_only: bool = False) -> BatchResult:
    """Create or update people by `employee_number` (with name, org_unit_code, gender, title, party, email,
    active). `new_only` refuses employee numbers that exist."""
    problems = _Problems()
    first = _first_of_each_key(items, lambda item: item["employee_number"], "employee_number", problems)
    # Rows are locked in id order, here and in every batch: two batches never wait for each other in a circle.
    existing = {
        person.employee_number: person
        for person in Person.objects.select_for_update().filter(employee_number__in=first).order_by("id")
    }
    codes = {items[i]["org_unit_code"] for i in first.values() if items[i].get("org_unit_code") is not None}
    unit_ids = dict(OrgUnit.objects.filter(code__in=codes).order_by().values_list("code", "id"))
    for number, index in first.items():
        item = items[index]
        if number in existing and new_only:
            problems.add(index, "employee_number", _already_exists(Person, ("employee_number",)))
        if number not in existing:
            _require_to_create(Person, item, index, {"name": "name", "org_unit_code": "org_unit"}, problems)
        code = item.get("org_unit_code")
        if code is not None and code not in unit_ids:
            problems.add(index, "org_unit_code", _("Unknown unit “%(value)s”.") % {"value": code})
    problems.raise_any()
    done: dict[str, tuple[models.Model, str]] = {}
    with _conflicts_refused():
        for number in sorted(first):
            item = items[first[number]]
            fields = _given(item, _PERSON_FIELDS)
            if "org_unit_code" in item:
                fields["org_unit_id"] = unit_ids[item["org_unit_code"]]
            done[number] = _save(Person, existing.get(number), {"employee_number": number}, fields)
    return _result(items, lambda item: item["employee_number"], done)


@transaction.atomic
def teams_upsert_batch(*, items: Sequence[Item], new_only: bool = False) -> BatchResult:
    """Create or update leadership teams by their unit's code, `org_unit_code` (with name, active). `new_only`
    refuses units that have a team."""
    problems = _Problems()
    first = _first_of_each_key(items, lambda item: item["org_unit_code"], "org_unit_code", problems)
    unit_ids = dict(OrgUnit.objects.filter(code__in=first).order_by().values_list("code", "id"))
    existing = {
        team.org_unit_id: team
        for team in LeadershipTeam.objects.select_for_update().filter(org_unit_id__in=unit_ids.values()).order_by("id")
    }
    for code, index in first.items():
        item = items[index]
        if code not in unit_ids:
            problems.add(index, "org_unit_code", _("Unknown unit “%(value)s”.") % {"value": code})
        elif unit_ids[code] in existing and new_only:
            problems.add(index, "org_unit_code", _already_exists(LeadershipTeam, ("org_unit",)))
        elif unit_ids[code] not in existing:
            _require_to_create(LeadershipTeam, item, index, {"name": "name"}, problems)
    problems.raise_any()
    done: dict[str, tuple[models.Model, str]] = {}
    with _conflicts_refused():
        for code in sorted(first):
            fields = _given(items[first[code]], ("name", "active"))
            done[code] = _save(LeadershipTeam, existing.get(unit_ids[code]), {"org_unit_id": unit_ids[code]}, fields)
    return _result(items, lambda item: item["org_unit_code"], done)


def _seat_key(item: Item) -> tuple[str, str, dt.date]:
    return item["team_code"], item["employee_number"], item["start_date"]


@transaction.atomic
def memberships_upsert_batch(*, items: Sequence[Item], new_only: bool = False) -> BatchResult:
    """Create or update seats by (`team_code`, `employee_number`, `start_date`), with position, is_principal
    and end_date. A seat ends by its end date; it is never removed. `new_only` refuses seats that exist."""
    problems = _Problems()
    first = _first_of_each_key(items, _seat_key, NON_FIELD_ERRORS, problems)
    team_codes, numbers = {key[0] for key in first}, {key[1] for key in first}
    team_ids = dict(
        LeadershipTeam.objects.filter(org_unit__code__in=team_codes).order_by().values_list("org_unit__code", "id")
    )
    person_ids = dict(
        Person.objects.filter(employee_number__in=numbers).order_by().values_list("employee_number", "id")
    )
    # Only to say why a code is not a team: the unit exists without a team, or there is no such unit.
    units_without_team = set(
        OrgUnit.objects.filter(code__in=team_codes - team_ids.keys()).values_list("code", flat=True)
    )
    known: dict[tuple[str, str, dt.date], int] = {}  # the items whose team and person exist
    for natural, index in first.items():
        team_code, number, _start = natural
        if team_code in units_without_team:
            problems.add(index, "team_code", _("Unit %(code)s has no leadership team.") % {"code": team_code})
        elif team_code not in team_ids:
            problems.add(index, "team_code", _("Unknown unit “%(value)s”.") % {"value": team_code})
        if number not in person_ids:
            problems.add(index, "employee_number", _("Unknown employee number %(number)s.") % {"number": number})
        if team_code in team_ids and number in person_ids:
            known[natural] = index

    def ids(key: tuple[str, str, dt.date]) -> tuple[int, int, dt.date]:
        return team_ids[key[0]], person_ids[key[1]], key[2]

    # Every seat of these people on these teams: the one-open-seat rule looks beyond the batch's own seats.
    seats = {
        (seat.team_id, seat.person_id, seat.start_date): seat
        for seat in Membership.objects.select_for_update()
        .filter(team_id__in=team_ids.values(), person_id__in=person_ids.values())
        .order_by("id")
    }
    ends: dict[tuple[int, int, dt.date], dt.date | None] = {}  # each item's seat's end date after the batch
    for natural, index in known.items():
        item, key, start = items[index], ids(natural), natural[2]
        seat = seats.get(key)
        if seat is not None and new_only:
            problems.add(index, NON_FIELD_ERRORS, _already_exists(Membership, ("team", "person", "start_date")))
        if seat is None:
            _require_to_create(Membership, item, index, {"position": "position"}, problems)
        ends[key] = item.get("end_date", seat.end_date if seat else None)
        if ends[key] is not None and ends[key] < start:
            problems.add(index, "end_date", _("The end date cannot be before the start date."))
    # The database allows one open seat per person and team: count those the batch would leave.
    open_starts: dict[tuple[int, int], list[dt.date]] = defaultdict(list)
    for key, seat in seats.items():
        if key not in ends and seat.end_date is None:
            open_starts[key[:2]].append(seat.start_date)
    for key, end in ends.items():
        if end is None:
            open_starts[key[:2]].append(key[2])
    for (team_code, number, start), index in known.items():
        key = ids((team_code, number, start))
        starts = open_starts[key[:2]]
        if ends[key] is None and len(starts) > 1:
            others = ", ".join(str(other) for other in sorted(starts) if other != start)
            problems.add(
                index,
                "end_date",
                _(
                    "%(number)s would have a second open membership of this team (also from %(others)s); "
                    "give one of them an end date."
                )
                % {"number": number, "others": others},
            )
    problems.raise_any()

    done: dict[tuple[str, str, dt.date], tuple[models.Model, str]] = {}
    with _conflicts_refused():
        # Ended seats first: a person's old seat must be closed before a new one opens, or the
        # one-open-seat constraint refuses the new one.
        for natural in sorted(first, key=lambda natural: (ends[ids(natural)] is None, natural)):
            key = ids(natural)
            fields = _given(items[first[natural]], ("position", "is_principal", "end_date"))
            done[natural] = _save(
                Membership, seats.get(key), {"team_id": key[0], "person_id": key[1], "start_date": key[2]}, fields
            )
    return _result(items, _seat_key, done)
