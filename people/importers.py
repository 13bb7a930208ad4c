"""Import the organisation from HR spreadsheets: org units, people, leadership teams and memberships.

Two phases. First every row of every sheet is parsed and checked against the rest of the file and
the database, and each problem is reported with its sheet and row number; if there is any problem,
nothing is written. Then the rows are applied through `people.services` in one transaction. A dry
run is that same transaction rolled back, so what it reports cannot drift from what a real run does.

A column the file does not have leaves that field as it is (the model default for new rows); a
blank cell in a column the file has clears the field, except where blank cannot mean anything
(unit kind, active, principal), where it also leaves the field as it is.
"""

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, BinaryIO

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import DatabaseError, models, transaction
from django.utils.translation import gettext_lazy

from . import services
from .import_checks import Plan, check_rows
from .import_rows import RowError, SheetRow, Table, rows_by_table
from .models import LeadershipTeam, OrgUnit, Person
from .spreadsheets import UnreadableFile, read_sheets

__all__ = ["Action", "ImportReport", "RowChange", "RowError", "Table", "import_file"]

logger = logging.getLogger(__name__)


class Action(models.TextChoices):
    CREATED = "created", gettext_lazy("Created")
    UPDATED = "updated", gettext_lazy("Updated")
    UNCHANGED = "unchanged", gettext_lazy("Unchanged")


@dataclass(frozen=True)
class RowChange:
    table: Table
    sheet: str
    row: int
    key: str  # the natural key, readable: "C01 采油一厂", "10023 张三"
    action: Action


def _no_changes() -> dict[Table, dict[Action, int]]:
    return {table: dict.fromkeys(Action, 0) for table in Table}


@dataclass
class ImportReport:
    dry_run: bool
    errors: list[RowError] = field(default_factory=list)
    changes: dict[Table, dict[Action, int]] = field(default_factory=_no_changes)
    rows: list[RowChange] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def counts(self) -> list[tuple[Table, dict[Action, int]]]:
        """Per table, in the order they are applied; for templates, which cannot index by enum."""
        return list(self.changes.items())

    @property
    def changed_rows(self) -> list[RowChange]:
        return [change for change in self.rows if change.action != Action.UNCHANGED]


def import_file(*, file: BinaryIO, filename: str, dry_run: bool, kind: str | None = None) -> ImportReport:
    """Read a CSV or XLSX file and apply it, or with dry_run only report what applying it would change.

    `kind` (a Table value) forces every sheet to be read as that table instead of telling it from the header.
    """
    if kind is not None and kind not in Table.values:
        raise ValueError(f"Unknown table kind: {kind!r}")
    report = ImportReport(dry_run=dry_run)
    try:
        sheets = read_sheets(file=file, filename=filename, max_bytes=settings.KAOPING_IMPORT_MAX_BYTES)
    except UnreadableFile as exc:
        report.errors.append(RowError(sheet="", row=None, field="", message=str(exc)))
        return report
    rows = rows_by_table(sheets, kind=Table(kind) if kind else None, errors=report.errors)
    if report.errors:
        return report  # A sheet that was not understood would make every row that refers to it look wrong.
    plan = check_rows(rows, errors=report.errors)
    if report.errors:
        return report
    try:
        with transaction.atomic():
            _apply(plan, report)
            if dry_run:
                transaction.set_rollback(True)
    except _WriteFailed:
        report.changes, report.rows = _no_changes(), []
        return report
    if not dry_run:
        logger.info("Imported %s: %s", filename, {table.value: dict(counts) for table, counts in report.counts})
    return report


# --- Writing -----------------------------------------------------------------------------------


class _WriteFailed(Exception):
    """A row the checks let through was refused by the database; the whole import is rolled back."""


def _write(
    report: ImportReport, table: Table, row: SheetRow, key: str, upsert: Callable[..., tuple[Any, str]], **fields: Any
) -> Any:
    try:
        obj, action = upsert(**fields)
    except (ValidationError, DatabaseError) as exc:
        message = " ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
        report.errors.append(RowError(sheet=row.sheet, row=row.number, field="", message=message))
        raise _WriteFailed from exc
    report.changes[table][Action(action)] += 1
    report.rows.append(RowChange(table=table, sheet=row.sheet, row=row.number, key=key, action=Action(action)))
    return obj


def _apply(plan: Plan, report: ImportReport) -> None:
    in_file = {unit.code: unit for unit in plan.units}
    depths: dict[str, int] = {}

    def depth(code: str) -> int:
        # Parents in the file are written first, so a unit may name a parent defined further down.
        # The checks have ruled out cycles, so this ends.
        if code not in depths:
            parent = in_file[code].parent_code
            depths[code] = depth(parent) + 1 if parent in in_file else 0
        return depths[code]

    codes = {u.parent_code for u in plan.units if u.parent_code} | {p.unit_code for p in plan.people}
    units = OrgUnit.objects.in_bulk(codes | {t.unit_code for t in plan.teams}, field_name="code")
    for unit in sorted(plan.units, key=lambda unit: (depth(unit.code), unit.row.order)):
        units[unit.code] = _write(
            report,
            Table.ORG_UNITS,
            unit.row,
            f"{unit.code} {unit.name}",
            services.org_unit_upsert,
            code=unit.code,
            name=unit.name,
            kind=unit.kind,
            parent=units[unit.parent_code] if unit.parent_code else None,
            active=unit.active,
        )
    for person in plan.people:
        key = f"{person.employee_number} {person.fields['name']}"
        _write(
            report,
            Table.PEOPLE,
            person.row,
            key,
            services.person_upsert,
            employee_number=person.employee_number,
            org_unit=units[person.unit_code],
            **person.fields,
        )
    for team in plan.teams:
        key = f"{team.unit_code} {team.name}"
        _write(
            report,
            Table.TEAMS,
            team.row,
            key,
            services.team_upsert,
            org_unit=units[team.unit_code],
            name=team.name,
            active=team.active,
        )
    teams = {
        team.org_unit.code: team
        for team in LeadershipTeam.objects.select_related("org_unit").filter(
            org_unit__code__in={seat.team_code for seat in plan.seats}
        )
    }
    people = Person.objects.in_bulk({seat.employee_number for seat in plan.seats}, field_name="employee_number")
    # Ended seats first: a person's old seat must be closed before the new one is opened,
    # or the one-open-seat constraint refuses the new one.
    for seat in sorted(plan.seats, key=lambda seat: (seat.end_date is None, seat.row.order)):
        _write(
            report,
            Table.MEMBERSHIPS,
            seat.row,
            f"{seat.employee_number} · {seat.team_code} · {seat.start_date}",
            services.membership_upsert,
            team=teams[seat.team_code],
            person=people[seat.employee_number],
            position=seat.position,
            is_principal=seat.is_principal,
            start_date=seat.start_date,
            end_date=seat.end_date,
        )
    # Report table by table in the file's order, not in the order of writing. A sheet row is in one table only.
    items = [*plan.units, *plan.people, *plan.teams, *plan.seats]
    positions = {(item.row.sheet, item.row.number): item.row.order for item in items}
    tables = list(Table)
    report.rows.sort(key=lambda change: (tables.index(change.table), positions[(change.sheet, change.row)]))
