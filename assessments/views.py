"""Evaluators' pages: my ballots, the ballot sheet (named or by anonymous code), review and submit.
Thin: they resolve who may act on what, call services and selectors, and render."""

import base64
import hashlib
import json
import secrets
from dataclasses import dataclass

from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods
from django_ratelimit.core import is_ratelimited

from people.selectors import person_for_user

from . import selectors, services
from .codes import normalise
from .forms import section_changes
from .models import Assignment, BallotCode, Vote
from .rules import allowed
from .services.ballots import Sheet, sheet_missing


def rate_limited(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    response = render(request, "assessments/rate_limited.html", status=429)
    response["Retry-After"] = "600"
    return response


@login_required
def home(request: HttpRequest) -> HttpResponse:
    return redirect("assessments:my_ballots")


@login_required
def my_ballots(request: HttpRequest) -> HttpResponse:
    assignments = list(selectors.assignments_for_rater(user=request.user).order_by("case__cycle", "case__team__name"))
    cycles: dict = {}
    for a in assignments:
        cycles.setdefault(a.case.cycle, []).append(a)
    groups = [
        {
            "cycle": cycle,
            "assignments": items,
            "done": sum(1 for a in items if a.status == Assignment.Status.SUBMITTED),
            "total": len(items),
        }
        for cycle, items in cycles.items()
    ]
    return render(
        request, "assessments/my_ballots.html", {"groups": groups, "person": person_for_user(user=request.user)}
    )


@dataclass
class Holder:
    """Who fills the sheet: a named assignment or an anonymous code, and where its pages live."""

    assignment: Assignment | None
    code: BallotCode | None
    url: str
    submit_url: str

    @property
    def kwargs(self) -> dict:
        return {"assignment": self.assignment} if self.assignment else {"code": self.code}


def _named(request: HttpRequest, pk: int) -> Holder:
    assignment = Assignment.objects.select_related("case__cycle", "case__team", "rater").filter(pk=pk).first()
    # Someone else's assignment is a 404, never a 403 that would confirm it exists.
    if not allowed(request.user, "assessments.fill_assignment", assignment):
        raise Http404
    return Holder(
        assignment,
        None,
        reverse("assessments:sheet", args=[pk]),
        reverse("assessments:submit", args=[pk]),
    )


# The printed code is exchanged on first use: the browser gets a cookie of its own, and the sheet's URLs carry only
# a random slot that means nothing without that cookie, so no URL after the first holds the code and no access
# log, proxy or browser history keeps it. The cookie holds the code itself, encrypted with a key derived from
# SECRET_KEY, for a week at most: the server keeps nothing of the exchange (no session row, no token column), so
# the database holds no trace of who opened which code when; and since the code's hash is not the credential, the
# hashes in the database together with SECRET_KEY forge no cookie.
LINKS_COOKIE = "kaoping_ballot"
LINKS_MAX_AGE = 7 * 24 * 3600
LINKS_KEPT = 4  # codes one browser keeps open at once (a device passed round at a meeting holds a few)


def _fernet() -> Fernet:
    key = hashlib.sha256(f"kaoping-ballot-links:{settings.SECRET_KEY}".encode()).digest()
    return Fernet(base64.urlsafe_b64encode(key))


def _links(request: HttpRequest) -> dict[str, str]:
    """The slots this browser opened, each with its code; nothing when the cookie is missing or not ours."""
    sealed = request.COOKIES.get(LINKS_COOKIE, "")
    try:
        links = json.loads(_fernet().decrypt(sealed.encode(), ttl=LINKS_MAX_AGE)) if sealed else {}
    except (InvalidToken, ValueError):
        return {}
    return (
        {k: v for k, v in links.items() if isinstance(k, str) and isinstance(v, str)} if isinstance(links, dict) else {}
    )


def _links_set(response: HttpResponse, links: dict[str, str]) -> HttpResponse:
    if not links:
        response.delete_cookie(LINKS_COOKIE, path="/b/")
        return response
    response.set_cookie(
        LINKS_COOKIE,
        _fernet().encrypt(json.dumps(links).encode()).decode(),
        max_age=LINKS_MAX_AGE,
        path="/b/",
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite="Lax",
    )
    return response


def _code_miss(request: HttpRequest) -> HttpResponse:
    """The same neutral page for unknown, spent, revoked and closed codes; only wrong codes count towards the
    throttle (a meeting room shares one address)."""
    if is_ratelimited(request, group="ballot-code-miss", key="ip", rate=settings.KAOPING_CODE_MISSES, increment=True):
        return rate_limited(request)
    return render(request, "assessments/code_invalid.html", status=404)


def _code_exchange(request: HttpRequest, code: str) -> HttpResponse:
    """A live code → a slot in this browser's cookie, and a redirect to the sheet at that slot."""
    found = services.code_resolve(code=code)
    if found is None:
        return _code_miss(request)
    links = _links(request)
    # The same slot again for a code this browser has open: the sheet's unsent entries, kept on the device under
    # the sheet's address, are found again when the slip is scanned a second time.
    code = normalise(code)
    slot = next((k for k, v in links.items() if v == code), None) or secrets.token_urlsafe(6)
    links.pop(slot, None)
    links = dict(list(links.items())[-(LINKS_KEPT - 1) :]) | {slot: code}
    response = _links_set(HttpResponseRedirect(reverse("assessments:code_sheet", args=[slot]), status=303), links)
    response["Cache-Control"] = "no-store"
    return response


def _anonymous(request: HttpRequest, slot: str) -> Holder | HttpResponse:
    code = _links(request).get(slot)
    found = services.code_resolve(code=code) if code else None
    if found is None:
        return render(request, "assessments/code_invalid.html", status=404)
    return Holder(
        None, found, reverse("assessments:code_sheet", args=[slot]), reverse("assessments:code_submit", args=[slot])
    )


def _section_index(request: HttpRequest, sheet: Sheet) -> int:
    try:
        index = int(request.GET.get("p", request.POST.get("p", 1)))
    except ValueError:
        index = 1
    return min(max(index, 1), len(sheet.sections))


def _progress(sheet: Sheet) -> list[dict]:
    missing = {m.subject.pk: m for m in sheet_missing(sheet)}
    return [
        {"index": i, "section": s, "complete": s.subject.pk not in missing}
        for i, s in enumerate(sheet.sections, start=1)
    ]


def _sheet_context(holder: Holder, sheet: Sheet, index: int, error: str = "") -> dict:
    section = sheet.sections[index - 1]
    data = sheet.data.get("sections", {}).get(str(section.subject.pk), {})
    dimensions: dict = {}
    for indicator in sheet.indicators:
        dimensions.setdefault(indicator.dimension, []).append(
            {"indicator": indicator, "value": data.get("scores", {}).get(str(indicator.pk))}
        )
    progress = _progress(sheet)
    return {
        "holder": holder,
        "sheet": sheet,
        "cycle": sheet.cycle,
        "section": section,
        "index": index,
        "count": len(sheet.sections),
        "data": data,
        "dimensions": dimensions,
        "scale": list(range(sheet.cycle.scale_min, sheet.cycle.scale_max + 1)),
        "progress": progress,
        "completed": sum(1 for p in progress if p["complete"]),
        "quota": sheet.quota,
        "error": error,
        "votes": Vote.choices,
    }


@require_http_methods(["GET", "POST"])
def _sheet(request: HttpRequest, holder: Holder) -> HttpResponse:
    sheet = services.sheet_for(**holder.kwargs)
    if sheet.submitted:
        return render(request, "assessments/submitted.html", {"holder": holder, "cycle": sheet.cycle})
    index = _section_index(request, sheet)
    autosave = request.headers.get("X-Autosave") == "1"
    if request.method == "POST":
        section = sheet.sections[index - 1]
        try:
            services.draft_save(
                **holder.kwargs,
                changes=section_changes(post=request.POST, section=section, indicators=sheet.indicators),
                structure=sheet,
            )
        except ValidationError as error:
            message = " ".join(error.messages)
            if autosave:
                return JsonResponse({"saved": False, "error": message}, status=400)
            sheet = services.sheet_for(**holder.kwargs)
            return render(request, "assessments/sheet.html", _sheet_context(holder, sheet, index, message), status=400)
        if autosave:
            return JsonResponse({"saved": True})
        target = {"prev": index - 1, "next": index + 1}.get(request.POST.get("go", ""), index)
        if request.POST.get("go") == "review":
            return redirect(holder.submit_url)
        if request.POST.get("go", "").isdigit():
            target = int(request.POST["go"])
        return redirect(f"{holder.url}?p={min(max(target, 1), len(sheet.sections))}")
    return render(request, "assessments/sheet.html", _sheet_context(holder, sheet, index))


@require_http_methods(["GET", "POST"])
def _submit(request: HttpRequest, holder: Holder) -> HttpResponse:
    error = ""
    if request.method == "POST":
        # The service reads the sheet under the holder's lock (a draft saved a moment ago counts) and refuses
        # an incomplete or spent one: reading it here first as well would build every submitted sheet twice.
        try:
            with transaction.atomic():
                ballot = services.ballot_submit(**holder.kwargs)
        except ValidationError as exc:
            error = " ".join(exc.messages)
        else:
            return render(
                request, "assessments/submitted.html", {"holder": holder, "cycle": ballot.cycle, "just": True}
            )
    sheet = services.sheet_for(**holder.kwargs)
    if sheet.submitted:
        return render(request, "assessments/submitted.html", {"holder": holder, "cycle": sheet.cycle})
    missing = sheet_missing(sheet)
    if missing:
        error = ""  # the list below says what is missing, field by field
    positions = {s.subject.pk: i for i, s in enumerate(sheet.sections, start=1)}
    return render(
        request,
        "assessments/review.html",
        {
            "holder": holder,
            "cycle": sheet.cycle,
            "missing": [{"m": m, "index": positions[m.subject.pk]} for m in missing],
            "quota": sheet.quota,
            "error": error,
        },
        status=400 if error or (request.method == "POST" and missing) else 200,
    )


@login_required
def sheet(request: HttpRequest, pk: int) -> HttpResponse:
    return _sheet(request, _named(request, pk))


@login_required
def submit(request: HttpRequest, pk: int) -> HttpResponse:
    return _submit(request, _named(request, pk))


def code_sheet(request: HttpRequest, slot: str) -> HttpResponse:
    holder = _anonymous(request, slot)
    return holder if isinstance(holder, HttpResponse) else _sheet(request, holder)


def code_submit(request: HttpRequest, slot: str) -> HttpResponse:
    holder = _anonymous(request, slot)
    if isinstance(holder, HttpResponse):
        return holder
    response = _submit(request, holder)
    if request.method == "POST" and response.status_code == 200:
        # Submitted: the browser forgets the slot, and nothing on the device leads to the code any more.
        links = _links(request)
        links.pop(slot, None)
        _links_set(response, links)
    return response


@sensitive_post_parameters("code")
@require_http_methods(["GET", "POST"])
def code_entry(request: HttpRequest) -> HttpResponse:
    """The slip's QR code leads here with the code after '#', which a browser never sends: the page's script posts
    it (and clears it from the address bar). Without the script, the code is typed into the form."""
    error = ""
    if request.method == "POST":
        code = normalise(request.POST.get("code", ""))
        if code:
            return _code_exchange(request, code)
        error = _("Enter the code printed on your slip.")
    return render(request, "assessments/code_entry.html", {"error": error}, status=400 if error else 200)


def code_link(request: HttpRequest, code: str) -> HttpResponse:
    """Slips printed before codes moved out of URLs lead to /b/<code>/: exchanged at once, then the sheet's URL
    carries no code. Every request path under /b/ is redacted from the logs (config/logging.py)."""
    return _code_exchange(request, code)
