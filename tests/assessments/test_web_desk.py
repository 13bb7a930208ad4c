"""The cycle desk from a browser's point of view: create a cycle, set it up, add teams, print QR slips,
issue more codes or replace lost ones. Every bad input is explained and changes nothing."""

import re

import pytest
from django.urls import reverse

from assessments.models import BallotCode, Case, Cycle, TimelineEvent
from assessments.services import case_create, code_resolve, draft_save, sheet_for
from tests.assessments.factories import CycleFactory, PersonFactory, default_framework, team_with_members
from tests.assessments.helpers import open_case

pytestmark = pytest.mark.django_db


def cycle_form(**changes) -> dict:
    data = {
        "name": "2026年度领导班子考评",
        "year": 2026,
        "framework": default_framework().pk,
        "scale_min": 1,
        "scale_max": 10,
        "preset": "standard",
        "trim_above": 5,
        "void_if_all_identical": "on",
        "void_if_all_max": "on",
        "excellent_quota_percent": "",
        "band_excellent": 90,
        "band_competent": 70,
        "band_basic": 60,
        "min_group_size": 3,
        "quorum_percent": 50,
        "removal_share": "1/3",
        "warning_share": "2/3",
        "opens_at": "",
        "closes_at": "",
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def test_hr_creates_a_cycle_from_the_desk(client, hr):
    assert client.get(reverse("assessments:hr_cycle_new")).status_code == 200
    response = client.post(reverse("assessments:hr_cycle_new"), cycle_form(excellent_quota_percent=30))
    cycle = Cycle.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("assessments:hr_cycle", args=[cycle.pk])
    assert cycle.status == Cycle.Status.DRAFT and cycle.excellent_quota_percent == 30
    assert TimelineEvent.objects.filter(cycle=cycle, action="created", actor=hr).exists()
    assert cycle.weights == {"superior": 30, "peer": 30, "subordinate": 40}


def test_a_new_cycle_takes_the_groups_of_the_preset_chosen(client, hr):
    page = client.get(reverse("assessments:hr_cycle_new")).content.decode()
    assert 'name="preset"' in page and "assessment panel 40" in page
    response = client.post(reverse("assessments:hr_cycle_new"), cycle_form(preset="panel"))
    assert response.status_code == 302
    cycle = Cycle.objects.get()
    assert [g.code for g in cycle.groups] == ["leader", "panel", "staff", "self"]
    assert cycle.weights == {"leader": 20, "panel": 40, "staff": 40}


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"preset": "nonsense"}, "Select a valid choice"),
        ({"band_competent": 95}, "Grade bands must rise"),
        ({"scale_max": 1}, "above the lowest score"),
        ({"removal_share": "abc"}, "Enter a fraction"),
        ({"year": "twenty"}, "Enter a whole number"),
        ({"framework": 999999}, "Select a valid choice"),
        ({"opens_at": "2026-12-01T09:00", "closes_at": "2026-11-01T09:00"}, "close after it opens"),
    ],
)
def test_a_bad_cycle_is_refused_with_the_reason_and_nothing_is_created(client, hr, changes, message):
    response = client.post(reverse("assessments:hr_cycle_new"), cycle_form(**changes))
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Cycle.objects.exists()


def test_a_draft_cycles_settings_change_and_an_open_cycles_do_not(client, hr):
    cycle = CycleFactory()
    url = reverse("assessments:hr_cycle_edit", args=[cycle.pk])
    assert client.get(url).status_code == 200
    response = client.post(url, cycle_form(name="改名", quorum_percent=60))
    assert response.status_code == 302
    cycle.refresh_from_db()
    assert cycle.name == "改名" and cycle.quorum_percent == 60
    assert TimelineEvent.objects.filter(cycle=cycle, action="updated").exists()
    # The weights are the rater groups' (their own page); the settings form has neither weights nor a preset.
    page = client.get(url).content.decode()
    assert 'name="preset"' not in page and "weight" not in page
    assert reverse("assessments:hr_cycle_groups", args=[cycle.pk]) in page

    response = client.post(url, cycle_form(band_competent=95))
    assert response.status_code == 400 and "Grade bands must rise" in response.content.decode()
    cycle.refresh_from_db()
    assert cycle.band_competent == 70

    opened, *_ = open_case()
    response = client.post(reverse("assessments:hr_cycle_edit", args=[opened.pk]), cycle_form(), follow=True)
    assert "Only a draft cycle" in response.content.decode()


def test_hr_adds_teams_with_their_superiors_and_codes(client, hr):
    cycle = CycleFactory()
    (team1, _), (team2, _) = team_with_members(2), team_with_members(3)
    boss1, boss2 = PersonFactory(), PersonFactory()
    page = client.get(reverse("assessments:hr_cycle", args=[cycle.pk])).content.decode()
    assert team1.name in page and "Add the selected teams" in page
    assert 'name="raters_superior"' in page and 'name="codes_subordinate"' in page
    response = client.post(
        reverse("assessments:hr_cycle_teams", args=[cycle.pk]),
        {
            "teams": [team1.pk, team2.pk],
            "codes_subordinate": 12,
            "raters_superior": f"{boss1.employee_number}，{boss2.employee_number}\n",
        },
    )
    assert response.status_code == 302
    cases = Case.objects.filter(cycle=cycle)
    assert cases.count() == 2
    assert {c.anonymous_ballots for c in cases} == {12}
    assert all(c.code_counts == {"subordinate": 12} for c in cases)
    assert all(
        {(r.group.code, r.person) for r in c.named_raters.all()} == {("superior", boss1), ("superior", boss2)}
        for c in cases
    )


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"codes_subordinate": 5, "raters_superior": "NOBODY1 NOBODY2"}, "NOBODY1, NOBODY2"),
        ({"codes_subordinate": -1}, "greater than or equal to 0"),
        ({"codes_subordinate": 5, "teams": []}, "This field is required"),
        ({"codes_subordinate": 5, "teams": ["x"]}, "is not a valid value"),
    ],
)
def test_adding_teams_with_bad_input_names_the_problem_and_adds_none(client, hr, data, message):
    cycle = CycleFactory()
    team, _ = team_with_members(2)
    response = client.post(reverse("assessments:hr_cycle_teams", args=[cycle.pk]), {"teams": [team.pk], **data})
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Case.objects.filter(cycle=cycle).exists()


def test_teams_already_in_the_cycle_are_not_offered_again(client, hr):
    cycle = CycleFactory()
    team, _ = team_with_members(2)
    case_create(cycle=cycle, team=team)
    response = client.post(reverse("assessments:hr_cycle_teams", args=[cycle.pk]), {"teams": [team.pk]})
    assert response.status_code == 400
    assert Case.objects.filter(cycle=cycle).count() == 1


def slip_codes(page: str) -> list[str]:
    return re.findall(r"<code>([A-Z2-7]{4}(?:-[A-Z2-7]{1,4})+)</code>", page)


def test_opening_prints_one_qr_slip_per_code_with_chinese_instructions(client, hr):
    cycle = CycleFactory(name="2026年度考评")
    team, _ = team_with_members(2)
    case_create(cycle=cycle, team=team, anonymous_ballots=3)
    response = client.post(reverse("assessments:hr_cycle_transition", args=[cycle.pk]), {"action": "open"})
    page = response.content.decode()
    assert response.status_code == 200 and response["Cache-Control"] == "no-store"
    codes = slip_codes(page)
    assert len(codes) == 3
    assert page.count('class="slip"') == 3 and page.count("<svg") == 3
    assert "民主测评票" in page and "扫描" in page and team.name in page  # the slips are in Chinese, whatever the UI
    # The grouped code a person types and the link the QR holds both open the ballot.
    assert all(code_resolve(code=c) is not None for c in codes)
    # The QR code's link carries the code after '#', which no browser sends to a server.
    assert f"/b/#{codes[0].replace('-', '')}" in page
    assert f"/b/{codes[0].replace('-', '')}/" not in page


def test_more_codes_for_an_open_case_are_issued_and_printed_once(client, hr):
    _, case, *_ = open_case(codes=2)
    response = client.post(reverse("assessments:hr_case_codes", args=[case.pk]), {"action": "add", "count": 4})
    assert response.status_code == 200
    assert len(slip_codes(response.content.decode())) == 4
    case.refresh_from_db()
    assert case.anonymous_ballots == 6
    assert BallotCode.objects.filter(case=case).count() == 6
    assert TimelineEvent.objects.filter(
        case=case, action="codes_issued", data={"count": 4, "group": "subordinate"}
    ).exists()


@pytest.mark.parametrize("count", ["0", "-3", "abc", "", "100000"])
def test_a_bad_number_of_codes_is_explained_and_issues_none(client, hr, count):
    _, case, *_ = open_case(codes=2)
    response = client.post(
        reverse("assessments:hr_case_codes", args=[case.pk]), {"action": "add", "count": count}, follow=True
    )
    assert response.status_code == 200 and 'class="error"' in response.content.decode()
    assert BallotCode.objects.filter(case=case).count() == 2


def test_replacing_unused_codes_keeps_the_ones_people_started(client, hr):
    _, case, *_, codes = open_case(codes=3)
    started = code_resolve(code=codes[0])
    sheet = sheet_for(code=started)
    draft_save(code=started, changes={"sections": {str(sheet.sections[0].subject.pk): {"comment": "写了一半"}}})
    response = client.post(reverse("assessments:hr_case_codes", args=[case.pk]), {"action": "replace"})
    new = slip_codes(response.content.decode())
    assert len(new) == 2
    assert code_resolve(code=codes[0]) is not None  # the half-filled ballot is not lost
    assert code_resolve(code=codes[1]) is None and code_resolve(code=codes[2]) is None
    assert all(code_resolve(code=c) is not None for c in new)
    page = client.get(reverse("assessments:hr_case", args=[case.pk])).content.decode()
    assert "3 issued, 0 spent, 2 not opened yet" in page


def test_codes_cannot_be_added_to_a_cycle_that_is_not_open(client, hr):
    cycle = CycleFactory()
    team, _ = team_with_members(2)
    case = case_create(cycle=cycle, team=team)
    response = client.post(
        reverse("assessments:hr_case_codes", args=[case.pk]), {"action": "add", "count": 2}, follow=True
    )
    assert "is not open" in response.content.decode()
    assert not BallotCode.objects.filter(case=case).exists()


def test_an_evaluator_can_type_the_code_from_the_slip(client):
    *_, codes = open_case(codes=1)
    grouped = "-".join(codes[0][i : i + 4] for i in range(0, len(codes[0]), 4)).lower()
    response = client.post(reverse("assessments:code_entry"), {"code": f" {grouped} "}, follow=True)
    assert response.status_code == 200 and "Ballot not available" not in response.content.decode()
    response = client.post(reverse("assessments:code_entry"), {"code": "  "})
    assert response.status_code == 400 and "Enter the code printed on your slip." in response.content.decode()
