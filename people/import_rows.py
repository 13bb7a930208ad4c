"""From sheets to rows: which table a sheet holds, which column is which field, and one row's cells.

Offices write headers in Chinese or English, with aliases, title rows above them and pre-numbered
blank rows below; this module finds the header and hands on each data row with its row number.
"""

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.db import models
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.text import control_character_message, refused_character

from .spreadsheets import Cell, Sheet, cell_text, parse_bool, parse_date


class Table(models.TextChoices):
    # In the order they are applied: each table refers only to the ones above it.
    ORG_UNITS = "org_units", gettext_lazy("Org units")
    PEOPLE = "people", gettext_lazy("People")
    TEAMS = "teams", gettext_lazy("Leadership teams")
    MEMBERSHIPS = "memberships", gettext_lazy("Memberships")


@dataclass(frozen=True)
class RowError:
    sheet: str  # the sheet's name, or the CSV file's name; "" when the whole file is unreadable
    row: int | None  # as the spreadsheet numbers it (header = 1); None for the whole file or sheet
    field: str  # the column header as written in the file; "" for the whole row
    message: str

    def __str__(self) -> str:
        row = _("row %(row)d") % {"row": self.row} if self.row else ""
        where = ", ".join(part for part in (self.sheet, row, self.field) if part)
        return f"{where}: {self.message}" if where else self.message


# --- Headers -----------------------------------------------------------------------------------

_ACTIVE = ("在职", "状态", "是否有效", "有效", "启用", "active")
_EMPLOYEE_NUMBER = ("工号", "员工编号", "职工编号", "employee_number", "employee_no")
# Per table, each field's header aliases; when a sheet has several, the one listed first wins
# (a people sheet often has both 职务 and 职称, or both 单位编码 and 单位).
_COLUMNS: dict[Table, dict[str, tuple[str, ...]]] = {
    Table.ORG_UNITS: {
        "code": ("单位编码", "编码", "code", "unit_code"),
        "name": ("单位名称", "名称", "name"),
        "kind": ("单位类型", "类型", "kind", "type"),
        "parent_code": ("上级单位编码", "上级编码", "parent_code", "parent"),
        "active": _ACTIVE,
    },
    Table.PEOPLE: {
        "employee_number": _EMPLOYEE_NUMBER,
        "name": ("姓名", "name"),
        "gender": ("性别", "gender", "sex"),
        "org_unit": ("单位编码", "所在单位", "单位", "org_unit", "unit"),
        "title": ("职务", "职称", "title"),
        "party": ("政治面貌", "party"),
        "email": ("邮箱", "电子邮箱", "email"),
        "active": _ACTIVE,
    },
    Table.TEAMS: {
        "org_unit": ("单位编码", "单位", "org_unit", "unit"),
        "name": ("班子名称", "team_name"),
        "active": _ACTIVE,
    },
    Table.MEMBERSHIPS: {
        "employee_number": _EMPLOYEE_NUMBER,
        # Only checked against the person the number belongs to: catches a mistyped 工号.
        "person_name": ("姓名", "name"),
        "team": ("班子单位编码", "班子", "team"),
        "position": ("班子职务", "任职职务", "position"),
        "is_principal": ("主要负责人", "是否主要负责人", "principal", "is_principal"),
        "start_date": ("任职开始日期", "开始日期", "start_date"),
        "end_date": ("任职结束日期", "结束日期", "end_date"),
    },
}
_REQUIRED: dict[Table, tuple[str, ...]] = {
    Table.ORG_UNITS: ("code", "name"),
    Table.PEOPLE: ("employee_number", "name", "org_unit"),
    Table.TEAMS: ("org_unit", "name"),
    Table.MEMBERSHIPS: ("employee_number", "team", "position", "start_date"),
}
# Tried in this order, most specific first: a people sheet also has the columns of an org unit sheet.
_DETECTION_ORDER = (Table.MEMBERSHIPS, Table.PEOPLE, Table.TEAMS, Table.ORG_UNITS)
# Offices put a title row or two above the header; look a little way down for it.
_HEADER_SEARCH_ROWS = 10
# Ignored in headers: spacing, required-field stars, colons and remarks in brackets, as in 工号（必填）.
_HEADER_NOISE = re.compile(r"[(（][^)）]*[)）]|[\s_\-*＊:：]")


def _header_key(value: Cell) -> str:
    return _HEADER_NOISE.sub("", cell_text(value)).lower()


_ALIAS_RANKS: dict[Table, dict[str, dict[str, int]]] = {
    table: {name: {_header_key(alias): rank for rank, alias in enumerate(aliases)} for name, aliases in fields.items()}
    for table, fields in _COLUMNS.items()
}


def _columns(header: list[Cell], table: Table) -> dict[str, int]:
    """The fields of `table` found in a header row, each with its column index."""
    found: dict[str, tuple[int, int]] = {}
    for column, cell in enumerate(header):
        key = _header_key(cell)
        for name, ranks in _ALIAS_RANKS[table].items():
            rank = ranks.get(key)
            if rank is not None and (name not in found or rank < found[name][0]):
                found[name] = (rank, column)
    return {name: column for name, (_rank, column) in found.items()}


# --- Rows ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SheetRow:
    sheet: str
    number: int
    order: int  # position in the whole file, to list changes in file order
    cells: dict[str, Cell]  # only the fields whose columns the sheet has
    headers: dict[str, str]  # field -> header as written, for messages


def rows_by_table(sheets: list[Sheet], *, kind: Table | None, errors: list[RowError]) -> dict[Table, list[SheetRow]]:
    rows: dict[Table, list[SheetRow]] = {table: [] for table in Table}
    order = 0
    for sheet in sheets:
        if not sheet.rows:
            continue  # Workbooks come with empty Sheet2 and Sheet3.
        found = _find_header(sheet, kind)
        if found is None:
            errors.append(RowError(sheet=sheet.name, row=None, field="", message=_unrecognised_header(sheet, kind)))
            continue
        table, position, columns = found
        header = sheet.rows[position][1]
        headers = {name: cell_text(header[column]) for name, column in columns.items()}
        for number, cells in sheet.rows[position + 1 :]:
            values = {name: cells[column] if column < len(cells) else None for name, column in columns.items()}
            # Templates come pre-numbered (序号) far below the last real row: skip rows with none of our columns.
            if all(cell_text(value) == "" for value in values.values()):
                continue
            if _refuse_control_characters(sheet.name, number, values, headers, errors):
                continue  # the row is reported; its text must reach no check, query or message
            order += 1
            rows[table].append(SheetRow(sheet=sheet.name, number=number, order=order, cells=values, headers=headers))
    if not any(sheet.rows for sheet in sheets):
        errors.append(RowError(sheet="", row=None, field="", message=_("The file is empty.")))
    return rows


def _refuse_control_characters(
    sheet: str, number: int, values: dict[str, Cell], headers: dict[str, str], errors: list[RowError]
) -> bool:
    refused = False
    for name, value in values.items():
        character = refused_character(value) if isinstance(value, str) else None
        if character is not None:
            header = headers[name]
            errors.append(RowError(sheet, number, header, control_character_message(header, character)))
            refused = True
    return refused


def _find_header(sheet: Sheet, kind: Table | None) -> tuple[Table, int, dict[str, int]] | None:
    for position, (_number, cells) in enumerate(sheet.rows[:_HEADER_SEARCH_ROWS]):
        for table in (kind,) if kind else _DETECTION_ORDER:
            columns = _columns(cells, table)
            if all(name in columns for name in _REQUIRED[table]):
                return table, position, columns
    return None


def _unrecognised_header(sheet: Sheet, kind: Table | None) -> str:
    # Name the table the header came closest to, and what it lacks: more useful than "not recognised".
    best: tuple[int, Table, dict[str, int]] | None = None
    for _number, cells in sheet.rows[:_HEADER_SEARCH_ROWS]:
        for table in (kind,) if kind else _DETECTION_ORDER:
            columns = _columns(cells, table)
            score = sum(name in columns for name in _REQUIRED[table])
            if (score or kind) and (best is None or score > best[0]):
                best = (score, table, columns)
    if best is None:
        return _("No header row was recognised. Expected columns such as 单位编码, 工号, 班子名称 or 班子职务.")
    _score, table, columns = best
    missing = [f"{_COLUMNS[table][name][0]} / {name}" for name in _REQUIRED[table] if name not in columns]
    return _("The header row does not have all the columns for %(table)s; missing: %(columns)s.") % {
        "table": table.label,
        "columns": ", ".join(missing),
    }


# --- One row's cells --------------------------------------------------------------------------


class Cells:
    """One data row's cells by field; each problem is recorded against the row's sheet and number."""

    def __init__(self, row: SheetRow, errors: list[RowError]) -> None:
        self.row = row
        self.errors = errors

    def has(self, name: str) -> bool:
        return name in self.row.cells

    def error(self, name: str, message: str) -> None:
        header = self.row.headers.get(name, "")
        self.errors.append(RowError(sheet=self.row.sheet, row=self.row.number, field=header, message=message))

    def text(self, name: str, *, required: bool = False, max_length: int | None = None) -> str:
        value = cell_text(self.row.cells.get(name))
        if required and not value:
            self.error(name, _("This field is required."))
        elif max_length is not None:
            try:
                MaxLengthValidator(max_length)(value)
            except ValidationError as exc:
                self.error(name, " ".join(exc.messages))
        return value

    def choice(self, name: str, lookup: Callable[[str], str | None], message: str) -> str | None:
        """The choice value for the cell, None when it is blank or not recognised (then recorded)."""
        text = self.text(name)
        if not text:
            return None
        value = lookup(text)
        if value is None:
            self.error(name, message % {"value": text})
        return value

    def boolean(self, name: str) -> bool | None:
        cell = self.row.cells.get(name)
        if cell_text(cell) == "":
            return None
        try:
            return parse_bool(cell)
        except ValueError:
            self.error(name, _("“%(value)s” is not a yes/no value; use 是 or 否.") % {"value": cell_text(cell)})
            return None

    def date(self, name: str, *, required: bool = False) -> dt.date | None:
        cell = self.row.cells.get(name)
        if cell_text(cell) == "":
            if required:
                self.error(name, _("This field is required."))
            return None
        try:
            return parse_date(cell)
        except (ValueError, OverflowError):
            self.error(name, _("“%(value)s” is not a date; write it like 2024-01-05.") % {"value": cell_text(cell)})
            return None


def row_label(row: SheetRow) -> str:
    return _("%(sheet)s row %(row)d") % {"sheet": row.sheet, "row": row.number}
