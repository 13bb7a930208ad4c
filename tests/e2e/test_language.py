"""Kaoping speaks Simplified Chinese unless asked otherwise, and the switch in the header turns it English."""

import pytest
from playwright.sync_api import Browser, expect

from config.settings.base import LANGUAGE_CODE as PROJECT_LANGUAGE
from tests.e2e.helpers import capture

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_pages_are_chinese_by_default_and_the_language_switch_turns_them_english(browser: Browser, url, settings):
    settings.LANGUAGE_CODE = PROJECT_LANGUAGE  # the suite runs in English; here the project's own default
    # A browser asking for a language Kaoping does not offer gets the default.
    context = browser.new_context(locale="fr-FR")
    try:
        page = context.new_page()
        page.goto(url("/accounts/login/"))
        expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
        expect(page.get_by_role("heading", level=1)).to_have_text("登录")
        expect(page.get_by_label("用户名")).to_be_visible()
        capture(page, "login-zh-hans")

        page.get_by_label("语言").select_option("en")
        expect(page.get_by_role("heading", level=1)).to_have_text("Log in")
        expect(page.locator("html")).to_have_attribute("lang", "en")
        expect(page).to_have_url(url("/accounts/login/"))
        page.reload()  # the choice is kept
        expect(page.get_by_role("heading", level=1)).to_have_text("Log in")
    finally:
        context.close()
