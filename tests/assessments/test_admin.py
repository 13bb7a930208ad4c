"""HR runs a cycle from the admin: open (codes shown once), close, score, release."""

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from assessments.models import Assignment, BallotCode, Cycle
from assessments.services import case_create
from tests.assessments.factories import CycleFactory, PersonFactory, UserFactory, team_with_members

pytestmark = pytest.mark.django_db


@pytest.fixture
def hr_client(client):
    user = UserFactory(is_staff=True)
    user.user_permissions.add(
        *Permission.objects.filter(
            content_type__app_label="assessments",
            codename__in=[
                "view_cycle",
                "change_cycle",
                *(f"{verb}_cycleratergroup" for verb in ("view", "add", "change", "delete")),
            ],
        )
    )
    client.force_login(user)
    return client


def act(client, action, cycle):
    url = reverse("admin:assessments_cycle_changelist")
    return client.post(url, {"action": action, "_selected_action": [cycle.pk]}, follow=True)


def test_opening_from_the_admin_shows_the_codes_once_and_stores_only_hashes(hr_client):
    cycle = CycleFactory()
    team, _ = team_with_members(3)
    case = case_create(cycle=cycle, team=team, superiors=[PersonFactory()], anonymous_ballots=4)
    response = act(hr_client, "open_cycles", cycle)
    assert response.status_code == 200
    page = response.content.decode()
    assert "shown this once" in page
    assert page.count("/b/") == 4
    cycle.refresh_from_db()
    assert cycle.status == Cycle.Status.OPEN
    assert Assignment.objects.filter(case=case).count() == 4
    for code_hash in BallotCode.objects.values_list("code_hash", flat=True):
        assert code_hash not in page


def test_a_refused_transition_is_reported_not_raised(hr_client):
    cycle = CycleFactory()  # a draft: cannot be released
    response = act(hr_client, "release_cycles", cycle)
    assert response.status_code == 200
    assert "Cannot release the cycle" in response.content.decode()
    cycle.refresh_from_db()
    assert cycle.status == Cycle.Status.DRAFT


def test_an_open_cycle_keeps_its_rules_read_only(hr_client):
    cycle = CycleFactory(status=Cycle.Status.OPEN)
    response = hr_client.get(reverse("admin:assessments_cycle_change", args=[cycle.pk]))
    assert response.status_code == 200
    page = response.content.decode()
    # Its rater groups are shown, and fixed: no field to change a weight, no row to add.
    assert "Subordinates / employee representatives" in page
    assert 'name="rater_groups-0-weight"' not in page and 'name="rater_groups-__prefix__-code"' not in page
    assert 'name="closes_at_0"' in page


def test_a_draft_cycles_groups_are_edited_in_the_admin(hr_client):
    cycle = CycleFactory()
    page = hr_client.get(reverse("admin:assessments_cycle_change", args=[cycle.pk])).content.decode()
    assert 'name="rater_groups-0-weight"' in page and 'name="rater_groups-__prefix__-code"' in page


def test_ballots_and_scores_have_no_admin_pages(admin_client):
    for model in ("ballot", "score", "sectionresponse", "ballotcode", "ballotdraft"):
        assert admin_client.get(f"/admin/assessments/{model}/").status_code == 404


def test_non_staff_cannot_reach_the_cycle_admin(client):
    client.force_login(UserFactory())
    response = client.get(reverse("admin:assessments_cycle_changelist"))
    assert response.status_code == 302
