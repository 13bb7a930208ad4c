"""/api/v1/report-jobs/: ask for reports, poll them, download them; HR's keys only."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from assessments.models import CaseSubject
from core.api.scopes import Scope
from reports.models import ReportJob
from reports.services import report_job_run
from tests.assessments.helpers import released_case
from tests.integrations.factories import api_client

from .helpers import FakeRender

pytestmark = pytest.mark.django_db
URL = "/api/v1/report-jobs/"


@pytest.fixture
def released():
    return released_case()


def test_hr_asks_for_a_report_polls_it_and_downloads_it(released):
    _cycle, case, (_principal, leader, *_) = released
    client = api_client(Scope.REPORTS_READ)
    subject = CaseSubject.objects.get(case=case, person=leader)
    response = client.post(URL, {"kind": "member", "subject": subject.pk}, format="json")
    assert response.status_code == 202
    body = response.json()
    job = ReportJob.objects.get()
    assert body["id"] == job.pk
    assert (body["status"], body["progress"], body["download_url"], body["subject"]) == ("queued", 0, None, subject.pk)

    report_job_run(job_id=job.pk, render=FakeRender())
    polled = client.get(f"{URL}{job.pk}/").json()
    assert (polled["status"], polled["progress"], polled["page_count"]) == ("succeeded", 100, 2)
    assert polled["download_url"] == f"http://testserver{URL}{job.pk}/file/"
    download = client.get(f"{URL}{job.pk}/file/", HTTP_ACCEPT="application/pdf")
    assert download.status_code == 200
    assert download["Content-Type"] == "application/pdf"
    assert "attachment" in download["Content-Disposition"] and "filename*=utf-8''" in download["Content-Disposition"]


def test_a_bulk_run_over_the_api_lists_its_reports_by_parent(released):
    cycle, _case, _people = released
    client = api_client(Scope.REPORTS_READ)
    response = client.post(URL, {"kind": "bulk", "cycle": cycle.pk}, format="json")
    assert response.status_code == 202 and response.json()["total"] == 5
    listed = client.get(URL, {"parent": response.json()["id"]}).json()["results"]
    assert sorted(row["kind"] for row in listed) == ["member"] * 4 + ["team"]


def test_without_the_scope_it_is_403_and_nothing_is_made(released):
    cycle, *_ = released
    client = api_client(Scope.RESULTS_READ)
    assert client.post(URL, {"kind": "cycle", "cycle": cycle.pk}, format="json").status_code == 403
    assert client.get(URL).status_code == 403
    assert ReportJob.objects.count() == 0


def test_a_leaders_key_is_refused_the_whole_endpoint_alike_for_any_id(released):
    """Report jobs are HR's: a key acting for anyone else gets the same 403 for every id, existing or not."""
    cycle, case, (_principal, leader, *_) = released
    hr = api_client(Scope.REPORTS_READ)
    job_id = hr.post(URL, {"kind": "team", "case": case.pk}, format="json").json()["id"]
    mine = api_client(Scope.REPORTS_READ, owner=leader.user or _user_for(leader))
    for path in (f"{URL}{job_id}/", f"{URL}{job_id}/file/", f"{URL}999999/", URL):
        assert mine.get(path).status_code == 403
    assert mine.post(URL, {"kind": "cycle", "cycle": cycle.pk}, format="json").status_code == 403
    assert ReportJob.objects.count() == 1


def _user_for(person):
    from tests.assessments.factories import UserFactory

    person.user = UserFactory()
    person.save()
    return person.user


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"kind": "member"}, "subject"),
        ({"kind": "team"}, "case"),
        ({"kind": "cycle"}, "cycle"),
        ({"kind": "bulk"}, "cycle"),
        ({"kind": "poster", "cycle": 1}, "kind"),
        ({"kind": "member", "subject": 999999}, "subject"),
        ({"kind": "member", "subject": "abc"}, "subject"),
    ],
)
def test_bad_payloads_are_400_naming_the_field_and_make_nothing(released, payload, field):
    response = api_client(Scope.REPORTS_READ).post(URL, payload, format="json")
    assert response.status_code == 400
    assert field in {error["attr"] for error in response.json()["errors"]}
    assert ReportJob.objects.count() == 0


def test_a_file_that_is_not_ready_is_404(released):
    _cycle, case, _people = released
    client = api_client(Scope.REPORTS_READ)
    job_id = client.post(URL, {"kind": "team", "case": case.pk}, format="json").json()["id"]
    assert client.get(f"{URL}{job_id}/file/").status_code == 404
    assert client.get(f"{URL}abc/").status_code == 404


def test_the_list_costs_the_same_queries_for_5_and_50_jobs(released):
    _cycle, case, _people = released
    client = api_client(Scope.REPORTS_READ)
    client.get(URL)  # the key's first use writes its last-used time: not the list's cost
    counts = []
    for n in (5, 50):
        ReportJob.objects.all().delete()
        ReportJob.objects.bulk_create([ReportJob(kind="team", cycle=case.cycle, case=case) for _ in range(n)])
        with CaptureQueriesContext(connection) as queries:
            assert len(client.get(URL, {"page_size": 100}).json()["results"]) == n
        counts.append(len(queries))
    assert counts[0] == counts[1]


def test_the_list_filters_by_cycle_and_case_ids_and_names_a_bad_one(released):
    cycle, case, _people = released
    client = api_client(Scope.REPORTS_READ)
    client.post(URL, {"kind": "team", "case": case.pk}, format="json")
    assert len(client.get(URL, {"cycle": cycle.pk}).json()["results"]) == 1
    assert len(client.get(URL, {"case": case.pk}).json()["results"]) == 1
    assert client.get(URL, {"cycle": cycle.pk + 1000}).json()["results"] == []
    for bad in ({"cycle": "\x00"}, {"case": "1.5"}, {"cycle": "abc"}):
        response = client.get(URL, bad)
        assert response.status_code == 400
        assert response.json()["errors"][0]["attr"] == next(iter(bad))
