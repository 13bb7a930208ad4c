"""Browser tests: Playwright's sync API driving Debian's Chromium against pytest-django's live server.

Chromium is the system package (`apt-get install chromium`, as .ci/run does), never `playwright install`.
Without it these tests skip locally and fail on CI, where they must run."""

import os
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, Playwright, expect, sync_playwright

from tests.e2e.helpers import CHROMIUM, DESKTOP, MOBILE, PHONE

expect.set_options(timeout=10_000)


@pytest.fixture(scope="package", autouse=True)
def _orm_beside_playwright() -> Iterator[None]:
    """Playwright's sync API runs an asyncio event loop in this very thread (in a greenlet), and Django
    refuses ORM calls from a thread with a running loop (SynchronousOnlyOperation): in the test bodies,
    and in the transactional flush after each test. Nothing here is async, so the check is switched off
    for this package only, from before the browser starts until after it stops."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        yield


@pytest.fixture(scope="package")
def playwright() -> Iterator[Playwright]:
    # Package rather than session scope: until it stops, Playwright's loop counts as running in this
    # thread, and the rest of the suite (async_to_sync, Django's async-safety checks) must not run under it.
    if not CHROMIUM.exists():
        reason = f"the browser tests need Debian's Chromium at {CHROMIUM} (apt-get install chromium)"
        if os.environ.get("CI") == "true":
            pytest.fail(f"{reason}; CI must run them, and .ci/run installs it", pytrace=False)
        pytest.skip(f"skipped because {reason}")
    with sync_playwright() as p:
        yield p


@pytest.fixture(scope="package")
def browser(playwright: Playwright) -> Iterator[Browser]:
    browser = playwright.chromium.launch(
        executable_path=str(CHROMIUM),
        args=["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
    )
    yield browser
    browser.close()


@pytest.fixture
def context(browser: Browser) -> Iterator[BrowserContext]:
    """A fresh desktop browser asking for English (the suite's language; zh-hans is tested on its own)."""
    context = browser.new_context(viewport=DESKTOP, locale="en-US", timezone_id="Asia/Shanghai")
    yield context
    context.close()


@pytest.fixture
def page(context: BrowserContext) -> Page:
    return context.new_page()


@pytest.fixture
def phone(browser: Browser) -> Iterator[Page]:
    """A 360 px-wide touch phone: the meta viewport is honoured, as on a real one."""
    context = browser.new_context(
        viewport=PHONE, is_mobile=True, has_touch=True, locale="en-US", timezone_id="Asia/Shanghai"
    )
    yield context.new_page()
    context.close()


@pytest.fixture
def mobile(browser: Browser) -> Iterator[BrowserContext]:
    """A real phone's context (helpers.MOBILE: 360 px at device scale 3, touch, meta viewport honoured)."""
    context = browser.new_context(**MOBILE, locale="en-US", timezone_id="Asia/Shanghai")
    yield context
    context.close()


@pytest.fixture
def url(live_server):
    def build(path: str) -> str:
        return f"{live_server.url}{path}"

    return build
