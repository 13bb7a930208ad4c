"""The control-character rule (core.text) at the door: every query string, form field and form key of every
request, and the address, before any view runs, so that no form or filter can forget it."""

from collections.abc import Callable

from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

from .text import Refusal, refused_character

# The REST API reads only JSON bodies (its parser applies the rule to those) and answers in its own error shape.
API_PREFIX = "/api/"


def request_refusal(request: HttpRequest) -> Refusal | None:
    """The first refused character in what the request sends outside a JSON body, or None."""
    sources = [request.GET]
    if not request.path_info.startswith(API_PREFIX) and request.method == "POST":
        sources.append(request.POST)
    for data in sources:
        for key, values in data.lists():
            character = refused_character(key)
            if character is not None:
                return Refusal((key,), character, in_key=True)
            for value in values:
                character = refused_character(value)
                if character is not None:
                    return Refusal((key,), character)
    # Uploaded file names need no check here: Django's multipart parser drops every non-printable character.
    return None


class ControlCharacterMiddleware:
    """Answers 400 and runs no view when any part of the request breaks the rule: nothing is changed."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        # An address with a control character names no page: a 404 before any view could look it up. The
        # API's routes answer such ids with their own 404 in the API's shape.
        if not request.path_info.startswith(API_PREFIX) and refused_character(request.path_info) is not None:
            raise Http404
        refusal = request_refusal(request)
        if refusal is None:
            return self.get_response(request)
        return refused(request, refusal)


def refused(request: HttpRequest, refusal: Refusal) -> HttpResponse:
    message = refusal.message
    if request.path_info.startswith(API_PREFIX):
        # The API's error shape (drf-standardized-errors) for a request it cannot read, which every operation
        # declares; `attr` names the parameter.
        error = {"code": "parse_error", "detail": message, "attr": refusal.path}
        return JsonResponse({"type": "client_error", "errors": [error]}, status=400)
    if request.headers.get("X-Autosave") == "1":
        return JsonResponse({"saved": False, "error": message}, status=400)
    if request.headers.get("X-Requested-With") == "XMLHttpRequest":
        return JsonResponse({"error": message}, status=400)
    return render(request, "bad_input.html", {"message": message}, status=400)
