#!/usr/bin/env python
"""Ballot load benchmark: evaluators saving drafts and submitting ballots, against a bare Django view.

The app runs as in production: gunicorn (4 sync workers, as in the README) with the production settings on
PostgreSQL and Redis, on a free loopback port. bench/ballots_settings.py adds one URL, /bench/bare/, a view
that does no work (no query, no template): the baseline. Like every view of the app, it still goes through
the whole middleware stack and, because of ATOMIC_REQUESTS, opens a database connection and an empty
transaction. The client plays the TLS proxy the README puts
in front: every request carries `X-Forwarded-Proto: https` and every POST an https Referer, so production's
HTTPS redirect, secure cookies and strict CSRF checks all stay on.

Locust drives U closed-loop users (default 50) on loopback, one phase after another, each with W seconds of
warm-up (not counted) and then D measured seconds. By default there is no think time: every user sends its
next request as soon as the last is answered, so each phase measures the most the server can do, and its
latencies are those of a saturated server (with U users in the loop, latency ≈ U ÷ throughput). --think T
waits a random 0–2T seconds between a user's requests instead (and spreads the users' arrival over the
warm-up): the latencies of a load below saturation. A request counts in a
phase's figures when it completes inside the measured window; errors are counted over the whole phase.

  bare    GET /bench/bare/ in a loop. The baseline: the most requests/s the stack can serve.
  draft   each user autosaves one section of its own anonymous sheet in a loop (POST /b/s/<slot>/?p=i with
          `X-Autosave: 1` and that section's 11 scores and vote, as static/kaoping/sheet.js sends them).
  submit  each user submits one complete sheet after another (POST /b/s/<slot>/submit/), every sheet a fresh
          code whose complete draft was saved beforehand, exchanged first (GET /b/<code>/, reported apart as
          "exchange"). The ballot-submit endpoint alone.
  flow    whole evaluators, as a browser with the page's script: 80 % anonymous codes, 20 % named evaluators
          logged in through /accounts/login/ (before the phase, not timed). Per sheet: for each of its 9
          people, GET the page, one autosave, the "Next" button's POST (a second draft save and a 302); then
          GET the review page and POST the submit. 9 × 3 + 2 = 29 requests per ballot. Each user's first sheet
          was begun before the phase (its draft complete) and is taken up at a random person, so that the users
          are spread over their sheets from the start instead of all submitting at once.

Figures: requests/s, p50/p95/p99 (ms) and errors for each, and two ratios against the bare view:
  ratio_submit_to_bare  submit phase requests/s ÷ bare requests/s. The issue's "ballot submit at least 40 %
                        of the bare view's requests/s": the submit endpoint's throughput under the same load.
  ratio_flow_to_bare    flow phase requests/s (every request of the evaluator flow) ÷ bare requests/s: what
                        the whole evaluator experience costs per request. (ratio_draft_to_bare likewise.)
The p99 target (under 250 ms at 50 users) applies to the submit phase and to the flow's submits.
Each phase's CPU use is printed too (gunicorn, PostgreSQL, the client, anything else on the machine): the
client shares the machine with the server, and other work on it makes the figures incomparable.
Lost ballots: every submit answered 2xx with the "received" page is counted; afterwards the database must
hold exactly that many ballots (lost = 2xx submits − ballots in the database), every acknowledged code must
be spent and every acknowledged assignment submitted, and no code or assignment may be spent without one
(unacknowledged). Errors, ratios and latencies are printed, never asserted. The last line is a JSON object.

    python bench/ballots.py            # 50 users, 3 s warm-up + 30 s per phase: about 3 minutes
    python bench/ballots.py --quick    # 50 users, 1 s + 4 s per phase: under a minute
Needs PostgreSQL (BENCH_DATABASE_URL, or DATABASE_URL's server, or postgres@127.0.0.1:5432) and, if
reachable, Redis (BENCH_REDIS_URL, REDIS_URL or 127.0.0.1:6379/0). Its database, kaoping_bench_ballots_<schema
hash>, keeps the generated organisation across runs; every run starts a fresh cycle in it.
"""

import argparse
import contextlib
import hashlib
import json
import math
import os
import random
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlencode, urlparse, urlunparse

ROOT = Path(__file__).resolve().parents[1]
BENCH = ROOT / "bench"
OUT = BENCH / "out"  # git-ignored: collected static files, gunicorn's log, the phases' data
sys.path[:0] = [str(ROOT), str(BENCH)]

MEMBERS = 8  # per team: a sheet has 9 sections (8 members + the team)
TEAMS = 60  # cases in the bench cycle; every named evaluator is a superior of each (60 sheets each)
NAMED_SHARE = 0.2  # of the flow phase's users
PHASES = ("bare", "draft", "submit", "flow")
TARGETS = {"ratio_submit_to_bare_at_least": 0.40, "p99_ms_below": 250, "errors": 0, "lost": 0}
BENCH_PREFIX = "BENCH"
EVALUATOR_PREFIX = "bench-eval-"


# --- Database and settings ------------------------------------------------------------------------------


def schema_tag() -> str:
    """A short hash of every migration file: a model change gets a freshly generated database."""
    digest = hashlib.sha256()
    for path in sorted(ROOT.glob("*/migrations/*.py")):
        digest.update(path.read_bytes())
    return digest.hexdigest()[:8]


def database_url() -> str:
    base = os.environ.get("BENCH_DATABASE_URL") or os.environ.get("DATABASE_URL") or ""
    if not base.startswith("postgres"):
        base = "postgres://postgres@127.0.0.1:5432/postgres"
    parts = urlparse(base)
    return urlunparse(parts._replace(path=f"/kaoping_bench_ballots_{schema_tag()}"))


def ensure_database(url: str) -> None:
    """Create the bench database if missing (dropping the ones built for an older schema)."""
    import psycopg

    parts = urlparse(url)
    name = parts.path.lstrip("/")
    prefix = name.rsplit("_", 1)[0] + "_"
    with psycopg.connect(urlunparse(parts._replace(path="/postgres")), autocommit=True) as conn:
        if conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            return
        for (old,) in conn.execute("SELECT datname FROM pg_database").fetchall():
            tag = old.removeprefix(prefix)
            if old != tag and "_" not in tag:  # another schema of this benchmark (LIKE would treat "_" as a wildcard)
                conn.execute(f'DROP DATABASE "{old}"')
        conn.execute(f'CREATE DATABASE "{name}"')


def redis_url() -> str:
    """Production's cache and broker, if a Redis server answers; otherwise none (the settings' fallback)."""
    url = os.environ.get("BENCH_REDIS_URL") or os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/0"
    parts = urlparse(url)
    try:
        with socket.create_connection((parts.hostname or "127.0.0.1", parts.port or 6379), timeout=1):
            return url
    except OSError:
        return ""


def static_root() -> Path:
    """collectstatic's output (production's manifest storage needs it), kept per version of the static files."""
    from importlib.metadata import version

    digest = hashlib.sha256()
    digest.update(f"{version('django')} {version('whitenoise')}".encode())
    for path in sorted((ROOT / "static").rglob("*")):
        if path.is_file():
            digest.update(str(path.relative_to(ROOT)).encode() + path.read_bytes())
    return OUT / f"static-{digest.hexdigest()[:8]}"


def server_env(url: str) -> dict[str, str]:
    """The environment of the production settings (plus the bench URL), for gunicorn and for seeding."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "ballots_settings",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "DATABASE_URL": url,
        "REDIS_URL": redis_url(),
        "STATIC_ROOT": str(static_root()),
        "PYTHONPATH": os.pathsep.join([str(ROOT), str(BENCH)]),
    }
    for name in ("DJANGO_SECURE_SSL_REDIRECT", "DJANGO_SECURE_HSTS_SECONDS", "CONN_MAX_AGE", "DJANGO_DEBUG"):
        env.pop(name, None)  # production's defaults, whatever the calling shell says
    return env


def setup_django(env: dict[str, str]) -> None:
    os.environ.update(env)
    import django

    django.setup()


def collect_static() -> None:
    from django.conf import settings
    from django.core.management import call_command

    root = Path(settings.STATIC_ROOT)
    if (root / "staticfiles.json").exists():
        return
    for old in OUT.glob("static-*"):  # collected for static files that have changed since
        shutil.rmtree(old)
    started = time.perf_counter()
    call_command("collectstatic", interactive=False, verbosity=0)
    say(f"collected static files into {root.relative_to(ROOT)} in {time.perf_counter() - started:.1f} s")


# --- Seeding --------------------------------------------------------------------------------------------


def ensure_organisation(evaluators: int) -> None:
    """TEAMS teams of MEMBERS people and the named evaluators (with logins), through the people services;
    made once per database (and grown when a run needs more evaluators)."""
    import datetime as dt

    from django.contrib.auth import get_user_model
    from django.db import transaction

    from people.models import LeadershipTeam, Person
    from people.services import membership_upsert, org_unit_upsert, person_upsert, team_upsert

    have_teams = LeadershipTeam.objects.filter(org_unit__code__startswith=f"{BENCH_PREFIX}-T").count()
    have_evaluators = Person.objects.filter(user__username__startswith=EVALUATOR_PREFIX).count()
    if have_teams >= TEAMS and have_evaluators >= evaluators:
        return
    started = time.perf_counter()
    user_model = get_user_model()
    with transaction.atomic():
        root, _ = org_unit_upsert(code=BENCH_PREFIX, name="基准测试公司", kind="company", parent=None)
        for t in range(TEAMS):
            unit, _ = org_unit_upsert(
                code=f"{BENCH_PREFIX}-T{t:03d}", name=f"测试单位{t}", kind="workshop", parent=root
            )
            team, _ = team_upsert(org_unit=unit, name=f"测试单位{t}领导班子")
            for m in range(MEMBERS):
                person, _ = person_upsert(
                    employee_number=f"{BENCH_PREFIX}{t:03d}{m}", name=f"成员{t}-{m}", org_unit=unit, title="副经理"
                )
                membership_upsert(
                    team=team,
                    person=person,
                    position="经理" if m == 0 else "副经理",
                    is_principal=m == 0,
                    start_date=dt.date(2020, 1, 1),
                    end_date=None,
                )
        for e in range(evaluators):
            username = f"{EVALUATOR_PREFIX}{e:03d}"
            user = user_model.objects.filter(username=username).first() or user_model.objects.create(username=username)
            person_upsert(
                employee_number=f"{BENCH_PREFIX}E{e:03d}", name=f"评价人{e}", org_unit=root, title="厂长", user=user
            )
    say(f"generated the bench organisation ({TEAMS} teams, {evaluators} evaluators) in {elapsed(started)}")


def seed(*, evaluators: int, pools: dict[str, int]) -> dict:
    """A fresh open cycle, through the services: every team a case, the named evaluators superiors of all of
    them, and anonymous codes for each phase's pool. The submit pool's drafts are complete beforehand."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import make_password
    from django.db import connection, transaction
    from django.utils import translation
    from django.utils.html import escape

    from assessments.codes import code_hash
    from assessments.models import Assignment, BallotCode, BallotDraft, Framework, Indicator
    from assessments.services import case_create, cycle_create, cycle_open, draft_save, sheet_for
    from people.models import LeadershipTeam, Person

    started = time.perf_counter()
    ensure_organisation(evaluators)
    with connection.cursor() as cursor:
        # Ballots are spent by every run: the cycle and all that hangs on it go (this database is the bench's).
        cursor.execute("TRUNCATE assessments_cycle, django_session, axes_accesslog CASCADE")
    teams = list(
        LeadershipTeam.objects.filter(org_unit__code__startswith=f"{BENCH_PREFIX}-T").order_by("org_unit__code")
    )
    raters = list(
        Person.objects.filter(user__username__startswith=EVALUATOR_PREFIX).order_by("employee_number")[:evaluators]
    )
    total_codes = sum(pools.values())
    per_case = math.ceil(total_codes / len(teams))
    framework = Framework.objects.filter(code="leadership").order_by("-version").first()
    with transaction.atomic():
        cycle = cycle_create(framework=framework, name=f"基准测试 {time.strftime('%Y-%m-%d %H:%M:%S')}", year=2026)
        for team in teams:
            case_create(cycle=cycle, team=team, superiors=raters, anonymous_ballots=per_case)
        issued = cycle_open(cycle=cycle)
    cycle.refresh_from_db()

    # Deal the codes round-robin over the cases, so that every pool spans all of them.
    dealt = [code for row in zip(*issued.values(), strict=True) for code in row]
    pool_codes, at = {}, 0
    for name, size in pools.items():
        pool_codes[name] = dealt[at : at + size]
        at += size
    case_of = {code: case_id for case_id, codes in issued.items() for code in codes}

    # Complete drafts for the submit pool, and for each flow user's first sheet (so that the flow phase starts
    # with its users spread over their sheets, not in lockstep): the first of each case through draft_save (so
    # the service validates it), the rest copies of it.
    rng = random.Random(2026)

    def complete(sheet) -> dict:
        return {
            "sections": {
                str(s.subject.pk): {
                    "scores": {str(i.pk): rng.randint(6, 9) for i in sheet.indicators},
                    "vote": rng.choice(["excellent", "competent", "competent"]),
                }
                for s in sheet.sections
            }
        }

    indicators = list(
        Indicator.objects.filter(dimension__framework=framework).order_by("dimension__order", "order", "id")
    )
    hashes = dict(BallotCode.objects.filter(case__cycle=cycle).values_list("code_hash", "pk"))
    template: dict[int, dict] = {}
    sections: set[int] = set()
    copies = []
    for code in pool_codes["submit"] + pool_codes["started"]:
        case_id = case_of[code]
        if case_id not in template:
            ballot_code = BallotCode.objects.get(pk=hashes[code_hash(code)])
            sheet = sheet_for(code=ballot_code)
            sections.add(len(sheet.sections))
            template[case_id] = draft_save(code=ballot_code, changes=complete(sheet))
        else:
            copies.append(BallotDraft(code_id=hashes[code_hash(code)], data=template[case_id]))
    BallotDraft.objects.bulk_create(copies, batch_size=2000)
    BallotCode.objects.filter(pk__in=[d.code_id for d in copies]).update(status=BallotCode.Status.DRAFT)

    password = secrets.token_urlsafe(16)
    get_user_model().objects.filter(person__in=raters).update(password=make_password(password))
    named = []
    for rater in Person.objects.filter(pk__in=[r.pk for r in raters]).select_related("user").order_by("pk"):
        assignments = list(Assignment.objects.filter(case__cycle=cycle, rater=rater).order_by("pk"))
        draft_save(assignment=assignments[0], changes=complete(sheet_for(assignment=assignments[0])))
        named.append(
            {"username": rater.user.username, "password": password, "assignments": [a.pk for a in assignments]}
        )
    if len(sections) != 1:
        raise RuntimeError(f"the bench sheets should all have {MEMBERS + 1} sections, not {sorted(sections)}")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")  # as a database that has been running for a while
    with translation.override("zh-hans"):
        received = escape(translation.gettext("Thank you. Your ballot has been received and can no longer be changed."))
    say(
        f"seeded cycle {cycle.pk}: {len(teams)} cases × {MEMBERS + 1} sections, {len(dealt):,} codes "
        f"({', '.join(f'{k} {v:,}' for k, v in pools.items())}), {len(raters)} named evaluators × {len(teams)} "
        f"sheets, {len(copies) + len(template) + len(named):,} complete drafts, in {elapsed(started)}"
    )
    return {
        "cycle": cycle.pk,
        "pools": pool_codes,
        "named": named,
        "indicators": [i.pk for i in indicators],
        "sections": sections.pop(),
        "scale": [cycle.scale_min, cycle.scale_max],
        "received": received,
    }


def count_ballots(cycle_id: int, acked_codes: list[str], acked_assignments: list[int]) -> dict:
    """What the database holds after the run, checked against the submits the client saw acknowledged."""
    from django.db import connection

    from assessments.codes import code_hash
    from assessments.models import Assignment, Ballot, BallotCode, Score, SectionResponse

    connection.close()  # a fresh connection: nothing cached from before the run
    ballots = Ballot.objects.filter(cycle_id=cycle_id)
    spent = set(
        BallotCode.objects.filter(case__cycle_id=cycle_id, status=BallotCode.Status.SPENT).values_list(
            "code_hash", flat=True
        )
    )
    submitted = set(
        Assignment.objects.filter(case__cycle_id=cycle_id, status=Assignment.Status.SUBMITTED).values_list(
            "pk", flat=True
        )
    )
    acked_hashes = {code_hash(c) for c in acked_codes}
    return {
        "ballots": ballots.count(),
        "anonymous": ballots.filter(kind=Ballot.Kind.ANONYMOUS).count(),
        "named": ballots.filter(kind=Ballot.Kind.NAMED).count(),
        "sections": SectionResponse.objects.filter(ballot__cycle_id=cycle_id).count(),
        "scores": Score.objects.filter(cycle_id=cycle_id).count(),
        "codes_spent": len(spent),
        "assignments_submitted": len(submitted),
        "acked_not_in_db": len(acked_hashes - spent) + len(set(acked_assignments) - submitted),
        "in_db_not_acked": len(spent - acked_hashes) + len(submitted - set(acked_assignments)),
    }


# --- The server -----------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """gunicorn with the production settings on a free loopback port; stopped on exit, whatever happens."""

    def __init__(self, env: dict[str, str], workers: int, threads: int) -> None:
        self.port = free_port()
        self.host = f"http://127.0.0.1:{self.port}"
        OUT.mkdir(exist_ok=True)
        self.log_path = OUT / "ballots-gunicorn.log"
        self.log = self.log_path.open("w")
        command = [
            sys.executable,
            "-m",
            "gunicorn",
            "config.wsgi:application",
            f"--bind=127.0.0.1:{self.port}",
            f"--workers={workers}",
            f"--threads={threads}",
            f"--chdir={ROOT}",
            f"--pythonpath={BENCH}",
            "--graceful-timeout=5",
            "--no-control-socket",  # gunicorn 27 would otherwise share ~/.gunicorn/gunicorn.ctl with any other
        ]
        self.process = subprocess.Popen(  # noqa: S603
            command, env=env, stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True
        )

    def wait_ready(self, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        request = urllib.request.Request(self.host + "/bench/bare/", headers={"X-Forwarded-Proto": "https"})  # noqa: S310
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited with {self.process.returncode}:\n{self.tail()}")
            with contextlib.suppress(OSError), urllib.request.urlopen(request, timeout=2) as response:  # noqa: S310
                if response.status == 200:
                    return
            time.sleep(0.2)
        raise RuntimeError(f"gunicorn did not answer within {timeout:.0f} s:\n{self.tail()}")

    def tail(self, lines: int = 30) -> str:
        self.log.flush()
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])

    def errors_logged(self) -> int:
        self.log.flush()
        text = self.log_path.read_text(errors="replace")
        return text.count("Internal Server Error") + text.count("[CRITICAL] WORKER TIMEOUT")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)  # gunicorn's graceful shutdown of its workers
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(self.process.pid, signal.SIGKILL)  # the group this script started
                self.process.wait()
        self.log.close()


# --- The load (a child process: Locust patches the standard library with gevent) ------------------------


def run_phase(phase: str, spec: dict, work: Path) -> dict:
    started = time.perf_counter()
    spec_path, result_path = work / f"{phase}.json", work / f"{phase}.result.json"
    spec_path.write_text(json.dumps({**spec, "phase": phase, "result": str(result_path)}))
    spec_path.chmod(0o600)  # live ballot codes
    child = subprocess.run(  # noqa: S603
        [sys.executable, __file__, "--load", str(spec_path)], capture_output=True, text=True, check=False
    )
    if child.returncode != 0 or not result_path.exists():
        raise RuntimeError(f"the {phase} phase failed ({child.returncode}):\n{child.stderr[-3000:]}")
    result = json.loads(result_path.read_text())
    say(f"  {phase} done in {elapsed(started)}")
    result["client_warnings"] = [line for line in child.stderr.splitlines() if "CPU usage" in line][:3]
    return result


def load(spec_path: str) -> None:
    """One phase: U users for warm-up + D seconds; figures of the requests completed in the D window."""
    from http.cookiejar import DefaultCookiePolicy

    import gevent
    import psutil
    from gevent.pool import Pool
    from locust import FastHttpUser, between, constant, task
    from locust.contrib.fasthttp import FastHttpSession
    from locust.env import Environment
    from locust.exception import StopUser

    spec = json.loads(Path(spec_path).read_text())
    phase, host, users = spec["phase"], spec["host"], spec["users"]
    headers = {"X-Forwarded-Proto": "https"}  # what the TLS proxy adds
    form = {"Content-Type": "application/x-www-form-urlencoded"}
    state = {"recording": False, "stop": False, "exhausted": False}
    window: dict[str, list[float]] = {}
    window_errors: dict[str, int] = {}
    totals: dict[str, list[int]] = {}  # name → [requests, errors] over the whole phase
    error_kinds: dict[str, int] = {}
    login_times: list[float] = []
    acked = {"codes": [], "assignments": [], "2xx": 0}
    pools = {k: list(v) for k, v in spec.get("pools", {}).items()}
    indicators, sections, (lo, hi) = spec.get("indicators", []), spec.get("sections", 0), spec.get("scale", [1, 10])
    received = spec.get("received", "")
    rng = random.Random()
    # Production's cookies are all Secure, and the client speaks plain HTTP to what stands for a TLS proxy:
    # the cookie jar is told that http here is https (geventhttpclient would keep Secure cookies back).
    proxied = DefaultCookiePolicy(secure_protocols=("https", "wss", "http"))

    def on_request(name, response_time, exception, response=None, **_kw):
        total = totals.setdefault(name, [0, 0])
        total[0] += 1
        if name == "login":
            login_times.append(response_time)
        if exception:
            total[1] += 1
            kind = f"{name}: {exception}"[:160]
            error_kinds[kind] = error_kinds.get(kind, 0) + 1
        if state["recording"]:
            window.setdefault(name, []).append(response_time)
            if exception:
                window_errors[name] = window_errors.get(name, 0) + 1

    def take(pool: list):
        if not pool:
            state["exhausted"] = True
            raise StopUser()
        return pool.pop()

    def problem(response, what: str = "") -> str:
        if not response.status_code:  # no response at all: the client's exception says why
            return f"{type(response.error).__name__}: {response.error}"
        body = (response.content or b"")[:100].decode(errors="replace").replace("\n", " ")
        return f"HTTP {response.status_code} {what or body}"

    def section_fields(index: int) -> dict:
        fields = {"p": index, "vote": rng.choice(["excellent", "competent", "competent", "basic"]), "comment": ""}
        fields.update({f"i{pk}": rng.randint(max(lo, hi - 4), hi - 1) for pk in indicators})
        return fields

    class Evaluator(FastHttpUser):
        abstract = True
        host = spec["host"]
        default_headers = headers
        wait_time = between(0, 2 * spec["think"]) if spec["think"] else constant(0)
        connection_timeout = 10.0
        network_timeout = 60.0

        def __init__(self, environment) -> None:
            super().__init__(environment)
            self.client.cookiejar.set_policy(proxied)

        def on_start(self) -> None:
            if spec["think"]:  # people do not all arrive in the same instant
                gevent.sleep(rng.uniform(0, 2 * spec["think"]))

        def think(self) -> None:
            """Between two requests within one task (locust waits between tasks itself)."""
            if spec["think"]:
                self.wait()

        def check(self) -> None:
            if state["stop"]:
                raise StopUser()

        def csrf(self) -> str:
            return next((c.value for c in self.client.cookiejar if c.name == "csrftoken"), "")

        def get(self, url: str, name: str) -> None:
            self.check()
            with self.client.get(url, name=name, catch_response=True) as response:
                if response.status_code != 200:
                    response.failure(problem(response))

        def post(self, url: str, fields: dict, name: str, *, extra: dict | None = None, expect: int = 200):
            self.check()
            body = urlencode({**fields, "csrfmiddlewaretoken": self.csrf()})
            sent = {**form, "Referer": f"https://{host.split('://', 1)[1]}{url}", **(extra or {})}
            return self.client.post(
                url, data=body, headers=sent, name=name, catch_response=True, allow_redirects=expect != 302
            )

        def autosave(self, url: str, index: int) -> None:
            with self.post(f"{url}?p={index}", section_fields(index), "draft", extra={"X-Autosave": "1"}) as response:
                if response.status_code != 200 or b'"saved": true' not in (response.content or b""):
                    response.failure(problem(response))

        def submit(self, url: str, ident) -> None:
            with self.post(url, {}, "submit") as response:
                if 200 <= response.status_code < 300:
                    acked["2xx"] += 1
                if response.status_code == 200 and received in (response.text or ""):
                    acked["assignments" if isinstance(ident, int) else "codes"].append(ident)
                else:
                    response.failure(problem(response, "no “received” page"))

        def open_code(self, code: str) -> str:
            """A slip's code exchanged for this browser's sheet address (/b/s/<slot>/), as the /b/ page does."""
            self.check()
            with self.client.get(f"/b/{code}/", name="exchange", catch_response=True, allow_redirects=False) as r:
                if r.status_code != 303:
                    r.failure(problem(r))
                    raise StopUser()
                return r.headers["Location"]

        def sheet(self, url: str, submit_url: str, ident, start: int = 1) -> None:
            """A browser with the page's script: each person's page, an autosave, the Next button; then submit.
            A sheet begun earlier (its draft complete) is taken up at person `start` (past the last: review)."""
            for index in range(start, sections + 1):
                self.get(f"{url}?p={index}", "sheet")
                self.think()
                self.autosave(url, index)
                self.think()
                go = "next" if index < sections else "review"
                with self.post(f"{url}?p={index}", {**section_fields(index), "go": go}, "nav", expect=302) as r:
                    if r.status_code != 302:
                        r.failure(problem(r))
                self.think()
            self.get(submit_url, "review")
            self.think()
            self.submit(submit_url, ident)

    class Bare(Evaluator):
        @task
        def bare(self) -> None:
            self.get("/bench/bare/", "bare")

    class Drafter(Evaluator):
        def on_start(self) -> None:
            super().on_start()
            self.url = self.open_code(take(pools["draft"]))
            self.index = 0
            self.client.get(f"{self.url}?p=1", name="setup")  # the page: the CSRF cookie

        @task
        def save(self) -> None:
            self.autosave(self.url, self.index % sections + 1)
            self.index += 1

    class Submitter(Evaluator):
        def on_start(self) -> None:
            super().on_start()
            # The review page of a code exchanged (not spent) for the purpose: the CSRF cookie.
            self.client.get(self.open_code(pools["submit"][-1]) + "submit/", name="setup")

        @task
        def submit_one(self) -> None:
            code = take(pools["submit"])
            self.submit(self.open_code(code) + "submit/", code)

    class Anonymous(Evaluator):
        begun = False

        @task
        def ballot(self) -> None:
            if self.begun:
                code, start = take(pools["flow"]), 1
            else:  # the first sheet was begun before the phase (see seed()): taken up anywhere
                self.begun, code, start = True, take(pools["started"]), rng.randint(1, sections + 1)
            self.client.cookiejar.clear()  # another evaluator, another device
            url = self.open_code(code)
            self.sheet(url, url + "submit/", code, start)

    sessions: list[tuple] = []

    class Named(Evaluator):
        fixed_count = len(spec.get("named", []))

        def on_start(self) -> None:
            self.client, self.assignments = sessions.pop()
            super().on_start()

        begun = False

        @task
        def ballot(self) -> None:
            pk, start = take(self.assignments), 1
            if not self.begun:  # the first sheet's draft is complete (see seed()): taken up anywhere
                self.begun, start = True, rng.randint(1, sections + 1)
            self.sheet(f"/ballots/{pk}/", f"/ballots/{pk}/submit/", pk, start)

    classes = {"bare": [Bare], "draft": [Drafter], "submit": [Submitter], "flow": [Anonymous, Named]}[phase]
    env = Environment(user_classes=classes, host=host)
    env.events.request.add_listener(on_request)

    def login(credentials: dict) -> None:
        """The real login form, with its CSRF token and django-axes; the session then serves one user."""
        session = FastHttpSession(base_url=host, request_event=env.events.request, user=None, headers=headers)
        session.cookiejar.set_policy(proxied)
        session.get("/accounts/login/", name="login-page")
        token = next((c.value for c in session.cookiejar if c.name == "csrftoken"), "")
        fields = {"username": credentials["username"], "password": credentials["password"], "next": ""}
        response = session.post(
            "/accounts/login/",
            data=urlencode({**fields, "csrfmiddlewaretoken": token}),
            headers={**form, "Referer": f"https://{host.split('://', 1)[1]}/accounts/login/"},
            name="login",
            allow_redirects=False,
        )
        if response.status_code != 302:
            raise RuntimeError(f"login of {credentials['username']} failed: HTTP {response.status_code}")
        sessions.append((session, list(reversed(credentials["assignments"]))))

    if phase == "flow":
        Pool(4).map(login, spec["named"])

    gunicorn = psutil.Process(spec["server_pid"])

    postmaster = next(
        (p for p in psutil.process_iter(["cmdline"]) if (p.info["cmdline"] or [""])[0].endswith("/bin/postgres")), None
    )

    def cpu() -> dict[str, dict[int, float] | float]:
        """CPU seconds so far: gunicorn's processes, this client, PostgreSQL and the whole machine. PostgreSQL is
        the whole server (every database): its backends live one request each (CONN_MAX_AGE is 0, see the report),
        so they are counted through the postmaster, which reaps them, plus the live ones."""
        seconds: dict[str, dict[int, float] | float] = {"server": {}, "database": {}}
        processes = [("server", p) for p in [gunicorn, *gunicorn.children(recursive=True)]]
        if postmaster is not None:
            processes += [("database", p) for p in postmaster.children()]
            with contextlib.suppress(psutil.Error):
                times = postmaster.cpu_times()
                seconds["database"][0] = times.user + times.system + times.children_user + times.children_system
        for kind, process in processes:
            with contextlib.suppress(psutil.Error):
                times = process.cpu_times()
                seconds[kind][process.pid] = times.user + times.system
        own, machine = psutil.Process().cpu_times(), psutil.cpu_times()
        seconds["client"] = own.user + own.system
        seconds["machine"] = machine.user + machine.system + machine.nice + machine.irq + machine.softirq
        return seconds

    def cores(before: dict, after: dict, seconds: float) -> dict[str, float]:
        used = {}
        for kind, now in after.items():
            if isinstance(now, dict):  # per process: one that started during the window counts from zero, one
                # that ended is in its parent's children's times (PostgreSQL's backends: key 0)
                gone = sum(t for pid, t in before[kind].items() if pid and pid not in now)
                used[kind] = sum(t - before[kind].get(pid, 0.0) for pid, t in now.items()) - gone
            else:
                used[kind] = now - before[kind]
        used["other"] = used["machine"] - used["server"] - used["database"] - used["client"]
        return {kind: round(max(0.0, t) / seconds, 2) for kind, t in used.items()}

    runner = env.create_local_runner()
    runner.start(users, spawn_rate=users)
    gevent.sleep(spec["warmup"])
    before, started = cpu(), time.perf_counter()
    state["recording"] = True
    gevent.sleep(spec["duration"])
    state["recording"] = False
    seconds = time.perf_counter() - started
    after = cpu()
    state["stop"] = True  # users stop at their next request: nothing in flight is cut off
    deadline = time.monotonic() + 30
    while runner.user_count and time.monotonic() < deadline:
        gevent.sleep(0.1)
    runner.quit()

    def figures(name: str) -> dict:
        times = sorted(window.get(name, []))

        def pct(q: float) -> float:
            return round(times[min(len(times) - 1, math.ceil(q * len(times)) - 1)], 1) if times else 0.0

        return {
            "requests": len(times),
            "rps": round(len(times) / seconds, 1),
            "p50_ms": pct(0.50),
            "p95_ms": pct(0.95),
            "p99_ms": pct(0.99),
            "max_ms": round(times[-1], 1) if times else 0.0,
            "errors": totals.get(name, [0, 0])[1],
            "window_errors": window_errors.get(name, 0),
        }

    measured = [n for n in ("bare", "sheet", "draft", "nav", "review", "submit") if n in totals]
    every = sorted(t for n in measured for t in window.get(n, []))
    window["all"] = every
    totals["all"] = [sum(totals[n][0] for n in measured), sum(totals[n][1] for n in totals if n != "all")]
    result = {
        "phase": phase,
        "seconds": round(seconds, 2),
        "endpoints": {name: figures(name) for name in [*measured, "all"]},
        "errors_total": sum(e for n, (_c, e) in totals.items() if n != "all"),
        "error_kinds": dict(sorted(error_kinds.items(), key=lambda kv: -kv[1])[:10]),
        "acked_codes": acked["codes"],
        "acked_assignments": acked["assignments"],
        "submits_2xx": acked["2xx"],
        "exhausted": state["exhausted"],
        "logins": {"count": len(login_times), "p50_ms": round(sorted(login_times)[len(login_times) // 2], 1)}
        if login_times
        else {},
        "cpu_cores": cores(before, after, seconds),
    }
    Path(spec["result"]).write_text(json.dumps(result))


# --- Orchestration --------------------------------------------------------------------------------------


def say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def elapsed(started: float) -> str:
    return f"{time.perf_counter() - started:.1f} s"


def pool_sizes(users: int, bare_rps: float, seconds: float, think: float) -> dict[str, int]:
    """Codes for each phase, from the bare view's rate, with room to spare. Saturated, no endpoint goes faster
    than the bare view (the submit endpoint at less than 60 % of it); with think time, all go about as fast."""
    share = 1.2 if think else 0.6
    return {
        "draft": users,
        "submit": math.ceil(bare_rps * share * seconds) + 2 * users,
        "started": users,
        "flow": math.ceil(bare_rps * share / 15 * seconds) + 2 * users,
    }


def line(label: str, f: dict) -> str:
    return (
        f"  {label:<15} {f['rps']:>8.1f} req/s   p50 {f['p50_ms']:>6.1f}   p95 {f['p95_ms']:>6.1f}   "
        f"p99 {f['p99_ms']:>6.1f}   max {f['max_ms']:>7.1f} ms   errors {f['errors']}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="1 s warm-up + 4 s per phase instead of 3 + 30")
    parser.add_argument("--users", type=int, default=50, help="concurrent simulated users (default 50)")
    parser.add_argument("--duration", type=float, default=None, help="measured seconds per phase")
    parser.add_argument("--warmup", type=float, default=None, help="uncounted seconds before each phase's window")
    parser.add_argument("--think", type=float, default=0.0, help="mean think time between requests, seconds")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers (default 4, as in the README)")
    parser.add_argument("--threads", type=int, default=1, help="threads per worker (>1: gthread workers)")
    parser.add_argument(
        "--conn-max-age",
        type=int,
        default=None,
        help="set CONN_MAX_AGE for the server (default: unset, as production runs: see the report)",
    )
    parser.add_argument("--load", metavar="SPEC", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.load:
        load(args.load)
        return
    duration = args.duration or (4.0 if args.quick else 30.0)
    warmup = args.warmup if args.warmup is not None else (1.0 if args.quick else 3.0)
    if args.think:  # users arrive spread over 2 × think seconds: not counted
        warmup = max(warmup, 2 * args.think)
    users = args.users
    evaluators = max(1, round(users * NAMED_SHARE))
    begun = time.perf_counter()

    url = database_url()
    ensure_database(url)
    env = server_env(url)
    if args.conn_max_age is not None:
        env["CONN_MAX_AGE"] = str(args.conn_max_age)
    setup_django(env)
    from django.core.management import call_command
    from django.db import connection

    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    say(f"database {urlparse(url).path.lstrip('/')} migrated in {elapsed(started)}")
    collect_static()
    connection.close()

    server = Server(env, args.workers, args.threads)
    previous = signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    results: dict[str, dict] = {}
    try:
        server.wait_ready()
        base = {
            "host": server.host,
            "users": users,
            "duration": duration,
            "warmup": warmup,
            "think": args.think,
            "server_pid": server.process.pid,
        }
        with tempfile.TemporaryDirectory(prefix="kaoping-bench-") as tmp:
            work = Path(tmp)
            say(f"phase bare: {users} users, {warmup:g} s warm-up + {duration:g} s")
            results["bare"] = run_phase("bare", base, work)
            bare_rps = results["bare"]["endpoints"]["bare"]["rps"]
            pools = pool_sizes(users, bare_rps, warmup + duration + 5, args.think)
            seeded = seed(evaluators=evaluators, pools=pools)
            connection.close()
            for phase in PHASES[1:]:
                say(f"phase {phase}: {users} users, {warmup:g} s warm-up + {duration:g} s")
                results[phase] = run_phase(phase, {**base, **seeded}, work)
        server_errors = server.errors_logged()
    finally:
        server.stop()
        signal.signal(signal.SIGTERM, previous)

    acked_codes = results["submit"]["acked_codes"] + results["flow"]["acked_codes"]
    acked_assignments = results["flow"]["acked_assignments"]
    db = count_ballots(seeded["cycle"], acked_codes, acked_assignments)
    submits_2xx = results["submit"]["submits_2xx"] + results["flow"]["submits_2xx"]

    bare = results["bare"]["endpoints"]["bare"]
    draft = results["draft"]["endpoints"]["draft"]
    submit = results["submit"]["endpoints"]["submit"]
    flow = results["flow"]["endpoints"]
    flow_submit = flow.get("submit", {"rps": 0.0, "p99_ms": 0.0, "errors": 0})
    errors_total = sum(r["errors_total"] for r in results.values())

    def ratio(a: float) -> float:
        return round(a / bare["rps"], 3) if bare["rps"] else 0.0

    print(
        f"{users} users, {args.workers} gunicorn workers × {args.threads} thread(s), "
        f"{warmup:g} s warm-up + {duration:g} s per phase, think time {args.think:g} s"
    )
    print(line("bare view", bare))
    print(line("draft save", draft))
    print(line("ballot submit", submit))
    print("  evaluator flow (80 % anonymous, 20 % named; a ballot = 29 requests):")
    for name in ("sheet", "draft", "nav", "review", "submit", "all"):
        if name in flow:
            print(line(f"  {name}", flow[name]))
    print(
        f"ratios to the bare view: submit {ratio(submit['rps']):.2f} (target ≥ 0.40)   draft "
        f"{ratio(draft['rps']):.2f}   whole evaluator flow {ratio(flow['all']['rps']):.2f}"
    )
    print(
        f"ballots: {submits_2xx} submits answered 2xx, {db['ballots']} ballots in the database "
        f"({db['anonymous']} anonymous, {db['named']} named; {db['scores']:,} scores): "
        f"lost {submits_2xx - db['ballots']}, acknowledged but missing {db['acked_not_in_db']}, "
        f"in the database without an acknowledgement {db['in_db_not_acked']}"
    )
    for phase, r in results.items():
        cores = r["cpu_cores"]
        print(
            f"  cpu cores in {phase:<6}: gunicorn {cores['server']:.2f}, PostgreSQL (all) {cores['database']:.2f}, "
            f"client {cores['client']:.2f}, anything else {cores['other']:.2f} (of {os.cpu_count()})"
        )
        if cores["other"] > 0.25:
            print(f"  WARNING: other processes took {cores['other']:.2f} cores during {phase}: figures not comparable")
        for kind, n in r["error_kinds"].items():
            print(f"  error in {phase}: {n} × {kind}")
        if r["exhausted"]:
            print(f"  WARNING: the {phase} phase ran out of codes or sheets; its users stopped early")
        for warning in r["client_warnings"]:
            print(f"  client: {warning.strip()}")
    if results["flow"]["logins"]:
        logins = results["flow"]["logins"]
        print(f"  {logins['count']} logins before the flow phase, p50 {logins['p50_ms']:.0f} ms (not counted)")
    if server_errors:
        print(f"  gunicorn's log ({server.log_path.relative_to(ROOT)}) has {server_errors} server errors")
    print(f"total {elapsed(begun)}")

    figures = {
        "bench": "ballots",
        "users": users,
        "duration_s": duration,
        "warmup_s": warmup,
        "think_s": args.think,
        "workers": args.workers,
        "threads": args.threads,
        "cpus": os.cpu_count(),
    }
    for prefix, f in (("bare", bare), ("draft", draft), ("submit", submit)):
        figures |= {
            f"{prefix}_rps": f["rps"],
            f"{prefix}_p50_ms": f["p50_ms"],
            f"{prefix}_p95_ms": f["p95_ms"],
            f"{prefix}_p99_ms": f["p99_ms"],
            f"{prefix}_errors": f["errors"],
        }
    figures |= {
        "flow_rps": flow["all"]["rps"],
        "flow_p50_ms": flow["all"]["p50_ms"],
        "flow_p99_ms": flow["all"]["p99_ms"],
        "flow_errors": results["flow"]["errors_total"],
        "flow_ballots_per_s": flow_submit["rps"],
        "flow_submit_p99_ms": flow_submit["p99_ms"],
        "flow_draft_p99_ms": flow.get("draft", {}).get("p99_ms", 0.0),
        "ratio_submit_to_bare": ratio(submit["rps"]),
        "ratio_draft_to_bare": ratio(draft["rps"]),
        "ratio_flow_to_bare": ratio(flow["all"]["rps"]),
        "errors_total": errors_total,
        "server_errors_logged": server_errors,
        "submits_2xx": submits_2xx,
        "ballots_in_db": db["ballots"],
        "lost": submits_2xx - db["ballots"],
        "acked_not_in_db": db["acked_not_in_db"],
        "in_db_not_acked": db["in_db_not_acked"],
        "exhausted": any(r["exhausted"] for r in results.values()),
        "cpu_cores": {phase: r["cpu_cores"] for phase, r in results.items()},
        "total_s": round(time.perf_counter() - begun, 1),
        "targets": TARGETS,
    }
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
