"""Issue 13: every page of every role on a real 360 px phone (device scale 3, touch, meta viewport honoured).

On the demo plant (`seed_demo`), each role starts from its home pages and follows its own links, one page per
route (the first URL met of each URL name): the anonymous visitor through /b/ and an open code sheet, the
evaluator, a team member, the team's principal (`leader`) and HR. On every page the document must be no wider
than the viewport, and no element's text may overflow its box sideways, unless it sits in a box that scrolls on
purpose (`.table-wrap`, the chip strip). A full-page screenshot of each page is kept under
tests/e2e/artifacts/phone/<role>-<page>.png (git-ignored; CI keeps the folder as a build artefact)."""

import re
from collections.abc import Iterable
from io import StringIO
from urllib.parse import urlsplit

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.urls import Resolver404, resolve
from playwright.sync_api import Browser, BrowserContext, Page, expect

from assessments.demo_data import CODES_FILE, DEMO_PASSWORD
from assessments.models import Assignment, Case, Cycle
from assessments.services import case_create, cycle_create
from people.models import Membership
from reports.models import ReportJob
from tests.assessments.factories import default_framework
from tests.e2e.helpers import ARTIFACTS, DESKTOP

pytestmark = pytest.mark.django_db(transaction=True)

SHOTS = ARTIFACTS / "phone"

# Links a walk must not follow: they change state, leave the pages (files, API, admin) or end the session.
SKIP = re.compile(r"^/(admin|api|i18n|accounts/logout|static|media)/|\.(pdf|csv|xlsx|zip)$|/download/$")

# Elements whose text may run past their own box: form controls draw their own, and anything inside a box that
# clips or scrolls (a .table-wrap, the sheet's chip strip, .sr-only) is kept in by that box.
OVERFLOWS = """() => {
  const bad = [];
  const SKIPPED = ['INPUT', 'SELECT', 'TEXTAREA', 'OPTION', 'SCRIPT', 'STYLE'];
  const text = (el) => (el.getAttribute('aria-label') || el.innerText || '').trim().slice(0, 60);
  const html = document.documentElement;
  const contained = (el) => {
    for (let p = el.parentElement; p && p !== html; p = p.parentElement) {
      if (getComputedStyle(p).overflowX !== 'visible') return true;
    }
    return false;
  };
  for (const el of document.body.querySelectorAll('*')) {
    if (!(el instanceof HTMLElement) || SKIPPED.includes(el.tagName)) continue;
    const style = getComputedStyle(el);
    if (style.display === 'none' || style.display === 'inline' || style.visibility === 'hidden') continue;
    if (style.overflowX !== 'visible' || el.clientWidth === 0) continue;
    if (el.scrollWidth > el.clientWidth + 1 && !contained(el)) {
      const name = el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') + (el.className ? '.' + el.className : '');
      bad.push(`text overflows ${name} (${el.scrollWidth} > ${el.clientWidth}): ${text(el)}`);
    }
  }
  // A table that scrolls sideways in its wrap hides columns: at phone width it stacks (table.cards) instead.
  for (const wrap of document.querySelectorAll('.table-wrap')) {
    if (wrap.scrollWidth > wrap.clientWidth + 1) {
      bad.push(`a table scrolls sideways, hiding columns (${wrap.scrollWidth} > ${wrap.clientWidth}): ${text(wrap)}`);
    }
  }
  return bad;
}"""


def log_in(page: Page, url, username: str) -> None:
    page.goto(url("/accounts/login/"))
    page.get_by_label("User name").fill(username)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("button", name="Log out")).to_be_visible()


def route_name(path: str) -> str | None:
    try:
        match = resolve(path)
    except Resolver404:
        return None
    return match.view_name


def check(page: Page, role: str, name: str) -> list[str]:
    """What is wrong with the page on screen; saves its screenshot on the way."""
    problems = []
    width, inner = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    if inner != 360:
        problems.append(f"{role} {name} ({page.url}): the page is drawn zoomed out, {inner} css px across")
    if width > inner + 1:
        problems.append(f"{role} {name} ({page.url}): the page is {width} px wide at {inner} px")
    for element in page.evaluate(OVERFLOWS):
        problems.append(f"{role} {name} ({page.url}): {element}")
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SHOTS / f"{role}-{name}.png", full_page=True)
    return problems


def walk(page: Page, url, role: str, start: Iterable[str], limit: int = 40) -> tuple[list[str], set[str]]:
    """Visit the start pages and every same-site link from them, one URL per route name; check each."""
    queue, seen_routes, problems = list(start), set(), []
    origin = urlsplit(url("/")).netloc
    while queue and len(seen_routes) < limit:
        path = queue.pop(0)
        name = route_name(urlsplit(path).path)
        # One page per route, but every start page is seen: a draft cycle's desk and a released one's differ.
        if name is None or (name in seen_routes and path not in start):
            continue
        shot = name.replace(":", "-") + (f"-{len(seen_routes)}" if name in seen_routes else "")
        seen_routes.add(name)
        response = page.goto(url(path))
        assert response is not None and response.ok, f"{role}: {path} answered {response and response.status}"
        page.wait_for_load_state("networkidle")
        problems += check(page, role, shot)
        for href in page.eval_on_selector_all("a[href]", "els => els.map(e => e.href)"):
            parts = urlsplit(href)
            if parts.netloc == origin and not SKIP.search(parts.path) and route_name(parts.path) not in seen_routes:
                queue.append(parts.path + (f"?{parts.query}" if parts.query else ""))
    return problems, seen_routes


def test_every_page_of_every_role_fits_a_360px_phone(browser: Browser, mobile: BrowserContext, url, settings, tmp_path):
    settings.VAR_DIR = tmp_path
    default_framework()  # an earlier transactional test's flush took the data migration's rows
    call_command("seed_demo", stdout=StringIO())
    code = (tmp_path / CODES_FILE).read_text(encoding="utf-8").splitlines()[-1].split("\t")[1]
    last = Cycle.objects.get(status=Cycle.Status.RELEASED)
    current = Cycle.objects.get(status=Cycle.Status.OPEN)
    leader_case = Case.objects.get(cycle=last, team__memberships__person__user__username="leader")
    member = (
        Membership.objects.filter(team=leader_case.team, is_principal=False, end_date=None, person__user__isnull=False)
        .select_related("person__user")
        .first()
        .person.user.username
    )

    # The report desk with a row of each kind: done with some failed, failed with a long unbroken error, done.
    # (None running: a running job makes the desk reload itself every 3 s, under the checks.)
    hr = User.objects.get(username="hr")
    jobs = {"cycle": last, "requested_by": hr, "kind": ReportJob.Kind.BULK}
    ReportJob.objects.create(
        **jobs, status=ReportJob.Status.SUCCEEDED, file="reports/2025-a.zip", page_count=99, total=60, done=57, failed=3
    )
    ReportJob.objects.create(**jobs, status=ReportJob.Status.FAILED, error="TypstError:" + "x" * 180)
    ReportJob.objects.create(
        **jobs, status=ReportJob.Status.SUCCEEDED, file="reports/2025.zip", page_count=120, total=60, done=60
    )

    # A draft cycle, as HR prepares next year's: its settings, its rater groups (the panel preset) and its desk.
    draft = cycle_create(framework=last.framework, name="2027年度领导班子综合考评", year=2027, preset="panel", actor=hr)
    case_create(cycle=draft, team=leader_case.team, raters={"leader": []}, codes={"staff": 12}, actor=hr)

    open_sheet = Assignment.objects.filter(case__cycle=current, rater__user__username="evaluator").exclude(
        status=Assignment.Status.SUBMITTED
    )[0]
    problems, routes = [], {}
    # The anonymous visitor: the code entry page, then the sheet an unused code opens.
    page = mobile.new_page()
    page.goto(url("/b/"))
    problems += check(page, "anonymous", "code-entry")
    page.goto("about:blank")  # else only the '#' part changes, and the page does not load again
    page.goto(url(f"/b/#{code}"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("Person 1 of")
    problems += check(page, "anonymous", "code-sheet")
    page.goto(page.url.split("?")[0] + "submit/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Review and submit")
    problems += check(page, "anonymous", "code-review")
    page.close()

    starts = {
        "evaluator": ["/ballots/", f"/ballots/{open_sheet.pk}/submit/", "/results/", "/plans/"],
        "member": ["/results/", "/plans/", "/ballots/"],
        "leader": ["/results/", f"/results/team/{leader_case.pk}/", "/plans/", "/ballots/"],
        "hr": [
            "/hr/",
            f"/hr/cycles/{last.pk}/",
            f"/hr/cycles/{current.pk}/",
            f"/hr/cases/{leader_case.pk}/",
            f"/hr/cycles/{last.pk}/plans/",
            f"/reports/cycles/{last.pk}/",
            f"/hr/cases/{leader_case.pk}/file/",
            "/hr/cycles/new/",
            f"/hr/cycles/{draft.pk}/",
            f"/hr/cycles/{draft.pk}/settings/",
            f"/hr/cycles/{draft.pk}/groups/",
            f"/hr/cycles/{current.pk}/groups/",
        ],
    }
    for role, start in starts.items():
        page = mobile.new_page()
        log_in(page, url, {"member": member}.get(role, role))
        found, routes[role] = walk(page, url, role, start)
        problems += found
        # The next role logs in afresh: the context (one phone) keeps no session from this one.
        mobile.clear_cookies()
        page.close()

    # The report desk on a desktop: every cell holds its text (the progress figures ran into the download link,
    # and a failed job's error was one line pushing the columns out of the card).
    page = browser.new_page(viewport=DESKTOP, locale="en-US")
    log_in(page, url, "hr")
    page.goto(url(f"/reports/cycles/{last.pk}/"))
    cells = page.locator("table td").evaluate_all(
        "els => els.filter(e => e.scrollWidth > e.clientWidth + 1).map(e => e.innerText.slice(0, 60))"
    )
    problems += [f"report desk at 1280 px: a cell's text runs out of it: {cell}" for cell in cells]
    wrap = page.locator(".table-wrap").evaluate("e => [e.scrollWidth, e.clientWidth]")
    if wrap[0] > wrap[1] + 1:
        problems.append(f"report desk at 1280 px: the jobs table is wider than its card ({wrap})")
    page.screenshot(path=SHOTS / "hr-reports-cycle-1280.png", full_page=True)
    page.close()

    assert {"assessments:my_ballots", "assessments:sheet", "assessments:submit"} <= routes["evaluator"], routes[
        "evaluator"
    ]
    assert {"followup:my_results", "followup:team_results", "followup:plan"} <= routes["leader"], routes["leader"]
    assert {
        "assessments:hr_cycles",
        "assessments:hr_cycle",
        "assessments:hr_cycle_new",
        "assessments:hr_cycle_edit",
        "assessments:hr_cycle_groups",
        "assessments:hr_case",
        "followup:hr_plans",
        "followup:hr_plan",
        "reports:cycle",
        "reports:case_file",
    } <= routes["hr"], routes["hr"]
    assert not problems, "\n".join(problems)
