"""Issue 13, the first run: a user of `make run` (DEBUG off) never sees Django's debug page, but a page of ours,
in their language."""

import pytest
from django.test import Client

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.firstrun.urls")]


@pytest.fixture
def browser(settings):
    assert settings.DEBUG is False  # as `make run` serves (DJANGO_DEBUG=0), and production
    return Client(raise_request_exception=False)


@pytest.mark.parametrize(
    ("language", "heading", "advice"),
    [("en", "Something went wrong", "nothing of it was saved"), ("zh-hans", "出错了", "未保存")],
)
def test_an_error_in_a_view_shows_our_500_page(browser, language, heading, advice):
    response = browser.get("/fails/", headers={"accept-language": language})
    page = response.content.decode()
    assert response.status_code == 500
    assert heading in page and advice in page
    assert "Traceback" not in page and "RuntimeError" not in page and "a bug in a view" not in page


@pytest.mark.parametrize(("language", "heading"), [("en", "Page not found"), ("zh-hans", "页面不存在")])
def test_an_unknown_address_shows_our_404_page(browser, language, heading):
    response = browser.get("/no/such/page/", headers={"accept-language": language})
    page = response.content.decode()
    assert response.status_code == 404
    assert heading in page and "kaoping.css" in page
    assert "URLconf" not in page and "Using the URLconf" not in page
