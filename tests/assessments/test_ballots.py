"""Filling and submitting ballot sheets through the services."""

import datetime as dt
import threading
from decimal import Decimal

import pytest
from django.db import connection, connections
from django.utils import timezone

from assessments.codes import code_hash
from assessments.errors import AssessmentError, BallotClosed
from assessments.models import Assignment, Ballot, BallotCode, BallotDraft, Score, SectionResponse
from assessments.services import ballot_submit, code_resolve, draft_save, sheet_for
from tests.assessments.helpers import assignment_of, close, fill, open_case

pytestmark = pytest.mark.django_db


def section_change(sheet, subject, scores=None, vote=None, comment=None):
    change = {}
    if scores is not None:
        change["scores"] = scores
    if vote is not None:
        change["vote"] = vote
    if comment is not None:
        change["comment"] = comment
    return {"sections": {str(subject.pk): change}}


def test_a_members_sheet_has_self_peer_and_team_sections():
    _, case, (a, b), (s,), _ = open_case(members=2, superiors=1)
    sheet = sheet_for(assignment=assignment_of(case, a))
    groups = {(sec.subject.person.name if sec.subject.person else "team"): sec.rater_group for sec in sheet.sections}
    assert groups == {a.name: "self", b.name: "peer", "team": "self"}
    superior_sheet = sheet_for(assignment=assignment_of(case, s))
    assert {sec.rater_group for sec in superior_sheet.sections} == {"superior"}
    assert len(sheet.indicators) == 11


def test_a_draft_keeps_what_was_entered_across_saves():
    _, case, (a, _b), _, _ = open_case(members=2, superiors=0)
    assignment = assignment_of(case, a)
    sheet = sheet_for(assignment=assignment)
    first, second = sheet.indicators[:2]
    subject = sheet.sections[1].subject
    draft_save(assignment=assignment, changes=section_change(sheet, subject, {str(first.pk): 7}))
    draft_save(assignment=assignment, changes=section_change(sheet, subject, {str(second.pk): 9}, vote="competent"))
    reloaded = sheet_for(assignment=assignment)
    assert reloaded.data["sections"][str(subject.pk)] == {
        "scores": {str(first.pk): 7, str(second.pk): 9},
        "vote": "competent",
    }
    assert Assignment.objects.get(pk=assignment.pk).status == "draft"


@pytest.mark.parametrize("bad", [0, 11, -1, "7.5", "x", True, 3.5, [7]])
def test_a_score_outside_the_scale_is_refused_and_nothing_changes(bad):
    _, case, (a, _), _, _ = open_case(members=2, superiors=0)
    assignment = assignment_of(case, a)
    sheet = sheet_for(assignment=assignment)
    subject, indicator = sheet.sections[0].subject, sheet.indicators[0]
    with pytest.raises(AssessmentError, match="whole number from 1 to 10"):
        draft_save(assignment=assignment, changes=section_change(sheet, subject, {str(indicator.pk): bad}))
    assert not BallotDraft.objects.exists()


@pytest.mark.parametrize(
    "changes",
    [
        {"sections": {"999999": {"vote": "competent"}}},
        {"sections": "nope"},
        ["not", "a", "dict"],
    ],
)
def test_malformed_or_foreign_sections_are_refused(changes):
    _, case, (a, _), _, _ = open_case(members=2, superiors=0)
    with pytest.raises(AssessmentError):
        draft_save(assignment=assignment_of(case, a), changes=changes)
    assert not BallotDraft.objects.exists()


def test_an_unknown_vote_and_an_overlong_comment_are_refused():
    _, case, (a, _), _, _ = open_case(members=2, superiors=0)
    assignment = assignment_of(case, a)
    sheet = sheet_for(assignment=assignment)
    subject = sheet.sections[0].subject
    with pytest.raises(AssessmentError, match="Unknown overall vote"):
        draft_save(assignment=assignment, changes=section_change(sheet, subject, vote="great"))
    with pytest.raises(AssessmentError, match="at most 2000"):
        draft_save(assignment=assignment, changes=section_change(sheet, subject, comment="长" * 2001))


def test_an_incomplete_sheet_cannot_be_submitted_and_says_what_is_missing():
    _, case, (a, b), _, _ = open_case(members=2, superiors=0)
    assignment = assignment_of(case, a)
    fill(assignment=assignment, scores={a: 8, b: 7, "team": 8}, submit=False)
    sheet = sheet_for(assignment=assignment)
    b_section = next(s for s in sheet.sections if s.subject.person == b)
    draft_save(assignment=assignment, changes=section_change(sheet, b_section.subject, vote=""))
    with pytest.raises(AssessmentError, match=f"Still to fill in: {b.name}"):
        ballot_submit(assignment=assignment)
    assert not Ballot.objects.exists()


def test_a_submitted_sheet_is_read_only_and_cannot_be_submitted_twice():
    _, case, (a, b), _, _ = open_case(members=2, superiors=0)
    assignment = assignment_of(case, a)
    fill(assignment=assignment, scores={a: 8, b: 7, "team": 8})
    assignment.refresh_from_db()
    assert assignment.status == "submitted" and assignment.submitted_at
    assert sheet_for(assignment=assignment).submitted
    with pytest.raises(BallotClosed):
        ballot_submit(assignment=assignment)
    with pytest.raises(BallotClosed):
        draft_save(assignment=assignment, changes={"sections": {}})
    assert Ballot.objects.count() == 1
    assert Score.objects.count() == 3 * 11
    assert not BallotDraft.objects.exists()


def test_the_excellent_quota_is_enforced_per_sheet():
    _, case, people, (s,), _ = open_case(members=4, superiors=1, excellent_quota_percent=Decimal(30))
    assignment = assignment_of(case, s)
    scores = {p: 6 + i for i, p in enumerate(people)} | {"team": 8}
    # 30 % of 4 people rated = 1.2 → at most 1 excellent.
    with pytest.raises(
        AssessmentError, match="At most 1 of the people on this sheet may be voted excellent; you chose 2"
    ):
        fill(assignment=assignment, scores=scores, votes={people[0]: "excellent", people[1]: "excellent"})
    assert not Ballot.objects.exists()
    fill(assignment=assignment, scores=scores, votes={people[0]: "excellent"})
    assert Ballot.objects.count() == 1


def test_ballots_are_refused_outside_the_window_and_after_close():
    cycle, case, (a, b), _, _ = open_case(members=2, superiors=0)
    assignment = assignment_of(case, a)
    cycle.closes_at = timezone.now() - dt.timedelta(minutes=1)
    cycle.opens_at = cycle.closes_at - dt.timedelta(days=7)
    cycle.save()
    with pytest.raises(BallotClosed, match="closed at"):
        fill(assignment=assignment, scores={a: 8, b: 7, "team": 8})
    cycle.closes_at = None
    cycle.save()
    close(cycle)
    with pytest.raises(BallotClosed, match="not open"):
        fill(assignment=assignment, scores={a: 8, b: 7, "team": 8})


def test_codes_carry_128_bits_and_only_their_hash_is_stored():
    _, _case, _, _, codes = open_case(members=2, superiors=0, codes=3)
    assert len(codes) == 3 and len(set(codes)) == 3
    assert all(len(c) == 26 for c in codes)  # 128 bits in base32
    stored = set(BallotCode.objects.values_list("code_hash", flat=True))
    assert stored == {code_hash(c) for c in codes}
    assert not any(c in h for c in codes for h in stored)


def test_a_code_resolves_case_insensitively_with_separators_and_not_when_spent():
    _, case, (a, b), _, codes = open_case(members=2, superiors=0, codes=1)
    grouped = "-".join(codes[0][i : i + 4] for i in range(0, 26, 4)).lower()
    assert code_resolve(code=grouped).case == case
    fill(code=codes[0], scores={a: 8, b: 7, "team": 8})
    assert code_resolve(code=codes[0]) is None
    assert code_resolve(code="A" * 26) is None
    assert code_resolve(code="") is None


def test_an_anonymous_ballot_keeps_no_link_to_its_code():
    _, _case, (a, b), _, codes = open_case(members=2, superiors=0, codes=1)
    code = code_resolve(code=codes[0])
    ballot = fill(code=code, scores={a: 8, b: 7, "team": 8}, comments={a: "工作扎实"})
    code.refresh_from_db()
    assert code.status == "spent"
    assert not BallotDraft.objects.exists()
    assert ballot.assignment is None and ballot.anonymous_group == "subordinate"
    field_names = {f.name for f in Ballot._meta.get_fields()}
    assert not field_names & {"code", "created_at", "submitted_at", "updated_at"}
    assert SectionResponse.objects.get(ballot=ballot, subject__person=a).comment == "工作扎实"


def _submit_in_thread(kwargs, outcomes):
    try:
        ballot_submit(**kwargs)
        outcomes.append("ok")
    except BallotClosed:
        outcomes.append("refused")
    finally:
        connections.close_all()


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("holder", ["assignment", "code"])
def test_concurrent_double_submits_yield_exactly_one_ballot(holder):
    if connection.vendor != "postgresql":
        pytest.skip("row locks need PostgreSQL; SQLite serialises writers, so there is no race to test")
    _, case, (a, b), _, codes = open_case(members=2, superiors=0, codes=1)
    target = {"assignment": assignment_of(case, a)} if holder == "assignment" else {"code": code_resolve(code=codes[0])}
    fill(**target, scores={a: 8, b: 7, "team": 8}, submit=False)
    outcomes: list[str] = []
    threads = [threading.Thread(target=_submit_in_thread, args=(target, outcomes)) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["ok", "refused", "refused", "refused"]
    assert Ballot.objects.filter(case=case).count() == 1


@pytest.mark.django_db(transaction=True)
def test_sheets_of_one_cycle_do_not_wait_for_each_other_but_a_close_waits_for_them():
    """Two raters save at the same moment: neither waits for the other. A close arriving meanwhile waits for
    the sheet in flight, and the next save finds the cycle closed."""
    if connection.vendor != "postgresql":
        pytest.skip("row locks need PostgreSQL; SQLite serialises writers, so there is no lock to test")
    from assessments.services import cycle_close
    from assessments.services.ballots import _lock_holder

    cycle, case, (a, b), _, _ = open_case(members=2, superiors=0)
    first, second = assignment_of(case, a), assignment_of(case, b)
    holding, release, outcome = threading.Event(), threading.Event(), {}

    def hold_first_sheet():
        from django.db import transaction

        try:
            with transaction.atomic():
                _lock_holder(first)
                holding.set()
                release.wait(10)
        finally:
            connections.close_all()

    def close_cycle():
        try:
            cycle_close(cycle=cycle)
            outcome["closed"] = True
        finally:
            connections.close_all()

    holder = threading.Thread(target=hold_first_sheet)
    holder.start()
    try:
        assert holding.wait(10)
        # The other sheet saves while the first is held (a lock wait would fail after 2 s, not hang).
        with connection.cursor() as cursor:
            cursor.execute("SET lock_timeout = '2s'")
        draft_save(assignment=second, changes={"sections": {}})
        closer = threading.Thread(target=close_cycle)
        closer.start()
        closer.join(1.0)
        assert closer.is_alive() and "closed" not in outcome  # the close waits for the sheet in flight
    finally:
        release.set()
        holder.join(10)
    closer.join(10)
    assert outcome == {"closed": True}
    with pytest.raises(BallotClosed):
        draft_save(assignment=second, changes={"sections": {}})
    with connection.cursor() as cursor:
        cursor.execute("SET lock_timeout = 0")
