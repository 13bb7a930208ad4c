"""Turn an uploaded CSV or XLSX file into sheets of raw cells, and read dates and yes/no out of cells.

This module knows file formats and the habits of the offices that produce them (GBK text, Excel
dates, full-width spaces); it knows nothing about the organisation. `people.importers` does.
"""

import codecs
import csv
import datetime as dt
import io
import re
import zipfile
from dataclasses import dataclass
from pathlib import PurePath
from typing import BinaryIO

import openpyxl
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from openpyxl.utils.datetime import from_excel

Cell = str | int | float | bool | dt.date | dt.datetime | dt.time | None

_ZIP_MAGIC = b"PK\x03\x04"
# Excel 97-2003 files, and password-protected .xlsx files, are OLE compound documents.
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
# XLSX is zipped XML and usually shrinks 5-20 times; refuse a zip that would expand far past the upload limit.
_MAX_UNPACKED_RATIO = 50
_EDGE_SPACE = re.compile(r"^[\s\u200b\ufeff]+|[\s\u200b\ufeff]+$")
_DATE = re.compile(
    r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?"
)
_COMPACT_DATE = re.compile(r"(\d{4})(\d{2})(\d{2})")
_TRUE = frozenset({"是", "在职", "有效", "启用", "正常", "1", "true", "yes", "y", "√", "✓"})
_FALSE = frozenset({"否", "离职", "无效", "停用", "0", "false", "no", "n", "×", "✗"})


class UnreadableFile(Exception):
    """The upload as a whole cannot be read; the message is meant for the person who uploaded it."""


@dataclass(frozen=True)
class Sheet:
    name: str
    # (row number as the spreadsheet shows it, cells); rows keep their numbers even when blank ones are dropped.
    rows: list[tuple[int, list[Cell]]]


def read_sheets(*, file: BinaryIO, filename: str, max_bytes: int) -> list[Sheet]:
    """Read every sheet of an XLSX workbook, or the one table of a CSV file."""
    # Read one byte past the limit so an oversize file is recognised without reading all of it.
    data = file.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise UnreadableFile(_("The file is larger than %(limit)s.") % {"limit": filesizeformat(max_bytes)})
    if not data.strip():
        raise UnreadableFile(_("The file is empty."))
    suffix = PurePath(filename).suffix.lower()
    if suffix not in {".csv", ".xlsx", ".xlsm", ".xls"}:
        raise UnreadableFile(_("Unsupported file type. Upload a .csv or .xlsx file."))
    # Go by the content as well as the name: people rename files, but renaming does not convert them.
    if data.startswith(_ZIP_MAGIC):
        return _read_xlsx(data, max_bytes=max_bytes)
    if data.startswith(_OLE_MAGIC) or suffix == ".xls":
        raise UnreadableFile(
            _(
                "This is an old-format (.xls) or password-protected Excel file. "
                "Save it as .xlsx without a password, or as CSV."
            )
        )
    if suffix in {".xlsx", ".xlsm"}:
        raise UnreadableFile(_("The file is not a valid XLSX workbook; it may be damaged."))
    return [_read_csv(data, name=PurePath(filename).name)]


def _read_xlsx(data: bytes, *, max_bytes: int) -> list[Sheet]:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
    except zipfile.BadZipFile as exc:
        raise UnreadableFile(_("The file is not a valid XLSX workbook; it may be damaged.")) from exc
    if unpacked > max_bytes * _MAX_UNPACKED_RATIO:
        raise UnreadableFile(_("The workbook is too large once unpacked."))
    try:
        # data_only: a formula cell gives the value Excel last computed, which is what the user saw.
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        try:
            sheets = []
            for worksheet in workbook.worksheets:
                # Some exporters write a wrong dimension, which makes read-only mode cut rows short.
                worksheet.reset_dimensions()
                # Read-only mode yields an empty tuple for each missing row, so counting from 1 gives row numbers.
                rows = [
                    (number, list(cells))
                    for number, cells in enumerate(worksheet.iter_rows(values_only=True), start=1)
                    if any(cell is not None for cell in cells)
                ]
                sheets.append(Sheet(name=worksheet.title, rows=rows))
        finally:
            workbook.close()
    except Exception as exc:  # openpyxl raises a wide variety of errors on damaged files.
        raise UnreadableFile(_("The file is not a valid XLSX workbook; it may be damaged.")) from exc
    return sheets


def _read_csv(data: bytes, *, name: str) -> Sheet:
    text = _decode(data)
    lines = [line for line in text.splitlines() if line.strip()]
    first_line = lines[0] if lines else ""
    # NULs on most lines, or in the header, mean a binary or UTF-16 file under a .csv name. A stray one in a
    # cell is that row's problem, reported with the row by the control-character rule.
    if "\x00" in first_line or 2 * sum("\x00" in line for line in lines) > len(lines):
        raise UnreadableFile(_("The file does not look like a CSV text file."))
    # Excel's "Unicode text" export is tab-separated and some regional settings use semicolons.
    delimiter = max([",", "\t", ";"], key=first_line.count)
    try:
        records = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    except csv.Error as exc:
        raise UnreadableFile(_("The CSV file could not be read: %(error)s") % {"error": exc}) from exc
    # A CSV record is one spreadsheet row even when a quoted cell spans several lines.
    rows = [(number, list(cells)) for number, cells in enumerate(records, start=1) if any(map(cell_text, cells))]
    return Sheet(name=name, rows=rows)


def _decode(data: bytes) -> str:
    # Excel's "Unicode text" export is UTF-16 with a BOM; GB18030 would decode it into nonsense.
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            pass
    # UTF-8 first: valid UTF-8 Chinese is almost never valid-looking GBK by accident, the reverse is not true.
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise UnreadableFile(_("The file's text encoding is not recognised. Save it as UTF-8 or GBK CSV."))


def cell_text(value: Cell) -> str:
    """A cell as trimmed text; numbers Excel stored as floats (工号 10023.0) read as they were typed."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(sep=" ")
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    return _EDGE_SPACE.sub("", str(value))


def parse_date(value: Cell) -> dt.date:
    """2024-01-05, 2024/1/5, 2024.01.05, 2024年1月5日, 20240105 or a real Excel date; ValueError otherwise."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        if 19000101 <= value <= 29991231:
            value = cell_text(value)
        elif 1 <= value < 2958466:  # An Excel serial day number from a cell without a date format.
            return from_excel(value).date()
        else:
            raise ValueError(value)
    text = cell_text(value)
    match = _DATE.fullmatch(text) or _COMPACT_DATE.fullmatch(text)
    if match is None:
        raise ValueError(text)
    year, month, day = (int(part) for part in match.groups())
    return dt.date(year, month, day)


def parse_bool(value: Cell) -> bool:
    """是/否, 在职/离职, 1/0, true/false, yes/no or an Excel boolean; ValueError otherwise."""
    if isinstance(value, bool):
        return value
    text = cell_text(value).lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise ValueError(text)
