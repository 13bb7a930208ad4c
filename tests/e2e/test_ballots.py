"""Evaluators in the browser: a named evaluator fills, reloads, reviews and submits; an anonymous code
works once; and the whole sheet can be filled on a 360 px phone."""

import re

import pytest
from playwright.sync_api import Page, expect

from tests.assessments.helpers import open_case
from tests.e2e.helpers import ARTIFACTS, assert_fits, capture, fill_section, log_in, user_for, wait_saved

pytestmark = pytest.mark.django_db(transaction=True)

# One score per indicator of the default framework (11), varied so that no sheet is void.
FIRST = [8, 7, 9, 8, 6, 7, 8, 9, 7, 8, 6]
SECOND = [6, 7, 6, 5, 7, 6, 8, 6, 7, 6, 5]
TEAM = [8, 8, 7, 8, 9, 8, 7, 8, 8, 7, 8]


def heading(page: Page):
    return page.get_by_role("heading", level=1)


def test_a_named_evaluator_keeps_the_draft_across_a_reload_and_submits(page: Page, url):
    _cycle, case, (a, b), (boss,), _ = open_case(members=2, superiors=1)
    user = user_for(boss)

    page.goto(url("/accounts/login/"))
    capture(page, "login")
    log_in(page, url, user)
    expect(heading(page)).to_have_text("My ballots")
    expect(page.get_by_text("0 of 1 submitted")).to_be_visible()
    capture(page, "my-ballots")

    page.get_by_role("link", name=case.team.name).click()
    expect(heading(page)).to_contain_text(f"Person 1 of 3: {a.name}")
    expect(page.get_by_text("Your rating counts as: Superiors")).to_be_visible()
    capture(page, "sheet")

    # Half-way through the first person, the page is reloaded. wait_saved() makes sure the browser holds
    # no unsent copy, so what comes back after the reload comes from the server's draft.
    indicators = page.locator("fieldset.indicator")
    for i, value in enumerate(FIRST[:5]):
        indicators.nth(i).locator("label").get_by_text(str(value), exact=True).click()
    wait_saved(page)
    page.reload()
    for i, value in enumerate(FIRST[:5]):
        expect(indicators.nth(i).get_by_label(str(value), exact=True)).to_be_checked()
    for i in range(5, len(FIRST)):
        expect(indicators.nth(i).get_by_role("radio", checked=True)).to_have_count(0)

    fill_section(page, FIRST, start=5)
    page.get_by_role("button", name="Next").click()
    expect(heading(page)).to_contain_text(f"Person 2 of 3: {b.name}")
    expect(page.get_by_text("1 of 3 complete")).to_be_visible()
    fill_section(page, SECOND)
    page.get_by_role("button", name="Next").click()
    expect(heading(page)).to_contain_text("Person 3 of 3: The team as a whole")
    fill_section(page, TEAM)
    sheet_url = page.url
    page.get_by_role("button", name="Review and submit").click()

    expect(heading(page)).to_have_text("Review and submit")
    expect(page.get_by_text("Every section is filled in.")).to_be_visible()
    capture(page, "review")
    page.get_by_label("I have checked my ballot and want to submit it.").check()
    page.get_by_role("button", name="Submit ballot").click()
    expect(heading(page)).to_have_text("Ballot submitted")
    expect(page.get_by_role("status")).to_have_text(
        "Thank you. Your ballot has been received and can no longer be changed."
    )
    capture(page, "submitted")

    # The ballot is read-only now: its sheet says so and offers nothing to change.
    page.goto(sheet_url)
    expect(page.get_by_text("This ballot has been submitted and can no longer be changed.")).to_be_visible()
    expect(page.get_by_role("radio")).to_have_count(0)
    expect(page.get_by_role("textbox")).to_have_count(0)
    page.get_by_role("link", name="Back to my ballots").click()
    expect(page.get_by_text("1 of 1 submitted")).to_be_visible()
    expect(page.locator(".badge.submitted")).to_have_text("Submitted")


def test_an_anonymous_code_opens_submits_and_is_refused_on_a_second_visit(page: Page, url):
    _, _case, (a, b), _, (code,) = open_case(members=2, superiors=0, codes=1)

    # As the slip's QR code does: the code after '#', which the browser never sends. The page posts it, and
    # neither the address bar nor the history keeps it.
    page.goto(url(f"/b/#{code}"))
    expect(heading(page)).to_contain_text(f"Person 1 of 3: {a.name}")
    assert code not in page.url and "/b/s/" in page.url
    assert code not in page.evaluate("window.location.href + JSON.stringify(window.history.state)")
    expect(page.get_by_text("Your rating counts as: Subordinates")).to_be_visible()
    expect(page.get_by_role("button", name="Log out")).to_have_count(0)
    capture(page, "code-sheet")
    for scores, next_name in ((FIRST, b.name), (SECOND, "The team as a whole")):
        fill_section(page, scores)
        page.get_by_role("button", name="Next").click()
        expect(heading(page)).to_contain_text(next_name)
    fill_section(page, TEAM)
    page.get_by_role("button", name="Review and submit").click()
    page.get_by_label("I have checked my ballot and want to submit it.").check()
    page.get_by_role("button", name="Submit ballot").click()
    expect(page.get_by_role("status")).to_contain_text("Your ballot has been received")

    # An old slip's link with the code in its path: exchanged, and refused like any spent code.
    response = page.goto(url(f"/b/{code}/"))
    assert response is not None and response.status == 404
    expect(heading(page)).to_have_text("Ballot not available")
    expect(page.get_by_role("radio")).to_have_count(0)
    capture(page, "code-invalid")


def test_an_evaluator_on_a_360px_phone_fills_a_ballot_without_zooming_or_side_scrolling(phone: Page, url):
    _, case, _people, (boss,), _ = open_case(members=2, superiors=1)
    log_in(phone, url, user_for(boss))
    phone.get_by_role("link", name=case.team.name).tap()
    expect(heading(phone)).to_contain_text("Person 1 of 3")
    # The page asks for the device's width (meta viewport), so nothing is drawn zoomed out.
    assert phone.evaluate("window.innerWidth") == 360
    phone.get_by_text("How this sheet is counted").tap()
    phone.get_by_text("Scoring guide").first.tap()
    for n, scores in enumerate((FIRST, SECOND, TEAM), start=1):
        expect(heading(phone)).to_contain_text(f"Person {n} of 3")
        assert_fits(phone, f"the ballot sheet ({phone.url})")
        # Every score is a large enough tap target, all ten of a scale on screen.
        boxes = phone.locator("fieldset.indicator label").evaluate_all(
            "els => els.map(e => { const r = e.getBoundingClientRect(); return [r.left, r.right, r.height]; })"
        )
        assert boxes and all(left >= 0 and right <= 360 and height >= 44 for left, right, height in boxes), boxes
        fill_section(phone, scores, tap=True)
        phone.get_by_role("button", name=re.compile("^(Next|Review and submit)$")).tap()
    expect(heading(phone)).to_have_text("Review and submit")
    assert_fits(phone, "the review page")
    phone.get_by_label("I have checked my ballot and want to submit it.").tap()
    phone.get_by_role("button", name="Submit ballot").tap()
    expect(phone.get_by_role("status")).to_contain_text("Your ballot has been received")
    assert_fits(phone, "the submitted page")


def test_a_ten_person_sheet_never_grows_wider_than_a_phone_as_people_are_marked_done(mobile, url):
    """Issue 13: each done chip holds a visually hidden "complete" label; positioned against the page rather
    than the chip, the labels of chips far along the scrolling strip widened the whole page (414 px at
    person 6, 768 px at person 10) and a real phone zoomed out."""
    _, case, _people, (boss,), _ = open_case(members=9, superiors=1)
    phone = mobile.new_page()
    log_in(phone, url, user_for(boss))
    phone.get_by_role("link", name=case.team.name).tap()
    for n in range(1, 11):
        expect(heading(phone)).to_contain_text(f"Person {n} of 10")
        assert phone.evaluate("window.innerWidth") == 360
        assert_fits(phone, f"person {n} of the sheet")
        fill_section(phone, FIRST if n % 2 else SECOND, tap=True)
        assert_fits(phone, f"person {n} of the sheet, filled")
        phone.get_by_role("button", name=re.compile("^(Next|Review and submit)$")).tap()
    expect(heading(phone)).to_have_text("Review and submit")
    assert_fits(phone, "the review page")
    # Back on the sheet with every chip done, and with the strip scrolled to its end.
    phone.go_back()
    expect(phone.locator(".chip.done")).to_have_count(10)
    assert_fits(phone, "the sheet with every person done")
    phone.locator(".people").evaluate("el => { el.scrollLeft = el.scrollWidth; }")
    assert_fits(phone, "the sheet with the chip strip scrolled to its end")
    phone.evaluate("window.scrollTo(0, 0)")
    (ARTIFACTS / "phone").mkdir(parents=True, exist_ok=True)
    phone.screenshot(path=ARTIFACTS / "phone" / "evaluator-sheet-all-done.png")
