"""Writes for report jobs: request one report or a bulk run, run a job, assemble a bulk run's ZIP, sweep.

A job is a row; tasks only carry its id. A task may arrive twice (acks_late re-delivers after a worker dies)
or never (Redis restarted with the message in it): running a job is idempotent, and the sweep re-queues rows
that wait too long. Files go where their inputs say (the data's hash is in the name), so a second render of
the same inputs writes the same bytes to the same place, and an unchanged report is not rendered again."""

import base64
import csv
import hashlib
import io
import json
import logging
import tempfile
import zipfile
from collections.abc import Callable
from datetime import datetime, timedelta

from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files import File
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from assessments.codes import code_hash, normalise, slip
from assessments.models import BallotCode, Case, CaseSubject, Cycle
from assessments.selectors import code_groups_for_slips
from core.roles import is_hr

from .models import ReportJob
from .signals import report_ready

log = logging.getLogger(__name__)
K, S = ReportJob.Kind, ReportJob.Status
# What a job's end writes (_finish): the outcome, and the attempts (the slips set them to the cap).
FINISH_FIELDS = (
    "status", "error", "finished_at", "updated_at", "done", "attempts", "file", "sha256", "page_count", "input_hash",
)  # fmt: skip
# Cycles whose results exist: before scoring there is nothing to report.
REPORTABLE = (Cycle.Status.SCORED, Cycle.Status.RELEASED, Cycle.Status.ARCHIVED)


def _enqueue(job_ids: list[int]) -> None:
    """Queue the tasks once the rows are committed: a worker must never look for a job that is not there.
    A report asked for on its own gets a message of its own; the reports of a bulk run go out in batches."""
    from .tasks import assemble_bulk, render_report, render_reports  # the tasks import this module

    def send() -> None:
        siblings: dict[int, list[int]] = {}
        for pk, kind, parent_id in (
            ReportJob.objects.filter(pk__in=job_ids).order_by("pk").values_list("pk", "kind", "parent_id")
        ):
            if kind == K.BULK:
                assemble_bulk.delay(pk)
            elif parent_id is None or kind == K.SLIPS:
                render_report.delay(pk)
            else:
                siblings.setdefault(parent_id, []).append(pk)
        for ids in siblings.values():
            for batch in batches(ids):
                # Not in settings.CELERY_TASK_ROUTES (config/), so the queue is named here.
                render_reports.apply_async((batch,), queue=settings.KAOPING_PDF_QUEUE)

    transaction.on_commit(send)


# A bulk run's reports go to the workers a few at a time (tasks.render_reports): each message costs a round trip
# through Redis and the worker's pool (~4 ms on the bench's machine, an eighth of a report), and the reports of one
# message read their framework once. Every report keeps its own row, claim, attempts and end, as when it has a
# message of its own.
BATCH_MAX = 8  # reports per message at most
BATCH_SPREAD = 8  # messages per bulk run at least (while there are reports enough), so every worker has some


def batches(job_ids: list[int]) -> list[list[int]]:
    """The ids in order, in messages of at most BATCH_MAX and at least BATCH_SPREAD messages (for 20 reports:
    7 messages of 3; for 1,000: 125 of 8). In id order (a run's team reports, then its members team by team),
    a batch mostly holds the members of one team."""
    size = max(1, min(BATCH_MAX, -(-len(job_ids) // BATCH_SPREAD)))
    return [job_ids[i : i + size] for i in range(0, len(job_ids), size)]


def _check(actor, cycle: Cycle) -> None:
    if not is_hr(actor):
        raise PermissionDenied
    if cycle.status not in REPORTABLE:
        raise ValidationError(
            _("The cycle “%(cycle)s” has no results yet: reports can be made once it is scored.") % {"cycle": cycle}
        )


def report_request(
    *,
    actor,
    kind: str,
    cycle: Cycle | None = None,
    case: Case | None = None,
    subject: CaseSubject | None = None,
) -> ReportJob:
    """One report, for HR: a member report of a subject, a team report of a case, or a cycle summary."""
    if kind == K.MEMBER:
        if subject is None or subject.kind != CaseSubject.Kind.MEMBER:
            raise ValidationError(_("A member report needs a team member."))
        case = subject.case
    elif kind == K.TEAM:
        if case is None:
            raise ValidationError(_("A team report needs a case."))
        subject = None
    elif kind == K.CYCLE:
        if cycle is None:
            raise ValidationError(_("A cycle summary needs a cycle."))
        case = subject = None
    else:
        raise ValidationError(_("Unknown kind of report: %(kind)s") % {"kind": kind})
    cycle = case.cycle if case else cycle
    _check(actor, cycle)
    with transaction.atomic():
        job = ReportJob.objects.create(
            kind=kind,
            cycle=cycle,
            case=case,
            subject=subject,
            requested_by=actor,
            max_attempts=settings.KAOPING_REPORT_MAX_ATTEMPTS,
        )
        _enqueue([job.pk])
    return job


def reports_bulk_request(*, actor, cycle: Cycle, case: Case | None = None) -> ReportJob:
    """Every member report and team report of a cycle (or of one case) as one run, ending in a ZIP with an
    index. Each report is its own job, so the run fans out over the workers and a failure stays local."""
    cycle = case.cycle if case else cycle
    _check(actor, cycle)
    subjects = CaseSubject.objects.filter(case__cycle=cycle, kind=CaseSubject.Kind.MEMBER, result__isnull=False)
    cases = Case.objects.filter(cycle=cycle, subjects__result__isnull=False).distinct()
    if case is not None:
        subjects, cases = subjects.filter(case=case), cases.filter(pk=case.pk)
    subjects = list(subjects.select_related("case").order_by("case_id", "order", "id"))
    cases = list(cases.order_by("pk"))
    if not subjects and not cases:
        raise ValidationError(_("There are no results to report on."))
    attempts = settings.KAOPING_REPORT_MAX_ATTEMPTS
    with transaction.atomic():
        parent = ReportJob.objects.create(
            kind=K.BULK,
            cycle=cycle,
            case=case,
            requested_by=actor,
            status=S.RUNNING,
            total=len(subjects) + len(cases),
            max_attempts=attempts,
            started_at=timezone.now(),
        )
        children = [
            ReportJob(kind=K.TEAM, cycle=cycle, case=c, parent=parent, requested_by=actor, max_attempts=attempts)
            for c in cases
        ] + [
            ReportJob(
                kind=K.MEMBER,
                cycle=cycle,
                case=s.case,
                subject=s,
                parent=parent,
                requested_by=actor,
                max_attempts=attempts,
            )
            for s in subjects
        ]
        ReportJob.objects.bulk_create(children, batch_size=1000)
        ids = list(parent.children.values_list("id", flat=True))
        _enqueue(ids)
    return parent


def _data(job: ReportJob, shared: dict | None = None) -> dict:
    from . import report_data as data  # the data builders read much of assessments: loaded when a job runs

    if job.kind == K.MEMBER:
        return data.member_report_data(subject=job.subject, shared=shared)
    if job.kind == K.TEAM:
        return data.team_report_data(case=job.case)
    return data.cycle_summary_data(cycle=job.cycle)


def _input_hash(payload: dict) -> str:
    return hashlib.sha256(json.dumps(payload, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


def _path(job: ReportJob, input_hash: str) -> str:
    target = job.subject_id if job.kind == K.MEMBER else job.case_id if job.kind == K.TEAM else job.cycle_id
    return f"reports/{job.cycle_id}/{job.kind}/{target}-{input_hash[:20]}.pdf"


def _claim(job_id: int) -> ReportJob | None:
    """Mark the job running and count the attempt, or None when there is nothing (more) to do."""
    now = timezone.now()
    stale = now - timedelta(seconds=settings.KAOPING_REPORT_TIME_LIMIT + 60)
    # The common case in one statement: a queued job (or one whose worker died long ago) under its cap. The
    # row's lock serialises two deliveries: the second re-reads the row after the first commits and finds it
    # running, so it matches nothing.
    claimed = (
        ReportJob.objects.filter(pk=job_id, attempts__lt=F("max_attempts"))
        .filter(Q(status=S.QUEUED) | Q(status=S.RUNNING) & (Q(started_at__isnull=True) | Q(started_at__lte=stale)))
        .update(status=S.RUNNING, attempts=F("attempts") + 1, started_at=now, updated_at=now)
    )
    if claimed:
        # The target comes with the row; its data reads the rest itself (more joins here cost the database more
        # planning than the queries they would save).
        return ReportJob.objects.select_related("subject", "case").filter(pk=job_id).first()
    # Nothing claimed: say why, under the row's lock (and end a job over its cap).
    with transaction.atomic():
        job = (
            ReportJob.objects.select_for_update(of=("self",))
            .select_related("subject__person", "case__team__org_unit", "cycle")
            .filter(pk=job_id)
            .first()
        )
        if job is None or job.finished:
            return None  # a second delivery of a job already done
        if job.status == S.RUNNING and job.started_at and job.started_at > stale:
            return None  # a second message while a worker is on it (the sweep re-queues it if that worker died)
        if job.attempts >= job.max_attempts:
            _finish(job, status=S.FAILED, error=job.error or _("Stopped after %(n)s attempts.") % {"n": job.attempts})
            return None
        job.attempts += 1
        job.status = S.RUNNING
        job.started_at = timezone.now()
        job.save(update_fields=["attempts", "status", "started_at", "updated_at"])
    return job


def _finish(job: ReportJob, *, status: str, error: str = "") -> None:
    job.status, job.error = status, error
    job.finished_at = job.updated_at = timezone.now()
    if status == S.SUCCEEDED:
        job.done = job.total
    with transaction.atomic():
        # A job ends once: the update only matches a row not yet finished, so a late duplicate neither
        # overwrites the first one's outcome nor counts twice on its bulk run (the count is in this transaction).
        ended = (
            ReportJob.objects.filter(pk=job.pk)
            .exclude(status__in=[S.SUCCEEDED, S.FAILED])
            .update(**{name: getattr(job, name) for name in FINISH_FIELDS})
        )
        if not ended:
            return
        if job.parent_id:
            _child_finished(job.parent_id, ok=status == S.SUCCEEDED)
        elif status == S.SUCCEEDED:
            report_ready.send(sender=ReportJob, job=job)


def _child_finished(parent_id: int, *, ok: bool) -> None:
    """Count a finished child on its bulk run (inside the transaction that ended the child); the last one
    queues the ZIP. The update holds the parent's row lock until the commit, so the counts read after it
    include every earlier child and this one, and of two children finishing at once exactly one sees the
    count complete."""
    ReportJob.objects.filter(pk=parent_id).update(
        done=F("done") + int(ok), failed=F("failed") + int(not ok), updated_at=timezone.now()
    )
    parent = ReportJob.objects.filter(pk=parent_id).values("done", "failed", "total", "status").get()
    if parent["done"] + parent["failed"] >= parent["total"] and parent["status"] not in (S.SUCCEEDED, S.FAILED):
        _enqueue([parent_id])


def _reusable(job: ReportJob, input_hash: str, path: str) -> ReportJob | None:
    """An earlier success with the same inputs whose file is still there, byte for byte."""
    if not default_storage.exists(path):  # no file of these inputs (a first run): nothing to look up
        return None
    earlier = (
        ReportJob.objects.filter(
            kind=job.kind,
            subject_id=job.subject_id,
            case_id=job.case_id,
            cycle_id=job.cycle_id,
            status=S.SUCCEEDED,
            file=path,
        )
        .exclude(pk=job.pk)
        .filter(input_hash=input_hash)
        .order_by("-finished_at")
        .first()
    )
    if earlier is None:
        return None
    with default_storage.open(path, "rb") as stored:
        if hashlib.sha256(stored.read()).hexdigest() != earlier.sha256:
            return None
    return earlier


def _store(path: str, pdf: bytes, sha256: str) -> None:
    saved = default_storage.save(path, ContentFile(pdf))
    if saved == path:
        return
    # Another delivery of the same job wrote the same path between our delete and our save. The render is
    # deterministic, so its file is ours byte for byte; keep one.
    default_storage.delete(saved)
    with default_storage.open(path, "rb") as stored:
        if hashlib.sha256(stored.read()).hexdigest() != sha256:
            raise RuntimeError(f"{path} holds another file than this render")


def report_job_run(*, job_id: int, render: Callable | None = None, shared: dict | None = None) -> ReportJob | None:
    """Render one report: data from the selectors, PDF from the template, file into storage. A failure is
    stored on the row and retried (by the task) until the attempt cap, then the job ends failed. `shared`:
    what the reports of one batch read once (see selectors.member_report_data)."""
    from .rendering import render as typst_render

    render = render or typst_render
    job = _claim(job_id)
    if job is None:
        return None
    try:
        payload = _data(job, shared)
        input_hash = _input_hash(payload)
        path = _path(job, input_hash)
        earlier = _reusable(job, input_hash, path)
        if earlier is not None:
            job.sha256, job.page_count = earlier.sha256, earlier.page_count
        else:
            rendered = render(job.kind, payload)
            if default_storage.exists(path):  # a render killed after writing, or a file of the same inputs
                default_storage.delete(path)
            job.sha256, job.page_count = hashlib.sha256(rendered.pdf).hexdigest(), rendered.pages
            _store(path, rendered.pdf, job.sha256)
        job.file.name, job.input_hash = path, input_hash
        _finish(job, status=S.SUCCEEDED)
    except Exception as error:
        log.exception("report job %s failed (attempt %s of %s)", job.pk, job.attempts, job.max_attempts)
        message = f"{type(error).__name__}: {error}"[:4000]
        if job.attempts >= job.max_attempts:
            _finish(job, status=S.FAILED, error=message)
        else:
            job.status, job.error = S.QUEUED, message
            job.save(update_fields=["status", "error", "updated_at"])
            raise
    return job


def retry_delay(attempts: int) -> int:
    """Seconds before the next attempt: 10, 40, 160 … capped at ten minutes."""
    return min(10 * 4 ** max(attempts - 1, 0), 600)


def _entry_name(job: ReportJob) -> str:
    if job.kind == K.MEMBER:
        person = job.subject.person
        return f"{job.case.team.org_unit.name}_{person.name}_{person.employee_number}_成员报告.pdf"
    if job.kind == K.TEAM:
        return f"{job.case.team.org_unit.name}_{job.case.team.org_unit.code}_班子报告.pdf"
    if job.kind == K.SLIPS:
        return f"{job.case.team.name}_测评码_{job.pk}.pdf"
    return f"{job.cycle.name}_汇总.pdf"


def bulk_assemble(*, job_id: int) -> ReportJob | None:
    """The ZIP of a bulk run: every PDF its children made, and an index (CSV, UTF-8 with BOM for Excel) of
    every report with its file, checksum and status. Written to a temporary file first: 20,000 PDFs do not
    fit in memory, and a half-written ZIP is never where a download would find it."""
    with transaction.atomic():
        job = ReportJob.objects.select_for_update().filter(pk=job_id, kind=K.BULK).first()
        if job is None or job.finished:
            return None
        children = (
            job.children.select_related("case__team__org_unit", "subject__person", "cycle")
            .order_by("kind", "case_id", "subject_id", "id")
            .iterator(chunk_size=1000)
        )
        path = f"reports/{job.cycle_id}/bulk/{job.pk}.zip"
        with tempfile.TemporaryFile() as spool:
            with zipfile.ZipFile(spool, "w", compression=zipfile.ZIP_STORED) as archive:
                index = io.StringIO()
                index.write("\ufeff")
                writer = csv.writer(index)
                writer.writerow(["类型", "单位", "姓名", "工号", "文件", "页数", "SHA-256", "状态", "错误"])
                for child in children:
                    name = _entry_name(child)
                    if child.status == S.SUCCEEDED:
                        with default_storage.open(child.file.name, "rb") as pdf:
                            archive.writestr(name, pdf.read())
                    person = child.subject.person if child.subject_id else None
                    writer.writerow(
                        [
                            child.get_kind_display(),
                            child.case.team.org_unit.name if child.case_id else "",
                            person.name if person else "",
                            person.employee_number if person else "",
                            name if child.status == S.SUCCEEDED else "",
                            child.page_count or "",
                            child.sha256,
                            child.get_status_display(),
                            child.error,
                        ]
                    )
                archive.writestr("index.csv", index.getvalue().encode("utf-8"))
            spool.seek(0)
            if default_storage.exists(path):
                default_storage.delete(path)
            default_storage.save(path, File(spool, name=path))
            spool.seek(0)
            digest = hashlib.sha256()
            for block in iter(lambda: spool.read(1 << 20), b""):
                digest.update(block)
        job.file.name, job.sha256 = path, digest.hexdigest()
        job.status, job.finished_at = S.SUCCEEDED, timezone.now()
        job.save()
        report_ready.send(sender=ReportJob, job=job)
    return job


def report_jobs_sweep(*, now: datetime | None = None) -> int:
    """Queue again what waits too long: queued rows whose message may be gone (Redis restarted), running rows
    older than the hard time limit (their worker died and the message with it), and bulk runs whose ZIP was
    never made. Returns how many jobs were queued again."""
    now = now or timezone.now()
    queued_before = now - timedelta(seconds=settings.KAOPING_REPORT_REQUEUE_AFTER)
    running_before = now - timedelta(seconds=settings.KAOPING_REPORT_TIME_LIMIT + 60)
    with transaction.atomic():
        stuck = list(
            ReportJob.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(
                # A bulk run's reports wait in the broker for as long as the run takes (20,000 reports: half an
                # hour): while the run moves, their messages are there; when it stalls, they are lost.
                Q(status=S.QUEUED, updated_at__lt=queued_before, parent__isnull=True)
                | Q(status=S.QUEUED, updated_at__lt=queued_before, parent__updated_at__lt=queued_before)
                | Q(status=S.RUNNING, started_at__lt=running_before) & ~Q(kind=K.BULK)
                | Q(kind=K.BULK, status=S.RUNNING, updated_at__lt=queued_before) & Q(total__lte=F("done") + F("failed"))
            )
            .values_list("id", flat=True)[:5000]
        )
        # Slips cannot be made again: their codes were only in the lost message.
        ReportJob.objects.filter(pk__in=stuck, kind=K.SLIPS).update(
            status=S.FAILED,
            finished_at=now,
            error=_("The codes were not kept. Replace the unused codes on the case page to print new slips."),
        )
        stuck = list(ReportJob.objects.filter(pk__in=stuck).exclude(kind=K.SLIPS).values_list("id", flat=True))
        ReportJob.objects.filter(pk__in=stuck).exclude(kind=K.BULK).update(status=S.QUEUED, updated_at=now)
        ReportJob.objects.filter(pk__in=stuck, kind=K.BULK).update(updated_at=now)
        _enqueue(stuck)
    return len(stuck)


def download_name(job: ReportJob) -> str:
    """The file name a download is saved under: who and what, in Chinese, as HR files them."""
    if job.kind == K.BULK:
        scope = f"{job.case.team.name}_" if job.case_id else ""
        return f"{job.cycle.name}_{scope}全部报告.zip"
    return _entry_name(job)


def report_jobs_requeue(*, jobs) -> int:
    """Give failed single reports a fresh set of attempts (after a template or font fix, say)."""
    with transaction.atomic():
        # Not the reports of a bulk run: their run has counted them as failed, and its ZIP is made.
        ids = list(
            jobs.filter(status=S.FAILED, parent__isnull=True)
            .exclude(kind__in=[K.BULK, K.SLIPS])  # slips: their codes are gone
            .values_list("id", flat=True)
        )
        ReportJob.objects.filter(pk__in=ids).update(status=S.QUEUED, attempts=0, error="", finished_at=None)
        _enqueue(ids)
    return len(ids)


# Ballot-code slips. The codes exist in plain text only at the moment they are issued (the database keeps
# their hashes): they travel to the worker inside the task's message, sealed with a key derived from
# SECRET_KEY, and are never written to a row. The PDF itself is the printout, for HR's eyes only.
def _fernet() -> Fernet:
    key = hashlib.sha256(f"kaoping-ballot-slips:{settings.SECRET_KEY}".encode()).digest()
    return Fernet(base64.urlsafe_b64encode(key))


def slips_request(*, actor, case: Case, codes: list[str], base_url: str) -> ReportJob:
    """The slips of codes just issued for a case, as an A4 PDF made by a worker. Only codes of this case that
    have not been spent are accepted: nothing else can be printed as a ballot slip."""
    if not is_hr(actor):
        raise PermissionDenied
    # As the code entry page reads a typed code: the groups' dashes and the case do not matter.
    codes = list(dict.fromkeys(normalise(c) for c in codes))
    codes = [c for c in codes if c]
    if not codes:
        raise ValidationError(_("There are no codes to print."))
    known = set(
        BallotCode.objects.filter(
            case=case,
            code_hash__in=[code_hash(c) for c in codes],
            status__in=[BallotCode.Status.ISSUED, BallotCode.Status.DRAFT],
        ).values_list("code_hash", flat=True)
    )
    if len(known) != len(codes):
        raise ValidationError(_("Some of these codes are not open codes of this team: print the slips again."))
    sealed = _fernet().encrypt(json.dumps({"codes": codes, "base_url": base_url}).encode()).decode()
    with transaction.atomic():
        job = ReportJob.objects.create(
            kind=K.SLIPS,
            cycle=case.cycle,
            case=case,
            requested_by=actor,
            max_attempts=settings.KAOPING_REPORT_MAX_ATTEMPTS,
        )

        def send() -> None:
            from .tasks import render_slips

            render_slips.delay(job.pk, sealed)

        transaction.on_commit(send)
    return job


def slips_data(*, case: Case, codes: list[str], base_url: str) -> dict:
    """One slip per code: the case, the link and its QR code (SVG), the code in groups of four. Where the cycle
    has more than one anonymous rater group, each slip names the group its code is for (in Chinese, as the rest
    of the slip): HR hands it to a person of that group."""
    group_of = code_groups_for_slips(case=case, codes=codes)
    slips = []
    for code in codes:
        printed = slip(code, base_url=base_url, scale=4)
        group = group_of.get(code)
        slips.append(
            {
                "code": printed.code,
                "url": printed.url,
                "qr_svg": printed.qr_svg,
                "group": group.name_zh if group else None,
            }
        )
    return {
        "kind": "slips",
        "cycle": {"name": case.cycle.name, "year": case.cycle.year},
        "team": case.team.name,
        "unit": case.team.org_unit.name,
        "slips": slips,
    }


def slips_job_run(*, job_id: int, sealed: str, render: Callable | None = None) -> ReportJob | None:
    """Render the slips. A failure is retried with the same sealed message; the codes are never stored."""
    from .rendering import render as typst_render

    render = render or typst_render
    job = _claim(job_id)
    if job is None:
        return None
    try:
        try:
            payload = json.loads(_fernet().decrypt(sealed.encode()))
        except InvalidToken:
            # Another SECRET_KEY, or a message that is not ours: retrying would not help.
            job.attempts = job.max_attempts
            raise
        rendered = render(K.SLIPS, slips_data(case=job.case, codes=payload["codes"], base_url=payload["base_url"]))
        path = f"reports/{job.cycle_id}/slips/{job.pk}.pdf"
        if default_storage.exists(path):
            default_storage.delete(path)
        job.sha256, job.page_count = hashlib.sha256(rendered.pdf).hexdigest(), rendered.pages
        _store(path, rendered.pdf, job.sha256)
        job.file.name = path
        _finish(job, status=S.SUCCEEDED)
    except Exception as error:
        log.exception("slips job %s failed (attempt %s of %s)", job.pk, job.attempts, job.max_attempts)
        message = f"{type(error).__name__}: {error}"[:4000]
        if job.attempts >= job.max_attempts:
            _finish(job, status=S.FAILED, error=message)
        else:
            job.status, job.error = S.QUEUED, message
            job.save(update_fields=["status", "error", "updated_at"])
            raise
    return job
