from django.db import migrations


class Migration(migrations.Migration):
    """Feedback talks, appeals, improvement plans, actions, evidence and the action library leave assessments'
    state for followup's (followup 0001). Nothing in the database changes."""

    dependencies = [
        ('assessments', '0008_anonymity_at_rest'),
        # followup's state holds the models (and their foreign keys to assessments' rows) before ours drops them.
        ('followup', '0001_initial'),
    ]

    operations = [
        # State only: the tables now belong to followup's models (followup 0001), rows and all.
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RemoveField(
                    model_name='action',
                    name='indicator',
                ),
                migrations.RemoveField(
                    model_name='action',
                    name='owner',
                ),
                migrations.RemoveField(
                    model_name='action',
                    name='plan',
                ),
                migrations.RemoveField(
                    model_name='progressupdate',
                    name='action',
                ),
                migrations.DeleteModel(
                    name='ActionTemplate',
                ),
                migrations.RemoveField(
                    model_name='evidence',
                    name='update',
                ),
                migrations.RemoveField(
                    model_name='feedbacktalk',
                    name='appeal_decided_by',
                ),
                migrations.RemoveField(
                    model_name='feedbacktalk',
                    name='held_by',
                ),
                migrations.RemoveField(
                    model_name='feedbacktalk',
                    name='subject',
                ),
                migrations.RemoveField(
                    model_name='historicalaction',
                    name='history_user',
                ),
                migrations.RemoveField(
                    model_name='historicalaction',
                    name='indicator',
                ),
                migrations.RemoveField(
                    model_name='historicalaction',
                    name='owner',
                ),
                migrations.RemoveField(
                    model_name='historicalaction',
                    name='plan',
                ),
                migrations.RemoveField(
                    model_name='historicalfeedbacktalk',
                    name='appeal_decided_by',
                ),
                migrations.RemoveField(
                    model_name='historicalfeedbacktalk',
                    name='held_by',
                ),
                migrations.RemoveField(
                    model_name='historicalfeedbacktalk',
                    name='history_user',
                ),
                migrations.RemoveField(
                    model_name='historicalfeedbacktalk',
                    name='subject',
                ),
                migrations.RemoveField(
                    model_name='historicalimprovementplan',
                    name='created_by',
                ),
                migrations.RemoveField(
                    model_name='historicalimprovementplan',
                    name='history_user',
                ),
                migrations.RemoveField(
                    model_name='historicalimprovementplan',
                    name='subject',
                ),
                migrations.RemoveField(
                    model_name='improvementplan',
                    name='created_by',
                ),
                migrations.RemoveField(
                    model_name='improvementplan',
                    name='subject',
                ),
                migrations.RemoveField(
                    model_name='progressupdate',
                    name='author',
                ),
                migrations.DeleteModel(
                    name='Action',
                ),
                migrations.DeleteModel(
                    name='Evidence',
                ),
                migrations.DeleteModel(
                    name='FeedbackTalk',
                ),
                migrations.DeleteModel(
                    name='HistoricalAction',
                ),
                migrations.DeleteModel(
                    name='HistoricalFeedbackTalk',
                ),
                migrations.DeleteModel(
                    name='HistoricalImprovementPlan',
                ),
                migrations.DeleteModel(
                    name='ImprovementPlan',
                ),
                migrations.DeleteModel(
                    name='ProgressUpdate',
                ),
            ],
            database_operations=[],
        ),
    ]
