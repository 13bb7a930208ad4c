"""A cycle's results as CSV or XLSX, for HR's spreadsheets.

One row per subject × dimension × rater group of the cycle (3 dimensions × the 4 groups of the standard preset:
12 rows a subject), each group under the name the cycle gives it, in long form so that a pivot table or a filter
in Excel takes it as it is; the subject's own figures (total, grade, ranks, votes, flags) repeat on each of its
rows so that every row stands alone. Every figure comes through the k-suppressing selector, as on every other
surface: hidden figures are empty cells.

Memory stays flat in the number of rows: the CSV is written while the rows are read (one server-side cursor),
the XLSX through openpyxl's write-only workbook into a temporary file that is then streamed."""

import codecs
import csv
import io
import tempfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from urllib.parse import quote

from django.http import FileResponse, HttpResponseBase, StreamingHttpResponse
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font

from .. import selectors
from ..models import SELF, CaseSubject, Cycle, Grade, SubjectResult
from ..selectors import VisibleResult

CSV = "text/csv"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# A cell that starts like this is a formula to Excel and LibreOffice, even in a CSV file (OWASP's list).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
CSV_CHUNK = 64 * 1024  # characters per piece sent: few writes, flat memory


def escape(value: str) -> str:
    """Text that a spreadsheet would run as a formula, quoted so it shows as the text it is. Figures are
    written as numbers and never pass here, so a negative number stays a number."""
    return "'" + value if value.startswith(FORMULA_STARTS) else value


def _xlsx_text(value: str) -> str:
    # openpyxl refuses the control characters XML cannot hold; a name imported with one must not stop the export.
    return escape(ILLEGAL_CHARACTERS_RE.sub("", value))


def _verbose(model, field: str) -> str:
    return capfirst(model._meta.get_field(field).verbose_name)


@dataclass(frozen=True)
class _Labels:
    """Every translated text of the file, taken while the request's language is active: the rows are written
    after the view has returned."""

    text: Callable[[str], str]  # what every text cell goes through: the escape the format needs
    header: list[str]
    dimensions: list[tuple[str, str]]  # (code, label) in the framework's order
    groups: list[tuple[str, str, bool]]  # (code, name, counts in the total) in the cycle's order
    kinds: dict[str, str]
    grades: dict[str, str]
    yes: str
    no: str

    @classmethod
    def of(cls, cycle: Cycle, text: Callable[[str], str]) -> "_Labels":
        header = [
            _("Org unit code"),
            capfirst(_("org unit")),
            capfirst(_("leadership team")),
            _verbose(CaseSubject, "kind"),
            capfirst(_("employee number")),
            _("Name"),
            _verbose(CaseSubject, "position"),
            _verbose(SubjectResult, "total"),
            _verbose(SubjectResult, "grade"),
            _verbose(SubjectResult, "rank_in_team"),
            _verbose(SubjectResult, "rank_in_cycle"),
            _("Excellent votes"),
            _("Competent votes"),
            _("Basically competent votes"),
            _("Incompetent votes"),
            _verbose(SubjectResult, "votes_total"),
            _verbose(SubjectResult, "flag_removal_review"),
            _verbose(SubjectResult, "flag_warning_talk"),
            capfirst(_("dimension")),
            _("Dimension score"),
            capfirst(_("rater group")),
            _verbose(SubjectResult, "ballots_valid"),
            _("Group's dimension score"),
            _("Hidden (fewer than k raters)"),
            _verbose(Cycle, "results_version"),
        ]
        return cls(
            text=text,
            header=[text(str(h)) for h in header],
            dimensions=[(d.code, text(d.label)) for d in cycle.framework.dimensions.order_by("order", "id")],
            groups=[(g.code, text(g.name), g.counted) for g in cycle.groups],
            kinds={k: text(str(label)) for k, label in CaseSubject.Kind.choices},
            grades={g: text(str(label)) for g, label in Grade.choices},
            yes=text(_("Yes")),
            no=text(_("No")),
        )


def _rows(results: Iterable[VisibleResult], labels: _Labels) -> Iterator[list[list]]:
    """Each subject's rows, together: a list of rows per subject."""
    text, yes, no = labels.text, labels.yes, labels.no
    for visible in results:
        subject = visible.subject
        team = subject.case.team
        unit = team.org_unit
        person = subject.person
        votes = visible.votes or {}
        flags = visible.flags
        head = [
            text(unit.code),
            text(unit.name),
            text(team.name),
            labels.kinds[subject.kind],
            text(person.employee_number) if person else "",
            text(person.name) if person else "",
            text(subject.position),
            visible.total,
            labels.grades.get(visible.grade, ""),
            visible.rank_in_team,
            visible.rank_in_cycle,
            votes.get("excellent"),
            votes.get("competent"),
            votes.get("basic"),
            votes.get("incompetent"),
            votes.get("total"),
            (yes if flags["removal_review"] else no) if flags else "",
            (yes if flags["warning_talk"] else no) if flags else "",
        ]
        rows = []
        for code, dimension in labels.dimensions:
            score = visible.dimensions.get(code)
            for group, group_label, counted in labels.groups:
                shown = visible.groups.get(group)
                # The weighted groups are hidden all together. A self group is shown only to whom it may be (a
                # member's to that member and HR, a team's from k ballots), and a group beside the total from its
                # k: otherwise it is marked not shown, whether or not there was one, so the mark says nothing either.
                hidden = visible.suppressed_groups if counted and group != SELF else shown is None
                rows.append(
                    [
                        *head,
                        dimension,
                        score,
                        group_label,
                        shown["n"] if shown else None,
                        shown["dimensions"].get(code) if shown else None,
                        yes if hidden else no,
                        visible.version,
                    ]
                )
        yield rows


def _csv(labels: _Labels, results: Iterable[VisibleResult]) -> Iterator[bytes]:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(labels.header)
    # The BOM is what makes Excel read the file as UTF-8: without it the Chinese headers come out garbled.
    yield codecs.BOM_UTF8 + buffer.getvalue().encode()
    buffer.seek(0)
    buffer.truncate()
    for rows in _rows(results, labels):
        writer.writerows(rows)
        if buffer.tell() >= CSV_CHUNK:
            yield buffer.getvalue().encode()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue().encode()


def _xlsx(cycle: Cycle, labels: _Labels, results: Iterable[VisibleResult]) -> io.BufferedRandom:
    """The workbook in an anonymous temporary file (gone once closed), positioned at its start."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=str(cycle.year))
    sheet.freeze_panes = "A2"
    bold = Font(bold=True)
    header = []
    for title in labels.header:
        cell = WriteOnlyCell(sheet, value=title)
        cell.font = bold
        header.append(cell)
    sheet.append(header)
    for rows in _rows(results, labels):
        for row in rows:
            sheet.append(row)
    file = tempfile.TemporaryFile()  # noqa: SIM115 - FileResponse closes it once sent
    workbook.save(file)
    file.seek(0)
    return file


def _disposition(cycle: Cycle, extension: str) -> str:
    """An ASCII name for old clients, and the Chinese one in RFC 5987 form for the rest."""
    name = _("%(year)s assessment results") % {"year": cycle.year}
    return (
        f'attachment; filename="kaoping-results-{cycle.year}.{extension}"; '
        f"filename*=UTF-8''{quote(f'{name}.{extension}')}"
    )


def results_response(*, cycle: Cycle, viewer, file_format: str) -> HttpResponseBase:
    """The file response for a cycle's results as the viewer may see them, in `csv` or `xlsx`."""
    results = selectors.visible_results_for_cycle(viewer=viewer, cycle=cycle)
    if file_format == "csv":
        response = StreamingHttpResponse(_csv(_Labels.of(cycle, escape), results), content_type=f"{CSV}; charset=utf-8")
    else:
        response = FileResponse(_xlsx(cycle, _Labels.of(cycle, _xlsx_text), results), content_type=XLSX)
    response["Content-Disposition"] = _disposition(cycle, file_format)
    response["Cache-Control"] = "private, no-store"
    return response
