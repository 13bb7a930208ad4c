"""Issue 11, finding 5: the database at rest must not tie an anonymous ballot to its code or to its time.

The attacker reads the whole database, system columns (`xmin`, `ctid`) and physical pages included, but not the live
process. The tests submit named and anonymous sheets one after another, in separate transactions and in a known
order, then try what such an attacker would: join the codes' `xmin` to the ballots', and order the anonymous rows by
id and by physical position. Each anonymous sheet carries a label in a comment, for the test to know the truth.
"""

import pytest
from django.db import connection

from assessments.models import Ballot, BallotCode
from assessments.services.codes import code_resolve
from assessments.services.mixing import ballot_tables_vacuum, open_cycles_mix
from tests.assessments.helpers import assignment_of, close, fill, open_case

pytestmark = pytest.mark.django_db(transaction=True)

ANONYMOUS = 32  # enough that a random order is far from the true one (Kendall's tau sd ≈ 0.12)
MEMBERS = 4
SUPERIORS = 4
# A shuffled order of 32 reaches |tau| 0.6 with a chance below one in a million: the assertions cannot flake.
TAU_LIMIT = 0.6


@pytest.fixture(autouse=True)
def _postgresql_only():
    if connection.vendor != "postgresql":
        pytest.skip("xmin, ctid and heap order are PostgreSQL's; run with DATABASE_URL=postgres://…")


def kendall_tau(xs: list[float], ys: list[float]) -> float:
    """Kendall's tau-b; 0 when either side is constant (an order that says nothing)."""
    concordant = discordant = ties_x = ties_y = 0
    for i in range(len(xs)):
        for j in range(i + 1, len(xs)):
            dx, dy = xs[i] - xs[j], ys[i] - ys[j]
            if dx == 0 and dy == 0:
                continue
            if dx == 0:
                ties_x += 1
            elif dy == 0:
                ties_y += 1
            elif (dx > 0) == (dy > 0):
                concordant += 1
            else:
                discordant += 1
    denominator = ((concordant + discordant + ties_x) * (concordant + discordant + ties_y)) ** 0.5
    return (concordant - discordant) / denominator if denominator else 0.0


def submit_interleaved():
    """Named and anonymous sheets in a known order, each its own transaction. Returns the case, the true order of
    the anonymous labels, for each label how many named sheets came before it, and the submits' transaction ids."""
    cycle, case, members, bosses, codes = open_case(members=MEMBERS, superiors=SUPERIORS, codes=ANONYMOUS)
    named = [assignment_of(case, p) for p in members + bosses]
    scores = {p: 5 + i % 4 for i, p in enumerate(members)} | {"team": 6}
    named_before, xids = {}, set()
    for i, code in enumerate(codes):
        if i % 4 == 0 and named:
            fill(assignment=named.pop(), scores=scores)
        label = f"label-{i:03d}"
        holder = code_resolve(code=code)
        fill(code=holder, scores=scores, comments={"team": label})
        named_before[label] = SUPERIORS + MEMBERS - len(named)
        xids.add(_xmin("assessments_ballotcode", holder.pk))
    return cycle, case, [f"label-{i:03d}" for i in range(len(codes))], named_before, xids


XMIN_OF = {"assessments_ballotcode": "SELECT xmin::text FROM assessments_ballotcode WHERE id = %s"}


def _xmin(table: str, pk) -> str:
    with connection.cursor() as cursor:
        cursor.execute(XMIN_OF[table], [pk])
        return cursor.fetchone()[0]


def rows(sql: str, params=()) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def attacker_links_by_xmin(case_id: int) -> dict[str, set[str]]:
    """For each spent code, the anonymous ballots (by label) whose ballot, section or score rows share its xmin."""
    links: dict[str, set[str]] = {}
    for code_hash, label in rows(
        """
        SELECT c.code_hash, label.comment
        FROM assessments_ballotcode c
        JOIN (
            SELECT b.xmin AS x, b.id AS ballot FROM assessments_ballot b WHERE b.kind = 'anonymous'
            UNION SELECT s.xmin, s.ballot_id FROM assessments_sectionresponse s
            UNION SELECT sc.xmin, sc.ballot_id FROM assessments_score sc
        ) AS anon ON anon.x = c.xmin
        JOIN assessments_sectionresponse label ON label.ballot_id = anon.ballot AND label.comment LIKE 'label-%%'
        WHERE c.case_id = %s AND c.status = 'spent'
        """,
        [case_id],
    ):
        links.setdefault(code_hash, set()).add(label)
    return links


ATTACKS = {
    "sections by id": "SELECT label.comment FROM assessments_sectionresponse label WHERE label.comment LIKE 'label-%%' "
    "ORDER BY label.id",
    "sections by ctid": "SELECT label.comment FROM assessments_sectionresponse label "
    "WHERE label.comment LIKE 'label-%%' ORDER BY label.ctid",
    "scores by id": "SELECT label.comment, min(sc.id) FROM assessments_score sc "
    "JOIN assessments_sectionresponse label ON label.ballot_id = sc.ballot_id AND label.comment LIKE 'label-%%' "
    "GROUP BY label.comment ORDER BY 2",
    "scores by ctid": "SELECT label.comment, min(sc.ctid) FROM assessments_score sc "
    "JOIN assessments_sectionresponse label ON label.ballot_id = sc.ballot_id AND label.comment LIKE 'label-%%' "
    "GROUP BY label.comment ORDER BY 2",
    "ballots by ctid": "SELECT label.comment FROM assessments_ballot b "
    "JOIN assessments_sectionresponse label ON label.ballot_id = b.id AND label.comment LIKE 'label-%%' "
    "ORDER BY b.ctid",
}
NAMED_BEFORE = {
    "id": "SELECT label.comment, (SELECT count(*) FROM assessments_sectionresponse n "
    "JOIN assessments_ballot nb ON nb.id = n.ballot_id AND nb.kind = 'named' WHERE n.id < label.id) "
    "FROM assessments_sectionresponse label WHERE label.comment LIKE 'label-%%' ORDER BY label.comment",
    "ctid": "SELECT label.comment, (SELECT count(*) FROM assessments_sectionresponse n "
    "JOIN assessments_ballot nb ON nb.id = n.ballot_id AND nb.kind = 'named' WHERE n.ctid < label.ctid) "
    "FROM assessments_sectionresponse label WHERE label.comment LIKE 'label-%%' ORDER BY label.comment",
}


def recovered_orders() -> dict[str, list[str]]:
    """The labels in the order an attacker reads them: sections and scores by id and by ctid, ballots by ctid."""
    return {name: [row[0] for row in rows(sql, [])] for name, sql in ATTACKS.items()}


def named_rows_before() -> dict[str, list[int]]:
    """For each anonymous label, how many named sections lie before its section, by id and by ctid."""
    return {key: [n for _label, n in rows(sql, [])] for key, sql in NAMED_BEFORE.items()}


def test_before_a_mix_an_open_cycle_links_each_code_to_its_ballot_and_dates_it():
    """What a live database reveals during an open cycle until the next mix: this is the attack working."""
    _, case, truth, _named_before, _ = submit_interleaved()
    links = attacker_links_by_xmin(case.pk)
    assert len(links) == ANONYMOUS and all(len(labels) == 1 for labels in links.values())
    hashes = {c.code_hash for c in BallotCode.objects.filter(case=case, status="spent")}
    assert set(links) == hashes
    orders = recovered_orders()
    assert orders["sections by id"] == truth
    assert orders["scores by id"] == truth


def test_a_mix_while_open_leaves_no_link_and_the_close_keeps_it_so():
    cycle, case, truth, _, submit_xids = submit_interleaved()
    assert open_cycles_mix() == ANONYMOUS
    assert open_cycles_mix() == 0  # nothing new since: the periodic mix skips the case
    ballot_tables_vacuum()
    links = attacker_links_by_xmin(case.pk)
    assert all(len(labels) == ANONYMOUS for labels in links.values())  # one xmin for all: it singles none out
    for name, order in recovered_orders().items():
        assert order != truth, name
        assert abs(kendall_tau(_ranks(truth), _ranks(order, truth))) < TAU_LIMIT, name
    mixed_xmin = {x for (x,) in rows("SELECT DISTINCT xmin::text FROM assessments_ballot WHERE kind = 'anonymous'")}
    assert len(mixed_xmin) == 1

    # Closing leaves the case's ballots as the open mix left them (nothing came since) and rewrites every code.
    close(cycle)
    ballot_tables_vacuum()
    assert {x for (x,) in rows("SELECT DISTINCT xmin::text FROM assessments_ballot WHERE kind = 'anonymous'")} == (
        mixed_xmin
    )
    code_xmins = rows("SELECT DISTINCT xmin::text FROM assessments_ballotcode WHERE case_id = %s", [case.pk])
    assert len(code_xmins) == 1
    assert not attacker_links_by_xmin(case.pk)  # no code shares an xmin with any anonymous row
    assert not leftover_versions(submit_xids)


def test_a_closed_cycle_ties_no_anonymous_ballot_to_its_code_time_or_order():
    cycle, case, truth, named_before, submit_xids = submit_interleaved()
    close(cycle)
    ballot_tables_vacuum()

    # xmin: the code rows of the case, spent or not, and every anonymous row carry one single transaction id.
    xmins = rows(
        """
        SELECT DISTINCT xmin::text FROM assessments_ballotcode WHERE case_id = %(case)s
        UNION SELECT DISTINCT xmin::text FROM assessments_ballot WHERE case_id = %(case)s AND kind = 'anonymous'
        UNION SELECT DISTINCT s.xmin::text FROM assessments_sectionresponse s
            JOIN assessments_ballot b ON b.id = s.ballot_id AND b.kind = 'anonymous' WHERE b.case_id = %(case)s
        UNION SELECT DISTINCT sc.xmin::text FROM assessments_score sc
            JOIN assessments_ballot b ON b.id = sc.ballot_id AND b.kind = 'anonymous' WHERE b.case_id = %(case)s
        """,
        {"case": case.pk},
    )
    assert len(xmins) == 1
    assert not {x for (x,) in xmins} & submit_xids
    links = attacker_links_by_xmin(case.pk)
    assert len(links) == ANONYMOUS and all(len(labels) == ANONYMOUS for labels in links.values())

    # Order: by id and by physical position, the anonymous rows come out in an order unrelated to submission.
    for name, order in recovered_orders().items():
        assert sorted(order) == truth, name
        assert order != truth, name
        assert abs(kendall_tau(_ranks(truth), _ranks(order, truth))) < TAU_LIMIT, name
    # Nor can the named rows around them date them: where they sit among named rows is the same for all.
    true_counts = [named_before[label] for label in truth]
    for key, recovered in named_rows_before().items():
        assert abs(kendall_tau(true_counts, recovered)) < TAU_LIMIT, key

    # No row version left on any page, live or dead, carries a submit's transaction id.
    assert not leftover_versions(submit_xids)
    assert Ballot.objects.filter(case=case, kind="anonymous").count() == ANONYMOUS


def test_mixing_changes_no_result():
    """Scoring reads the same scores after the mix: it moves rows, it does not change them."""
    from assessments.services import cycle_score

    cycle, _case, _, _, _ = submit_interleaved()
    before = sorted(rows("SELECT subject_id, indicator_id, rater_group, value, counted FROM assessments_score"))
    sections_before = sorted(rows("SELECT subject_id, rater_group, vote, comment FROM assessments_sectionresponse"))
    close(cycle)
    assert sorted(rows("SELECT subject_id, indicator_id, rater_group, value, counted FROM assessments_score")) == before
    assert sorted(rows("SELECT subject_id, rater_group, vote, comment FROM assessments_sectionresponse")) == (
        sections_before
    )
    cycle_score(cycle=cycle)
    cycle.refresh_from_db()
    assert cycle.status == "scored"


def leftover_versions(xids: set[str]) -> list[tuple[str, str]]:
    """Row versions whose header still holds one of these transaction ids, read from the pages themselves."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("CREATE EXTENSION IF NOT EXISTS pageinspect")
    except Exception:
        pytest.skip("pageinspect is not available")
    found = []
    for table in ("assessments_ballot", "assessments_sectionresponse", "assessments_score", "assessments_ballotcode"):
        found += rows(
            "SELECT %(table)s, t_xmin::text FROM generate_series(0, pg_relation_size(%(table)s) / 8192 - 1) AS page, "
            "LATERAL heap_page_items(get_raw_page(%(table)s, page::int)) "
            "WHERE t_xmin::text = ANY(%(xids)s) OR t_xmax::text = ANY(%(xids)s)",
            {"table": table, "xids": list(xids)},
        )
    return found


def _ranks(order: list[str], truth: list[str] | None = None) -> list[int]:
    """Positions of the true labels in `order` (or of `order` itself), for the rank correlation."""
    if truth is None:
        return list(range(len(order)))
    position = {label: i for i, label in enumerate(order)}
    return [position[label] for label in truth]
