"""An HR system keeps its copy of the organisation in step: push through bulk upserts, pull with updated_since."""

import datetime as dt

import pytest

from .helpers import API, ENDPOINTS, all_pages, hr_client

pytestmark = pytest.mark.django_db

UNITS = [
    # Children before their parents, as an HR export in alphabetical order might have them.
    {"code": "C01-01", "name": "第一作业区", "kind": "workshop", "parent_code": "C01"},
    {"code": "C01-02", "name": "第二作业区", "kind": "workshop", "parent_code": "C01"},
    {"code": "C01", "name": "第三采油厂", "kind": "plant", "parent_code": "HQ"},
    {"code": "HQ", "name": "油田公司", "kind": "company", "parent_code": None},
]
PEOPLE = [
    {"employee_number": "10001", "name": "张三", "org_unit_code": "C01", "title": "厂长", "gender": "male"},
    {"employee_number": "10002", "name": "李四", "org_unit_code": "C01-01", "title": "经理"},
    {"employee_number": "10003", "name": "王五", "org_unit_code": "C01", "title": "副厂长", "party": "cpc"},
    {"employee_number": "10004", "name": "赵六", "org_unit_code": "C01-02", "title": "经理"},
]
TEAMS = [
    {"org_unit_code": "C01", "name": "第三采油厂领导班子"},
    {"org_unit_code": "C01-01", "name": "第一作业区领导班子"},
]
SEATS = [
    {
        "team_code": "C01",
        "employee_number": "10001",
        "position": "厂长",
        "is_principal": True,
        "start_date": "2024-01-05",
    },
    {"team_code": "C01", "employee_number": "10003", "position": "副厂长", "start_date": "2024-01-05"},
    {"team_code": "C01-01", "employee_number": "10002", "position": "经理", "start_date": "2024-01-05"},
]


class Mirror:
    """The HR system's copy of one list: rows by id, and the newest `updated_at` it has seen."""

    def __init__(self, client, endpoint: str) -> None:
        self.client, self.path = client, f"{API}{endpoint}/"
        self.rows: dict[int, dict] = {}
        self.since: str | None = None

    def pull(self) -> list[dict]:
        params = {"page_size": 2} | ({"updated_since": self.since} if self.since else {})
        changed = all_pages(self.client, self.path, **params)
        self.rows |= {row["id"]: row for row in changed}
        if changed:
            self.since = max((row["updated_at"] for row in changed), key=dt.datetime.fromisoformat)
        return changed


def push(client, endpoint: str, items: list[dict]) -> dict:
    response = client.post(f"{API}{endpoint}/bulk/", items, format="json")
    assert response.status_code == 200, response.json()
    return response.json()


NATURAL_KEYS = {
    "org-units": ("code",),
    "people": ("employee_number",),
    "teams": ("org_unit_code",),
    "memberships": ("team_code", "employee_number", "start_date"),
}


def key_of(endpoint: str, row: dict):
    key = tuple(row[field] for field in NATURAL_KEYS[endpoint])
    return key if len(key) > 1 else key[0]


def keyed(rows, *key: str) -> dict:
    """Rows by natural key: one field's value, or a tuple of several."""
    return {tuple(row[k] for k in key) if len(key) > 1 else row[key[0]]: row for row in rows}


def test_an_hr_client_pushes_changes_deactivates_and_pulls_back_to_an_equal_copy():
    hr = hr_client()
    for endpoint, items in zip(ENDPOINTS, (UNITS, PEOPLE, TEAMS, SEATS), strict=True):
        assert push(hr, endpoint, items)["created"] == len(items)
    mirrors = {endpoint: Mirror(hr, endpoint) for endpoint in ENDPOINTS}
    for mirror in mirrors.values():
        mirror.pull()

    # What came back is what was pushed, field for field.
    units = keyed(mirrors["org-units"].rows.values(), "code")
    assert {code: {k: row[k] for k in UNITS[0]} for code, row in units.items()} == {u["code"]: u for u in UNITS}
    people = keyed(mirrors["people"].rows.values(), "employee_number")
    assert all(people[p["employee_number"]] | p == people[p["employee_number"]] for p in PEOPLE)
    assert len(mirrors["teams"].rows) == 2 and len(mirrors["memberships"].rows) == 3

    # The next sync: the whole export again (nothing changes), then the changes of the day.
    for endpoint, items in zip(ENDPOINTS, (UNITS, PEOPLE, TEAMS, SEATS), strict=True):
        assert push(hr, endpoint, items)["unchanged"] == len(items)
    push(hr, "org-units", [{"code": "C01-02", "name": "第二作业区（合并）", "parent_code": "C01-01"}])
    push(
        hr,
        "people",
        [
            {"employee_number": "10002", "name": "李四", "org_unit_code": "C01", "title": "副厂长"},
            {"employee_number": "10004", "name": "赵六", "org_unit_code": "C01-02", "active": False},
            {"employee_number": "10005", "name": "孙七", "org_unit_code": "C01-01", "title": "经理"},
        ],
    )
    push(
        hr,
        "memberships",
        [
            {"team_code": "C01-01", "employee_number": "10005", "position": "经理", "start_date": "2025-07-01"},
            {
                "team_code": "C01-01",
                "employee_number": "10002",
                "position": "经理",
                "start_date": "2024-01-05",
                "end_date": "2025-06-30",
            },
            {"team_code": "C01", "employee_number": "10002", "position": "副厂长", "start_date": "2025-07-01"},
        ],
    )

    # The row each last pull ended on comes back too: updated_since includes its moment.
    boundary = {
        endpoint: {key_of(endpoint, row) for row in mirror.rows.values() if row["updated_at"] == mirror.since}
        for endpoint, mirror in mirrors.items()
    }
    changed = {endpoint: {key_of(endpoint, row) for row in mirror.pull()} for endpoint, mirror in mirrors.items()}
    assert changed == {
        "org-units": {"C01-02"} | boundary["org-units"],
        "people": {"10002", "10004", "10005"} | boundary["people"],
        "teams": boundary["teams"],
        "memberships": {
            ("C01-01", "10005", "2025-07-01"),
            ("C01-01", "10002", "2024-01-05"),
            ("C01", "10002", "2025-07-01"),
        }
        | boundary["memberships"],
    }

    # The copy now equals the server's lists, deactivations and ended seats included.
    for endpoint, mirror in mirrors.items():
        assert mirror.rows == {row["id"]: row for row in all_pages(hr, f"{API}{endpoint}/")}, endpoint
    people = keyed(mirrors["people"].rows.values(), "employee_number")
    assert people["10004"]["active"] is False and people["10002"]["org_unit_code"] == "C01"
    seats = keyed(mirrors["memberships"].rows.values(), "team_code", "employee_number", "start_date")
    assert seats[("C01-01", "10002", "2024-01-05")]["end_date"] == "2025-06-30"
    assert seats[("C01", "10002", "2025-07-01")]["end_date"] is None
    assert keyed(mirrors["org-units"].rows.values(), "code")["C01-02"]["parent_code"] == "C01-01"
