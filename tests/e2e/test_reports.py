"""HR's report desk in a browser: ask for every report of a released cycle, follow the progress, download
the ZIP; the leader downloads their own report from "My results"."""

import pytest
from django.contrib.auth.models import Permission
from playwright.sync_api import Page, expect

from assessments.services import cycle_release
from reports.models import ReportJob
from reports.services import bulk_assemble, report_job_run
from tests.assessments.factories import UserFactory
from tests.e2e.helpers import capture, log_in, scored_case, user_for
from tests.e2e.test_accessibility import audit

pytestmark = pytest.mark.django_db(transaction=True)


def test_hr_makes_every_report_and_the_leader_downloads_theirs(page: Page, url):
    cycle, case, (_principal, leader, *_) = scored_case()
    cycle_release(cycle=cycle)
    hr = UserFactory()
    hr.user_permissions.add(Permission.objects.get(codename="manage_cycles"))

    log_in(page, url, hr)
    page.goto(url(f"/hr/cycles/{cycle.pk}/"))
    page.get_by_role("link", name="Reports: every leader's PDF, team reports, the cycle summary").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Reports")
    found = audit(page, "report desk")
    page.get_by_role("button", name="Make every report of the cycle (ZIP)").click()
    expect(page.get_by_role("status")).to_contain_text("Queued")
    expect(page.get_by_role("cell", name="0/5")).to_be_visible()
    capture(page, "report-desk-running")

    # The worker's part, done here: every report, then the ZIP.
    bulk = ReportJob.objects.get(kind="bulk")
    for child in bulk.children.all():
        report_job_run(job_id=child.pk)
    bulk_assemble(job_id=bulk.pk)
    page.reload()
    expect(page.get_by_role("cell", name="5/5")).to_be_visible()
    found += audit(page, "report desk, done")
    capture(page, "report-desk-done")
    with page.expect_download() as download:
        page.get_by_role("link", name="Download").first.click()
    assert download.value.suggested_filename.endswith("全部报告.zip")
    page.get_by_role("button", name="Log out").click()

    log_in(page, url, user_for(leader))
    page.get_by_role("link", name="My results").click()
    with page.expect_download() as download:
        page.get_by_role("link", name="My report (PDF)").click()
    assert (
        download.value.suggested_filename
        == f"{case.team.org_unit.name}_{leader.name}_{leader.employee_number}_成员报告.pdf"
    )
    assert not found, "serious or critical WCAG 2.1 AA violations:\n" + "\n".join(found)
