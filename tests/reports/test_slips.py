"""Ballot-code slips as a PDF: made by a worker from codes sealed in the task's message, never stored."""

import io
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from assessments.codes import code_hash
from assessments.models import BallotCode
from assessments.services import case_create, cycle_open, rater_groups_set
from reports import rendering
from reports.models import ReportJob
from reports.services import report_jobs_sweep, slips_data, slips_job_run, slips_request
from tests.assessments.factories import CycleFactory, team_with_members
from tests.assessments.helpers import login_as, open_case
from tests.integrations.factories import hr_user

pytestmark = pytest.mark.django_db
S = ReportJob.Status


@pytest.fixture
def sent(monkeypatch):
    """The messages the service queues, kept here instead of going to a broker."""
    messages = []
    monkeypatch.setattr("reports.tasks.render_slips.delay", lambda *args: messages.append(args))
    return messages


@pytest.fixture
def issued():
    _cycle, case, _people, _bosses, codes = open_case(members=2, superiors=0, codes=10)
    return case, codes


def text_of(pdf: bytes) -> str:
    """The text, without the spaces and line breaks the extraction puts between Chinese and digits."""
    return "".join("".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages).split())


def test_hr_gets_the_slips_of_fresh_codes_as_a_pdf_and_no_row_keeps_a_code(
    issued, sent, django_capture_on_commit_callbacks
):
    case, codes = issued
    with django_capture_on_commit_callbacks(execute=True):
        job = slips_request(actor=hr_user(), case=case, codes=codes, base_url="https://kaoping.example.com/")
    [(job_id, sealed)] = sent
    assert job_id == job.pk
    assert not any(code in sealed for code in codes)  # sealed, not merely encoded

    slips_job_run(job_id=job.pk, sealed=sealed)

    job.refresh_from_db()
    assert (job.status, job.page_count) == (S.SUCCEEDED, 2)  # ten slips, eight a sheet
    with default_storage.open(job.file.name, "rb") as stored:
        text = text_of(stored.read())
    assert case.team.name in text and "民主测评票" in text
    assert "测评主体" not in text  # one anonymous group: nothing to tell apart
    for code in codes:
        assert "-".join(code[i : i + 4] for i in range(0, len(code), 4)) in text
    row = " ".join(str(value) for value in ReportJob.objects.filter(pk=job.pk).values().get().values())
    assert not any(code in row for code in codes)


def test_with_several_anonymous_groups_each_slip_names_the_group_its_code_is_for():
    cycle = CycleFactory()
    groups = [
        {"id": g.pk, "weight": 30 if g.code == "subordinate" else g.weight}
        for g in cycle.rater_groups.order_by("order")
    ]
    groups.append({"code": "clients", "name_zh": "服务对象", "name_en": "Clients", "source": "codes", "weight": 10})
    rater_groups_set(cycle=cycle, groups=groups)
    team, _ = team_with_members(2)
    case = case_create(cycle=cycle, team=team, codes={"subordinate": 3, "clients": 2})
    codes = cycle_open(cycle=cycle)[case.pk]

    data = slips_data(case=case, codes=codes, base_url="https://kaoping.example.com/")
    names = {"subordinate": "下级（职工代表）", "clients": "服务对象"}
    group_of = dict(BallotCode.objects.filter(case=case).values_list("code_hash", "rater_group"))
    assert [s["group"] for s in data["slips"]] == [names[group_of[code_hash(c)]] for c in codes]
    assert sorted(s["group"] for s in data["slips"]) == ["下级（职工代表）"] * 3 + ["服务对象"] * 2
    text = text_of(rendering.render("slips", data).pdf)
    assert text.count("测评主体：服务对象") == 2 and text.count("测评主体：下级（职工代表）") == 3


@pytest.mark.parametrize("trouble", ["foreign", "spent", "made up", "none"])
def test_only_open_codes_of_the_case_are_printed(issued, sent, trouble):
    case, codes = issued
    if trouble == "foreign":
        *_, other_codes = open_case(members=2, superiors=0, codes=1)
        codes = [*codes, other_codes[0]]
    elif trouble == "spent":
        BallotCode.objects.filter(case=case).update(status=BallotCode.Status.SPENT)
    elif trouble == "made up":
        codes = [*codes, "AAAABBBBCCCCDDDD"]
    else:
        codes = ["", "--"]
    with pytest.raises(ValidationError):
        slips_request(actor=hr_user(), case=case, codes=codes, base_url="https://kaoping.example.com/")
    assert ReportJob.objects.count() == 0 and sent == []


def test_a_message_that_is_not_ours_fails_at_once_without_retries(issued):
    case, codes = issued
    job = slips_request(actor=hr_user(), case=case, codes=codes, base_url="https://kaoping.example.com/")
    assert slips_job_run(job_id=job.pk, sealed="not-a-token") is not None
    job.refresh_from_db()
    assert (job.status, job.file.name) == (S.FAILED, "")
    assert "InvalidToken" in job.error


def test_slips_whose_message_was_lost_end_failed_with_what_to_do(issued, settings):
    case, codes = issued
    job = slips_request(actor=hr_user(), case=case, codes=codes, base_url="https://kaoping.example.com/")
    now = timezone.now()
    ReportJob.objects.filter(pk=job.pk).update(
        updated_at=now - timedelta(seconds=settings.KAOPING_REPORT_REQUEUE_AFTER + 5)
    )
    assert report_jobs_sweep(now=now) == 0
    job.refresh_from_db()
    assert job.status == S.FAILED and "Replace the unused codes" in job.error


def test_the_codes_page_hands_its_codes_to_the_pdf_job_for_hr_only(client, issued, sent):
    case, codes = issued
    url = reverse("reports:slips", args=[case.pk])
    login_as(client, case.subjects.exclude(person=None).first().person)
    assert client.post(url, {"codes": codes}).status_code == 404
    client.force_login(hr_user())
    response = client.post(url, {"codes": codes})
    assert response.status_code == 302 and response["Location"] == reverse("reports:case", args=[case.pk])
    assert ReportJob.objects.get().kind == "slips"
