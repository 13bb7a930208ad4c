"""Mixing anonymous ballots, so that the database at rest cannot tie one to its code, its time or its place.

A submit marks its code spent and inserts its ballot, sections and scores in one transaction: until something
rewrites them, those rows share PostgreSQL's `xmin`, and ids and heap order follow the order of submission. The
mix rewrites every anonymous ballot of the given cases in one transaction: it copies them aside, deletes them and
inserts them again in a random order, with new ballot UUIDs and new section and score ids taken in that order, and
in the same transaction rewrites every code row of those cases. Afterwards all of them carry the mix's `xmin`, and
neither ids nor physical order say anything about who submitted when. VACUUM then removes the dead versions that
still carried the submits' `xmin`.

While a cycle is open a Celery beat task mixes each case that received anonymous ballots since its last mix, every
`KAOPING_BALLOT_MIX_SECONDS`; a mix rewrites all of the case's anonymous rows, so none keeps the round it came in.
`cycle_close`, before it changes the status, mixes the cases that received ballots since their last mix and rewrites
every code row of the cycle: a closed cycle is always mixed.
"""

import logging
import random
import uuid
from typing import Any

from django.db import connection, connections, transaction
from django.db.models import Count, F, Q

from ..models import Ballot, BallotCode, BallotDraft, Case, Cycle, Score, SectionResponse

log = logging.getLogger(__name__)

# Tables whose dead row versions still carry a submit's transaction id until VACUUM removes them.
VACUUMED = (
    "assessments_ballot",
    "assessments_sectionresponse",
    "assessments_score",
    "assessments_ballotcode",
    "assessments_ballotdraft",
)


def anonymous_ballots_mix(*, cycle: Cycle, cases: list[int] | None = None, rewrite_codes: bool = True) -> int:
    """Mix the anonymous ballots of `cases` (default: every case of the cycle) in the current transaction and
    return how many were mixed. The caller holds the cycle: FOR UPDATE to close it, or `case_mix` below.

    `rewrite_codes` deletes every code row of the cycle and inserts it again in a random order, so that the codes
    share this transaction's xmin and their physical order no longer tells which were spent when. Only safe when
    no sheet can be waiting on a code row (the cycle held FOR UPDATE): a request waiting on a deleted row would find
    it gone. Without it, the code rows of `cases` are updated in place, which gives them this xmin too."""
    all_cases = list(Case.objects.filter(cycle=cycle).values_list("pk", flat=True))
    case_ids = all_cases if cases is None else list(cases)
    if connection.vendor == "postgresql":
        mixed = _mix_postgresql(case_ids, codes_of=all_cases if rewrite_codes else case_ids, rewrite=rewrite_codes)
    else:
        mixed = _mix_orm(case_ids)
    # Drafts of spent codes should not exist (a submit deletes its own); one left behind would name its code.
    BallotDraft.objects.filter(code__case__cycle=cycle, code__status=BallotCode.Status.SPENT).delete()
    counts = dict(
        Ballot.objects.filter(case_id__in=case_ids, kind=Ballot.Kind.ANONYMOUS)
        .values_list("case_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for case_id in case_ids:
        Case.objects.filter(pk=case_id).update(anonymous_mixed=counts.get(case_id, 0))
    transaction.on_commit(ballot_tables_vacuum_later)
    return mixed


def _mix_postgresql(case_ids: list[int], *, codes_of: list[int], rewrite: bool) -> int:
    with connection.cursor() as cursor:
        for table in ("kp_mix_score", "kp_mix_section", "kp_mix_ballot", "kp_mix_code"):
            cursor.execute(f"DROP TABLE IF EXISTS {table}")
        mixed = _mix_ballots_postgresql(cursor, case_ids) if case_ids else 0
        _mix_codes_postgresql(cursor, codes_of, rewrite=rewrite)
        for table in ("kp_mix_score", "kp_mix_section", "kp_mix_ballot", "kp_mix_code"):
            cursor.execute(f"DROP TABLE IF EXISTS {table}")
    return mixed


def _mix_ballots_postgresql(cursor: Any, case_ids: list[int]) -> int:
    cursor.execute(
        "CREATE TEMP TABLE kp_mix_ballot ON COMMIT DROP AS "
        "SELECT id AS old_id, gen_random_uuid() AS new_id, cycle_id, case_id, anonymous_group, is_void, "
        "void_reason, is_test FROM assessments_ballot WHERE kind = 'anonymous' AND case_id = ANY(%s)",
        [case_ids],
    )
    mixed = cursor.rowcount
    # Statistics on the copy, so that the joins below take the (ballot, …) indexes, not a scan of every score.
    cursor.execute("CREATE UNIQUE INDEX ON kp_mix_ballot (old_id)")
    cursor.execute("ANALYZE kp_mix_ballot")
    cursor.execute(
        "CREATE TEMP TABLE kp_mix_section ON COMMIT DROP AS "
        "SELECT b.new_id AS ballot_id, s.subject_id, s.rater_group, s.vote, s.comment, s.counted "
        "FROM kp_mix_ballot b JOIN assessments_sectionresponse s ON s.ballot_id = b.old_id"
    )
    cursor.execute(
        "CREATE TEMP TABLE kp_mix_score ON COMMIT DROP AS "
        "SELECT b.new_id AS ballot_id, s.cycle_id, s.subject_id, s.indicator_id, s.rater_group, s.value, s.counted "
        "FROM kp_mix_ballot b JOIN assessments_score s ON s.ballot_id = b.old_id"
    )
    cursor.execute("DELETE FROM assessments_score WHERE ballot_id IN (SELECT old_id FROM kp_mix_ballot)")
    cursor.execute("DELETE FROM assessments_sectionresponse WHERE ballot_id IN (SELECT old_id FROM kp_mix_ballot)")
    cursor.execute("DELETE FROM assessments_ballot WHERE id IN (SELECT old_id FROM kp_mix_ballot)")
    cursor.execute(
        "INSERT INTO assessments_ballot "
        "(id, cycle_id, case_id, kind, assignment_id, anonymous_group, is_void, void_reason, is_test) "
        "SELECT new_id, cycle_id, case_id, 'anonymous', NULL, anonymous_group, is_void, void_reason, is_test "
        "FROM kp_mix_ballot ORDER BY random()"
    )
    # The new ids are drawn in the shuffled order: the subquery (kept apart by OFFSET 0) sorts, the outer
    # query numbers the rows as they come out of the sort and inserts them in that order.
    cursor.execute(
        "INSERT INTO assessments_sectionresponse (id, ballot_id, subject_id, rater_group, vote, comment, counted) "
        "SELECT nextval('assessments_anonymous_row_seq'), ballot_id, subject_id, rater_group, vote, comment, "
        "counted FROM (SELECT * FROM kp_mix_section ORDER BY random() OFFSET 0) AS shuffled"
    )
    cursor.execute(
        "INSERT INTO assessments_score "
        "(id, ballot_id, cycle_id, subject_id, indicator_id, rater_group, value, counted) "
        "SELECT nextval('assessments_anonymous_row_seq'), ballot_id, cycle_id, subject_id, indicator_id, "
        "rater_group, value, counted FROM (SELECT * FROM kp_mix_score ORDER BY random() OFFSET 0) AS shuffled"
    )
    return mixed


def _mix_codes_postgresql(cursor: Any, case_ids: list[int], *, rewrite: bool) -> None:
    if rewrite:
        # Same ids (slips, drafts and the desk's counts refer to them; they follow the order of issue, which
        # says nothing about who held which slip), a random physical order, and this transaction's xmin.
        # Drafts refer to codes through a deferred foreign key, checked at commit when the rows are back.
        cursor.execute(
            "CREATE TEMP TABLE kp_mix_code ON COMMIT DROP AS "
            "SELECT * FROM assessments_ballotcode WHERE case_id = ANY(%s)",
            [case_ids],
        )
        cursor.execute("DELETE FROM assessments_ballotcode WHERE case_id = ANY(%s)", [case_ids])
        cursor.execute("INSERT INTO assessments_ballotcode SELECT * FROM kp_mix_code ORDER BY random()")
    else:
        # Every code row of these cases gets this transaction's xmin, spent or not: none stands out. In a random
        # order, so the new versions are not laid down in the order of the old ones.
        cursor.execute(
            "UPDATE assessments_ballotcode c SET status = c.status FROM "
            "(SELECT id FROM assessments_ballotcode WHERE case_id = ANY(%s) ORDER BY random()) AS shuffled "
            "WHERE c.id = shuffled.id",
            [case_ids],
        )


def _mix_orm(case_ids: list[int]) -> int:
    """The same on SQLite (development only: it has no xmin, and the guarantees are PostgreSQL's): new rows in a
    random order, so that ids stop following the order of submission."""
    ballots = list(Ballot.objects.filter(case_id__in=case_ids, kind=Ballot.Kind.ANONYMOUS))
    sections = list(SectionResponse.objects.filter(ballot__in=ballots))
    scores = list(Score.objects.filter(ballot__in=ballots))
    rng = random.SystemRandom()
    fresh = {}
    for ballot in ballots:
        old, ballot.id = ballot.id, uuid.uuid4()
        fresh[old] = ballot.id
    Score.objects.filter(pk__in=[s.pk for s in scores]).delete()
    SectionResponse.objects.filter(pk__in=[s.pk for s in sections]).delete()
    Ballot.objects.filter(pk__in=fresh).delete()
    for rows in (ballots, sections, scores):
        rng.shuffle(rows)
    Ballot.objects.bulk_create(ballots)
    for row in (*sections, *scores):
        row.pk = None
        row.ballot_id = fresh[row.ballot_id]
    SectionResponse.objects.bulk_create(sections)
    Score.objects.bulk_create(scores)
    return len(ballots)


def case_mix(*, case_id: int) -> int:
    """Mix one case of an open cycle, for the periodic mix. It holds the cycle FOR SHARE, as a submit does, so a
    close or reopen waits for it, and every code of the case FOR UPDATE, so the case's submits and drafts wait for
    the mix (a fraction of a second for a team) while every other case goes on."""
    with transaction.atomic():
        cycle_id = Case.objects.filter(pk=case_id).values_list("cycle_id", flat=True).get()
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT 1 FROM assessments_cycle WHERE id = %s FOR SHARE", [cycle_id])
        cycle = Cycle.objects.get(pk=cycle_id)
        if cycle.status != Cycle.Status.OPEN:
            return 0
        list(BallotCode.objects.select_for_update().filter(case_id=case_id).order_by("pk").values_list("pk"))
        return anonymous_ballots_mix(cycle=cycle, cases=[case_id], rewrite_codes=False)


def cases_to_mix(*, cycle: Cycle | None = None) -> list[int]:
    """The cases (of this cycle, or of every open cycle) whose count of anonymous ballots moved since their last
    mix. A case whose count has not moved holds no ballot that was not mixed with all the others."""
    cases = Case.objects.filter(cycle=cycle) if cycle else Case.objects.filter(cycle__status=Cycle.Status.OPEN)
    return list(
        cases.annotate(n=Count("ballots", filter=Q(ballots__kind=Ballot.Kind.ANONYMOUS)))
        .exclude(n=F("anonymous_mixed"))
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def open_cycles_mix() -> int:
    """The periodic mix: each case that needs it, in a transaction of its own. Returns how many ballots were mixed."""
    cases = cases_to_mix()
    mixed = sum(case_mix(case_id=case_id) for case_id in cases)
    if cases:
        log.info("mixed %s anonymous ballots in %s cases", mixed, len(cases))
    return mixed


def ballot_tables_vacuum_later() -> None:
    """Queue the VACUUM that removes the dead row versions the mix left (they still carry the submits' xmin)."""
    if connection.vendor != "postgresql":
        return
    from ..tasks import vacuum_ballot_tables

    vacuum_ballot_tables.delay()


def ballot_tables_vacuum() -> None:
    """VACUUM (not FULL: no exclusive lock) the ballot tables. VACUUM cannot run inside a transaction, so inside one
    (a test, a request) it runs on a connection of its own."""
    if connection.vendor != "postgresql":
        return
    conn = connection
    own = connection.in_atomic_block
    if own:
        conn = connections.create_connection("default")
    try:
        with conn.cursor() as cursor:
            for table in VACUUMED:
                cursor.execute(f"VACUUM {table}")
    finally:
        if own:
            conn.close()
