"""axe-core on the pages evaluators and leaders use: no serious or critical WCAG 2.1 AA violation."""

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect

from assessments.services import cycle_release
from tests.assessments.helpers import open_case
from tests.e2e.helpers import capture, log_in, scored_case, user_for

pytestmark = pytest.mark.django_db(transaction=True)

WCAG_21_AA = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}
BLOCKING = ("serious", "critical")


def audit(page: Page, name: str) -> list[str]:
    """The page's serious and critical violations, one readable line per rule and node."""
    results = Axe().run(page, options={**WCAG_21_AA, "resultTypes": ["violations"]})
    found = []
    for violation in results.response["violations"]:
        if violation["impact"] not in BLOCKING:
            continue
        targets = "; ".join(" ".join(node["target"]) for node in violation["nodes"])
        found.append(f"{name}: {violation['id']} ({violation['impact']}): {violation['help']} at {targets}")
    return found


def test_the_key_pages_have_no_serious_or_critical_accessibility_violations(page: Page, url):
    _, case, _people, (boss,), _ = open_case(members=2, superiors=1)
    evaluator = user_for(boss)
    cycle, _, (leader, *_) = scored_case()
    cycle_release(cycle=cycle)
    found = []

    page.goto(url("/accounts/login/"))
    found += audit(page, "login")
    log_in(page, url, evaluator)
    expect(page.get_by_role("heading", level=1)).to_have_text("My ballots")
    found += audit(page, "my ballots")
    page.get_by_role("link", name=case.team.name).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Person 1 of 3")
    page.get_by_text("Scoring guide").first.click()  # the rubric's text is audited too
    found += audit(page, "ballot sheet")
    page.get_by_role("button", name="Log out").click()

    log_in(page, url, user_for(leader))
    page.get_by_role("link", name="My results").click()
    expect(page.get_by_role("img", name="Scores by dimension")).to_be_visible()
    found += audit(page, "my results")

    assert not found, "serious or critical WCAG 2.1 AA violations:\n" + "\n".join(found)


def test_the_cycle_desk_slips_and_team_pages_have_no_serious_or_critical_violations(page: Page, url):
    from django.contrib.auth.models import Permission

    _, case, *_ = open_case(members=2, superiors=1, codes=2)
    released, released_case, (principal, *_) = scored_case()
    cycle_release(cycle=released)
    hr = user_for(open_case(members=1, superiors=0)[2][0])
    hr.user_permissions.add(Permission.objects.get(codename="manage_cycles"))
    found = []

    log_in(page, url, hr)
    page.goto(url("/hr/"))
    found += audit(page, "cycle desk")
    page.goto(url("/hr/cycles/new/"))
    found += audit(page, "new cycle")
    page.goto(url(f"/hr/cycles/{case.cycle_id}/"))
    found += audit(page, "cycle")
    page.goto(url(f"/hr/cases/{case.pk}/"))
    found += audit(page, "case")
    page.get_by_role("button", name="Issue and print").click()
    expect(page.locator(".slip")).to_have_count(5)
    found += audit(page, "QR slips")
    capture(page, "qr-slips")
    page.goto(url(f"/hr/cases/{released_case.pk}/"))
    found += audit(page, "case with feedback talks")
    page.get_by_role("button", name="Log out").click()

    log_in(page, url, user_for(principal))
    page.goto(url(f"/results/team/{released_case.pk}/"))
    expect(page.get_by_role("heading", level=1)).to_have_text(released_case.team.name)
    found += audit(page, "team results")
    capture(page, "team-results")

    assert not found, "serious or critical WCAG 2.1 AA violations:\n" + "\n".join(found)
