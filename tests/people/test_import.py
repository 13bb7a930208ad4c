"""Importing the organisation from the CSV and XLSX files HR offices send."""

import datetime as dt
import io
from collections.abc import Callable

import pytest

from people.importers import Action, ImportReport, RowError, Table, import_file
from people.models import LeadershipTeam, Membership, OrgUnit, Person

from .factories import MembershipFactory, OrgUnitFactory, PersonFactory, TeamFactory
from .helpers import PEOPLE_HEADER, UNITS_HEADER, Rows, csv_file, organisation, xlsx_file

pytestmark = pytest.mark.django_db


def run(sheets: dict[str, Rows], *, dry_run: bool = False) -> ImportReport:
    return import_file(file=xlsx_file(sheets), filename="组织.xlsx", dry_run=dry_run)


def counts(report: ImportReport) -> dict[str, dict[str, int]]:
    return {
        table.value: {action.value: n for action, n in actions.items()} for table, actions in report.changes.items()
    }


def nothing_written() -> bool:
    return not (OrgUnit.objects.exists() or Person.objects.exists() or LeadershipTeam.objects.exists())


# --- Reading the files offices send --------------------------------------------------------------


def test_a_utf8_bom_csv_with_chinese_headers_creates_units_whose_parent_comes_later():
    file = csv_file(organisation()["单位"], encoding="utf-8-sig")

    report = import_file(file=file, filename="units.csv", dry_run=False)

    assert report.ok, report.errors
    assert counts(report)["org_units"] == {"created": 3, "updated": 0, "unchanged": 0}
    plant = OrgUnit.objects.get(code="C01")
    assert (plant.name, plant.kind, plant.parent.code) == ("第三采油厂", OrgUnit.Kind.PLANT, "HQ")
    assert OrgUnit.objects.get(code="C01-01").parent == plant
    assert OrgUnit.objects.get(code="HQ").parent is None


def test_a_gbk_csv_is_read():
    OrgUnitFactory(code="C01", name="第三采油厂")
    file = csv_file(organisation()["人员"][:2], encoding="gbk")

    report = import_file(file=file, filename="人员.csv", dry_run=False)

    assert report.ok, report.errors
    person = Person.objects.get(employee_number="10001")
    assert (person.name, person.gender, person.party, person.title) == ("张三", "male", "cpc", "厂长")


def test_excels_unicode_text_export_is_read():
    OrgUnitFactory(code="C01")
    text = "工号\t姓名\t单位编码\r\n10001\t张三\tC01\r\n"

    report = import_file(file=io.BytesIO(text.encode("utf-16")), filename="people.csv", dry_run=False)

    assert report.ok, report.errors
    assert Person.objects.get(employee_number="10001").name == "张三"


def test_a_utf8_csv_without_bom_is_read():
    OrgUnitFactory(code="C01")
    file = csv_file([["工号", "姓名", "单位编码"], ["10001", "张三", "C01"]], encoding="utf-8")

    report = import_file(file=file, filename="people.csv", dry_run=False)

    assert report.ok, report.errors
    assert Person.objects.get(employee_number="10001").name == "张三"


def test_an_xlsx_workbook_with_all_four_sheets_builds_the_whole_organisation():
    sheets = organisation()
    # Sheet order in the workbook does not matter: tables are applied units → people → teams → memberships.
    reordered = {name: sheets[name] for name in ("班子成员", "班子", "人员", "单位")}

    report = run(reordered)

    assert report.ok, report.errors
    assert counts(report) == {
        "org_units": {"created": 3, "updated": 0, "unchanged": 0},
        "people": {"created": 3, "updated": 0, "unchanged": 0},
        "teams": {"created": 2, "updated": 0, "unchanged": 0},
        "memberships": {"created": 4, "updated": 0, "unchanged": 0},
    }
    li = Person.objects.get(employee_number="10002")
    assert li.org_unit.code == "C01-01"
    assert Person.objects.get(employee_number="10003").party == Person.Party.OTHER_PARTY
    team = LeadershipTeam.objects.get(org_unit__code="C01")
    assert team.name == "第三采油厂领导班子"
    seats = {
        (m.person.employee_number, m.position, m.is_principal, m.start_date, m.end_date)
        for m in Membership.objects.filter(team=team)
    }
    assert seats == {
        ("10001", "厂长", True, dt.date(2024, 1, 5), None),
        ("10002", "副厂长", False, dt.date(2023, 3, 1), dt.date(2024, 1, 4)),
        ("10003", "副厂长", False, dt.date(2024, 1, 5), None),
    }


def test_english_headers_are_recognised():
    rows = [
        ["Code", "Name", "Kind", "Parent Code"],
        ["HQ", "Oilfield Company", "company", ""],
        ["D1", "Finance", "department", "HQ"],
    ]
    people = [
        ["employee_number", "name", "gender", "org_unit", "title", "party", "email", "active"],
        ["E1", "Li Na", "female", "D1", "Head", "cpc", "li@example.com", "true"],
    ]

    report = run({"Units": rows, "People": people})

    assert report.ok, report.errors
    person = Person.objects.get(employee_number="E1")
    assert (person.name, person.gender, person.org_unit.code, person.email) == (
        "Li Na",
        "female",
        "D1",
        "li@example.com",
    )


def test_a_title_row_above_the_header_is_skipped_and_row_numbers_stay_the_spreadsheets():
    sheet = [["第三采油厂人员名册"], *organisation()["人员"][:2], ["10009", "", "男", "C01"]]
    OrgUnitFactory(code="C01")

    report = run({"人员": sheet})

    assert report.errors == [RowError(sheet="人员", row=4, field="姓名", message="This field is required.")]


def test_headers_may_carry_remarks_stars_and_spaces():
    OrgUnitFactory(code="C01")
    rows = [["*工号（必填）", "姓 名", "单位编码:"], ["10001", "张三", "C01"]]

    report = run({"人员": rows})

    assert report.ok, report.errors
    assert Person.objects.filter(employee_number="10001").exists()


def test_an_unrecognised_sheet_is_reported_and_nothing_is_written():
    sheets = organisation()
    sheets["说明"] = [["填表说明"], ["请按模板填写"]]

    report = run(sheets)

    assert report.errors == [
        RowError(
            "说明",
            None,
            "",
            "No header row was recognised. Expected columns such as 单位编码, 工号, 班子名称 or 班子职务.",
        )
    ]
    assert nothing_written()


def test_full_width_and_edge_spaces_are_trimmed():
    OrgUnitFactory(code="C01")
    rows = [["工号", "姓名", "单位编码", "职务"], ["\u300010001 ", " 王\u3000五\u3000", "C01\u3000", "\u3000副厂长 "]]

    report = run({"人员": rows})

    assert report.ok, report.errors
    person = Person.objects.get(employee_number="10001")
    assert (person.name, person.title) == ("王五", "副厂长")


def test_an_employee_number_excel_stored_as_a_number_reads_as_typed():
    OrgUnitFactory(code="C01")

    report = run({"人员": [["工号", "姓名", "单位编码"], [10001, "张三", "C01"], [10002.0, "李四", "C01"]]})

    assert report.ok, report.errors
    assert set(Person.objects.values_list("employee_number", flat=True)) == {"10001", "10002"}


@pytest.mark.parametrize(
    "written",
    ["2024-01-05", "2024/1/5", "2024.01.05", "2024年1月5日", "2024-01-05 00:00:00", dt.datetime(2024, 1, 5)],
)
def test_a_start_date_is_read_in_every_form_offices_write_it(written):
    MembershipFactory.reset_sequence()
    team = TeamFactory(org_unit__code="C01")
    PersonFactory(employee_number="10001", name="张三", org_unit=team.org_unit)
    rows = [["工号", "班子单位编码", "班子职务", "任职开始日期"], ["10001", "C01", "厂长", written]]

    report = run({"班子成员": rows})

    assert report.ok, report.errors
    assert Membership.objects.get().start_date == dt.date(2024, 1, 5)


def test_a_sheet_can_be_read_as_a_given_table():
    rows = [["单位编码", "单位名称", "班子名称"], ["C01", "第三采油厂", "备注"]]

    report = import_file(file=csv_file(rows), filename="units.csv", dry_run=False, kind="org_units")

    assert report.ok, report.errors
    assert OrgUnit.objects.get(code="C01").name == "第三采油厂"
    assert not LeadershipTeam.objects.exists()


def test_empty_sheets_and_pre_numbered_blank_rows_are_skipped():
    OrgUnitFactory(code="C01")
    rows = [["序号", "工号", "姓名", "单位编码"], [1, "10001", "张三", "C01"], [2, None, None, None], [3, "", "", ""]]

    report = run({"人员": rows, "Sheet2": []})

    assert report.ok, report.errors
    assert counts(report)["people"]["created"] == 1


# --- Dry runs and repeated runs ------------------------------------------------------------------


def test_a_dry_run_reports_what_would_change_and_writes_nothing():
    report = run(organisation(), dry_run=True)

    assert report.ok, report.errors
    assert counts(report)["memberships"] == {"created": 4, "updated": 0, "unchanged": 0}
    assert report.rows[0].table == Table.ORG_UNITS
    assert (report.rows[0].sheet, report.rows[0].row, report.rows[0].key) == ("单位", 2, "C01 第三采油厂")
    assert report.rows[0].action == Action.CREATED
    assert nothing_written()
    assert not Membership.objects.exists()


def test_a_second_run_of_the_same_file_changes_nothing():
    run(organisation())
    stamps = list(Person.objects.values_list("updated_at", flat=True))

    report = run(organisation())

    assert report.ok, report.errors
    assert counts(report) == {
        "org_units": {"created": 0, "updated": 0, "unchanged": 3},
        "people": {"created": 0, "updated": 0, "unchanged": 3},
        "teams": {"created": 0, "updated": 0, "unchanged": 2},
        "memberships": {"created": 0, "updated": 0, "unchanged": 4},
    }
    assert report.changed_rows == []
    assert list(Person.objects.values_list("updated_at", flat=True)) == stamps


def test_a_changed_row_is_reported_as_updated():
    run(organisation())
    sheets = organisation()
    sheets["人员"][2][4] = "副经理"

    report = run(sheets)

    assert [(c.table, c.row, c.key, c.action) for c in report.changed_rows] == [
        (Table.PEOPLE, 3, "10002 李四", Action.UPDATED)
    ]
    assert Person.objects.get(employee_number="10002").title == "副经理"


def test_a_column_the_file_does_not_have_leaves_that_field_alone():
    person = PersonFactory(employee_number="10001", email="kept@example.com", title="厂长", active=False)

    report = run({"人员": [["工号", "姓名", "单位编码"], ["10001", person.name, person.org_unit.code]]})

    assert counts(report)["people"] == {"created": 0, "updated": 0, "unchanged": 1}
    person.refresh_from_db()
    assert (person.email, person.title, person.active) == ("kept@example.com", "厂长", False)


def test_a_new_seat_may_replace_an_open_one_the_file_ends():
    old = MembershipFactory(team__org_unit__code="C01", person__employee_number="10001", start_date=dt.date(2020, 1, 1))
    rows = [
        ["工号", "班子单位编码", "班子职务", "任职开始日期", "任职结束日期"],
        ["10001", "C01", "厂长", "2024-01-05", ""],
        ["10001", "C01", old.position, "2020-01-01", "2024-01-04"],
    ]

    report = run({"班子成员": rows})

    assert report.ok, report.errors
    assert counts(report)["memberships"] == {"created": 1, "updated": 1, "unchanged": 0}
    old.refresh_from_db()
    assert old.end_date == dt.date(2024, 1, 4)


# --- Bad rows: each reported with its row number, and nothing written ----------------------------


def _set(sheet: str, row: int, column: int, value: object) -> Callable[[dict[str, Rows]], None]:
    def change(sheets: dict[str, Rows]) -> None:
        sheets[sheet][row - 1][column] = value

    return change


def _append(sheet: str, row: list) -> Callable[[dict[str, Rows]], None]:
    return lambda sheets: sheets[sheet].append(row)


BAD_ROWS = {
    "a missing name": (_set("人员", 3, 1, ""), RowError("人员", 3, "姓名", "This field is required.")),
    "an unknown unit": (_set("人员", 3, 3, "C99"), RowError("人员", 3, "单位编码", "Unknown unit “C99”.")),
    "a duplicate employee number": (
        _append("人员", ["10001", "赵六", "男", "C01"]),
        RowError("人员", 5, "工号", "Employee number 10001 is already in 人员 row 2."),
    ),
    "a bad date": (
        _set("班子成员", 3, 5, "2024-13-01"),
        RowError("班子成员", 3, "任职开始日期", "“2024-13-01” is not a date; write it like 2024-01-05."),
    ),
    "an end before the start": (
        _set("班子成员", 4, 6, "2022-12-31"),
        RowError("班子成员", 4, "任职结束日期", "The end date cannot be before the start date."),
    ),
    "an unknown gender": (
        _set("人员", 2, 2, "未知性别"),
        RowError("人员", 2, "性别", "Unknown gender “未知性别”; use 男 or 女."),
    ),
    "an unknown party": (
        _set("人员", 2, 5, "某党"),
        RowError("人员", 2, "政治面貌", "Unknown political status “某党”; use e.g. 中共党员, 共青团员 or 群众."),
    ),
    "an unknown unit kind": (
        _set("单位", 2, 2, "大楼"),
        RowError("单位", 2, "单位类型", "Unknown unit kind “大楼”; use e.g. 公司, 厂, 部门, 车间, 班组 or 站."),
    ),
    "a bad yes/no": (
        _set("人员", 2, 7, "也许"),
        RowError("人员", 2, "在职", "“也许” is not a yes/no value; use 是 or 否."),
    ),
    "a bad email": (
        _set("人员", 2, 6, "not-an-email"),
        RowError("人员", 2, "邮箱", "Enter a valid email address."),
    ),
    "a duplicate unit code": (
        _append("单位", ["HQ", "另一个公司", "公司", ""]),
        RowError("单位", 5, "单位编码", "Unit code HQ is already in 单位 row 3."),
    ),
    "an unknown parent": (
        _set("单位", 3, 3, "NOPE"),
        RowError("单位", 3, "上级单位编码", "Unknown parent unit NOPE."),
    ),
    "a parent cycle": (
        _set("单位", 3, 3, "C01-01"),
        [
            RowError("单位", 2, "上级单位编码", "The parent units form a cycle: C01 → HQ → C01-01 → C01."),
            RowError("单位", 3, "上级单位编码", "The parent units form a cycle: HQ → C01-01 → C01 → HQ."),
            RowError("单位", 4, "上级单位编码", "The parent units form a cycle: C01-01 → C01 → HQ → C01-01."),
        ],
    ),
    "an unknown employee number in a membership": (
        _set("班子成员", 5, 0, "99999"),
        RowError("班子成员", 5, "工号", "Unknown employee number 99999."),
    ),
    "a name that does not match the employee number": (
        _set("班子成员", 5, 1, "赵六"),
        RowError("班子成员", 5, "姓名", "Employee number 10003 is 王五, not 赵六."),
    ),
    "a unit without a team": (
        _set("班子成员", 5, 2, "HQ"),
        RowError("班子成员", 5, "班子单位编码", "Unit HQ has no leadership team."),
    ),
    "a duplicate membership": (
        _append("班子成员", ["10003", "王五", "C01", "副厂长", "否", "2024-01-05", None]),
        RowError(
            "班子成员",
            6,
            "任职开始日期",
            "The same membership (person, team, start date) is already in 班子成员 row 5.",
        ),
    ),
    "a second open membership for the same person and team": (
        _append("班子成员", ["10003", "王五", "C01", "厂长助理", "否", "2024-06-01", None]),
        [
            RowError(
                "班子成员",
                5,
                "任职结束日期",
                "10003 would have a second open membership of this team (also from 2024-06-01); "
                "give one of them an end date.",
            ),
            RowError(
                "班子成员",
                6,
                "任职结束日期",
                "10003 would have a second open membership of this team (also from 2024-01-05); "
                "give one of them an end date.",
            ),
        ],
    ),
}


@pytest.mark.parametrize(("change", "expected"), BAD_ROWS.values(), ids=BAD_ROWS.keys())
def test_it_reports_each_bad_row_with_its_row_number_and_writes_nothing(change, expected):
    sheets = organisation()
    change(sheets)

    report = run(sheets)

    assert report.errors == (expected if isinstance(expected, list) else [expected])
    assert not report.ok
    assert report.rows == []
    assert nothing_written()


def test_it_reports_an_unknown_unit_with_its_row_number():
    file = csv_file([["工号", "姓名", "单位"], ["10001", "张三", "不存在的单位"]])

    report = import_file(file=file, filename="人员.csv", dry_run=False)

    assert report.errors == [RowError("人员.csv", 2, "单位", "Unknown unit “不存在的单位”.")]
    assert str(report.errors[0]) == "人员.csv, row 2, 单位: Unknown unit “不存在的单位”."


def test_it_refuses_a_unit_name_several_units_share():
    OrgUnitFactory(code="A1", name="综合办公室")
    OrgUnitFactory(code="B1", name="综合办公室")

    report = run({"人员": [["工号", "姓名", "单位"], ["10001", "张三", "综合办公室"]]})

    assert report.errors == [
        RowError("人员", 2, "单位", "Several units are named “综合办公室” (A1, B1); give the unit code.")
    ]


def test_it_refuses_a_second_open_membership_next_to_one_in_the_database():
    MembershipFactory(team__org_unit__code="C01", person__employee_number="10001", start_date=dt.date(2020, 1, 1))
    rows = [["工号", "班子单位编码", "班子职务", "任职开始日期"], ["10001", "C01", "厂长", "2024-01-05"]]

    report = run({"班子成员": rows})

    assert report.errors == [
        RowError(
            "班子成员",
            2,
            "",
            "10001 would have a second open membership of this team (also from 2020-01-01); "
            "give one of them an end date.",
        )
    ]
    assert Membership.objects.count() == 1


def test_a_cycle_through_a_unit_already_in_the_database_is_refused():
    top = OrgUnitFactory(code="A")
    OrgUnitFactory(code="B", parent=top)

    report = run({"单位": [UNITS_HEADER, ["A", "甲", "公司", "B"]]})

    assert report.errors == [RowError("单位", 2, "上级单位编码", "The parent units form a cycle: A → B → A.")]


# --- Unreadable files: one clear error ----------------------------------------------------------


def _file_error(message: str) -> list[RowError]:
    return [RowError(sheet="", row=None, field="", message=message)]


def test_it_refuses_a_file_that_is_neither_csv_nor_xlsx():
    report = import_file(file=io.BytesIO(b"%PDF-1.7 ..."), filename="人员.pdf", dry_run=False)

    assert report.errors == _file_error("Unsupported file type. Upload a .csv or .xlsx file.")


def test_it_refuses_a_broken_xlsx():
    data = xlsx_file(organisation()).getvalue()

    report = import_file(file=io.BytesIO(data[: len(data) // 2]), filename="组织.xlsx", dry_run=False)

    assert report.errors == _file_error("The file is not a valid XLSX workbook; it may be damaged.")
    assert nothing_written()


def test_it_refuses_an_old_xls_file():
    report = import_file(
        file=io.BytesIO(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(100)), filename="a.xls", dry_run=False
    )

    assert report.errors == _file_error(
        "This is an old-format (.xls) or password-protected Excel file. Save it as .xlsx without a password, or as CSV."
    )


def test_it_refuses_an_empty_file():
    report = import_file(file=io.BytesIO(b""), filename="people.csv", dry_run=False)

    assert report.errors == _file_error("The file is empty.")


def test_it_refuses_a_workbook_whose_sheets_are_all_empty():
    report = run({"Sheet1": [], "Sheet2": []})

    assert report.errors == _file_error("The file is empty.")


def test_it_refuses_an_oversize_file(settings):
    settings.KAOPING_IMPORT_MAX_BYTES = 1024
    file = csv_file([PEOPLE_HEADER, *[["1", "张三", "男", "C01"]] * 200])

    report = import_file(file=file, filename="people.csv", dry_run=False)

    assert report.errors == _file_error("The file is larger than 1.0\xa0KB.")


def test_it_refuses_a_file_without_a_recognisable_header():
    file = csv_file([["序号", "备注"], ["1", "x"]])

    report = import_file(file=file, filename="notes.csv", dry_run=False)

    assert report.errors == [
        RowError(
            "notes.csv",
            None,
            "",
            "No header row was recognised. Expected columns such as 单位编码, 工号, 班子名称 or 班子职务.",
        )
    ]


def test_it_names_the_columns_a_nearly_recognised_header_lacks():
    rows = [["工号", "姓名", "班子单位编码", "班子职务"], ["10001", "张三", "C01", "厂长"]]

    report = run({"班子成员": rows})

    assert report.errors == [
        RowError(
            "班子成员",
            None,
            "",
            "The header row does not have all the columns for Memberships; missing: 任职开始日期 / start_date.",
        )
    ]


def test_a_binary_file_named_csv_is_refused():
    report = import_file(file=io.BytesIO(b"\x00\x01\x02abc" * 50), filename="people.csv", dry_run=False)

    assert report.errors == _file_error("The file does not look like a CSV text file.")
