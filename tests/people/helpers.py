"""Build the files HR offices send, in memory: CSV in a given encoding, XLSX with named sheets."""

import csv
import datetime as dt
import io
from typing import Any

import openpyxl

Rows = list[list[Any]]


def csv_file(rows: Rows, *, encoding: str = "utf-8-sig") -> io.BytesIO:
    text = io.StringIO()
    csv.writer(text).writerows(rows)
    return io.BytesIO(text.getvalue().encode(encoding))


def xlsx_file(sheets: dict[str, Rows]) -> io.BytesIO:
    workbook = openpyxl.Workbook()
    workbook.remove(workbook.active)
    for title, rows in sheets.items():
        sheet = workbook.create_sheet(title)
        for row in rows:
            sheet.append(row)
    data = io.BytesIO()
    workbook.save(data)
    data.seek(0)
    return data


UNITS_HEADER = ["单位编码", "单位名称", "单位类型", "上级单位编码"]
PEOPLE_HEADER = ["工号", "姓名", "性别", "单位编码", "职务", "政治面貌", "邮箱", "在职"]
TEAMS_HEADER = ["单位编码", "班子名称"]
SEATS_HEADER = ["工号", "姓名", "班子单位编码", "班子职务", "主要负责人", "任职开始日期", "任职结束日期"]


def organisation() -> dict[str, Rows]:
    """A small plant with one operation area; the plant names its company before the company's row."""
    return {
        "单位": [
            UNITS_HEADER,
            ["C01", "第三采油厂", "采油厂", "HQ"],
            ["HQ", "油田公司", "公司", ""],
            ["C01-01", "第一作业区", "作业区", "C01"],
        ],
        "人员": [
            PEOPLE_HEADER,
            ["10001", "张　三", "男", "C01", "厂长", "中共党员", "zhangsan@example.com", "是"],
            ["10002", "李四", "女", "第一作业区", "经理", "群众", "", "在职"],
            ["10003", "王五", "男", "C01", "副厂长", "民盟盟员", "", "1"],
        ],
        "班子": [
            TEAMS_HEADER,
            ["C01", "第三采油厂领导班子"],
            ["C01-01", "第一作业区领导班子"],
        ],
        "班子成员": [
            SEATS_HEADER,
            ["10001", "张三", "C01", "厂长", "是", dt.datetime(2024, 1, 5), None],
            ["10002", "李四", "C01-01", "经理", "是", "2024/1/5", ""],
            ["10002", "李四", "C01", "副厂长", "否", "2023年3月1日", "2024.01.04"],
            ["10003", "王五", "C01", "副厂长", "否", "2024-01-05", None],
        ],
    }
