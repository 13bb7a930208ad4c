"""`manage.py seed_demo`: a whole demo plant, built through the services, once."""

from io import StringIO

import pytest
from django.apps import apps
from django.contrib.auth import authenticate
from django.core.management import call_command
from django.db import transaction
from django.test import RequestFactory, override_settings
from django.utils import timezone, translation

from assessments.demo import CODES_FILE, DEMO_PASSWORD, LAST_CYCLE, OPEN_CYCLE, PLANT_CODE
from assessments.models import Assignment, Ballot, BallotCode, Cycle, SubjectResult, TimelineEvent
from assessments.services import code_resolve
from people.models import LeadershipTeam, Membership, Person


def login(**credentials):
    """Authenticate as the login form does: with a request, which django-axes needs to count failures."""
    return authenticate(RequestFactory().post("/accounts/login/"), **credentials)


pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def var_dir(tmp_path_factory):
    path = tmp_path_factory.mktemp("demo") / "var"
    with override_settings(VAR_DIR=path):
        yield path


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker, var_dir):
    """Seeding takes seconds, so it runs once for the module, in a transaction rolled back at the end;
    each test runs in a savepoint inside it."""
    out = StringIO()
    with django_db_blocker.unblock(), transaction.atomic(), translation.override("en"):
        call_command("seed_demo", stdout=out)
        yield out.getvalue()
        transaction.set_rollback(True)


@pytest.fixture
def demo(seeded, db) -> str:
    return seeded


def _row_counts() -> dict[str, int]:
    return {
        model._meta.label: model.objects.count()
        for app in ("people", "assessments", "auth")
        for model in apps.get_app_config(app).get_models()
    }


def test_it_reports_what_it_built(demo, var_dir):
    assert "created" in demo
    assert "evaluator" in demo
    assert str(var_dir / CODES_FILE) in demo


def test_it_builds_the_plant_and_its_teams(demo):
    teams = LeadershipTeam.objects.filter(org_unit__code__startswith=PLANT_CODE)
    assert 8 <= teams.count() <= 10
    leaders = Person.objects.filter(memberships__team__in=teams).distinct()
    assert 50 <= leaders.count() <= 70
    for team in teams:
        assert Membership.objects.filter(team=team, is_principal=True, end_date=None).count() == 1


def test_last_years_cycle_is_released_with_grades(demo):
    cycle = Cycle.objects.get(name=LAST_CYCLE)
    assert cycle.status == Cycle.Status.RELEASED
    results = SubjectResult.objects.filter(cycle=cycle, subject__kind="member")
    assert results.count() >= 50
    assert not results.filter(grade="").exists()
    grades = set(results.values_list("grade", flat=True))
    assert {"excellent", "competent"} <= grades
    # The weaker leaders show up: a grade below competent or a flag.
    weaker = results.filter(grade__in=["basic", "incompetent"]) | results.filter(flag_warning_talk=True)
    assert weaker.exists()
    assert Ballot.objects.filter(cycle=cycle, is_void=True).count() == 1
    assert not Assignment.objects.filter(case__cycle=cycle).exclude(status=Assignment.Status.SUBMITTED).exists()


def test_this_years_cycle_is_open_with_sheets_left_for_the_evaluator(demo):
    cycle = Cycle.objects.get(name=OPEN_CYCLE)
    assert cycle.status == Cycle.Status.OPEN
    assert Ballot.objects.filter(cycle=cycle, kind=Ballot.Kind.NAMED).count() > 30
    assert Ballot.objects.filter(cycle=cycle, kind=Ballot.Kind.ANONYMOUS).count() > 50
    mine = Assignment.objects.filter(case__cycle=cycle, rater__user__username="evaluator")
    assert mine.filter(status=Assignment.Status.PENDING).exists()
    assert mine.filter(status=Assignment.Status.DRAFT).exists()
    assert mine.filter(status=Assignment.Status.SUBMITTED).exists()


def test_the_demo_logins_work(demo):
    for username in ("admin", "hr", "leader", "evaluator"):
        assert login(username=username, password=DEMO_PASSWORD) is not None, username
    hr = login(username="hr", password=DEMO_PASSWORD)
    assert hr.is_staff
    assert hr.has_perm("assessments.manage_cycles")
    assert hr.has_perm("people.change_person")
    assert not hr.has_perm("assessments.change_score")
    assert login(username="admin", password=DEMO_PASSWORD).is_superuser
    assert Person.objects.get(user__username="leader").memberships.filter(end_date=None).exists()
    evaluator = Person.objects.get(user__username="evaluator")
    # This year's cycle uses the panel preset: the evaluator rates the units they are in charge of as 分管领导.
    assert Assignment.objects.filter(rater=evaluator, case__cycle__name=OPEN_CYCLE, rater_group="leader").count() >= 2
    person = Person.objects.exclude(user__username__in=["leader", "evaluator"]).first()
    assert login(username=person.employee_number, password=DEMO_PASSWORD) is not None


def test_this_years_cycle_has_the_panel_preset_and_last_years_the_standard_one(demo):
    cycle = Cycle.objects.get(name=OPEN_CYCLE)
    assert [(g.name_zh, g.weight, g.counted) for g in cycle.groups] == [
        ("分管领导", 20, True),
        ("考核组", 40, True),
        ("职工代表", 40, True),
        ("自评", 0, False),
    ]
    panel = next(g for g in cycle.groups if g.source == "panel")
    # The panel rates every team its members do not sit on.
    panel_sheets = Assignment.objects.filter(case__cycle=cycle, rater_group="panel")
    assert panel_sheets.values("case").distinct().count() == cycle.cases.count() - 1 > 0
    assert set(panel_sheets.values_list("rater", flat=True)) == set(panel.panel.values_list("pk", flat=True))
    last = Cycle.objects.exclude(pk=cycle.pk).get()
    assert [g.code for g in last.groups] == ["superior", "peer", "subordinate", "self"]


def test_the_codes_file_lists_live_codes(demo, var_dir):
    lines = [ln for ln in (var_dir / CODES_FILE).read_text(encoding="utf-8").splitlines() if not ln.startswith("#")]
    cycle = Cycle.objects.get(name=OPEN_CYCLE)
    assert len(lines) == BallotCode.objects.filter(case__cycle=cycle, status=BallotCode.Status.ISSUED).count() > 0
    for line in lines:
        team, code = line.split("\t")
        resolved = code_resolve(code=code)
        assert resolved is not None
        assert resolved.case.cycle == cycle
        assert resolved.case.team.name == team


def test_a_second_run_changes_nothing(demo, var_dir):
    before = _row_counts()
    codes = (var_dir / CODES_FILE).read_text(encoding="utf-8")
    out = StringIO()
    call_command("seed_demo", stdout=out)
    assert "already there" in out.getvalue()
    assert _row_counts() == before
    assert (var_dir / CODES_FILE).read_text(encoding="utf-8") == codes


def test_last_years_follow_up_is_under_way(seeded):
    from followup.models import FeedbackTalk, ImprovementPlan, ProgressUpdate

    leader_plan = ImprovementPlan.objects.get(subject__person__user__username="leader")
    assert leader_plan.status == ImprovementPlan.Status.IN_PROGRESS
    assert leader_plan.subject.case.cycle.name == LAST_CYCLE
    # Progress is posted through the year, and each note speaks of its own action.
    from followup.demo import FALLBACK_NOTES, PROGRESS_NOTES

    updates = list(ProgressUpdate.objects.filter(action__plan=leader_plan).select_related("action"))
    assert len(updates) >= 3 and leader_plan.actions.filter(progress__gt=0).count() >= 2
    for update in updates:
        assert update.note in dict(PROGRESS_NOTES.get(update.action.title, FALLBACK_NOTES)).values()
    assert len({u.created_at.date() for u in updates}) >= 2
    # The timeline reads as the year went: from the cycle's creation to the progress, no event in the future,
    # and not all on the day the demo was made.
    events = list(TimelineEvent.objects.filter(cycle=leader_plan.subject.case.cycle).order_by("created_at"))
    assert (events[-1].created_at - events[0].created_at).days > 60
    assert all(e.created_at <= timezone.now() for e in events)
    by_action = {e.action: e.created_at for e in events}
    assert by_action["opened"] < by_action["closed"] < by_action["released"] < by_action["feedback_talk"]
    assert FeedbackTalk.objects.get(subject=leader_plan.subject).participants
    assert ImprovementPlan.objects.filter(status=ImprovementPlan.Status.SUBMITTED).count() == 1
