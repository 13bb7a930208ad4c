"""GET /api/v1/cycles/{id}/results.csv and .xlsx: a cycle's results as files for HR's spreadsheets, one row per
subject × dimension × rater group, k-suppressed, streamed, safe to open in Excel; scope results:read, HR only."""

import codecs
import csv
import io

import openpyxl
import pytest
from rest_framework.test import APIClient

from assessments.api.exports import escape
from assessments.models import CaseSubject, SubjectResult
from assessments.services import cycle_score
from people.models import LeadershipTeam, OrgUnit, Person
from tests.assessments.api import factories
from tests.assessments.helpers import assignment_of, close, fill, login_as, open_case
from tests.integrations.factories import api_client

pytestmark = pytest.mark.django_db

HEADER = [
    "Org unit code",
    "Org unit",
    "Leadership team",
    "Kind",
    "Employee number",
    "Name",
    "Position",
    "Weighted total",
    "Grade",
    "Rank in team",
    "Rank in cycle",
    "Excellent votes",
    "Competent votes",
    "Basically competent votes",
    "Incompetent votes",
    "Votes counted",
    "Removal review",
    "Warning talk",
    "Dimension",
    "Dimension score",
    "Rater group",
    "Valid ballots",
    "Group's dimension score",
    "Hidden (fewer than k raters)",
    "Results version",
]
GROUPS = ["Superiors", "Peers", "Subordinates / employee representatives", "Self"]


def url(cycle, extension: str = "csv") -> str:
    return f"/api/v1/cycles/{cycle.pk}/results.{extension}"


def csv_rows(response) -> list[list[str]]:
    assert response.streaming  # written while read, never built whole in memory
    body = b"".join(response.streaming_content)
    assert body.startswith(codecs.BOM_UTF8)
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))


def xlsx_rows(response) -> list[list]:
    book = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    [sheet] = book.worksheets
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)  # no formula at all
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def test_the_csv_has_a_bom_chinese_readable_headers_and_twelve_rows_a_subject(reader, released):
    cycle, case, (a, *_) = released
    response = reader.get(url(cycle))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == (
        "attachment; filename=\"kaoping-results-2026.csv\"; filename*=UTF-8''2026%20assessment%20results.csv"
    )
    assert response["Cache-Control"] == "private, no-store"
    header, *rows = csv_rows(response)
    assert header == HEADER
    assert len(rows) == 5 * 12  # four members and the team, 3 dimensions × 4 rater groups
    unit, team = case.team.org_unit, case.team
    head = [unit.code, unit.name, team.name, "Team member", a.employee_number, a.name, "经理", "87.14"]
    head += ["Competent (称职)", "1", "1", "0", "7", "0", "0", "7", "No", "No"]
    assert rows[:4] == [
        [*head, "Theory literacy", "87.14", "Superiors", "", "", "No", "1"],
        [*head, "Theory literacy", "87.14", "Peers", "3", "90.0", "No", "1"],
        [*head, "Theory literacy", "87.14", "Subordinates / employee representatives", "4", "85.0", "No", "1"],
        [*head, "Theory literacy", "87.14", "Self", "1", "90.0", "No", "1"],
    ]
    assert [r[18] for r in rows[:12:4]] == ["Theory literacy", "Professional ability", "Responsibility"]
    assert rows[-1][3:6] == ["The team as a whole", "", ""]


def test_headers_and_labels_are_in_chinese_by_default(reader, released):
    cycle, *_ = released
    header, first, *_ = csv_rows(reader.get(url(cycle), HTTP_ACCEPT_LANGUAGE="zh-hans"))
    assert {"工号", "等次", "加权总分", "班子内排名", "测评主体"} <= set(header)
    assert "班子成员" in first and "称职" in first


@pytest.mark.parametrize("extension", ["csv", "xlsx"])
def test_the_rows_are_the_cycles_own_groups_in_its_order(reader, panel_released, extension):
    """A cycle made with the "panel" preset: a row per dimension and group of that cycle, named as the cycle names
    them, and no row for a group it does not have."""
    cycle, case, (a, *_) = panel_released
    response = reader.get(url(cycle, extension), HTTP_ACCEPT_LANGUAGE="zh-hans")
    header, *rows = csv_rows(response) if extension == "csv" else xlsx_rows(response)
    group = header.index("测评主体")
    assert len(rows) == 5 * 3 * 4  # four members and the team, 3 dimensions × 4 groups
    mine = [r for r in rows if r[4] == a.employee_number]
    assert [r[group] for r in mine[:4]] == ["分管领导", "考核组", "职工代表", "自评"]
    assert {r[group] for r in rows} == {"分管领导", "考核组", "职工代表", "自评"}
    stored = SubjectResult.objects.get(subject__case=case, subject__person=a).groups
    valid = [str(stored[g]["n"]) for g in ("leader", "panel", "staff", "self")]
    assert [str(r[group + 1]) for r in mine[:4]] == valid


def test_the_xlsx_holds_the_same_rows_with_numbers_as_numbers(reader, released):
    cycle, _, (a, *_) = released
    response = reader.get(url(cycle, "xlsx"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert "filename*=UTF-8''2026%20assessment%20results.xlsx" in response["Content-Disposition"]
    header, *rows = xlsx_rows(response)
    assert header == HEADER and len(rows) == 60
    assert rows[1][4:11] == [a.employee_number, a.name, "经理", 87.14, "Competent (称职)", 1, 1]
    assert rows[1][19:] == [87.14, "Peers", 3, 90.0, "No", 1]
    assert rows[0][21:23] == [None, None]  # no superiors: empty, not zero


@pytest.fixture
def hostile_names():
    """A scored cycle whose org data was imported from a file someone tampered with."""
    cycle, case, (a, b, c), _, codes = open_case(members=3, superiors=0, codes=3)
    for p in (a, b, c):
        fill(assignment=assignment_of(case, p), scores={a: 9, b: 7, c: 8, "team": 8})
    for code in codes:
        fill(code=code, scores={a: 8, b: 6, c: 7, "team": 7})
    cycle_score(cycle=close(cycle))
    Person.objects.filter(pk=a.pk).update(name='=HYPERLINK("http://evil.example","点我")')
    Person.objects.filter(pk=b.pk).update(name="@SUM(A1:A9)", employee_number="-2+3")
    CaseSubject.objects.filter(case=case, person=c).update(position="+副经理")
    LeadershipTeam.objects.filter(pk=case.team_id).update(name="\t=1+1")
    OrgUnit.objects.filter(pk=case.team.org_unit_id).update(name="\r=cmd|' /C calc'!A0")
    return cycle


@pytest.mark.parametrize("extension", ["csv", "xlsx"])
def test_text_that_a_spreadsheet_would_run_as_a_formula_is_quoted(reader, hostile_names, extension):
    response = reader.get(url(hostile_names, extension))
    _, *rows = csv_rows(response) if extension == "csv" else xlsx_rows(response)
    cells = {value for row in rows for value in row[:7]}
    assert {
        '\'=HYPERLINK("http://evil.example","点我")',
        "'@SUM(A1:A9)",
        "'-2+3",
        "'+副经理",
        "'\t=1+1",
    } <= cells
    assert {"'\r=cmd|' /C calc'!A0", "'\n=cmd|' /C calc'!A0"} & cells  # XML reads a lone \r back as \n
    starts = ("=", "+", "-", "@", "\t", "\r")
    assert not any(isinstance(v, str) and v.startswith(starts) for row in rows for v in row)


def test_escaping_leaves_plain_text_alone():
    assert [escape(v) for v in ("张三", "E001", "'=1", "", "1-2")] == ["张三", "E001", "'=1", "", "1-2"]
    assert [escape(v) for v in ("=1", "+1", "-1", "@x", "\tx", "\rx")] == ["'=1", "'+1", "'-1", "'@x", "'\tx", "'\rx"]


def test_hidden_figures_are_empty_cells_in_the_export_too(reader):
    """Two members only: fewer than k raters in all. Their stored figures must not leak into the file."""
    cycle, case, (a, b), _, _ = open_case(members=2, superiors=0, min_group_size=3, void_if_all_max=False)
    for p in (a, b):
        fill(assignment=assignment_of(case, p), scores={a: 10, b: 10, "team": 9}, votes={a: "incompetent"})
    cycle_score(cycle=close(cycle))
    assert SubjectResult.objects.get(subject__person=a).grade == "excellent"
    _, *rows = csv_rows(reader.get(url(cycle)))
    mine = [r for r in rows if r[4] == a.employee_number]
    assert len(mine) == 12
    for row in mine:
        assert row[7:18] == [""] * 11  # total, grade, ranks, votes, flags
        assert row[19] == ""  # the weighted dimension score
        if row[20] == "Self":
            assert row[21:24] == ["1", "100.0", "No"]  # their own self-evaluation
        else:
            assert row[21:24] == ["", "", "Yes"]


def test_a_cycle_without_results_exports_just_the_header(reader):
    cycle, *_ = open_case(members=2, superiors=0)
    assert csv_rows(reader.get(url(cycle))) == [HEADER]


def test_the_export_reads_in_bulk_in_the_order_of_the_org_units(reader):
    made = factories.results(12, per_case=3)
    _, *rows = csv_rows(reader.get(url(made[0].cycle)))
    assert len(rows) == 12 * 12
    units = [r[0] for r in rows]
    assert units == sorted(units)


@pytest.mark.parametrize("extension", ["csv", "xlsx"])
def test_a_key_without_results_read_gets_403(released, extension):
    cycle, *_ = released
    response = api_client("cycles:read", "cycles:write").get(url(cycle, extension))
    assert response.status_code == 403 and response["Content-Type"] == "application/json"


@pytest.mark.parametrize("extension", ["csv", "xlsx"])
def test_exports_are_for_hr_only(released, client, extension):
    cycle, _, (principal, *_) = released
    session = APIClient()
    session.force_login(login_as(client, principal))
    assert session.get(url(cycle, extension)).status_code == 403


@pytest.mark.parametrize("extension", ["csv", "xlsx"])
def test_an_unknown_cycle_is_404_in_json_even_when_a_file_is_asked_for(reader, extension):
    response = reader.get(f"/api/v1/cycles/999999/results.{extension}", HTTP_ACCEPT="text/csv")
    assert response.status_code == 404 and response.json()["errors"][0]["code"] == "not_found"
