"""The report pages: HR's desk asks for reports and shows progress; downloads go only to those allowed, as
attachments with their Chinese names."""

from urllib.parse import quote

import pytest
from django.urls import reverse

from assessments.models import CaseSubject
from reports.models import ReportJob
from reports.services import report_job_run, report_request
from tests.assessments.factories import UserFactory
from tests.assessments.helpers import login_as, open_case, released_case
from tests.integrations.factories import hr_user

from .helpers import FakeRender

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    cycle, case, (principal, leader, other, *_) = released_case()
    hr = hr_user()
    reports = {}
    for person in (leader, other):
        subject = CaseSubject.objects.get(case=case, person=person)
        job = report_request(actor=hr, kind="member", subject=subject)
        report_job_run(job_id=job.pk, render=FakeRender())
        reports[person.pk] = job
    team = report_request(actor=hr, kind="team", case=case)
    report_job_run(job_id=team.pk, render=FakeRender())
    return {
        "cycle": cycle,
        "case": case,
        "hr": hr,
        "principal": principal,
        "leader": leader,
        "other": other,
        "reports": reports,
        "team": team,
    }


def test_a_leader_downloads_their_own_report_with_its_chinese_name(client, world):
    leader, case = world["leader"], world["case"]
    login_as(client, leader)
    subject = CaseSubject.objects.get(case=case, person=leader)
    response = client.get(reverse("reports:subject_pdf", args=[subject.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    name = f"{case.team.org_unit.name}_{leader.name}_{leader.employee_number}_成员报告.pdf"
    assert f"filename*=utf-8''{quote(name)}" in response["Content-Disposition"]
    assert response["Content-Disposition"].startswith("attachment")
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    # and through the job's own link
    assert client.get(reverse("reports:download", args=[world["reports"][leader.pk].pk])).status_code == 200


def test_nobody_else_downloads_a_leaders_report(client, world):
    other_job = world["reports"][world["other"].pk]
    other_subject = other_job.subject
    login_as(client, world["leader"])
    assert client.get(reverse("reports:download", args=[other_job.pk])).status_code == 404
    assert client.get(reverse("reports:subject_pdf", args=[other_subject.pk])).status_code == 404
    assert client.get(reverse("reports:download", args=[world["team"].pk])).status_code == 404
    client.force_login(UserFactory())
    assert client.get(reverse("reports:download", args=[other_job.pk])).status_code == 404


def test_the_principal_downloads_the_team_report_and_hr_everything(client, world):
    login_as(client, world["principal"])
    assert client.get(reverse("reports:team_pdf", args=[world["case"].pk])).status_code == 200
    assert client.get(reverse("reports:download", args=[world["team"].pk])).status_code == 200
    client.force_login(world["hr"])
    for job in [*world["reports"].values(), world["team"]]:
        assert client.get(reverse("reports:download", args=[job.pk])).status_code == 200


def test_before_release_a_leader_gets_nothing(client):
    _cycle, case, (_principal, leader, *_) = released_case(release=False)
    hr = hr_user()
    subject = CaseSubject.objects.get(case=case, person=leader)
    job = report_request(actor=hr, kind="member", subject=subject)
    report_job_run(job_id=job.pk, render=FakeRender())
    login_as(client, leader)
    assert client.get(reverse("reports:download", args=[job.pk])).status_code == 404
    assert client.get(reverse("reports:subject_pdf", args=[subject.pk])).status_code == 404


def test_a_leader_whose_report_is_not_made_yet_is_told_so(client):
    _cycle, case, (_principal, leader, *_) = released_case()
    login_as(client, leader)
    response = client.get(reverse("reports:subject_pdf", args=[CaseSubject.objects.get(case=case, person=leader).pk]))
    assert response.status_code == 404
    assert "not ready" in response.content.decode() or "尚未" in response.content.decode()


def test_hr_asks_for_every_report_of_the_cycle_on_the_desk_and_sees_progress(client, world):
    client.force_login(world["hr"])
    cycle = world["cycle"]
    page = client.get(reverse("reports:cycle", args=[cycle.pk]))
    assert page.status_code == 200
    response = client.post(reverse("reports:request", args=[cycle.pk]), {"kind": "bulk"})
    assert response.status_code == 302
    bulk = ReportJob.objects.get(kind="bulk")
    assert bulk.total == 5
    page = client.get(reverse("reports:cycle", args=[cycle.pk]))
    html = page.content.decode()
    assert '<meta http-equiv="refresh"' in html  # live progress while it runs
    assert "0/5" in html


def test_hr_asks_for_one_members_report_on_the_case_desk(client, world):
    client.force_login(world["hr"])
    case, leader = world["case"], world["leader"]
    subject = CaseSubject.objects.get(case=case, person=leader)
    assert client.get(reverse("reports:case", args=[case.pk])).status_code == 200
    response = client.post(
        reverse("reports:request", args=[case.cycle.pk]), {"kind": "member", "case": case.pk, "subject": subject.pk}
    )
    assert response.status_code == 302 and response["Location"] == reverse("reports:case", args=[case.pk])
    assert ReportJob.objects.filter(kind="member", subject=subject).count() == 2


@pytest.mark.parametrize(
    "data",
    [{"kind": "nonsense"}, {"kind": "member", "subject": "abc"}, {"kind": "member", "subject": "999999"}, {}],
)
def test_bad_requests_on_the_desk_change_nothing(client, world, data):
    client.force_login(world["hr"])
    before = ReportJob.objects.count()
    response = client.post(reverse("reports:request", args=[world["cycle"].pk]), data)
    assert response.status_code in (302, 404)
    assert ReportJob.objects.count() == before


def test_an_unscored_cycle_cannot_have_reports(client):
    cycle, *_ = open_case(members=2)
    client.force_login(hr_user())
    response = client.post(reverse("reports:request", args=[cycle.pk]), {"kind": "bulk"}, follow=True)
    assert ReportJob.objects.count() == 0
    assert response.status_code == 200


def test_the_desk_is_hr_only(client, world):
    login_as(client, world["principal"])
    for name, arg in (("reports:cycle", world["cycle"].pk), ("reports:case", world["case"].pk)):
        assert client.get(reverse(name, args=[arg])).status_code == 404
    assert client.post(reverse("reports:request", args=[world["cycle"].pk]), {"kind": "bulk"}).status_code == 404
    assert ReportJob.objects.filter(kind="bulk").count() == 0
