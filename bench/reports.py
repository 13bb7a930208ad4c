#!/usr/bin/env python
"""Report benchmark: N member reports through the real job path, against the bare Typst compile.

Generates (once per size, in its own PostgreSQL database) a released cycle of T teams × 8 members, with
ballots as bench/scoring.py makes them (2 superiors and 15 anonymous subordinates per team, every third
subordinate section with a comment), scored and released through the services: 125 teams → 1,000 members.

Then, in a fresh process, it times:
  bare:  reports.rendering.render("member", data) in a loop on one warm compiler, with the data of one
         member_report_data call (fixed data, nothing else);
  full:  reports_bulk_request for the whole cycle (every member report and, as the service does, each team's
         report, a few reports a message: services.batches) → Celery on Redis → real worker processes
         (prefork, concurrency 1 each, warmed at start) →
         selector → data → Typst → storage (FileSystemStorage in a temporary MEDIA_ROOT), from the request
         until the bulk run counts every report done (done == total), once with 1 worker and once with 2;
         the time until the ZIP is ready is printed beside it.
  also: the same compile over many members' data (a new report's data is never Typst's memoised input), cold
         and after as many other members (steady); the selector; and the job path in this process without
         Celery (the bulk run's member jobs run one after the other, as a batch does), with its queries;
and prints ms per report, reports per second, the peak RSS of each worker (VmHWM of its main process and its
pool child, read before they stop) and the ratio of the full path (1 worker) to the bare compile. Targets:
full path within 1.5× the bare compile; 1,000 member reports in under 60 s with 2 workers; worker RSS under
400 MB. The last line printed is one JSON object with the figures.

    python bench/reports.py            # 1,000 member reports (125 teams)
    python bench/reports.py --quick    # 100 member reports (13 teams → 104), well under a minute
Needs PostgreSQL (BENCH_DATABASE_URL, or DATABASE_URL's server, or postgres@127.0.0.1:5432) and Redis
(BENCH_REDIS_URL, or REDIS_URL, or redis://127.0.0.1:6379/0); queues are named for this run alone.
"""

import argparse
import contextlib
import json
import math
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from urllib.parse import urlparse, urlunparse

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.scoring import MEMBERS, ensure_database, schema_tag, setup_django  # noqa: E402

COMMENT = "该同志工作作风扎实，善于协调各方资源，推动重点项目按期完成；建议在基层调研和青年干部培养方面再多投入精力。"


def database_url(teams: int) -> str:
    base = os.environ.get("BENCH_DATABASE_URL") or os.environ.get("DATABASE_URL") or ""
    if not base.startswith("postgres"):
        base = "postgres://postgres@127.0.0.1:5432/postgres"
    parts = urlparse(base)
    return urlunparse(parts._replace(path=f"/kaoping_bench_reports_{teams}_{schema_tag()}"))


def redis_url() -> str:
    return os.environ.get("BENCH_REDIS_URL") or os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/0"


def generate(teams: int) -> None:
    """bench/scoring.py's closed cycle, with comments, then scored and released through the services."""
    from django.db import connection

    from assessments.models import Cycle
    from assessments.services import cycle_release, cycle_score
    from bench.scoring import generate as generate_ballots

    generate_ballots(teams)
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(
            """UPDATE assessments_sectionresponse r SET comment = %s || ' （' || r.id || '）'
               FROM assessments_casesubject s
               WHERE s.id = r.subject_id AND s.kind = 'member' AND r.rater_group = 'subordinate' AND r.id %% 3 = 0""",
            [COMMENT],
        )
    cycle = Cycle.objects.get(name="bench")
    cycle_score(cycle=cycle)
    cycle_release(cycle=cycle)
    print(f"scored and released in {time.perf_counter() - started:.1f} s", file=sys.stderr)


class Workers:
    """Real `celery worker` processes, each in its own process group, logging to a file."""

    def __init__(self, count: int, logs: Path, env: dict, queues: str):
        self.processes = []
        for n in range(count):
            log = logs / f"worker-{count}-{n}.log"
            with log.open("w") as out:
                process = subprocess.Popen(  # noqa: S603 - our own interpreter and arguments
                    [
                        sys.executable,
                        "-m",
                        "celery",
                        "-A",
                        "config",
                        "worker",
                        "--pool=prefork",
                        "--concurrency=1",
                        "--loglevel=INFO",
                        "--without-gossip",
                        "--without-mingle",
                        f"--hostname=bench-{uuid.uuid4().hex[:8]}@%h",
                        f"--queues={queues}",
                    ],
                    cwd=ROOT,
                    env=env,
                    stdout=out,
                    stderr=subprocess.STDOUT,
                    start_new_session=True,
                )
            self.processes.append((process, log))

    def wait_ready(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        for process, log in self.processes:
            while " ready." not in log.read_text(errors="replace"):
                if process.poll() is not None or time.monotonic() > deadline:
                    self.stop()
                    sys.exit(f"a worker did not start:\n{log.read_text(errors='replace')[-4000:]}")
                time.sleep(0.1)

    def check_alive(self) -> None:
        for process, log in self.processes:
            if process.poll() is not None:
                sys.exit(f"a worker died:\n{log.read_text(errors='replace')[-4000:]}")

    def peak_rss_mb(self) -> list[dict]:
        """VmHWM of each worker's main process and of its pool children."""
        figures = []
        for process, _ in self.processes:
            main = _hwm_mb(process.pid)
            children = [_hwm_mb(pid) for pid in _children(process.pid)]
            figures.append(
                {
                    "main_mb": round(main, 1),
                    "children_mb": [round(c, 1) for c in children],
                    "total_mb": round(main + sum(children), 1),
                }
            )
        return figures

    def stop(self) -> None:
        for process, _ in self.processes:
            _signal_group(process.pid, signal.SIGTERM)
        for process, _ in self.processes:
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.wait(timeout=20)
            _signal_group(process.pid, signal.SIGKILL)
            if process.poll() is None:
                process.wait(timeout=10)


def _signal_group(pid: int, sig: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(pid, sig)


def _hwm_mb(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def _children(pid: int) -> list[int]:
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:  # the field after the state is the parent's id
            found.append(int(stat.parent.name))
    return found


def measure(bare_renders: int) -> dict:
    """Runs in a fresh process: the bare compile, then the job path with 1 and 2 workers."""
    from unittest import mock

    import redis
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Permission
    from django.db import connection

    from assessments.models import CaseSubject, Cycle
    from reports import services
    from reports.models import ReportJob
    from reports.rendering import render, warm
    from reports.report_data import member_report_data
    from reports.services import batches, report_job_run, reports_bulk_request

    load_start = os.getloadavg()[0]
    cycle = Cycle.objects.get(name="bench")
    members = CaseSubject.objects.filter(case__cycle=cycle, kind=CaseSubject.Kind.MEMBER).count()
    owner, _ = get_user_model().objects.get_or_create(username="bench-hr")
    owner.user_permissions.add(Permission.objects.get(codename="manage_cycles"))

    # Bare: one warm compiler, fixed data.
    subject = CaseSubject.objects.filter(case__cycle=cycle, kind=CaseSubject.Kind.MEMBER).order_by("pk").first()
    data = member_report_data(subject=subject)
    warm()
    first = render("member", data)
    bare = []
    for _ in range(bare_renders):
        started = time.perf_counter()
        render("member", data)
        bare.append(time.perf_counter() - started)
    bare_ms = statistics.median(bare) * 1000
    bare_mean_ms = statistics.fmean(bare) * 1000
    # Typst memoises: the same data again is cheaper than a new report. Beside the fixed-data figure, the same
    # compile over the data of many members (built beforehand), and what building that data costs.
    subjects = list(CaseSubject.objects.filter(case__cycle=cycle, kind=CaseSubject.Kind.MEMBER).order_by("pk"))
    started = time.perf_counter()
    varied = [member_report_data(subject=s) for s in subjects[:bare_renders]]
    selector_ms = (time.perf_counter() - started) / len(varied) * 1000
    # As a batch of sibling reports reads it (the framework once): what a worker's selector costs.
    shared: dict = {}
    started = time.perf_counter()
    for s in subjects[:bare_renders]:
        member_report_data(subject=s, shared=shared)
    selector_batch_ms = (time.perf_counter() - started) / len(varied) * 1000
    started = time.perf_counter()
    for payload in varied:
        render("member", payload)
    bare_varied_ms = (time.perf_counter() - started) / len(varied) * 1000
    # A compiler's first reports of new names and comments cost more than later ones (its caches of glyphs and
    # shaped text fill up): the same compile again over other members' data, after the ones above.
    steady = [member_report_data(subject=s, shared=shared) for s in subjects[bare_renders : 2 * bare_renders]]
    started = time.perf_counter()
    for payload in steady:
        render("member", payload)
    bare_steady_ms = (time.perf_counter() - started) / len(steady) * 1000 if steady else None

    # The job path in this process, without Celery and Redis (claim → data → Typst → storage → count), as a
    # batch runs it: what a report costs before the broker and the worker's pool add theirs; and its queries.
    ReportJob.objects.filter(cycle=cycle).delete()
    with mock.patch.object(services, "_enqueue"):  # no messages: the jobs are run here
        run = reports_bulk_request(actor=owner, cycle=cycle)
        ids = list(run.children.filter(kind=ReportJob.Kind.MEMBER).order_by("-pk").values_list("pk", flat=True))
        ids = ids[:bare_renders]
        queries = 0

        def count(execute, sql, params, many, context):
            nonlocal queries
            queries += 1
            return execute(sql, params, many, context)

        shared = {}
        started = time.perf_counter()
        with connection.execute_wrapper(count):
            for job_id in ids:
                report_job_run(job_id=job_id, shared=shared)
        job_ms = (time.perf_counter() - started) / len(ids) * 1000
    ReportJob.objects.filter(cycle=cycle).delete()

    queues = f"{settings.CELERY_TASK_DEFAULT_QUEUE},{settings.KAOPING_PDF_QUEUE}"
    broker = redis.Redis.from_url(settings.REDIS_URL)
    media = Path(settings.MEDIA_ROOT)
    logs = Path(tempfile.mkdtemp(prefix="kaoping-bench-logs-"))
    # As in production, the workers keep their database connections.
    env = {**os.environ, "CONN_MAX_AGE": "60"}
    runs = {}
    try:
        for count in (1, 2):
            # Nothing from the previous run may be reused: an unchanged report is not rendered again.
            ReportJob.objects.filter(cycle=cycle).delete()
            shutil.rmtree(media / "reports", ignore_errors=True)
            broker.delete(*queues.split(","))
            workers = Workers(count, logs, env, queues)
            try:
                workers.wait_ready()
                started = time.perf_counter()
                run = reports_bulk_request(actor=owner, cycle=cycle)
                requested = time.perf_counter() - started
                done_s = zip_s = None
                while True:
                    row = ReportJob.objects.values("done", "failed", "total", "status").get(pk=run.pk)
                    now = time.perf_counter() - started
                    if done_s is None and row["done"] + row["failed"] >= row["total"]:
                        done_s = now
                    if row["status"] in (ReportJob.Status.SUCCEEDED, ReportJob.Status.FAILED):
                        zip_s = now
                        break
                    if now > 1800:
                        sys.exit(f"the bulk run did not finish in 30 minutes: {row}")
                    workers.check_alive()
                    time.sleep(0.05)
                rss = workers.peak_rss_mb()
            finally:
                workers.stop()
            run.refresh_from_db()
            rendered = ReportJob.objects.filter(parent=run, status=ReportJob.Status.SUCCEEDED)
            runs[count] = {
                "reports": run.total,
                # Celery messages the reports went out in (services.batches), beside the ZIP's.
                "messages": len(batches(list(run.children.values_list("pk", flat=True)))),
                "member_reports": rendered.filter(kind=ReportJob.Kind.MEMBER).count(),
                "failed": run.failed,
                "request_s": round(requested, 2),
                "done_s": round(done_s, 2),
                "zip_s": round(zip_s, 2),
                "ms_per_report": round(done_s / run.total * 1000, 1),
                "reports_per_s": round(run.total / done_s, 1),
                "member_reports_s": round(done_s * members / run.total, 1),
                "zip_status": run.status,
                "zip_mb": round((media / run.file.name).stat().st_size / 2**20, 1) if run.file else None,
                "workers_rss": rss,
                "worker_peak_rss_mb": max(w["total_mb"] for w in rss),
            }
    finally:
        broker.delete(*queues.split(","), *(f"_kombu.binding.{q}" for q in queues.split(",")))
        shutil.rmtree(logs, ignore_errors=True)

    one, two = runs[1], runs[2]
    return {
        "bench": "reports",
        "members": members,
        "teams": cycle.cases.count(),
        "pages": first.pages,
        "pdf_kb": round(len(first.pdf) / 1024, 1),
        "bare_ms": round(bare_ms, 2),
        "bare_mean_ms": round(bare_mean_ms, 2),
        "bare_renders": bare_renders,
        "bare_varied_data_ms": round(bare_varied_ms, 2),
        "bare_varied_steady_ms": round(bare_steady_ms, 2) if bare_steady_ms else None,
        "selector_ms": round(selector_ms, 2),
        "selector_batch_ms": round(selector_batch_ms, 2),
        "job_in_process_ms": round(job_ms, 2),
        "job_queries": round(queries / len(ids), 1),
        "workers_1": one,
        "workers_2": two,
        "ratio_full_to_bare": round(one["ms_per_report"] / bare_ms, 2),
        "ratio_full_to_bare_varied_data": round(one["ms_per_report"] / bare_varied_ms, 2),
        "ratio_full_to_bare_varied_steady": round(one["ms_per_report"] / bare_steady_ms, 2) if bare_steady_ms else None,
        "speedup_2_workers": round(one["done_s"] / two["done_s"], 2),
        # A cycle of 1,000 members (and its team reports), at the rate of this run.
        "member_reports_1000_s_2_workers": round(two["done_s"] * 1000 / members, 1),
        # The machine may be shared: the 1-minute load average when the measurement started and ended.
        "load_average_start": round(load_start, 2),
        "load_average": round(os.getloadavg()[0], 2),
        "targets": {"ratio_below": 1.5, "reports_1000_s_2_workers_below": 60, "worker_rss_mb_below": 400},
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="100 member reports instead of 1,000")
    parser.add_argument("--members", type=int, default=None)
    parser.add_argument("--bare", type=int, default=None, help="bare renders timed (default 200, quick 50)")
    parser.add_argument("--measure", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    members = args.members or (100 if args.quick else 1000)
    teams = math.ceil(members / MEMBERS)
    bare = args.bare or (50 if args.quick else 200)
    url = database_url(teams)
    tag = f"bench-reports-{uuid.uuid4().hex[:12]}"
    # Queues of this run alone on a shared Redis (the test settings name the PDF queue after the default one).
    os.environ.update({"REDIS_URL": redis_url(), "KAOPING_CELERY_QUEUE": tag})

    if args.measure:
        setup_django(url)
        print(json.dumps(measure(bare)))
        return

    if not ensure_database(url):
        setup_django(url)
        generate(teams)
    media = tempfile.mkdtemp(prefix="kaoping-bench-media-")
    try:
        child = subprocess.run(  # noqa: S603
            [sys.executable, __file__, "--measure", "--members", str(members), "--bare", str(bare)],
            capture_output=True,
            text=True,
            check=False,
            env={
                **os.environ,
                "DATABASE_URL": url,
                "MEDIA_ROOT": media,
                "DJANGO_SETTINGS_MODULE": "config.settings.test",
            },
        )
    finally:
        shutil.rmtree(media, ignore_errors=True)
    if child.returncode:
        sys.exit(child.stderr[-6000:])
    figures = json.loads(child.stdout.strip().splitlines()[-1])
    one, two = figures["workers_1"], figures["workers_2"]
    print(
        f"{figures['members']:,} member reports + {figures['teams']} team reports, "
        f"{figures['pages']} pages, {figures['pdf_kb']:.0f} KB each"
    )
    print(f"bare Typst compile (one warm compiler, fixed data): {figures['bare_ms']:.1f} ms/report (median)")
    print(
        f"  the same compile over {figures['bare_renders']} members' data: "
        f"{figures['bare_varied_data_ms']:.1f} ms/report; "
        f"member_report_data: {figures['selector_ms']:.1f} ms/report "
        f"({figures['selector_batch_ms']:.1f} in a batch)"
    )
    if figures["bare_varied_steady_ms"]:
        print(
            f"  the same compile over other members' data, after those: {figures['bare_varied_steady_ms']:.1f} "
            "ms/report (a compiler's first reports of new names and comments cost more)"
        )
    print(
        f"job path in one process, without Celery (claim → data → Typst → storage → count): "
        f"{figures['job_in_process_ms']:.1f} ms/member report, {figures['job_queries']:.0f} queries"
    )
    for count, run in ((1, one), (2, two)):
        rss = ", ".join(
            f"{w['total_mb']:.0f} MB (main {w['main_mb']:.0f} + pool {w['children_mb']})" for w in run["workers_rss"]
        )
        print(
            f"{count} worker{'s' if count > 1 else ''}: {run['reports']:,} reports ({run['messages']} messages) "
            f"done in {run['done_s']:.1f} s "
            f"(ZIP at {run['zip_s']:.1f} s): {run['ms_per_report']:.1f} ms/report, "
            f"{run['reports_per_s']:.1f} reports/s; "
            f"peak RSS per worker {rss}"
        )
    print(
        f"full path (1 worker) / bare: {figures['ratio_full_to_bare']:.2f} (target < 1.5; "
        f"{figures['ratio_full_to_bare_varied_data']:.2f} against varied data)   "
        f"1,000 member reports with 2 workers: {figures['member_reports_1000_s_2_workers']:.1f} s (target < 60)   "
        f"worker peak RSS: {max(one['worker_peak_rss_mb'], two['worker_peak_rss_mb']):.0f} MB (target < 400)   "
        f"load average {figures['load_average_start']:.2f} → {figures['load_average']:.2f} (2 cores)"
    )
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
