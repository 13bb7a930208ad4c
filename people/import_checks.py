"""Check every imported row against the rest of the file and the database, and plan the writes.

Problems are collected, not raised: the person fixing the file wants all of them at once.
"""

import datetime as dt
import re
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import models
from django.utils.translation import gettext as _

from .import_rows import Cells, RowError, SheetRow, Table, row_label
from .models import LeadershipTeam, Membership, OrgUnit, Person
from .spreadsheets import cell_text

# --- What cells mean --------------------------------------------------------------------------

_KINDS: dict[str, str] = {
    "公司": OrgUnit.Kind.COMPANY,
    "分公司": OrgUnit.Kind.COMPANY,
    "厂": OrgUnit.Kind.PLANT,
    "分厂": OrgUnit.Kind.PLANT,
    "采油厂": OrgUnit.Kind.PLANT,
    "部门": OrgUnit.Kind.DEPARTMENT,
    "科室": OrgUnit.Kind.DEPARTMENT,
    "处室": OrgUnit.Kind.DEPARTMENT,
    "矿": OrgUnit.Kind.WORKSHOP,
    "作业区": OrgUnit.Kind.WORKSHOP,
    "车间": OrgUnit.Kind.WORKSHOP,
    "班组": OrgUnit.Kind.TEAM,
    "站": OrgUnit.Kind.TEAM,
    "其他": OrgUnit.Kind.OTHER,
    "其它": OrgUnit.Kind.OTHER,
} | {value: value for value in OrgUnit.Kind.values}
_GENDERS: dict[str, str] = {
    "男": Person.Gender.MALE,
    "男性": Person.Gender.MALE,
    "male": Person.Gender.MALE,
    "m": Person.Gender.MALE,
    "女": Person.Gender.FEMALE,
    "女性": Person.Gender.FEMALE,
    "female": Person.Gender.FEMALE,
    "f": Person.Gender.FEMALE,
}
_PARTIES: dict[str, str] = {
    "中共党员": Person.Party.CPC_MEMBER,
    "中国共产党党员": Person.Party.CPC_MEMBER,
    "党员": Person.Party.CPC_MEMBER,
    "中共预备党员": Person.Party.CPC_PROBATIONARY,
    "预备党员": Person.Party.CPC_PROBATIONARY,
    "共青团员": Person.Party.LEAGUE,
    "团员": Person.Party.LEAGUE,
    "民主党派": Person.Party.OTHER_PARTY,
    "群众": Person.Party.NONE,
    # Not a party member; the model has no separate choice for 无党派人士.
    "无党派人士": Person.Party.NONE,
} | {value: value for value in Person.Party.values if value}
# HR files name the democratic party itself (民盟盟员, 九三学社社员 …) more often than 民主党派.
_DEMOCRATIC_PARTY_PREFIXES = ("民革", "民盟", "民建", "民进", "农工", "致公", "九三", "台盟")
# Rosters pad two-character names to line up with three-character ones: 张　三.
_CJK_GAP = re.compile(r"(?<=[\u4e00-\u9fff])\s+(?=[\u4e00-\u9fff])")


def _party(text: str) -> str | None:
    key = text.lower()
    if key in _PARTIES:
        return _PARTIES[key]
    return Person.Party.OTHER_PARTY if text.startswith(_DEMOCRATIC_PARTY_PREFIXES) else None


def _max_length(model: type[models.Model], name: str) -> int:
    return model._meta.get_field(name).max_length


# --- The plan ----------------------------------------------------------------------------------


@dataclass
class PlannedUnit:
    row: SheetRow
    code: str
    name: str
    kind: str
    parent_code: str | None
    active: bool


@dataclass
class PlannedPerson:
    row: SheetRow
    employee_number: str
    unit_code: str
    fields: dict[str, Any]  # only what the file gives; person_upsert leaves the rest alone


@dataclass
class PlannedTeam:
    row: SheetRow
    unit_code: str
    name: str
    active: bool


@dataclass
class PlannedSeat:
    row: SheetRow
    employee_number: str
    team_code: str  # the team's unit code
    position: str
    is_principal: bool
    start_date: dt.date
    end_date: dt.date | None


@dataclass
class Plan:
    units: list[PlannedUnit]
    people: list[PlannedPerson]
    teams: list[PlannedTeam]
    seats: list[PlannedSeat]


# A membership's natural key: the team's unit code, the employee number and the start date.
_SeatKey = tuple[str, str, dt.date]
_CHUNK = 500  # keeps `__in` lookups under SQLite's parameter limit


def _chunks(values: Iterable[str]) -> Iterator[list[str]]:
    values = sorted(values)
    for start in range(0, len(values), _CHUNK):
        yield values[start : start + _CHUNK]


# --- Checking ----------------------------------------------------------------------------------


def check_rows(rows: dict[Table, list[SheetRow]], *, errors: list[RowError]) -> Plan:
    """Parse and check every row; problems go to `errors`. The plan is only to be applied if there are none."""
    return _Planner(errors=errors).plan(rows)


class _Planner:
    """Parses every row and checks it against the rest of the file and the database."""

    def __init__(self, *, errors: list[RowError]) -> None:
        self.errors = errors
        # The organisation as it will be after the import: the database overlaid with the file.
        self.unit_names: dict[str, str] = {}  # code -> name
        self.unit_parents: dict[str, str | None] = {}  # code -> parent code
        self.team_names: dict[str, str] = {}  # unit code -> team name
        self.person_names: dict[str, str] = {}  # employee number -> name (only numbers the file mentions)
        self.unit_codes_by_name: dict[str, list[str]] = defaultdict(list)
        self.team_codes_by_name: dict[str, list[str]] = defaultdict(list)
        self.existing_seats: dict[_SeatKey, tuple[dt.date | None, bool]] = {}

    def plan(self, rows: dict[Table, list[SheetRow]]) -> Plan:
        units = self._units(rows[Table.ORG_UNITS])
        people = self._people(rows[Table.PEOPLE])
        teams = self._teams(rows[Table.TEAMS])
        seats = self._seats(rows[Table.MEMBERSHIPS])
        return Plan(units=units, people=people, teams=teams, seats=seats)

    # Org units

    def _units(self, rows: list[SheetRow]) -> list[PlannedUnit]:
        existing = {
            code: (name, kind, parent_code, active)
            for code, name, kind, parent_code, active in OrgUnit.objects.values_list(
                "code", "name", "kind", "parent__code", "active"
            )
        }
        self.unit_names = {code: name for code, (name, *_rest) in existing.items()}
        self.unit_parents = {code: parent_code for code, (_name, _kind, parent_code, _active) in existing.items()}
        planned: dict[str, PlannedUnit] = {}
        for row in rows:
            cells = Cells(row, self.errors)
            code = cells.text("code", required=True, max_length=_max_length(OrgUnit, "code"))
            name = cells.text("name", required=True, max_length=_max_length(OrgUnit, "name"))
            kind = cells.choice(
                "kind",
                lambda text: _KINDS.get(text.lower()),
                _("Unknown unit kind “%(value)s”; use e.g. 公司, 厂, 部门, 车间, 班组 or 站."),
            )
            parent_code = cells.text("parent_code", max_length=_max_length(OrgUnit, "code")) or None
            active = cells.boolean("active")
            if not code:
                continue
            if code in planned:
                cells.error(
                    "code",
                    _("Unit code %(code)s is already in %(where)s.")
                    % {"code": code, "where": row_label(planned[code].row)},
                )
                continue
            _old_name, old_kind, old_parent, old_active = existing.get(code, ("", OrgUnit.Kind.DEPARTMENT, None, True))
            planned[code] = PlannedUnit(
                row=row,
                code=code,
                name=name,
                kind=kind or old_kind,
                parent_code=parent_code if cells.has("parent_code") else old_parent,
                active=old_active if active is None else active,
            )
            self.unit_names[code] = name
            self.unit_parents[code] = planned[code].parent_code
        for unit in planned.values():
            self._check_parent(unit)
        for code, name in self.unit_names.items():
            self.unit_codes_by_name[name].append(code)
        return list(planned.values())

    def _check_parent(self, unit: PlannedUnit) -> None:
        if unit.parent_code is None:
            return
        cells = Cells(unit.row, self.errors)
        if unit.parent_code not in self.unit_names:
            cells.error("parent_code", _("Unknown parent unit %(code)s.") % {"code": unit.parent_code})
            return
        # Walk up the parents the units will have after the import; coming back here is a cycle.
        chain, seen, current = [unit.code], {unit.code}, unit.parent_code
        while current is not None:
            chain.append(current)
            if current == unit.code:
                cells.error(
                    "parent_code", _("The parent units form a cycle: %(chain)s.") % {"chain": " → ".join(chain)}
                )
                return
            if current in seen:
                return  # A cycle above this unit; it is reported on its own rows.
            seen.add(current)
            current = self.unit_parents.get(current)

    def _unit_code(self, cells: Cells, name: str, value: str) -> str | None:
        """A unit given by code, or by a name no other unit has."""
        if value in self.unit_names:
            return value
        codes = self.unit_codes_by_name.get(value, [])
        if len(codes) == 1:
            return codes[0]
        if codes:
            cells.error(
                name,
                _("Several units are named “%(name)s” (%(codes)s); give the unit code.")
                % {"name": value, "codes": ", ".join(sorted(codes))},
            )
        else:
            cells.error(name, _("Unknown unit “%(value)s”.") % {"value": value})
        return None

    # People

    def _people(self, rows: list[SheetRow]) -> list[PlannedPerson]:
        planned: dict[str, PlannedPerson] = {}
        for row in rows:
            cells = Cells(row, self.errors)
            number = cells.text("employee_number", required=True, max_length=_max_length(Person, "employee_number"))
            name = _CJK_GAP.sub("", cells.text("name", required=True, max_length=_max_length(Person, "name")))
            unit_value = cells.text("org_unit", required=True)
            unit_code = self._unit_code(cells, "org_unit", unit_value) if unit_value else None
            fields: dict[str, Any] = {"name": name}
            if cells.has("gender"):
                fields["gender"] = (
                    cells.choice(
                        "gender",
                        lambda text: _GENDERS.get(text.lower()),
                        _("Unknown gender “%(value)s”; use 男 or 女."),
                    )
                    or Person.Gender.UNKNOWN
                )
            if cells.has("title"):
                fields["title"] = cells.text("title", max_length=_max_length(Person, "title"))
            if cells.has("party"):
                fields["party"] = (
                    cells.choice(
                        "party", _party, _("Unknown political status “%(value)s”; use e.g. 中共党员, 共青团员 or 群众.")
                    )
                    or Person.Party.UNKNOWN
                )
            if cells.has("email"):
                fields["email"] = self._email(cells)
            active = cells.boolean("active")
            if active is not None:
                fields["active"] = active
            if not number:
                continue
            if number in planned:
                cells.error(
                    "employee_number",
                    _("Employee number %(number)s is already in %(where)s.")
                    % {"number": number, "where": row_label(planned[number].row)},
                )
                continue
            planned[number] = PlannedPerson(row=row, employee_number=number, unit_code=unit_code or "", fields=fields)
            self.person_names[number] = name
        return list(planned.values())

    def _email(self, cells: Cells) -> str:
        email = cells.text("email", max_length=_max_length(Person, "email"))
        if email:
            try:
                validate_email(email)
            except ValidationError as exc:
                cells.error("email", " ".join(exc.messages))
        return email

    # Teams

    def _teams(self, rows: list[SheetRow]) -> list[PlannedTeam]:
        existing = {
            code: (name, active)
            for code, name, active in LeadershipTeam.objects.values_list("org_unit__code", "name", "active")
        }
        self.team_names = {code: name for code, (name, _active) in existing.items()}
        planned: dict[str, PlannedTeam] = {}
        for row in rows:
            cells = Cells(row, self.errors)
            unit_value = cells.text("org_unit", required=True)
            name = cells.text("name", required=True, max_length=_max_length(LeadershipTeam, "name"))
            active = cells.boolean("active")
            unit_code = self._unit_code(cells, "org_unit", unit_value) if unit_value else None
            if unit_code is None:
                continue
            if unit_code in planned:
                cells.error(
                    "org_unit",
                    _("Unit %(code)s already has a team in %(where)s.")
                    % {"code": unit_code, "where": row_label(planned[unit_code].row)},
                )
                continue
            old_active = existing.get(unit_code, ("", True))[1]
            planned[unit_code] = PlannedTeam(
                row=row, unit_code=unit_code, name=name, active=old_active if active is None else active
            )
            self.team_names[unit_code] = name
        for code, name in self.team_names.items():
            self.team_codes_by_name[name].append(code)
        return list(planned.values())

    def _team_code(self, cells: Cells, value: str) -> str | None:
        """A team given by its unit's code or name, or by its own name."""
        if value in self.team_names:
            return value
        codes = self.team_codes_by_name.get(value, [])
        if len(codes) == 1:
            return codes[0]
        probe: list[RowError] = []
        unit_code = self._unit_code(Cells(cells.row, probe), "team", value)
        if unit_code in self.team_names:
            return unit_code
        if unit_code is not None:
            cells.error("team", _("Unit %(code)s has no leadership team.") % {"code": unit_code})
        elif codes:
            cells.error("team", _("Several teams are named “%(name)s”; give the unit code.") % {"name": value})
        else:
            cells.error("team", _("Unknown team “%(value)s”.") % {"value": value})
        return None

    # Memberships

    def _seats(self, rows: list[SheetRow]) -> list[PlannedSeat]:
        numbers = {cell_text(row.cells.get("employee_number")) for row in rows} - self.person_names.keys() - {""}
        for chunk in _chunks(numbers):
            self.person_names |= dict(
                Person.objects.filter(employee_number__in=chunk).values_list("employee_number", "name")
            )
        planned: dict[_SeatKey, PlannedSeat] = {}
        given: dict[_SeatKey, tuple[bool, bool]] = {}  # key -> (end date given, principal given)
        for row in rows:
            cells = Cells(row, self.errors)
            number = cells.text("employee_number", required=True)
            person_name = _CJK_GAP.sub("", cells.text("person_name"))
            team_value = cells.text("team", required=True)
            position = cells.text("position", required=True, max_length=_max_length(Membership, "position"))
            is_principal = cells.boolean("is_principal")
            start_date = cells.date("start_date", required=True)
            end_date = cells.date("end_date")
            if number and number not in self.person_names:
                cells.error("employee_number", _("Unknown employee number %(number)s.") % {"number": number})
            elif number and person_name and self.person_names[number] not in ("", person_name):
                cells.error(
                    "person_name",
                    _("Employee number %(number)s is %(name)s, not %(given)s.")
                    % {"number": number, "name": self.person_names[number], "given": person_name},
                )
            team_code = self._team_code(cells, team_value) if team_value else None
            if start_date and end_date and end_date < start_date:
                cells.error("end_date", _("The end date cannot be before the start date."))
            if not (number and team_code and start_date):
                continue
            key = (team_code, number, start_date)
            if key in planned:
                cells.error(
                    "start_date",
                    _("The same membership (person, team, start date) is already in %(where)s.")
                    % {"where": row_label(planned[key].row)},
                )
                continue
            planned[key] = PlannedSeat(row, number, team_code, position, bool(is_principal), start_date, end_date)
            given[key] = (cells.has("end_date"), is_principal is not None)
        self._keep_unset_seat_fields(planned, given)
        self._check_one_open_seat(planned)
        return list(planned.values())

    def _existing_seats(self, numbers: set[str]) -> dict[_SeatKey, tuple[dt.date | None, bool]]:
        seats: dict[_SeatKey, tuple[dt.date | None, bool]] = {}
        for chunk in _chunks(numbers):
            for team_code, number, start_date, end_date, is_principal in Membership.objects.filter(
                person__employee_number__in=chunk
            ).values_list("team__org_unit__code", "person__employee_number", "start_date", "end_date", "is_principal"):
                seats[(team_code, number, start_date)] = (end_date, is_principal)
        return seats

    def _keep_unset_seat_fields(
        self,
        planned: dict[_SeatKey, PlannedSeat],
        given: dict[_SeatKey, tuple[bool, bool]],
    ) -> None:
        self.existing_seats = self._existing_seats({seat.employee_number for seat in planned.values()})
        for key, seat in planned.items():
            end_given, principal_given = given[key]
            old_end, old_principal = self.existing_seats.get(key, (None, False))
            if not end_given:
                seat.end_date = old_end
            if not principal_given:
                seat.is_principal = old_principal

    def _check_one_open_seat(self, planned: dict[_SeatKey, PlannedSeat]) -> None:
        # The database allows one open seat per person and team: count those the import would leave.
        open_starts: dict[tuple[str, str], list[dt.date]] = defaultdict(list)
        for (team_code, number, start_date), (end_date, _principal) in self.existing_seats.items():
            if end_date is None and (team_code, number, start_date) not in planned:
                open_starts[(team_code, number)].append(start_date)
        for seat in planned.values():
            if seat.end_date is None:
                open_starts[(seat.team_code, seat.employee_number)].append(seat.start_date)
        for seat in planned.values():
            starts = open_starts[(seat.team_code, seat.employee_number)]
            if seat.end_date is None and len(starts) > 1:
                others = ", ".join(str(start) for start in sorted(starts) if start != seat.start_date)
                Cells(seat.row, self.errors).error(
                    "end_date",
                    _(
                        "%(number)s would have a second open membership of this team (also from %(others)s); "
                        "give one of them an end date."
                    )
                    % {"number": seat.employee_number, "others": others},
                )
