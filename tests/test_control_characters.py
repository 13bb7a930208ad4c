"""One rule for control characters (core.text), on every way in: each field of every web form, the ballot
sheet's autosave, query strings and paths, every string of every API write, every cell of an import. Each
is a clear 400 (or a reported row) that changes nothing; none is ever a 500 (PostgreSQL refuses NUL)."""

import io
import json
import re
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import pytest
from django.apps import apps
from django.contrib import admin
from django.test import Client
from django.urls import Resolver404, resolve, reverse

from assessments.models import BallotDraft
from assessments.services import code_resolve, sheet_for
from core.api.parsers import field_of
from core.api.scopes import Scope
from core.text import NoControlCharacters, check_text, refusals, refused_character
from integrations.models import WebhookEndpoint
from people.importers import import_file
from people.models import LeadershipTeam, Membership, OrgUnit, Person
from tests.assessments.helpers import assignment_of, login_as, open_case
from tests.followup.plan_helpers import case_with_weak_leader, hr_user, plan_to, user_of
from tests.integrations.factories import api_client
from tests.people.factories import UserFactory
from tests.people.helpers import UNITS_HEADER, csv_file, xlsx_file

pytestmark = pytest.mark.django_db

NUL = "\x00"
# Another of the refused kinds: ESC, a C0 control that is not NUL.
ESC = "\x1b"


def snapshot() -> dict[str, list]:
    """Every stored row but sessions, to show that a refused request changed nothing at all."""
    return {
        model._meta.label: list(model._base_manager.order_by("pk").values_list())
        for model in apps.get_models()
        if model._meta.label != "sessions.Session"
    }


# --- The rule ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("character", ["\x00", "\x01", "\x08", "\x0b", "\x0c", "\x1b", "\x1f", "\x7f", "\x85", "\x9f"])
def test_control_characters_are_refused_with_the_field_named(character):
    assert refused_character(f"意见{character}") == f"U+{ord(character):04X}"
    with pytest.raises(Exception, match=r"“comment” contains a control character \(U\+00"):
        check_text(f"a{character}b", field="comment")


@pytest.mark.parametrize("text", ["", "班子团结，作风扎实。", "line one\nline two\r\n\ttabbed", "emoji 👍 and ·—“”"])
def test_ordinary_text_with_tabs_and_line_breaks_passes(text):
    assert refused_character(text) is None
    NoControlCharacters("comment")(text)


def test_lone_surrogates_and_noncharacters_are_refused_too():
    assert refused_character("\ud800") == "U+D800"
    assert refused_character("\uffff") == "U+FFFF"


def test_nested_data_names_the_path_of_each_refused_string():
    data = {"name": "ok", "actions": [{"title": "ok"}, {"title": "bad\x00"}], "bad\x01key": 1}
    assert [(r.path, r.character) for r in refusals(data)] == [
        ("actions.1.title", "U+0000"),
        ("badU+0001key", "U+0001"),
    ]


@pytest.mark.parametrize(
    ("data", "attr"),
    [
        ({"comment": "a\x00"}, "comment"),
        ({"actions": [{"title": "a\x00"}]}, "actions"),
        ([{"name": "ok"}, {"name": "a\x00"}], "1.name"),
        ([{"name": {"deep": "a\x00"}}], "0.name"),
        (["a\x00"], "0"),
        ("a\x00", None),
        ({"bad\x00key": 1}, None),
        ({"Ä": "a\x00"}, None),
    ],
)
def test_the_api_names_the_field_that_holds_the_character(data, attr):
    assert field_of(next(refusals(data))) == attr


# --- Ballot sheets: a NUL comment was a 500 on PostgreSQL, named and anonymous alike ---------------


def section_post(sheet, **extra) -> dict:
    data = {f"i{indicator.pk}": "8" for indicator in sheet.indicators}
    return {**data, "vote": "competent", "comment": "", "p": "1", **extra}


def test_a_nul_in_a_named_sheet_comment_is_a_400_that_keeps_the_draft(client):
    _, case, _, (superior,), _ = open_case(members=2, superiors=1)
    login_as(client, superior)
    assignment = assignment_of(case, superior)
    url = reverse("assessments:sheet", args=[assignment.pk])
    sheet = sheet_for(assignment=assignment)
    assert client.post(url, section_post(sheet, comment="作风扎实")).status_code == 302
    draft = BallotDraft.objects.get().data

    response = client.post(url, section_post(sheet, comment=f"作风{NUL}扎实"))

    assert response.status_code == 400
    page = response.content.decode()
    assert "“comment” contains a control character (U+0000)" in page and "Nothing was saved" in page
    assert BallotDraft.objects.get().data == draft


def anonymous_sheet_url(client: Client, code: str) -> str:
    """The sheet's address once the slip's code is typed in, as a rater without a login gets there."""
    response = client.post(reverse("assessments:code_entry"), {"code": code})
    assert response.status_code in (302, 303)
    return response["Location"]


def test_a_nul_in_an_anonymous_sheet_comment_is_a_400_that_keeps_the_draft(client):
    _, _case, _, _, (code,) = open_case(members=2, superiors=0, codes=1)
    url = anonymous_sheet_url(client, code)
    sheet = sheet_for(code=code_resolve(code=code))
    before = snapshot()

    response = client.post(url, section_post(sheet, comment=f"意见{NUL}"))

    assert response.status_code == 400
    assert "contains a control character (U+0000)" in response.content.decode()
    assert not BallotDraft.objects.exists()
    assert snapshot() == before


def test_an_autosave_with_a_control_character_says_so_in_json(client):
    _, case, _, (superior,), _ = open_case(members=2, superiors=1)
    login_as(client, superior)
    assignment = assignment_of(case, superior)
    sheet = sheet_for(assignment=assignment)

    response = client.post(
        reverse("assessments:sheet", args=[assignment.pk]),
        section_post(sheet, comment=f"意见{ESC}"),
        headers={"X-Autosave": "1"},
    )

    assert response.status_code == 400
    assert response.json()["saved"] is False
    assert "“comment” contains a control character (U+001B)" in response.json()["error"]
    assert not BallotDraft.objects.exists()


def test_a_control_character_in_a_query_string_or_a_key_is_a_400_and_in_the_address_a_404(client):
    hr = hr_user()
    hr.is_superuser = hr.is_staff = True
    hr.save()
    client.force_login(hr)
    assert client.get(reverse("assessments:hr_cycles"), {"q": NUL}).status_code == 400
    assert client.get(reverse("assessments:hr_cycles"), {f"q{ESC}": "x"}).status_code == 400
    assert client.get("/b/A%00B/").status_code == 404  # an address with one names no page
    upload = io.BytesIO(f"{','.join(UNITS_HEADER)}\nHQ,油田公司,公司,\n".encode())
    upload.name = "units.csv"
    before = snapshot()
    response = client.post(reverse("admin:people_person_import"), {"file": upload, f"note{ESC}": "x"})
    assert response.status_code == 400 and "“noteU+001B” contains a control character" in response.content.decode()
    assert snapshot() == before


# --- Every web form -----------------------------------------------------------------------------------


class Forms(HTMLParser):
    """The POST forms of a page: action, the values a browser would send, and which fields take text."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[dict] = []
        self._form: dict | None = None
        self._select: str | None = None

    def handle_starttag(self, tag: str, attrs: list) -> None:
        a = {key: value or "" for key, value in attrs}
        if tag == "form":
            self._form = {
                "action": a.get("action", ""),
                "method": a.get("method", "get").lower(),
                "data": {},
                "text": [],
            }
            self.forms.append(self._form)
            return
        form, name = self._form, a.get("name")
        if form is None or (not name and tag != "option"):
            return
        kind = a.get("type", "text").lower()
        if tag == "input" and kind in ("checkbox", "radio"):
            if "checked" in a:
                form["data"][name] = a.get("value", "on")
        elif tag == "input" and kind not in ("submit", "button", "image", "reset", "file"):
            form["data"][name] = a.get("value", "")
            form["text"].append(name)
        elif tag == "textarea":
            form["data"][name] = ""
            form["text"].append(name)
        elif tag == "select":
            self._select = name
            form["data"].setdefault(name, "")
            form["text"].append(name)
        elif tag == "option" and self._select and ("selected" in a or not form["data"][self._select]):
            form["data"][self._select] = a.get("value", "")

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None


SKIP = ("/api/", "/admin/", "/static/", "/media/", "/i18n/", "/accounts/logout/")


def crawl(client: Client, start: list[str], limit: int = 150) -> list[tuple[str, dict]]:
    """Pages reachable by links from `start` (no admin, no API, no downloads), and their POST forms."""
    seen, queue, found = set(), list(start), []
    while queue and len(seen) < limit:
        url = queue.pop(0)
        path = urlsplit(url).path
        if path in seen:
            continue
        seen.add(path)
        response = client.get(url)
        if response.status_code != 200 or not response["Content-Type"].startswith("text/html"):
            continue
        page = response.content.decode()
        parser = Forms()
        parser.feed(page)
        found += [(url, form) for form in parser.forms if form["method"] == "post"]
        for href in re.findall(r'href="([^"#]+)"', page):
            target = urljoin(url, href.replace("&amp;", "&"))
            if target.startswith("/") and not target.startswith(SKIP):
                queue.append(target)
    return found


def admin_pages() -> list[str]:
    urls = [reverse("admin:people_person_import")]
    for model in admin.site._registry:
        info = model._meta.app_label, model._meta.model_name
        urls.append(reverse("admin:{}_{}_add".format(*info)))
        first = model._base_manager.order_by("pk").first()
        if first is not None:
            urls.append(reverse("admin:{}_{}_change".format(*info), args=[first.pk]))
    return urls


def admin_forms(client: Client) -> list[tuple[str, dict]]:
    found = []
    for url in admin_pages():
        response = client.get(url)
        if response.status_code == 200:
            parser = Forms()
            parser.feed(response.content.decode())
            found += [(url, form) for form in parser.forms if form["method"] == "post"]
    return found


def test_every_web_form_refuses_a_nul_in_each_of_its_fields():
    # Every kind of page with a form: sheets (named and by code), results, feedback, plans with actions and
    # progress, HR's desk and cases, reports, the admin's add and change forms and the people import.
    _, case, (leader, drafter, *_) = case_with_weak_leader()
    superuser = UserFactory(is_superuser=True, is_staff=True)
    plans = [plan_to("in_progress", case, leader, superuser), plan_to("draft", case, drafter, superuser)]
    _, open_one, _, (superior,), codes = open_case(members=2, superiors=1, codes=2)

    visitors: list[tuple[Client, list[str]]] = []
    # A page that fails is some other test's business; here it only hides its forms (a POST's 500 still fails).
    anonymous = Client(raise_request_exception=False)
    visitors.append((anonymous, [reverse("login"), reverse("assessments:code_entry")]))
    visitors.append((anonymous, [anonymous_sheet_url(anonymous, codes[0])]))
    pages = {
        superior: [reverse("assessments:submit", args=[assignment_of(open_one, superior).pk])],
        leader: [reverse("followup:plan", args=[plans[0].pk])],
        drafter: [reverse("followup:plan", args=[plans[1].pk])],
    }
    for person, own in pages.items():
        client = Client(raise_request_exception=False)
        client.force_login(user_of(person))
        visitors.append((client, ["/", reverse("followup:my_results"), reverse("followup:plans"), *own]))
    hr = Client(raise_request_exception=False)
    hr.force_login(superuser)
    visitors.append((hr, [reverse("assessments:hr_cycles"), reverse("assessments:hr_case", args=[open_one.pk])]))

    forms = [(client, url, form) for client, start in visitors for url, form in crawl(client, start)]
    forms += [(hr, url, form) for url, form in admin_forms(hr)]
    before = snapshot()

    tried, targets = 0, set()
    for client, page, form in forms:
        action = urljoin(page, form["action"] or page)
        for field in form["text"]:
            response = client.post(action, {**form["data"], field: f"a{NUL}b"})
            assert response.status_code == 400, (action, field, response.status_code)
            assert "contains a control character (U+0000)" in response.content.decode(), (action, field)
            tried += 1
        try:
            match = resolve(urlsplit(action).path)
            targets.add(f"{match.namespace}:{match.url_name}" if match.namespace else match.url_name)
        except Resolver404:
            pass

    assert snapshot() == before
    # The forms found are those of every part of the site, not just the first page's.
    expected = {
        "login",
        "set_language",
        "logout",
        "assessments:code_entry",
        "assessments:code_sheet",
        "assessments:sheet",
        "followup:plan_progress",
        "followup:plan_action",
        "followup:plan_action_add",
        "assessments:hr_cycle_new",
        "assessments:hr_case_codes",
        "admin:people_person_import",
        "admin:people_person_add",
        "admin:assessments_cycle_change",
    }
    assert expected <= targets, sorted(expected - targets)
    assert tried > 200


# --- The API: every string field of every write operation ----------------------------------------------


def resolve_ref(schema: dict, node: dict) -> dict:
    while "$ref" in node:
        node = schema["components"]["schemas"][node["$ref"].rsplit("/", 1)[-1]]
    return node


def string_paths(schema: dict, node: dict, path: tuple = (), depth: int = 0) -> list[tuple]:
    """Each place in a body of this schema where a string goes (list items as their first element)."""
    node = resolve_ref(schema, node)
    if depth > 6:
        return []
    for key in ("allOf", "oneOf", "anyOf"):
        if key in node:
            return [p for sub in node[key] for p in string_paths(schema, sub, path, depth + 1)]
    kind = node.get("type")
    if kind == "object" or "properties" in node:
        return [
            p
            for name, sub in node.get("properties", {}).items()
            if not resolve_ref(schema, sub).get("readOnly")
            for p in string_paths(schema, sub, (*path, name), depth + 1)
        ]
    if kind == "array":
        return string_paths(schema, node.get("items", {}), (*path, 0), depth + 1)
    # Every field is a string as far as a careless client is concerned: enums, dates, numbers as text.
    return [path]


def body_with(path: tuple, value: str):
    body: object = value
    for step in reversed(path):
        body = [body] if isinstance(step, int) else {step: body}
    return body


def test_every_write_operation_refuses_control_characters_in_each_string_field():
    _, case, (leader, member, *_) = case_with_weak_leader()
    hr = api_client(*Scope.values)
    plan = plan_to("submitted", case, leader, hr.key.owner)
    plan_to("completed", case, member, hr.key.owner)
    WebhookEndpoint.objects.create(url="https://hr.example.com/hook", events=[], secret="x", created_by=hr.key.owner)
    ids = {
        "cases": case.pk,
        "cycles": case.cycle_id,
        "memberships": Membership.objects.first().pk,
        "org-units": OrgUnit.objects.first().pk,
        "people": Person.objects.first().pk,
        "plans": plan.pk,
        "teams": LeadershipTeam.objects.first().pk,
        "webhooks": WebhookEndpoint.objects.get().pk,
    }
    schema = hr.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    schema = json.loads(schema.content)
    before = snapshot()

    operations, tried = 0, 0
    for route, methods in schema["paths"].items():
        url = route.replace("{id}", str(ids.get(route.split("/")[3], 1)))
        for method, operation in methods.items():
            if method not in ("post", "put", "patch") or "requestBody" not in operation:
                continue
            body_schema = operation["requestBody"]["content"]["application/json"]["schema"]
            operations += 1
            for path in string_paths(schema, body_schema):
                for character in (NUL, ESC):
                    body = body_with(path, f"x{character}y")
                    response = getattr(hr, method)(url, body, format="json")
                    assert response.status_code == 400, (method, url, path, response.content)
                    (error,) = response.json()["errors"]
                    field = ".".join(map(str, path[:2] if isinstance(path[0], int) else path[:1]))
                    assert (error["code"], error["attr"]) == ("parse_error", field), (method, url, error)
                    where = ".".join(map(str, path))
                    assert f"“{where}” contains a control character (U+{ord(character):04X})" in error["detail"]
                    tried += 1

    assert snapshot() == before
    assert operations >= 20 and tried >= 100, (operations, tried)


def test_api_query_parameters_and_keys_with_control_characters_are_400s_in_the_apis_shape():
    hr = api_client(*Scope.values)
    for query in ({"updated_since": NUL}, {"search": f"a{ESC}"}, {f"code{NUL}": "x"}):
        response = hr.get("/api/v1/org-units/", query)
        assert response.status_code == 400, query
        (error,) = response.json()["errors"]
        assert response.json()["type"] == "client_error" and error["code"] == "parse_error"
        assert "contains a control character" in error["detail"]
    body = hr.post("/api/v1/org-units/", {"code": "C9", "name": "厂", "bad\x00key": 1}, format="json")
    assert body.status_code == 400
    (error,) = body.json()["errors"]
    assert error["attr"] is None and error["detail"].startswith("“badU+0000key” contains a control character")
    assert not OrgUnit.objects.exists()


# --- Imports: a bad cell is reported with its sheet and row, and nothing is written ------------------------


def test_a_nul_in_a_csv_cell_is_reported_by_row_and_nothing_is_written():
    rows = [UNITS_HEADER, ["HQ", "油田公司", "公司", ""], ["C01", f"第三{NUL}采油厂", "采油厂", "HQ"]]

    report = import_file(file=csv_file(rows), filename="单位.csv", dry_run=False)

    assert [(e.sheet, e.row, e.field) for e in report.errors] == [("单位.csv", 3, "单位名称")]
    assert "contains a control character (U+0000)" in report.errors[0].message
    assert not OrgUnit.objects.exists()


@pytest.mark.parametrize("character", ["\x7f", "\x85"])
def test_a_control_character_in_an_xlsx_cell_is_reported_by_row_and_nothing_is_written(character):
    # XML cannot carry NUL or the other C0 controls at all (such a workbook is unreadable as a whole); DEL and
    # the C1 controls it can.
    rows = [UNITS_HEADER, ["HQ", "油田公司", "公司", ""], [f"C0{character}1", "第三采油厂", "采油厂", "HQ"]]

    report = import_file(file=xlsx_file({"单位": rows}), filename="组织.xlsx", dry_run=False)

    assert [(e.sheet, e.row, e.field) for e in report.errors] == [("单位", 3, "单位编码")]
    assert f"(U+{ord(character):04X})" in report.errors[0].message
    assert not OrgUnit.objects.exists()


def test_a_binary_file_named_csv_is_still_unreadable_as_a_whole():
    report = import_file(file=io.BytesIO(b"\x00\x01\x02" * 400), filename="单位.csv", dry_run=False)
    assert [(e.row, e.message) for e in report.errors] == [(None, "The file does not look like a CSV text file.")]
