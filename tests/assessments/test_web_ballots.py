"""The evaluator's pages: log in, my ballots, fill a sheet one person at a time, review, submit;
and the anonymous sheet behind a one-time code."""

import re

import pytest
from django.test import override_settings
from django.urls import reverse

from assessments.models import Assignment, Ballot, BallotDraft, CaseSubject
from assessments.services import sheet_for
from tests.assessments.factories import UserFactory
from tests.assessments.helpers import assignment_of, fill, open_case, open_code

pytestmark = pytest.mark.django_db


def login_as(client, person):
    person.user = UserFactory()
    person.save()
    client.force_login(person.user)
    return person.user


@pytest.fixture
def setup(client):
    cycle, case, (a, b), (s,), codes = open_case(members=2, superiors=1, codes=2)
    login_as(client, s)
    return cycle, case, a, b, s, codes


def neutral(page: str) -> str:
    page = re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", page)
    return re.sub(r'name="next" type="hidden" value="[^"]*"', "", page)


def section_post(sheet, index, value, vote="competent", **extra):
    sheet.sections[index - 1]
    data = {f"i{i.pk}": str(value) for i in sheet.indicators}
    data.update({"vote": vote, "comment": "", "p": str(index), **extra})
    return data


def test_my_ballots_lists_my_open_assignments_and_progress(client, setup):
    cycle, case, *_ = setup
    response = client.get(reverse("assessments:my_ballots"))
    page = response.content.decode()
    assert response.status_code == 200
    assert cycle.name in page and case.team.name in page
    assert "0 of 1 submitted" in page
    assert "rating as: Superiors" in page  # the name of the rater's group in this cycle


def test_pages_need_a_login(client):
    response = client.get(reverse("assessments:my_ballots"))
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_someone_elses_assignment_is_not_found(client, setup):
    _, case, a, *_ = setup
    assert client.get(reverse("assessments:sheet", args=[assignment_of(case, a).pk])).status_code == 404
    assert client.post(reverse("assessments:submit", args=[assignment_of(case, a).pk])).status_code == 404


def test_the_sheet_shows_one_person_with_the_rubric_scale_and_vote(client, setup):
    _, case, a, _b, s, _ = setup
    response = client.get(reverse("assessments:sheet", args=[assignment_of(case, s).pk]))
    page = response.content.decode()
    assert response.status_code == 200
    assert "Person 1 of 3:" in page
    assert a.name in page and "Scoring guide" in page
    assert page.count('type="radio"') == 11 * 10 + 4
    assert "Your rating counts as: Superiors" in page


def test_an_autosave_keeps_the_draft_and_a_reload_shows_it(client, setup):
    _, case, _, _, s, _ = setup
    assignment = assignment_of(case, s)
    url = reverse("assessments:sheet", args=[assignment.pk])
    sheet = sheet_for(assignment=assignment)
    first = sheet.indicators[0]
    response = client.post(f"{url}?p=1", {f"i{first.pk}": "8", "p": "1"}, headers={"X-Autosave": "1"})
    assert response.json() == {"saved": True}
    assert BallotDraft.objects.get(assignment=assignment).data["sections"][str(sheet.sections[0].subject.pk)][
        "scores"
    ] == {str(first.pk): 8}
    page = client.get(f"{url}?p=1").content.decode()
    assert f'id="i{first.pk}-8" name="i{first.pk}" value="8" checked' in page
    assert Assignment.objects.get(pk=assignment.pk).status == "draft"


def test_a_bad_score_is_refused_with_a_message_and_changes_nothing(client, setup):
    _, case, _, _, s, _ = setup
    assignment = assignment_of(case, s)
    url = reverse("assessments:sheet", args=[assignment.pk])
    first = sheet_for(assignment=assignment).indicators[0]
    response = client.post(f"{url}?p=1", {f"i{first.pk}": "99", "p": "1"}, headers={"X-Autosave": "1"})
    assert response.status_code == 400
    assert "whole number from 1 to 10" in response.json()["error"]
    response = client.post(f"{url}?p=1", {f"i{first.pk}": "abc", "p": "1", "go": "next"})
    assert response.status_code == 400 and "whole number" in response.content.decode()
    assert not BallotDraft.objects.exists()


def test_a_plain_form_post_saves_and_moves_to_the_next_person(client, setup):
    _, case, _, _, s, _ = setup
    assignment = assignment_of(case, s)
    url = reverse("assessments:sheet", args=[assignment.pk])
    sheet = sheet_for(assignment=assignment)
    response = client.post(f"{url}?p=1", section_post(sheet, 1, 8, go="next"))
    assert response.status_code == 302 and response["Location"] == f"{url}?p=2"
    assert "✓" in client.get(f"{url}?p=2").content.decode()


def test_review_names_what_is_missing_and_refuses_to_submit(client, setup):
    _, case, _a, _, s, _ = setup
    assignment = assignment_of(case, s)
    url = reverse("assessments:sheet", args=[assignment.pk])
    sheet = sheet_for(assignment=assignment)
    client.post(f"{url}?p=1", section_post(sheet, 1, 8))
    submit = reverse("assessments:submit", args=[assignment.pk])
    page = client.get(submit).content.decode()
    assert "Still to fill in" in page and "The team as a whole" in page
    assert client.post(submit, {"confirm": "on"}).status_code == 400
    assert not Ballot.objects.exists()


def test_a_complete_sheet_is_submitted_once_and_is_read_only_after(client, setup):
    _, case, _a, _b, s, _ = setup
    assignment = assignment_of(case, s)
    url = reverse("assessments:sheet", args=[assignment.pk])
    sheet = sheet_for(assignment=assignment)
    for index, value in ((1, 8), (2, 6), (3, 7)):
        client.post(f"{url}?p={index}", section_post(sheet, index, value))
    submit = reverse("assessments:submit", args=[assignment.pk])
    assert "I have checked my ballot" in client.get(submit).content.decode()
    response = client.post(submit, {"confirm": "on"})
    assert response.status_code == 200 and "Your ballot has been received" in response.content.decode()
    assert Ballot.objects.filter(assignment=assignment).count() == 1
    assert "can no longer be changed" in client.get(url).content.decode()
    client.post(f"{url}?p=1", section_post(sheet, 1, 2))
    client.post(submit, {"confirm": "on"})
    assert Ballot.objects.count() == 1
    assert not BallotDraft.objects.exists()


def test_the_quota_is_explained_before_submit(client):
    _cycle, case, _people, (s,), _ = open_case(members=4, superiors=1, excellent_quota_percent=30)
    login_as(client, s)
    page = client.get(reverse("assessments:sheet", args=[assignment_of(case, s).pk])).content.decode()
    assert "At most 1 of the people you rate may be voted excellent." in page
    assert "every score is the same is void" in page


def test_an_anonymous_code_opens_submits_and_is_then_refused(client):
    _, _case, (a, b), _, codes = open_case(members=2, superiors=0, codes=1)
    url = open_code(client, codes[0])
    assert codes[0] not in url
    page = client.get(url).content.decode()
    assert "Person 1 of 3:" in page and "Subordinates" in page
    assert codes[0] not in page  # no link on the page leads back to the code
    fill(code=codes[0], scores={a: 8, b: 7, "team": 8}, submit=False)
    submit = url + "submit/"
    assert client.get(submit).status_code == 200
    response = client.post(submit, {"confirm": "on"})
    assert response.status_code == 200 and "Your ballot has been received" in response.content.decode()
    again = client.get(url)
    spent = client.post(reverse("assessments:code_entry"), {"code": codes[0]})
    unknown = client.post(reverse("assessments:code_entry"), {"code": "A" * 26})
    assert again.status_code == spent.status_code == unknown.status_code == 404
    # No oracle: spent and unknown codes get the same page, but for the CSRF token and the visitor's own URL.
    assert neutral(spent.content.decode()) == neutral(unknown.content.decode()) == neutral(again.content.decode())


def test_the_qr_link_carries_the_code_only_after_the_hash_and_later_urls_none(client):
    """Finding 6: a browser never sends what follows '#', so the slip's link reaches no log; the exchange answers
    with a sheet URL without the code, usable only by the browser that exchanged it."""
    from assessments.codes import code_link_path

    _, _case, _people, _, codes = open_case(members=2, superiors=0, codes=1)
    path, fragment = code_link_path(codes[0]).split("#")
    assert path == reverse("assessments:code_entry") and fragment == codes[0]
    page = client.get(path).content.decode()
    assert "kaoping/code.js" in page  # the script that posts the code from the fragment
    url = open_code(client, codes[0])
    assert client.get(url).status_code == 200
    assert open_code(client, codes[0]) == url  # scanned again: the same sheet address (unsent entries are found)
    cookie = client.cookies["kaoping_ballot"]
    assert codes[0] not in cookie.value and cookie["httponly"] and cookie["path"] == "/b/"
    from django.test import Client

    stranger = Client()
    assert stranger.get(url).status_code == 404  # the address alone opens nothing
    stranger.cookies["kaoping_ballot"] = "forged"
    assert stranger.get(url).status_code == 404


def test_a_slip_printed_with_the_code_in_its_path_still_opens_the_ballot(client):
    _, _case, _people, _, codes = open_case(members=2, superiors=0, codes=1)
    response = client.get(reverse("assessments:code_link", args=[codes[0]]))
    assert response.status_code == 303 and codes[0] not in response["Location"]
    assert response["Location"].startswith("/b/s/")
    assert client.get(response["Location"]).status_code == 200


@override_settings(KAOPING_CODE_MISSES="5/10m")
def test_guessing_codes_is_throttled_per_client(client):
    open_case(members=2, superiors=0, codes=1)
    entry = reverse("assessments:code_entry")
    statuses = [client.post(entry, {"code": f"{'B' * 25}{i}"}).status_code for i in range(4)]
    statuses.append(client.get(reverse("assessments:code_link", args=["B" * 26])).status_code)
    statuses += [client.post(entry, {"code": f"{'D' * 25}{i}"}).status_code for i in range(3)]
    assert statuses[:5] == [404] * 5
    assert statuses[5:] == [429] * 3
    response = client.get(reverse("assessments:code_link", args=["C" * 26]))
    assert response["Retry-After"] == "600"


def test_a_member_sees_their_own_section_as_a_self_evaluation(client):
    _, case, (a, _b), _, _ = open_case(members=2, superiors=0)
    login_as(client, a)
    page = client.get(reverse("assessments:sheet", args=[assignment_of(case, a).pk])).content.decode()
    assert "Your rating counts as: Self" in page
    team = CaseSubject.objects.get(case=case, kind="team")
    assert team.kind == "team"


@override_settings(AXES_FAILURE_LIMIT=3)
def test_repeated_wrong_passwords_lock_the_login(client):
    user = UserFactory(username="zhangsan")
    for _ in range(3):
        client.post(reverse("login"), {"username": "zhangsan", "password": "wrong"})
    response = client.post(reverse("login"), {"username": "zhangsan", "password": "pass-word-123"})
    assert response.status_code == 429
    assert "locked" in response.content.decode()
    assert user.last_login is None


def test_the_login_page_logs_in_and_lands_on_my_ballots(client):
    UserFactory(username="lisi")
    response = client.post(reverse("login"), {"username": "lisi", "password": "pass-word-123"})
    assert response.status_code == 302
    assert client.get(response["Location"], follow=True).request["PATH_INFO"] == reverse("assessments:my_ballots")
