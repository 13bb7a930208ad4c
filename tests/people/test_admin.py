"""The people admin: the import page, and the changelists' search."""

import pytest
from django.urls import reverse

from people.models import LeadershipTeam, Membership, OrgUnit, Person

from .factories import MembershipFactory, PersonFactory, StaffFactory, UserFactory
from .helpers import csv_file, organisation, xlsx_file

pytestmark = pytest.mark.django_db

IMPORT_URL = "/admin/people/person/import/"


@pytest.fixture
def client(client):
    # The site's default language is zh-hans; these tests read Django's own messages in English.
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


@pytest.fixture
def staff_client(client):
    client.force_login(StaffFactory())
    return client


def upload(client, file, *, name: str = "组织.xlsx", dry_run: bool):
    file.name = name
    data = {"file": file, **({"dry_run": "on"} if dry_run else {})}
    return client.post(IMPORT_URL, data)


def test_the_import_page_is_at_a_named_url():
    assert reverse("admin:people_person_import") == IMPORT_URL


def test_staff_who_may_add_and_change_people_see_the_upload_form(staff_client):
    response = staff_client.get(IMPORT_URL)

    assert response.status_code == 200
    assert response.context["form"].fields.keys() == {"file", "dry_run", "kind"}
    assert response.context["report"] is None


def test_a_dry_run_shows_the_counts_and_writes_nothing(staff_client):
    response = upload(staff_client, xlsx_file(organisation()), dry_run=True)

    assert response.status_code == 200
    report = response.context["report"]
    assert report.ok and report.dry_run
    assert [(table.value, counts["created"]) for table, counts in report.counts] == [
        ("org_units", 3),
        ("people", 3),
        ("teams", 2),
        ("memberships", 4),
    ]
    content = response.content.decode()
    assert "Dry run: nothing was written." in content
    assert "<tr><td>People</td><td>3</td><td>0</td><td>0</td></tr>" in content
    assert "10001 张三" in content
    assert not OrgUnit.objects.exists()


def test_a_real_run_writes_the_organisation(staff_client):
    response = upload(staff_client, xlsx_file(organisation()), dry_run=False)

    assert response.status_code == 200
    assert "Import complete." in response.content.decode()
    assert OrgUnit.objects.count() == 3
    assert Person.objects.count() == 3
    assert LeadershipTeam.objects.count() == 2
    assert Membership.objects.count() == 4


def test_bad_rows_are_shown_with_their_row_numbers(staff_client):
    file = csv_file([["工号", "姓名", "单位编码"], ["10001", "张三", "C99"]])

    response = upload(staff_client, file, name="people.csv", dry_run=False)

    content = response.content.decode()
    assert "1 error; nothing was written." in content
    assert "<tr><td>people.csv</td><td>2</td><td>单位编码</td><td>Unknown unit “C99”.</td></tr>" in content
    assert not Person.objects.exists()


def test_an_unreadable_file_is_one_clear_error(staff_client):
    response = upload(staff_client, csv_file([["a"]]), name="people.pdf", dry_run=True)

    assert response.status_code == 200
    assert "Unsupported file type. Upload a .csv or .xlsx file." in response.content.decode()


def test_the_form_asks_for_a_file(staff_client):
    response = staff_client.post(IMPORT_URL, {"dry_run": "on"})

    assert response.status_code == 200
    assert response.context["report"] is None
    assert response.context["form"].errors == {"file": ["This field is required."]}


def test_non_staff_are_sent_to_the_login_page(client):
    client.force_login(UserFactory())

    response = client.post(IMPORT_URL, {"file": csv_file([["a"]])})

    assert response.status_code == 302
    assert response.url.startswith("/admin/login/")
    assert not OrgUnit.objects.exists()


def test_staff_without_the_add_and_change_permissions_are_refused(client):
    client.force_login(StaffFactory(permissions=["view_person", "change_person"]))

    assert client.get(IMPORT_URL).status_code == 403


def test_the_person_changelist_links_to_the_import_page(staff_client):
    response = staff_client.get("/admin/people/person/")

    assert f'href="{IMPORT_URL}"' in response.content.decode()


def test_the_link_is_hidden_from_staff_who_may_only_view_people(client):
    client.force_login(StaffFactory(permissions=["view_person"]))

    response = client.get("/admin/people/person/")

    assert response.status_code == 200
    assert IMPORT_URL not in response.content.decode()


def test_the_person_changelist_searches_by_employee_number(staff_client):
    PersonFactory(employee_number="10001", name="张三")
    PersonFactory(employee_number="20002", name="李四")

    response = staff_client.get("/admin/people/person/", {"q": "20002"})

    assert [person.employee_number for person in response.context["cl"].result_list] == ["20002"]


def test_the_person_changelist_searches_by_name(staff_client):
    PersonFactory(employee_number="10001", name="张三")
    PersonFactory(employee_number="20002", name="李四")

    response = staff_client.get("/admin/people/person/", {"q": "张三"})

    assert [person.employee_number for person in response.context["cl"].result_list] == ["10001"]


@pytest.mark.parametrize("model", ["orgunit", "person", "leadershipteam", "membership"])
def test_every_people_admin_page_opens_for_a_superuser(admin_client, model):
    membership = MembershipFactory()
    objects = {
        "orgunit": membership.team.org_unit,
        "person": membership.person,
        "leadershipteam": membership.team,
        "membership": membership,
    }

    for url in (
        reverse(f"admin:people_{model}_changelist"),
        reverse(f"admin:people_{model}_add"),
        reverse(f"admin:people_{model}_change", args=[objects[model].pk]),
    ):
        assert admin_client.get(url).status_code == 200, url


def test_the_org_unit_autocomplete_finds_units_by_code(admin_client):
    MembershipFactory(team__org_unit__code="C01", team__org_unit__name="第三采油厂")

    response = admin_client.get(
        "/admin/autocomplete/",
        {"term": "C01", "app_label": "people", "model_name": "person", "field_name": "org_unit"},
    )

    assert response.status_code == 200
    assert [result["text"] for result in response.json()["results"]] == ["第三采油厂 (C01)"]
