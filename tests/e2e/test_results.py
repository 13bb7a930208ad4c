"""Leaders see their results only once released, with the radar chart; HR follows turnout on the desk."""

import re

import pytest
from django.contrib.auth.models import Permission
from playwright.sync_api import Page, expect

from assessments.services import cycle_release
from tests.assessments.factories import UserFactory
from tests.assessments.helpers import assignment_of, fill, open_case
from tests.e2e.helpers import capture, log_in, scored_case, user_for

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_leader_sees_nothing_before_release_and_the_radar_chart_after(page: Page, url):
    cycle, _, (a, *_) = scored_case()
    log_in(page, url, user_for(a))
    page.get_by_role("link", name="My results").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("My results")
    expect(page.get_by_text("No results have been released to you yet.")).to_be_visible()
    expect(page.get_by_text(cycle.name)).to_have_count(0)
    expect(page.locator("svg")).to_have_count(0)
    capture(page, "my-results-before-release")

    cycle_release(cycle=cycle)
    page.reload()
    expect(page.get_by_role("heading", name=cycle.name)).to_be_visible()
    expect(page.get_by_role("img", name="Scores by dimension")).to_be_visible()
    expect(page.get_by_text("No results have been released to you yet.")).to_have_count(0)
    expect(page.get_by_text("意见0")).to_be_visible()
    capture(page, "my-results")


def test_hr_follows_turnout_on_the_cycle_desk(page: Page, url):
    cycle, case, (a, b), (boss,), _ = open_case(members=2, superiors=1, codes=2)
    fill(assignment=assignment_of(case, boss), scores={a: 8, b: 7, "team": 8})
    hr = UserFactory()
    hr.user_permissions.add(Permission.objects.get(codename="manage_cycles"))

    log_in(page, url, hr)
    page.get_by_role("link", name="Cycle desk").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Cycle desk")
    capture(page, "hr-cycles")
    page.get_by_role("link", name=cycle.name).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(cycle.name)
    expect(page.get_by_text(re.compile(r"^1 of 5 ballots returned"))).to_be_visible()
    expect(page.get_by_role("link", name=case.team.name)).to_be_visible()
    capture(page, "hr-cycle")
