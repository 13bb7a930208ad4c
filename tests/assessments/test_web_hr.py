"""HR's cycle desk: turnout in numbers, transitions through the services, the case page; HR only."""

import pytest
from django.urls import reverse

from assessments.models import Ballot, Cycle, TimelineEvent
from assessments.services import case_create, code_resolve
from tests.assessments.factories import CycleFactory, PersonFactory, UserFactory, team_with_members
from tests.assessments.helpers import assignment_of, close, fill, open_case

pytestmark = pytest.mark.django_db


def test_the_desk_shows_turnout_per_case_and_group_in_numbers(client, hr):
    cycle, case, (a, b), (_s,), codes = open_case(members=2, superiors=1, codes=3)
    fill(assignment=assignment_of(case, a), scores={a: 9, b: 7, "team": 8})
    fill(code=codes[0], scores={a: 8, b: 7, "team": 8})
    page = client.get(reverse("assessments:hr_cycle", args=[cycle.pk])).content.decode()
    assert case.team.name in page
    assert "2 of 6 ballots returned" in page
    assert "2/6 (33%)" in page and "below quorum" in page
    assert "0/1" in page and "1/2" in page and "1/3" in page


def test_hr_opens_a_cycle_and_sees_the_codes_once(client, hr):
    cycle = CycleFactory()
    team, _ = team_with_members(2)
    case_create(cycle=cycle, team=team, superiors=[PersonFactory()], anonymous_ballots=2)
    response = client.post(reverse("assessments:hr_cycle_transition", args=[cycle.pk]), {"action": "open"})
    page = response.content.decode()
    assert response.status_code == 200 and "shown this once" in page
    assert page.count("/b/") == 2
    cycle.refresh_from_db()
    assert cycle.status == Cycle.Status.OPEN


def test_a_refused_transition_is_explained_and_changes_nothing(client, hr):
    cycle = CycleFactory()
    response = client.post(
        reverse("assessments:hr_cycle_transition", args=[cycle.pk]), {"action": "release"}, follow=True
    )
    assert "Cannot release the cycle" in response.content.decode()
    cycle.refresh_from_db()
    assert cycle.status == Cycle.Status.DRAFT
    response = client.post(
        reverse("assessments:hr_cycle_transition", args=[cycle.pk]), {"action": "explode"}, follow=True
    )
    assert "Unknown action." in response.content.decode()


def test_the_case_page_shows_team_raters_turnout_and_timeline(client, hr):
    cycle, case, (a, _b), (s,), _ = open_case(members=2, superiors=1, codes=1)
    client.post(reverse("assessments:hr_cycle_transition", args=[cycle.pk]), {"action": "close"})
    page = client.get(reverse("assessments:hr_case", args=[case.pk])).content.decode()
    assert a.name in page and s.name in page
    assert "Superiors: 0/1" in page and "Subordinates / employee representatives: 0/1" in page
    assert "Opened (Draft → Open)" in page and "Closed (Open → Closed)" in page


@pytest.mark.parametrize("name", ["hr_cycles", "hr_cycle", "hr_case"])
def test_others_get_not_found(client, name):
    cycle, case, (_a, _), _, _ = open_case()
    client.force_login(UserFactory())
    args = [] if name == "hr_cycles" else [cycle.pk if name == "hr_cycle" else case.pk]
    assert client.get(reverse(f"assessments:{name}", args=args)).status_code == 404
    assert (
        client.post(reverse("assessments:hr_cycle_transition", args=[cycle.pk]), {"action": "close"}).status_code == 404
    )
    cycle.refresh_from_db()
    assert cycle.status == Cycle.Status.OPEN


def test_a_rehearsal_is_purged_from_the_desk_and_new_slips_are_printed(client, hr):
    cycle, _case, (a, b), _, codes = open_case(members=2, superiors=0, codes=2, test_mode=True)
    fill(code=codes[0], scores={a: 8, b: 7, "team": 8})
    page = client.get(reverse("assessments:hr_cycle", args=[cycle.pk])).content.decode()
    assert "Test mode" in page and "Purge the test ballots" in page
    response = client.post(reverse("assessments:hr_cycle_transition", args=[cycle.pk]), {"action": "purge"})
    assert response.status_code == 200 and response.content.decode().count('class="slip"') == 2
    cycle.refresh_from_db()
    assert cycle.status == Cycle.Status.OPEN and not cycle.test_mode
    assert not Ballot.objects.filter(cycle=cycle).exists()
    assert code_resolve(code=codes[1]) is None  # rehearsal codes may have been seen: all replaced


def test_reopening_from_the_desk_needs_a_reason(client, hr):
    cycle, *_ = open_case()
    close(cycle)
    url = reverse("assessments:hr_cycle_transition", args=[cycle.pk])
    response = client.post(url, {"action": "reopen", "reason": "  "}, follow=True)
    assert "Give a reason for reopening the cycle." in response.content.decode()
    cycle.refresh_from_db()
    assert cycle.status == Cycle.Status.CLOSED
    client.post(url, {"action": "reopen", "reason": "两位上级出差，延期一天"})
    cycle.refresh_from_db()
    assert cycle.status == Cycle.Status.OPEN
    assert TimelineEvent.objects.filter(cycle=cycle, action="reopened", reason="两位上级出差，延期一天").exists()
