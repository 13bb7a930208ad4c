"""manage.py import_people: prints the report and fails when any row is bad."""

import datetime as dt
import io

import pytest
from django.core.management import CommandError, call_command

from people.models import Membership, OrgUnit, Person

from .helpers import csv_file, organisation, xlsx_file

pytestmark = pytest.mark.django_db


def call(*args: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("import_people", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


@pytest.fixture
def workbook(tmp_path):
    path = tmp_path / "组织.xlsx"
    path.write_bytes(xlsx_file(organisation()).getvalue())
    return path


def test_it_imports_a_workbook_and_prints_the_counts(workbook):
    out, err = call(str(workbook))

    assert "Org units: 3 created, 0 updated, 0 unchanged" in out
    assert "Memberships: 4 created, 0 updated, 0 unchanged" in out
    assert "Created: People · 人员 row 2 · 10001 张三" in out
    assert out.rstrip().endswith("Import complete.")
    assert err == ""
    assert Membership.objects.filter(end_date=dt.date(2024, 1, 4)).count() == 1


def test_a_dry_run_prints_what_would_change_and_writes_nothing(workbook):
    out, _err = call(str(workbook), "--dry-run")

    assert "People: 3 created, 0 updated, 0 unchanged" in out
    assert "Dry run: nothing was written." in out
    assert not OrgUnit.objects.exists()


def test_a_second_run_lists_no_rows(workbook):
    call(str(workbook))

    out, _err = call(str(workbook))

    assert "People: 0 created, 0 updated, 3 unchanged" in out
    assert "row" not in out


def test_it_fails_with_the_row_errors_and_writes_nothing(tmp_path):
    path = tmp_path / "people.csv"
    path.write_bytes(
        csv_file([["工号", "姓名", "单位编码"], ["10001", "张三", "C99"], ["10002", "", "C99"]]).getvalue()
    )
    err = io.StringIO()

    with pytest.raises(CommandError, match=r"^3 errors; nothing was written\.$"):
        call_command("import_people", str(path), stdout=io.StringIO(), stderr=err)

    assert err.getvalue().splitlines() == [
        "people.csv, row 2, 单位编码: Unknown unit “C99”.",
        "people.csv, row 3, 姓名: This field is required.",
        "people.csv, row 3, 单位编码: Unknown unit “C99”.",
    ]
    assert not Person.objects.exists()


def test_it_fails_on_a_broken_file_without_a_traceback(tmp_path):
    path = tmp_path / "组织.xlsx"
    path.write_bytes(b"PK\x03\x04 not really a zip")
    err = io.StringIO()

    with pytest.raises(CommandError, match=r"^1 error; nothing was written\.$"):
        call_command("import_people", str(path), stdout=io.StringIO(), stderr=err)

    assert err.getvalue() == "The file is not a valid XLSX workbook; it may be damaged.\n"


def test_it_fails_on_a_missing_file(tmp_path):
    with pytest.raises(CommandError, match=r"^Cannot open .*nope\.csv: No such file or directory$"):
        call("--dry-run", str(tmp_path / "nope.csv"))


def test_the_kind_option_reads_the_file_as_that_table(tmp_path):
    path = tmp_path / "units.csv"
    path.write_bytes(csv_file([["单位编码", "单位名称", "班子名称"], ["C01", "第三采油厂", ""]]).getvalue())

    out, _err = call(str(path), "--kind", "org_units")

    assert "Org units: 1 created" in out
    assert OrgUnit.objects.filter(code="C01").exists()
