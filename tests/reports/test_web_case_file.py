"""HR's case file: one printable record of a case with the team, results, talks, plans, reports and the whole
record of who did what, oldest first; never who rated whom."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from assessments.services import cycle_release, cycle_score
from followup.services import feedback_record_talk, feedback_respond
from reports.models import ReportJob
from tests.assessments.helpers import assignment_of, close, fill, open_case
from tests.followup.plan_helpers import hr_user, plan_to, subject_of

pytestmark = pytest.mark.django_db


def released_with_a_superior():
    cycle, case, people, (boss,), codes = open_case(members=3, superiors=1, codes=3, min_group_size=3)
    a, b, c = people
    for rater in (*people, boss):
        fill(assignment=assignment_of(case, rater), scores={a: 7, b: 8, c: 6, "team": 8})
    for code in codes:
        fill(code=code, scores={a: 6, b: 7, c: 8, "team": 7})
    cycle_score(cycle=close(cycle))
    cycle_release(cycle=cycle)
    case.refresh_from_db()
    return cycle, case, people, boss


def test_the_case_file_holds_talks_plans_reports_and_the_record_and_no_rater(client, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    cycle, case, (a, b, _c), boss = released_with_a_superior()
    hr = hr_user()
    feedback_record_talk(
        subject=subject_of(case, b),
        held_on=timezone.localdate() - dt.timedelta(days=1),
        participants="组织部 王五、班子正职",
        notes="肯定成绩，指出服务职工不足。",
        actor=hr,
    )
    feedback_respond(subject=subject_of(case, b), response="comment", text="同意，会改进。")
    plan_to("verified", case, b, hr)
    job = ReportJob.objects.create(
        kind=ReportJob.Kind.TEAM,
        cycle=cycle,
        case=case,
        status=ReportJob.Status.SUCCEEDED,
        file="reports/team.pdf",
        sha256="ab" * 32,
        finished_at=timezone.now(),
    )
    client.force_login(hr)
    assert (
        reverse("reports:case_file", args=[case.pk])
        in client.get(reverse("assessments:hr_case", args=[case.pk])).content.decode()
    )
    response = client.get(reverse("reports:case_file", args=[case.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    for text in (
        a.name,
        b.name,
        "组织部 王五、班子正职",
        "肯定成绩，指出服务职工不足。",
        "同意，会改进。",
        "经核实，已完成",  # the verification note
        "Improvement plan submitted",
        "Improvement plan verified",
        "Results released",
        "Feedback talk recorded",
        reverse("reports:download", args=[job.pk]),
    ):
        assert text in html, text
    record = html.split('id="cf-record"', 1)[1]
    assert "Action: " in record and "changed" in record and hr.get_username() in record
    # Oldest first: the release comes before the plan, the plan's submission before its verification.
    assert (
        record.index("Results released")
        < record.index("Improvement plan submitted")
        < record.index("Improvement plan verified")
    )
    # Named raters are not in the file (members rated each other, which their membership shows anyway).
    assert boss.name not in html and boss.employee_number not in html
    assert "Print" in html
