#!/usr/bin/env python
"""Scoring benchmark: a whole cycle scored, against a bare GROUP BY over the same score rows.

Generates (once per size, in its own PostgreSQL database) a cycle of T teams × 8 members, 25 sheets
per team (8 members, 2 superiors, 15 anonymous subordinates), each sheet scoring 8 members and the
team on 11 indicators: 500 teams → 4,000 people, 100,000 member sections (rater × person ballots),
1.1 million member scores (1.24 million with the team sections).

Then, in a fresh process (so its peak memory is the scoring's, not the generator's), it times:
  baseline: SELECT subject, indicator, group, COUNT, AVG, MIN, MAX … GROUP BY over the cycle's scores;
  scoring:  assessments.services.cycle_compute_results (everything HR's "compute" does);
and prints both, their ratio (target < 3) and the peak RSS (target < 500 MB).
The last line printed is one JSON object with the figures.

    python bench/scoring.py            # 500 teams
    python bench/scoring.py --quick    # 50 teams, well under a minute
Needs PostgreSQL: BENCH_DATABASE_URL, or DATABASE_URL's server, or postgres@127.0.0.1:5432.
"""

import argparse
import hashlib
import json
import os
import random
import resource
import statistics
import subprocess
import sys
import time
import uuid
from pathlib import Path
from urllib.parse import urlparse, urlunparse

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

MEMBERS, SUPERIORS, ANONYMOUS = 8, 2, 15


def schema_tag() -> str:
    """A short hash of every migration file: a model change gets a freshly generated database."""
    digest = hashlib.sha256()
    for path in sorted(ROOT.glob("*/migrations/*.py")):
        digest.update(path.read_bytes())
    return digest.hexdigest()[:8]


def database_url(teams: int) -> str:
    base = os.environ.get("BENCH_DATABASE_URL") or os.environ.get("DATABASE_URL") or ""
    if not base.startswith("postgres"):
        base = "postgres://postgres@127.0.0.1:5432/postgres"
    parts = urlparse(base)
    return urlunparse(parts._replace(path=f"/kaoping_bench_{teams}_{schema_tag()}"))


def setup_django(url: str) -> None:
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
    import django

    django.setup()


def ensure_database(url: str) -> bool:
    """Create the bench database if missing; True if it already held a generated cycle."""
    import psycopg

    parts = urlparse(url)
    name = parts.path.lstrip("/")
    admin = urlunparse(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not exists:
            # Databases of the same size built for an older schema are of no further use.
            prefix = name.rsplit("_", 1)[0] + "_"
            for (old,) in conn.execute("SELECT datname FROM pg_database").fetchall():
                tag = old.removeprefix(prefix)
                if old != tag and "_" not in tag:  # same size, another schema (LIKE would treat "_" as a wildcard)
                    conn.execute(f'DROP DATABASE "{old}"')
            conn.execute(f'CREATE DATABASE "{name}"')
            return False
    with psycopg.connect(url) as conn:
        try:
            row = conn.execute("SELECT count(*) FROM assessments_cycle WHERE name = 'bench'").fetchone()
        except psycopg.errors.UndefinedTable:
            return False
        return bool(row and row[0])


def generate(teams: int) -> None:
    from django.core.management import call_command
    from django.db import connection, transaction

    from assessments.models import Cycle, Framework, Indicator
    from assessments.services.groups import preset_apply

    call_command("migrate", verbosity=0)
    rng = random.Random(2026)
    framework = Framework.objects.get(code="leadership", version=1)
    indicators = list(Indicator.objects.filter(dimension__framework=framework).values_list("id", flat=True))
    started = time.perf_counter()
    with transaction.atomic():
        # The standard preset's groups, made while a draft as the database requires, then closed for scoring.
        cycle = Cycle.objects.create(name="bench", year=2026, framework=framework)
        preset_apply(cycle=cycle, preset="standard")
        Cycle.objects.filter(pk=cycle.pk).update(status=Cycle.Status.CLOSED)
        raw = connection.cursor().cursor
        ids = _ids(raw, teams)
        _copy(
            raw,
            "people_orgunit",
            ["id", "code", "name", "kind", "active", "updated_at"],
            ((u, f"B{u}", f"单位{u}", "workshop", True, "2026-01-01") for u in ids["units"]),
        )
        _copy(
            raw,
            "people_person",
            [
                "id",
                "employee_number",
                "name",
                "gender",
                "org_unit_id",
                "title",
                "party",
                "email",
                "active",
                "updated_at",
            ],
            (
                (p, f"P{p}", f"人员{p}", "", ids["unit_of_person"][p], "", "", "", True, "2026-01-01")
                for p in ids["people"]
            ),
        )
        _copy(
            raw,
            "people_leadershipteam",
            ["id", "org_unit_id", "name", "active", "updated_at"],
            ((t, u, f"班子{t}", True, "2026-01-01") for t, u in zip(ids["teams"], ids["units"], strict=False)),
        )
        _copy(
            raw,
            "assessments_case",
            ["id", "cycle_id", "team_id", "status", "code_counts", "anonymous_mixed", "updated_at"],
            (
                (c, cycle.pk, t, "evaluating", f'{{"subordinate": {ANONYMOUS}}}', 0, "2026-01-01")
                for c, t in zip(ids["cases"], ids["teams"], strict=True)
            ),
        )
        subjects, assignments, codes, ballots, sections, scores = [], [], [], [], [], []
        for case, team_people, bosses in zip(ids["cases"], ids["members"], ids["superiors"], strict=True):
            case_subjects = []
            for order, person in enumerate(team_people):
                sid = ids["next"]()
                subjects.append((sid, case, "member", person, "副经理", order == 0, order))
                case_subjects.append((sid, person, rng.uniform(6.0, 9.5)))
            team_sid = ids["next"]()
            subjects.append((team_sid, case, "team", None, "", False, MEMBERS))
            case_subjects.append((team_sid, None, rng.uniform(6.5, 9.0)))
            raters = (
                [("member", p) for p in team_people] + [("superior", b) for b in bosses] + [("anon", None)] * ANONYMOUS
            )
            for role, rater in raters:
                bid = uuid.uuid4()
                if role == "anon":
                    codes.append((ids["next"](), case, "subordinate", uuid.uuid4().hex + uuid.uuid4().hex, "spent"))
                    ballots.append((bid, cycle.pk, case, "anonymous", None, "subordinate", False, "", False))
                else:
                    aid = ids["next"]()
                    assignments.append(
                        (aid, case, rater, "peer" if role == "member" else role, "submitted", "2026-01-01")
                    )
                    ballots.append((bid, cycle.pk, case, "named", aid, "", False, "", False))
                for sid, person, level in case_subjects:
                    if role == "anon":
                        group = "subordinate"
                    elif role == "superior":
                        group = "superior"
                    else:
                        group = "self" if person in (None, rater) else "peer"
                    values = [min(10, max(1, round(rng.gauss(level, 1.2)))) for _ in indicators]
                    mean = sum(values) / len(values)
                    vote = (
                        "excellent"
                        if mean >= 9
                        else "competent"
                        if mean >= 7
                        else "basic"
                        if mean >= 6
                        else "incompetent"
                    )
                    sections.append((ids["next"](), bid, sid, group, vote, "", True))
                    scores.extend(
                        (bid, cycle.pk, sid, ind, group, v, True) for ind, v in zip(indicators, values, strict=True)
                    )
        _copy(
            raw,
            "assessments_casesubject",
            ["id", "case_id", "kind", "person_id", "position", "is_principal", '"order"'],
            subjects,
        )
        _copy(
            raw,
            "assessments_assignment",
            ["id", "case_id", "rater_id", "rater_group", "status", "submitted_at"],
            assignments,
        )
        _copy(raw, "assessments_ballotcode", ["id", "case_id", "rater_group", "code_hash", "status"], codes)
        _copy(
            raw,
            "assessments_ballot",
            [
                "id",
                "cycle_id",
                "case_id",
                "kind",
                "assignment_id",
                "anonymous_group",
                "is_void",
                "void_reason",
                "is_test",
            ],
            ballots,
        )
        _copy(
            raw,
            "assessments_sectionresponse",
            ["id", "ballot_id", "subject_id", "rater_group", "vote", "comment", "counted"],
            sections,
        )
        _copy(
            raw,
            "assessments_score",
            ["ballot_id", "cycle_id", "subject_id", "indicator_id", "rater_group", "value", "counted"],
            scores,
        )
        for table in (
            "people_orgunit",
            "people_person",
            "people_leadershipteam",
            "assessments_case",
            "assessments_casesubject",
            "assessments_assignment",
            "assessments_ballotcode",
            "assessments_sectionresponse",
        ):
            raw.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))")
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    print(
        f"generated {len(scores):,} scores, {len(sections):,} sections, {len(ballots):,} sheets "
        f"in {time.perf_counter() - started:.1f} s",
        file=sys.stderr,
    )


def _ids(raw, teams: int) -> dict:
    counter = iter(range(10_000_000, 100_000_000))
    units = [next(counter) for _ in range(teams)]
    people, members, superiors, unit_of_person = [], [], [], {}
    for unit in units:
        team_people = [next(counter) for _ in range(MEMBERS)]
        bosses = [next(counter) for _ in range(SUPERIORS)]
        for p in team_people + bosses:
            unit_of_person[p] = unit
        people += team_people + bosses
        members.append(team_people)
        superiors.append(bosses)
    return {
        "units": units,
        "teams": [next(counter) for _ in units],
        "cases": [next(counter) for _ in units],
        "people": people,
        "members": members,
        "superiors": superiors,
        "unit_of_person": unit_of_person,
        "next": lambda: next(counter),
    }


def _copy(raw, table: str, columns: list[str], rows) -> None:
    with raw.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)


def measure(repeats: int) -> dict:
    """Runs in a fresh process: time the baseline and the scoring, report peak RSS."""
    from django.db import connection

    from assessments.models import Cycle, Score
    from assessments.services import cycle_compute_results

    cycle = Cycle.objects.get(name="bench")
    scores = Score.objects.filter(cycle=cycle).count()
    baseline, scoring = [], []
    sql = """SELECT subject_id, indicator_id, rater_group, COUNT(*), AVG(value), MIN(value), MAX(value)
             FROM assessments_score WHERE cycle_id = %s AND counted GROUP BY subject_id, indicator_id, rater_group"""
    for _ in range(repeats):
        started = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute(sql, [cycle.pk])
            cells = len(cursor.fetchall())
        baseline.append(time.perf_counter() - started)
        started = time.perf_counter()
        cycle_compute_results(cycle=cycle)
        scoring.append(time.perf_counter() - started)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    base, score = statistics.median(baseline), statistics.median(scoring)
    return {
        "bench": "scoring",
        "scores": scores,
        "cells": cells,
        "subjects": cycle.cases.count() * MEMBERS,
        "baseline_group_by_s": round(base, 3),
        "scoring_s": round(score, 3),
        "ratio": round(score / base, 2),
        "peak_rss_mb": round(peak_mb, 1),
        "repeats": repeats,
        "targets": {"ratio_below": 3, "peak_rss_mb_below": 500},
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="50 teams instead of 500")
    parser.add_argument("--teams", type=int, default=None)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--measure", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    teams = args.teams or (50 if args.quick else 500)
    url = database_url(teams)

    if args.measure:
        setup_django(url)
        print(json.dumps(measure(args.repeats)))
        return

    if not ensure_database(url):
        setup_django(url)
        generate(teams)
    child = subprocess.run(  # noqa: S603
        [sys.executable, __file__, "--measure", "--teams", str(teams), "--repeats", str(args.repeats)],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "DATABASE_URL": url},
    )
    figures = json.loads(child.stdout.strip().splitlines()[-1])
    figures["teams"] = teams
    print(f"teams {teams}, people {figures['subjects']:,}, scores {figures['scores']:,}, cells {figures['cells']:,}")
    print(
        f"baseline GROUP BY: {figures['baseline_group_by_s']:.3f} s   scoring: {figures['scoring_s']:.3f} s   "
        f"ratio {figures['ratio']:.2f} (target < 3)   peak RSS {figures['peak_rss_mb']:.0f} MB (target < 500)"
    )
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
