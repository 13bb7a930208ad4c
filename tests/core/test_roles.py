"""core.roles: who counts as HR, and the decorator that keeps HR's pages from everyone else."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import resolve_url
from django.test import RequestFactory
from django.urls import reverse

from core.roles import hr_required, is_hr
from tests.integrations.factories import hr_user
from tests.people.factories import UserFactory

pytestmark = pytest.mark.django_db


@hr_required
def desk(request: HttpRequest, pk: int) -> HttpResponse:
    return HttpResponse(f"cycle {pk}")


def get(user) -> HttpRequest:
    request = RequestFactory().get("/hr/cycles/7/?tab=cases")
    request.user = user
    return request


def test_hr_sees_the_page():
    response = desk(get(hr_user()), pk=7)
    assert response.status_code == 200
    assert response.content == b"cycle 7"


def test_a_signed_in_user_who_is_not_hr_gets_a_404():
    with pytest.raises(Http404):
        desk(get(UserFactory()), pk=7)


def test_a_visitor_who_is_not_signed_in_is_sent_to_the_login_page_and_back(settings):
    response = desk(get(AnonymousUser()), pk=7)
    assert response.status_code == 302
    assert response["Location"] == resolve_url(settings.LOGIN_URL) + "?next=/hr/cycles/7/%3Ftab%3Dcases"


def test_a_superuser_is_hr_and_nobody_is_without_signing_in():
    assert is_hr(UserFactory(is_superuser=True))
    assert not is_hr(UserFactory())
    assert not is_hr(AnonymousUser())
    assert not is_hr(None)


def test_the_hr_desk_answers_404_to_a_leader_and_200_to_hr(client):
    url = reverse("assessments:hr_cycles")
    client.force_login(UserFactory())
    assert client.get(url).status_code == 404
    client.force_login(hr_user())
    assert client.get(url).status_code == 200
