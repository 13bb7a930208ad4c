#!/usr/bin/env python
"""API benchmark: a cycle's results exported as CSV, against PostgreSQL's own COPY of the same rows; and the
p95 of the results list at page size 100.

Generates (once per size, in its own PostgreSQL database) a released cycle of T teams × (7 members + the team
as a whole) with their computed results, as a scoring run leaves them: 2,500 teams → 20,000 subjects. About a
tenth of the subjects have a rater group below k and a few have fewer than k raters in all, so that the
suppression is on the path. An exported row is one subject × dimension × rater group (3 × 4), the export's
own shape: 20,000 subjects → 240,000 rows.

Then, in a fresh process (so its peak memory is the export's, not the generator's), it times:
  baseline: COPY (SELECT … the same 25 columns, the same rows, the same order …) TO STDOUT (CSV), read
            through psycopg and thrown away;
  export:   GET /api/v1/cycles/{id}/results.csv with an HR key, through Django's WSGI handler as a server
            calls it (every middleware, the view, the streamed body read and thrown away);
  list:     GET /api/v1/results/?cycle=…&page_size=100, page after page by the cursor;
and prints the rows/s of both, their ratio (target ≥ 0.25), the peak RSS (target < 200 MB) and the list's
p95 (target < 50 ms). The last line printed is one JSON object with the figures.

    python bench/api.py            # 2,500 teams, 20,000 subjects, 240,000 rows
    python bench/api.py --quick    # 250 teams, well under a minute
    python bench/api.py --xlsx     # also time one XLSX export (slow: openpyxl; not a target)
Needs PostgreSQL: BENCH_DATABASE_URL, or DATABASE_URL's server, or postgres@127.0.0.1:5432.
"""

import argparse
import gc
import json
import os
import random
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlparse, urlunparse

import orjson

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.scoring import _copy, ensure_database, schema_tag, setup_django  # noqa: E402

MEMBERS = 7
GROUPS = ("superior", "peer", "subordinate", "self")
ROWS_PER_SUBJECT = 12  # 3 dimensions × 4 rater groups

# The export's rows, in SQL: the same columns in the same order, one row per subject × dimension × group.
COPY_SQL = """
COPY (
    SELECT u.code, u.name, t.name, s.kind, p.employee_number, p.name, s.position,
           r.total, r.grade, r.rank_in_team, r.rank_in_cycle,
           r.votes ->> 'excellent', r.votes ->> 'competent', r.votes ->> 'basic', r.votes ->> 'incompetent',
           r.votes_total, r.flag_removal_review, r.flag_warning_talk,
           d.name, r.dimensions ->> d.code, g.code,
           r.groups -> g.code ->> 'n', r.groups -> g.code -> 'dimensions' ->> d.code,
           g.code <> 'self' AND (r.groups -> g.code ->> 'n')::int < c.min_group_size,
           r.version
    FROM assessments_subjectresult r
    JOIN assessments_cycle c ON c.id = r.cycle_id
    JOIN assessments_casesubject s ON s.id = r.subject_id
    JOIN assessments_case k ON k.id = s.case_id
    JOIN people_leadershipteam t ON t.id = k.team_id
    JOIN people_orgunit u ON u.id = t.org_unit_id
    LEFT JOIN people_person p ON p.id = s.person_id
    JOIN assessments_dimension d ON d.framework_id = c.framework_id
    CROSS JOIN (VALUES ('superior', 1), ('peer', 2), ('subordinate', 3), ('self', 4)) AS g (code, position)
    WHERE r.cycle_id = {cycle}
    ORDER BY u.code, s."order", r.id, d."order", d.id, g.position
) TO STDOUT WITH (FORMAT csv, HEADER)
"""


def database_url(teams: int) -> str:
    base = os.environ.get("BENCH_DATABASE_URL") or os.environ.get("DATABASE_URL") or ""
    if not base.startswith("postgres"):
        base = "postgres://postgres@127.0.0.1:5432/postgres"
    parts = urlparse(base)
    return urlunparse(parts._replace(path=f"/kaoping_bench_api_{teams}_{schema_tag()}"))


def generate(teams: int) -> None:
    from django.core.management import call_command
    from django.db import connection, transaction

    from assessments.models import Cycle, Framework, Indicator
    from assessments.services.groups import preset_apply

    call_command("migrate", verbosity=0)
    rng = random.Random(2026)
    framework = Framework.objects.get(code="leadership", version=1)
    dimension_of = dict(Indicator.objects.filter(dimension__framework=framework).values_list("id", "dimension__code"))
    codes = sorted(set(dimension_of.values()))
    started = time.perf_counter()
    counter = iter(range(10_000_000, 100_000_000))
    with transaction.atomic():
        # The standard preset's groups, made while a draft as the database requires, then released.
        cycle = Cycle.objects.create(name="bench", year=2026, framework=framework, results_version=1)
        preset_apply(cycle=cycle, preset="standard")
        Cycle.objects.filter(pk=cycle.pk).update(status=Cycle.Status.RELEASED)
        units, people, team_rows, cases, subjects, results = [], [], [], [], [], []
        rank = 0
        for _ in range(teams):
            unit, team, case = next(counter), next(counter), next(counter)
            units.append((unit, f"B{unit}", f"第{unit}作业区", "workshop", True, "2026-01-01"))
            team_rows.append((team, unit, f"第{unit}作业区领导班子", True, "2026-01-01"))
            cases.append((case, cycle.pk, team, "feedback", '{"subordinate": 15}', 0, "2026-01-01"))
            for order in range(MEMBERS + 1):
                sid = next(counter)
                person = None
                if order < MEMBERS:
                    person = next(counter)
                    people.append((person, f"P{person}", f"人员{person}", "", unit, "", "", "", True, "2026-01-01"))
                    rank += 1
                kind = "member" if person else "team"
                subjects.append((sid, case, kind, person, "副经理" if order else "经理", order == 0, order))
                results.append(_result(rng, cycle.pk, case, sid, codes, dimension_of, order, rank))
        raw = connection.cursor().cursor
        _copy(raw, "people_orgunit", ["id", "code", "name", "kind", "active", "updated_at"], units)
        person_columns = ["id", "employee_number", "name", "gender", "org_unit_id", "title", "party", "email"]
        _copy(raw, "people_person", [*person_columns, "active", "updated_at"], people)
        _copy(raw, "people_leadershipteam", ["id", "org_unit_id", "name", "active", "updated_at"], team_rows)
        case_columns = ["id", "cycle_id", "team_id", "status", "code_counts", "anonymous_mixed", "updated_at"]
        _copy(raw, "assessments_case", case_columns, cases)
        _copy(
            raw,
            "assessments_casesubject",
            ["id", "case_id", "kind", "person_id", "position", "is_principal", '"order"'],
            subjects,
        )
        _copy(raw, "assessments_subjectresult", list(RESULT_COLUMNS), results)
        for table in ("people_orgunit", "people_person", "people_leadershipteam", "assessments_case"):
            raw.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))")
        raw.execute(
            "SELECT setval(pg_get_serial_sequence('assessments_casesubject', 'id'), "
            "(SELECT max(id) FROM assessments_casesubject))"
        )
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    print(f"generated {len(results):,} subject results in {time.perf_counter() - started:.1f} s", file=sys.stderr)


RESULT_COLUMNS = (
    "cycle_id",
    "case_id",
    "subject_id",
    "total",
    "grade",
    "rank_in_team",
    "rank_in_cycle",
    "groups",
    "counted_raters",
    "dimensions",
    "cells",
    "weights_used",
    "renormalised",
    "votes",
    "votes_total",
    "flag_removal_review",
    "flag_warning_talk",
    "ballots_valid",
    "ballots_void",
    "version",
)


def _result(rng, cycle, case, subject, codes, dimension_of, order, rank) -> tuple:
    """One subject's result as the scoring run writes it. Every tenth subject has two superiors (below k = 3),
    every fiftieth one superior and one peer only (below k in all)."""
    sizes = {"superior": 3, "peer": MEMBERS - 1, "subordinate": 15, "self": 1}
    if subject % 10 == 0:
        sizes["superior"] = 2
    if subject % 50 == 0:
        sizes = {"superior": 1, "peer": 1, "self": 1}
    level = rng.uniform(60, 95)
    groups, cells = {}, {}
    for group, n in sizes.items():
        dims = {c: round(min(100.0, max(10.0, rng.gauss(level, 5))), 2) for c in codes}
        groups[group] = {
            "n": n,
            "void": 0,
            "score": round(sum(dims.values()) / len(dims), 2),
            "dimensions": dims,
            "counted": group != "self",
            "k": 3,
        }
        cells[group] = {
            str(i): [n, round(dims[d] / 10, 4), round(dims[d] / 10, 4)] for i, d in sorted(dimension_of.items())
        }
    total = round(sum(g["score"] for k, g in groups.items() if k != "self") / (len(groups) - 1), 2)
    grade = "excellent" if total >= 90 else "competent" if total >= 70 else "basic" if total >= 60 else "incompetent"
    votes_total = sum(n for k, n in sizes.items() if k != "self")
    good = rng.randint(votes_total * 2 // 3, votes_total)
    votes = {"excellent": good // 3, "competent": good - good // 3, "basic": votes_total - good, "incompetent": 0}
    votes["shares"] = {k: round(v / votes_total * 100, 2) for k, v in votes.items()}
    member = order < MEMBERS
    return (
        cycle,
        case,
        subject,
        total,
        grade,
        order + 1 if member else None,
        rank if member else None,
        orjson.dumps(groups).decode(),
        votes_total,
        orjson.dumps(dict.fromkeys(codes, total)).decode(),
        orjson.dumps(cells).decode(),
        orjson.dumps({"superior": 30.0, "peer": 30.0, "subordinate": 40.0}).decode(),
        False,
        orjson.dumps(votes).decode(),
        votes_total,
        False,
        good * 3 < votes_total * 2,
        sum(sizes.values()),
        0,
        1,
    )


def measure(repeats: int, requests: int, xlsx: bool) -> dict:
    """Runs in a fresh process: the COPY, the export and the list, then the peak RSS."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Permission
    from django.db import connection

    from assessments.models import Cycle, SubjectResult
    from integrations.services import api_key_create

    cycle = Cycle.objects.get(name="bench")
    subjects = SubjectResult.objects.filter(cycle=cycle).count()
    owner, _ = get_user_model().objects.get_or_create(username="bench-hr")
    owner.user_permissions.add(Permission.objects.get(codename="manage_cycles"))
    _, raw = api_key_create(name="bench", owner=owner, scopes=["results:read"])
    get = _wsgi_client(f"Bearer {raw}")

    def copy() -> tuple[int, int]:
        lines = size = 0
        with connection.cursor() as cursor, cursor.cursor.copy(COPY_SQL.format(cycle=int(cycle.pk))) as stream:
            for chunk in stream:
                lines += bytes(chunk).count(b"\n")
                size += len(chunk)
        return lines - 1, size

    def export(extension: str) -> tuple[int, int]:
        lines = size = 0
        for chunk in get(f"/api/v1/cycles/{cycle.pk}/results.{extension}"):
            lines += chunk.count(b"\n")
            size += len(chunk)
        return lines - 1, size

    b"".join(get("/api/v1/results/", "page_size=1"))  # warm up: imports, the key's last use, the connection
    rss_before_mb = _rss_mb()
    copy_s, export_s = [], []
    for _ in range(repeats):
        started = time.perf_counter()
        copy_rows, copy_bytes = copy()
        copy_s.append(time.perf_counter() - started)
        started = time.perf_counter()
        export_rows, export_bytes = export("csv")
        export_s.append(time.perf_counter() - started)
    assert export_rows == copy_rows == subjects * ROWS_PER_SUBJECT, (export_rows, copy_rows)
    peak_after_export_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    def walk_list() -> dict:
        """The list page after page by its cursor (the cycle over again if need be), each request timed. Full
        collections are counted: DRF leaves each request's view, serializer and page of rows in reference cycles,
        which CPython frees only in a full collection, and those requests are the slowest."""
        full = []

        def counter(phase: str, info: dict) -> None:
            if phase == "stop" and info["generation"] == 2:
                full.append(1)

        gc.callbacks.append(counter)
        latencies, query = [], None
        while len(latencies) < requests:
            query = query or f"cycle={cycle.pk}&page_size=100"
            started = time.perf_counter()
            page = json.loads(b"".join(get("/api/v1/results/", query)))
            latencies.append(time.perf_counter() - started)
            assert len(page["results"]) > 0
            query = urlparse(page["next"]).query if page["next"] else None
        gc.callbacks.remove(counter)
        ms = sorted(x * 1000 for x in latencies)
        return {
            "median": round(statistics.median(ms), 1),
            "p95": round(ms[round(len(ms) * 0.95) - 1], 1),
            "gc": len(full),
        }

    listed = walk_list()
    # What config/wsgi.py does once at start-up for every server process (gunicorn, uwsgi), measured here:
    # the objects of the loaded application leave the collector's sight, and a full collection is cheap.
    gc.freeze()
    frozen = walk_list()

    figures = {}
    if xlsx:
        started = time.perf_counter()
        _, size = export("xlsx")
        figures["xlsx_s"] = round(time.perf_counter() - started, 2)
        figures["xlsx_mb"] = round(size / 2**20, 1)
        figures["xlsx_rows_per_s"] = round(copy_rows / figures["xlsx_s"])

    copy_median, export_median = statistics.median(copy_s), statistics.median(export_s)
    return {
        "bench": "api",
        "subjects": subjects,
        "rows": copy_rows,
        "copy_s": round(copy_median, 3),
        "export_s": round(export_median, 3),
        "copy_rows_per_s": round(copy_rows / copy_median),
        "export_rows_per_s": round(export_rows / export_median),
        "ratio": round(copy_median / export_median, 3),
        "copy_mb": round(copy_bytes / 2**20, 1),
        "export_mb": round(export_bytes / 2**20, 1),
        "rss_before_export_mb": round(rss_before_mb, 1),
        "peak_rss_after_export_mb": round(peak_after_export_mb, 1),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "list_requests": requests,
        "list_page_size": 100,
        "list_median_ms": listed["median"],
        "list_p95_ms": listed["p95"],
        "list_full_gc": listed["gc"],
        "list_median_ms_gc_frozen": frozen["median"],
        "list_p95_ms_gc_frozen": frozen["p95"],
        "list_full_gc_gc_frozen": frozen["gc"],
        "load_average": round(os.getloadavg()[0], 2),
        **figures,
        "repeats": repeats,
        "targets": {"ratio_at_least": 0.25, "peak_rss_mb_below": 200, "list_p95_ms_below": 50},
    }


def _wsgi_client(authorization: str):
    """GET through Django's WSGI handler as a WSGI server calls it (middleware, view, streaming, close), without
    a socket in between: what is timed is the application. Yields the body's chunks."""
    import io

    from django.core.handlers.wsgi import WSGIHandler

    handler = WSGIHandler()

    def get(path: str, query: str = ""):
        environ = {
            "REQUEST_METHOD": "GET",
            "PATH_INFO": path,
            "QUERY_STRING": query,
            "SERVER_NAME": "testserver",
            "SERVER_PORT": "80",
            "SERVER_PROTOCOL": "HTTP/1.1",
            "HTTP_AUTHORIZATION": authorization,
            "wsgi.url_scheme": "http",
            "wsgi.input": io.BytesIO(),
            "wsgi.errors": sys.stderr,
        }
        status = []
        body = handler(environ, lambda line, headers, exc_info=None: status.append(line))
        try:
            assert status[0].startswith("200"), status[0]
            yield from body
        finally:
            body.close()

    return get


def _rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="250 teams (2,000 subjects) instead of 2,500")
    parser.add_argument("--teams", type=int, default=None)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--requests", type=int, default=200, help="list requests timed for the p95")
    parser.add_argument("--xlsx", action="store_true", help="also time one XLSX export")
    parser.add_argument("--measure", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    teams = args.teams or (250 if args.quick else 2500)
    url = database_url(teams)

    if args.measure:
        setup_django(url)
        print(json.dumps(measure(args.repeats, args.requests, args.xlsx)))
        return

    if not ensure_database(url):
        setup_django(url)
        generate(teams)
    command = [sys.executable, __file__, "--measure", "--teams", str(teams), "--repeats", str(args.repeats)]
    command += ["--requests", str(args.requests)] + (["--xlsx"] if args.xlsx else [])
    child = subprocess.run(  # noqa: S603
        command,
        capture_output=True,
        text=True,
        check=False,
        # One client: the per-key rate limit would only measure itself. Connections persist, as in production.
        env={**os.environ, "DATABASE_URL": url, "KAOPING_API_RATE": "1000000/min", "CONN_MAX_AGE": "60"},
    )
    if child.returncode:
        sys.exit(child.stderr)
    figures = json.loads(child.stdout.strip().splitlines()[-1])
    figures["teams"] = teams
    print(f"teams {teams:,}, subjects {figures['subjects']:,}, exported rows {figures['rows']:,}")
    print(
        f"COPY: {figures['copy_rows_per_s']:,} rows/s ({figures['copy_s']:.3f} s)   "
        f"CSV export: {figures['export_rows_per_s']:,} rows/s ({figures['export_s']:.3f} s)   "
        f"ratio {figures['ratio']:.2f} (target ≥ 0.25)"
    )
    print(
        f"peak RSS {figures['peak_rss_mb']:.0f} MB (target < 200; {figures['rss_before_export_mb']:.0f} MB before "
        f"the first export)"
    )
    print(
        f"results list, page size 100: median {figures['list_median_ms']:.1f} ms, p95 {figures['list_p95_ms']:.1f} ms "
        f"({figures['list_full_gc']} full GCs); after gc.freeze(): median {figures['list_median_ms_gc_frozen']:.1f} "
        f"ms, p95 {figures['list_p95_ms_gc_frozen']:.1f} ms (target < 50)"
    )
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
