"""The move of feedback talks, appeals and plans from assessments to followup changes Django's state only: a
database seeded before the move keeps every row, id and value, and its content types (with the permissions and
admin log that point at them) change app label without changing id."""

import datetime as dt

import pytest
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from followup.models import Action, ActionTemplate, Evidence, FeedbackTalk, ImprovementPlan, ProgressUpdate
from tests.followup.plan_helpers import case_with_weak_leader, subject_of, user_of

BEFORE = [("assessments", "0008_anonymity_at_rest"), ("followup", None)]
MOVED = ["actiontemplate", "improvementplan", "action", "progressupdate", "evidence", "feedbacktalk"]


def _migrate(targets) -> MigrationExecutor:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()  # the graph as the last migrate left it
    executor.migrate(targets)
    return MigrationExecutor(connection)


def _latest() -> list[tuple[str, str]]:
    return MigrationExecutor(connection).loader.graph.leaf_nodes()


@pytest.mark.django_db(transaction=True)
def test_a_database_seeded_before_the_move_keeps_every_row_id_and_value():
    # People, a released case and its subjects are untouched by the move: made with today's models.
    _cycle, case, (leader, *_rest) = case_with_weak_leader()
    subject = subject_of(case, leader)
    indicator = case.cycle.framework.dimensions.first().indicators.first()
    user = user_of(leader)
    latest = _latest()
    try:
        old = _migrate(BEFORE).loader.project_state(BEFORE[:1]).apps
        # Exactly what the code before the move wrote, through the models as assessments' migrations knew them.
        assert "followup" not in {m._meta.app_label for m in old.get_models()}
        OldPlan = old.get_model("assessments", "ImprovementPlan")
        old_content_types = {
            ct.model: ct.pk for ct in ContentType.objects.filter(app_label="assessments", model__in=MOVED)
        }
        assert set(old_content_types) == set(MOVED), "the database before the move had their content types"
        template = old.get_model("assessments", "ActionTemplate").objects.create(
            dimension_code="theory", indicator_code="", title="学习计划", duration_days=90, order=7
        )
        plan = OldPlan.objects.create(
            subject_id=subject.pk, status="approved", goal="补齐理论学习", created_by_id=user.pk
        )
        old.get_model("assessments", "HistoricalImprovementPlan").objects.create(
            id=plan.pk,
            subject_id=subject.pk,
            status="approved",
            goal=plan.goal,
            return_reason="",
            verification_note="",
            created_at=plan.created_at,
            history_date=timezone.now(),
            history_type="+",
            history_user_id=user.pk,
        )
        action = old.get_model("assessments", "Action").objects.create(
            plan_id=plan.pk,
            indicator_id=indicator.pk,
            title="每月两次专题学习",
            owner_id=leader.pk,
            due_on=dt.date(2026, 6, 30),
            status="in_progress",
            progress=40,
            overdue_since=dt.date(2026, 7, 1),
        )
        update = old.get_model("assessments", "ProgressUpdate").objects.create(
            action_id=action.pk, author_id=user.pk, note="完成两次学习", progress=40
        )
        evidence = old.get_model("assessments", "Evidence").objects.create(
            update_id=update.pk,
            token="t" * 32,
            file=f"evidence/{plan.pk}/{'t' * 32}.pdf",
            name="笔记.pdf",
            content_type="application/pdf",
            extension=".pdf",
            size=1234,
            sha256="a" * 64,
        )
        talk = old.get_model("assessments", "FeedbackTalk").objects.create(
            subject_id=subject.pk,
            held_on=dt.date(2026, 3, 1),
            held_by_id=user.pk,
            participants="组织部",
            notes="要点",
            response="appeal",
            response_text="理由",
            appeal_status="pending",
        )
        grant = Permission.objects.get(
            content_type_id=old_content_types["improvementplan"], codename="view_improvementplan"
        )
        user.user_permissions.add(grant)

        _migrate(latest)

        # The same rows, ids and values, read through followup's models.
        moved_plan = ImprovementPlan.objects.get(pk=plan.pk)
        assert (moved_plan.subject_id, moved_plan.status, moved_plan.goal, moved_plan.created_by_id) == (
            subject.pk,
            "approved",
            "补齐理论学习",
            user.pk,
        )
        assert moved_plan.history.get().history_user_id == user.pk
        moved_action = Action.objects.get(pk=action.pk)
        assert (moved_action.plan_id, moved_action.indicator_id, moved_action.owner_id, moved_action.progress) == (
            plan.pk,
            indicator.pk,
            leader.pk,
            40,
        )
        assert moved_action.overdue_since == dt.date(2026, 7, 1)
        assert ProgressUpdate.objects.get(pk=update.pk).action_id == action.pk
        moved_evidence = Evidence.objects.get(pk=evidence.pk)
        assert (moved_evidence.name, moved_evidence.file.name, moved_evidence.sha256) == (
            "笔记.pdf",
            f"evidence/{plan.pk}/{'t' * 32}.pdf",
            "a" * 64,
        )
        moved_talk = FeedbackTalk.objects.get(pk=talk.pk)
        assert (moved_talk.subject_id, moved_talk.response, moved_talk.appeal_status) == (
            subject.pk,
            "appeal",
            "pending",
        )
        assert ActionTemplate.objects.get(pk=template.pk).title == "学习计划"
        assert subject.feedback == moved_talk and subject.improvement_plan == moved_plan

        # Content types keep their ids under the new label: permissions granted before still hold.
        for model in MOVED:
            content_type = ContentType.objects.get_for_model(_followup_model(model), for_concrete_model=True)
            assert (content_type.app_label, content_type.pk) == ("followup", old_content_types[model])
        assert not ContentType.objects.filter(app_label="assessments", model__in=MOVED).exists()
        user = type(user).objects.get(pk=user.pk)  # no cached permissions
        assert user.has_perm("followup.view_improvementplan")
    finally:
        _migrate(latest)


def _followup_model(name: str):
    return {
        m._meta.model_name: m for m in (Action, ActionTemplate, Evidence, FeedbackTalk, ImprovementPlan, ProgressUpdate)
    }[name]


@pytest.mark.django_db(transaction=True)
def test_the_move_touches_no_table():
    """followup 0001 and assessments 0009 run no SQL: the tables stay as they are, rows and all."""
    executor = MigrationExecutor(connection)
    for app, name in [("followup", "0001_initial"), ("assessments", "0009_followup_moved_out")]:
        migration = executor.loader.get_migration(app, name)
        state = executor.loader.project_state((app, name), at_end=False)
        with connection.schema_editor(collect_sql=True, atomic=False) as editor:
            migration.apply(state, editor, collect_sql=True)
        statements = [sql for sql in editor.collected_sql if not sql.startswith("--")]  # "--" lines are comments
        assert statements == [], f"{app} {name} runs SQL"
