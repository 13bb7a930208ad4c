"""What the browser tests do over and over: log in, fill a person's section, wait for the autosave,
check the page fits a phone, take the screenshots; and build a scored case to show results of."""

import os
import re
from pathlib import Path

from playwright.sync_api import Page, expect

from tests.assessments.factories import UserFactory
from tests.assessments.helpers import released_case

CHROMIUM = Path(os.environ.get("KAOPING_CHROMIUM", "/usr/bin/chromium"))
ARTIFACTS = Path(__file__).parent / "artifacts"
PASSWORD = "pass-word-123"  # UserFactory's
PHONE = {"width": 360, "height": 800}
# A real phone, as Chromium's device emulation draws one: 360 css px at 3 device pixels each, touch, and the
# page's meta viewport honoured (without it the page is laid out at 980 px and zoomed out).
MOBILE = {"viewport": {"width": 360, "height": 740}, "device_scale_factor": 3, "is_mobile": True, "has_touch": True}
DESKTOP = {"width": 1280, "height": 900}


def user_for(person, **extra):
    """Give a person a login (UserFactory's password) and return the user."""
    person.user = UserFactory(**extra)
    person.save()
    return person.user


def log_in(page: Page, url, user) -> None:
    """Through the real login form: django-axes checks every attempt."""
    page.goto(url("/accounts/login/"))
    page.get_by_label("User name").fill(user.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("button", name="Log out")).to_be_visible()


def overflow(page: Page) -> tuple[int, int]:
    return page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")


def assert_fits(page: Page, what: str) -> None:
    scroll, inner = overflow(page)
    assert scroll <= inner, f"{what} scrolls sideways at {inner} px: the page is {scroll} px wide"


def capture(page: Page, name: str) -> None:
    """Full-page screenshots at 360 and 1280 px under tests/e2e/artifacts/ (git-ignored), checking on
    the way that the page fits a 360 px phone without side-scrolling."""
    ARTIFACTS.mkdir(exist_ok=True)
    before = page.viewport_size
    for label, size in (("360", PHONE), ("1280", DESKTOP)):
        page.set_viewport_size(size)
        if size is PHONE:
            assert_fits(page, name)
        page.screenshot(path=ARTIFACTS / f"{name}-{label}.png", full_page=True)
    if before:
        page.set_viewport_size(before)


def wait_saved(page: Page) -> None:
    """sheet.js posts each change (X-Autosave: 1) and says "Saved"; once the last change is on the
    server, it drops the copy it keeps in localStorage."""
    expect(page.locator("#save-status")).to_have_text("Saved")
    page.wait_for_function("() => !Object.keys(localStorage).some((k) => k.startsWith('kaoping:'))")


def fill_section(page: Page, scores: list[int], vote: str = "Competent", *, start: int = 0, tap: bool = False) -> None:
    """Pick a score for each indicator of the person on screen (from the `start`-th on), then the overall
    vote, as a user does: on the labels (the radios themselves are visually hidden). Waits for the autosave."""
    indicators = page.locator("fieldset.indicator")
    expect(indicators).to_have_count(len(scores))
    choices = [indicators.nth(i).locator("label").get_by_text(str(v), exact=True) for i, v in enumerate(scores)]
    choices = choices[start:]
    votes = page.get_by_role("group", name="Overall vote").locator("label")
    choices.append(votes.get_by_text(re.compile(rf"^{vote}\b")))
    for choice in choices:
        if tap:
            choice.tap()
        else:
            choice.click()
    wait_saved(page)


def scored_case():
    """Four members rate each other and four subordinates rate all (every rater group meets k = 3); scored,
    not yet released."""
    return released_case(release=False)
